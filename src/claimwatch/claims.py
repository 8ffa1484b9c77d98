"""The records a baseline is read into: Baseline, Claim and the typed expectations.

``baselines`` builds them from YAML (a claim's own ``expect`` list, or a frame through
``frames.compile``); ``matching`` judges coverage against them. They hold compiled term
patterns (``terms.PatternSet``) and nothing else that needs reading again.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from claimwatch.terms import PatternSet

Approx = Literal["exact", "about", "at_least", "at_most"]
Trend = Literal["fixed", "grows", "shrinks"]
_NONE = PatternSet(())


@dataclass(frozen=True, slots=True)
class Quantity:
    """The claim states a figure; an incompatible figure contradicts it.

    ``trend`` says how the quantity moves as a story goes on: a count that ``grows`` (the
    dead, the detained) is followed up by a larger figure; one that ``shrinks`` (the missing)
    by a smaller one said to remain; a ``fixed`` one (a ship's length) only contradicted.
    ``unit`` is the claim's unit (``ft``, ``currency``...) where the figure measures rather
    than counts; figures in other units of the same dimension are converted.
    """

    value: float
    approx: Approx
    tolerance: float
    counts: PatternSet
    parts: PatternSet
    trend: Trend = "fixed"
    unit: str | None = None
    members: PatternSet = _NONE  # who or what is counted ("workers"): "6 workers are missing"
    rivals: PatternSet = _NONE  # what the baseline's other figures count: not this claim's

    @property
    def interval(self) -> tuple[float, float]:
        low, high = self.value * (1 - self.tolerance), self.value * (1 + self.tolerance)
        if self.approx == "exact":
            return self.value, self.value
        if self.approx == "at_least":
            return self.value, float("inf")
        if self.approx == "at_most":
            return 0.0, self.value
        return low, high


@dataclass(frozen=True, slots=True)
class Unquantified:
    """The claim names a matter without a figure; any figure for it follows it up."""

    measures: tuple[tuple[str, PatternSet], ...]
    later: bool = False  # the measures are later fates of a counted claim ("bodies" of the missing)
    unit: str | None = None  # "currency": amounts of money, not counts, follow it up


@dataclass(frozen=True, slots=True)
class Change:
    name: str
    terms: PatternSet


@dataclass(frozen=True, slots=True)
class State:
    """The claim describes a state; coverage of its changes and effects follows it up."""

    holds: str  # what is in force, as the baseline wrote it (quoted in reasons)
    changes: tuple[Change, ...]
    contradicted_by: PatternSet
    followed_up_by: PatternSet = _NONE
    holds_terms: PatternSet = _NONE  # ``holds`` read as terms: negated, it contradicts


@dataclass(frozen=True, slots=True)
class Assertion:
    """The claim asserts something; its denial or named counter-facts contradict it."""

    holds: PatternSet  # the claim's own predicate: negating it contradicts
    contradicted_by: PatternSet
    followed_up_by: PatternSet
    doubt_contradicts: bool  # "no evidence that ..." about the claim contradicts it


@dataclass(frozen=True, slots=True)
class Absence:
    """The claim rules something out ("no evidence of terrorism", "no injuries").

    Coverage asserting the thing contradicts; coverage reporting it only to reject it (a
    rumour debunked, a theory dismissed) follows the claim up.
    """

    things: PatternSet  # what the claim says did not happen
    rebuttals: PatternSet  # words that report the thing in order to reject it
    scope: PatternSet = _NONE  # whom or what it concerns, when the claim is narrower


@dataclass(frozen=True, slots=True)
class DateRule:
    """The claim dates an event; another date for it contradicts."""

    event: PatternSet  # empty: the claim's ``about`` terms stand for the event
    date: dt.date | None
    not_before: dt.date | None
    not_after: dt.date | None
    scope: PatternSet = _NONE  # words the sentence must hold too ("protests" ... began)


@dataclass(frozen=True, slots=True)
class TimeRule:
    """The claim gives the clock time of an event: a time ``tolerance`` minutes off or more
    contradicts it; a finer time that fits (1:28 for "about 1:30") follows it up."""

    minutes: int  # after midnight
    tolerance: int
    event: PatternSet
    scope: PatternSet = _NONE  # words the sentence must hold too


def minutes_after_midnight(clock: str) -> int:
    """ "01:30" (a time the loader validated) -> 90."""
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


Expectation = Quantity | Unquantified | State | Assertion | Absence | DateRule | TimeRule


@dataclass(frozen=True, slots=True)
class Claim:
    id: str
    statement: str
    short: str  # a noun phrase for reasons ("about 2,500 CSTO peacekeepers")
    quote: str | None
    about: PatternSet
    context: PatternSet
    expectations: tuple[Expectation, ...]
    frame: str | None = None  # the frame it was written with, if any
    local: bool = False  # judged only near its own words (not by specific cues elsewhere)
    own: PatternSet = _NONE  # the story's own words for it (a frame claim's ``about``)
    competing: PatternSet = _NONE  # the own words of the claims that share a frame with it


@dataclass(frozen=True, slots=True)
class Entity:
    """One of the story's own names, by kind ("vessel": the Dali)."""

    kind: str
    names: PatternSet


@dataclass(frozen=True, slots=True)
class Baseline:
    id: str
    title: str
    outlet: str
    url: str | None
    date: dt.date | None
    since: dt.date | None
    languages: tuple[str, ...]
    subject: PatternSet  # worth fetching and reading
    required: PatternSet  # must occur in an article for any finding (defaults to subject)
    claims: tuple[Claim, ...]
    path: Path
    entities: tuple[Entity, ...] = field(default=())
