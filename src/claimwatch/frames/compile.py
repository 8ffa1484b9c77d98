"""A claim that names a frame -> the typed expectations the detector judges.

The frame brings the words; the claim brings the story's own (``about``, ``counts``, ``parts``)
and its facts (``value``, ``unit``, ``time``, ``date``). Each frame type compiles one way:

    count     a Quantity for the figure (or an Unquantified without one), an Unquantified
              per later fate (``next``: a figure of the missing *killed* follows them up), and
              an Assertion for the follow-up and contradiction words
    measure   a Quantity in the claim's unit, converted wherever coverage uses another
    time      a TimeRule for the clock time and a DateRule for the date of the event
    state     a State whose changes (reopening, lifting ...) and effects follow it up
    event     an Assertion: its own words negated, or counter-facts, contradict it
    absence   an Absence: the thing the claim rules out, asserted, contradicts it

Which words select the sentences a claim is judged on (``about``): the claim's own words, the
frame's ``terms`` and, for counts, the later fates' terms. A follow-up or contradiction
pattern of one group is judged only near those words; a pattern of two groups or more
(``search + suspended|called off``) anywhere in coverage of the story.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from claimwatch.claims import (
    Absence,
    Assertion,
    Change,
    DateRule,
    Expectation,
    Quantity,
    State,
    TimeRule,
    Unquantified,
)
from claimwatch.frames import Choice, Frame, Lexicon, Trend
from claimwatch.terms import PatternSet

DEFAULT_TOLERANCE = {"count": 0.05, "measure": 0.01}
TIME_TOLERANCE = {"exact": 1, "about": 5}  # minutes off that still fit the claim


@dataclass(frozen=True, slots=True)
class FrameClaim:
    """A frame claim's own facts and words, as the loader validated them."""

    frame: Frame
    choices: tuple[Choice, ...]
    statement: str  # its short form where it has one: what a state's reasons call it
    languages: tuple[str, ...]
    about: tuple[str, ...] = ()
    counts: tuple[str, ...] = ()
    parts: tuple[str, ...] = ()
    value: float | None = None
    unit: str | None = None
    approx: str | None = None
    tolerance: float | None = None
    trend: Trend | None = None
    time: int | None = None  # minutes after midnight
    date: dt.date | None = None
    not_before: dt.date | None = None
    not_after: dt.date | None = None


@dataclass(frozen=True, slots=True)
class Compiled:
    about: tuple[str, ...]
    expectations: tuple[Expectation, ...]
    counts: bool = False  # a count frame: its own terms anchor it, not the story's words


def words(lexicons: Iterable[Lexicon], languages: tuple[str, ...]) -> tuple[str, ...]:
    """The patterns of ``lexicons`` in the baseline's languages, each once, in order."""
    found: dict[str, None] = {}
    for lexicon in lexicons:
        for language in languages:
            found.update(dict.fromkeys(lexicon.get(language, ())))
    return tuple(found)


def _all(claim: FrameClaim) -> tuple[Choice, ...]:
    return (claim.frame.base, *claim.choices)


def _terms(claim: FrameClaim) -> tuple[str, ...]:
    return words((c.terms for c in _all(claim)), claim.languages)


def _follow_up(claim: FrameClaim) -> tuple[str, ...]:
    return words((c.follow_up for c in _all(claim)), claim.languages)


def _contradict(claim: FrameClaim) -> tuple[str, ...]:
    return words((c.contradict for c in _all(claim)), claim.languages)


def _doubt(claim: FrameClaim) -> bool:
    flags = [c.doubt_contradicts for c in _all(claim) if c.doubt_contradicts is not None]
    return bool(flags and flags[-1])


def _anchors(claim: FrameClaim) -> tuple[str, ...]:
    """The frame's own words, where they find the claim's sentences: always when the claim
    has no words of its own, else unless the frame or its choice says they are too common
    ("head", "closed", "operation")."""
    flags = [c.anchors for c in _all(claim) if c.anchors is not None]
    if claim.about and flags and not flags[-1]:
        return ()
    return _terms(claim)


def _trend(claim: FrameClaim) -> Trend:
    if claim.trend is not None:
        return claim.trend
    trends = [c.trend for c in _all(claim) if c.trend is not None]
    return trends[-1] if trends else "fixed"


def compile_claim(claim: FrameClaim) -> Compiled:
    """The expectations and selecting words of one frame claim."""
    build = {
        "count": _count,
        "measure": _measure,
        "time": _time,
        "state": _state,
        "event": _event,
        "absence": _absence,
    }[claim.frame.type]
    about, expectations = build(claim)
    return Compiled(
        about=tuple(dict.fromkeys(a for a in about if a)),
        expectations=expectations,
        counts=claim.frame.type == "count",
    )


def _assertion(claim: FrameClaim, holds: tuple[str, ...] = ()) -> list[Expectation]:
    follow, contra, doubt = _follow_up(claim), _contradict(claim), _doubt(claim)
    if not (follow or contra or doubt or holds):
        return []
    return [
        Assertion(
            holds=PatternSet.of(list(holds)),
            contradicted_by=PatternSet.of(list(contra)),
            followed_up_by=PatternSet.of(list(follow)),
            doubt_contradicts=doubt,
        )
    ]


def _later_fates(claim: FrameClaim) -> list[tuple[str, tuple[str, ...]]]:
    names = dict.fromkeys(n for c in claim.choices for n in c.next)
    chosen = {c.name for c in claim.choices}
    fates = claim.frame.choices
    return [
        (name, words([fates[name].terms], claim.languages))
        for name in names
        if name not in chosen and name in fates
    ]


def _count(claim: FrameClaim) -> tuple[tuple[str, ...], tuple[Expectation, ...]]:
    counted = (*words((c.terms for c in claim.choices), claim.languages), *claim.counts)
    if not counted:
        counted = _terms(claim)
    expectations: list[Expectation] = []
    if claim.value is not None:
        expectations.append(_quantity(claim, counted))
    else:
        name = "+".join(c.name for c in claim.choices) or claim.frame.id
        unit = claim.unit or claim.frame.unit
        expectations.append(Unquantified(((name, PatternSet.of(list(counted))),), unit=unit))
    later = _later_fates(claim)
    if later:
        measures = tuple((name, PatternSet.of(list(terms))) for name, terms in later)
        expectations.append(Unquantified(measures, later=True))
    expectations.extend(_assertion(claim))
    about = (*counted, *(t for _, terms in later for t in terms))
    if claim.value is None:
        about = (*about, *claim.about)  # "detainees ... were released": its people find it
    return about, tuple(expectations)


def _quantity(claim: FrameClaim, counted: tuple[str, ...]) -> Quantity:
    assert claim.value is not None
    approx = claim.approx or "about"
    default = DEFAULT_TOLERANCE["measure" if claim.frame.type == "measure" else "count"]
    tolerance = claim.tolerance if claim.tolerance is not None else default
    return Quantity(
        value=claim.value,
        approx=approx,  # type: ignore[arg-type]
        tolerance=tolerance if approx == "about" else (claim.tolerance or 0.0),
        counts=PatternSet.of(list(counted)),
        parts=PatternSet.of(list(claim.parts)),
        trend=_trend(claim),
        unit=claim.unit or claim.frame.unit,
        members=PatternSet.of(list(claim.about)),
    )


def _measure(claim: FrameClaim) -> tuple[tuple[str, ...], tuple[Expectation, ...]]:
    objects = claim.about or _terms(claim)
    return objects, (_quantity(claim, objects), *_assertion(claim))


def _time(claim: FrameClaim) -> tuple[tuple[str, ...], tuple[Expectation, ...]]:
    """The event is the chosen event's words, or else the claim's own words ("mourning");
    with both, the claim's words must be in the sentence ("protests ... began on")."""
    chosen = words((c.terms for c in claim.choices), claim.languages)
    events = chosen or claim.about or _terms(claim)
    event = PatternSet.of(list(events))
    scope = PatternSet.of(list(claim.about)) if chosen else PatternSet(())
    expectations: list[Expectation] = []
    if claim.time is not None:
        approx = claim.approx if claim.approx in TIME_TOLERANCE else "about"
        expectations.append(TimeRule(claim.time, TIME_TOLERANCE[approx], event, scope))
    if claim.date or claim.not_before or claim.not_after:
        expectations.append(DateRule(event, claim.date, claim.not_before, claim.not_after, scope))
    expectations.extend(_assertion(claim))
    return (*events, *(claim.about if chosen else ())), tuple(expectations)


def _state(claim: FrameClaim) -> tuple[tuple[str, ...], tuple[Expectation, ...]]:
    merged: dict[str, list[str]] = {}
    for choice in _all(claim):
        for name, lexicon in choice.changes:
            merged.setdefault(name, []).extend(words([lexicon], claim.languages))
    changes = tuple(
        Change(name, PatternSet.of(list(dict.fromkeys(terms))))
        for name, terms in merged.items()
        if terms
    )
    state = State(
        holds=_holds_phrase(claim.statement),
        changes=changes,
        contradicted_by=PatternSet.of(list(_contradict(claim))),
        followed_up_by=PatternSet.of(list(_follow_up(claim))),
    )
    return (*claim.about, *_anchors(claim)), (state,)


def _event(claim: FrameClaim) -> tuple[tuple[str, ...], tuple[Expectation, ...]]:
    own = _terms(claim)
    holds = own if claim.frame.negation_contradicts else ()
    return (*claim.about, *_anchors(claim)), tuple(_assertion(claim, holds=holds))


def _absence(claim: FrameClaim) -> tuple[tuple[str, ...], tuple[Expectation, ...]]:
    things = _terms(claim)
    absence = Absence(
        things=PatternSet.of(list(things)),
        rebuttals=PatternSet.of(list(words((c.rebuttal for c in _all(claim)), claim.languages))),
        scope=PatternSet.of(list(claim.about)),
    )
    return (*claim.about, *things), (absence, *_assertion(claim))


def _holds_phrase(statement: str) -> str:
    """A state's description for reasons: the statement without its final full stop."""
    text = " ".join(statement.split()).rstrip(".")
    return text[:1].lower() + text[1:] if text[:2] != text[:2].upper() else text
