"""A validated frame claim -> ``compile.FrameClaim``: the frame's rules for which keys a claim
takes, checked where the library is known, and the rivals each count's figure has.

Rules (README "Frame reference"): every frame named must exist; a frame with choices takes
its choice key (``fate: missing`` or ``fate: [killed, injured]``), and a claim without one
gets the frame's default choices; ``measure`` needs ``value`` and ``unit``; ``time`` needs
``time``, ``date``, ``not_before`` or ``not_after``; ``value``, ``unit``, ``approx``,
``tolerance``, ``trend``, ``counts`` and ``parts`` belong to counts and measures.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from claimwatch.claims import Claim, Quantity, minutes_after_midnight
from claimwatch.frames import Choice, Frame, FrameLibrary
from claimwatch.frames.compile import Compiled, FrameClaim, compile_claim
from claimwatch.terms import PatternSet
from claimwatch.units import unit_named

# The kinds a baseline's ``entities`` may name: the story's own ship, bridge, place ...
ENTITY_KINDS = (
    "vessel",
    "vehicle",
    "aircraft",
    "train",
    "bridge",
    "road",
    "building",
    "facility",
    "place",
    "country",
    "organisation",
    "person",
    "event",
    "product",
    "other",
)
_FIGURE_KEYS = ("value", "unit", "approx", "tolerance", "trend", "counts", "parts")
_FIGURE_TYPES = ("count", "measure")

Located = tuple[tuple[Any, ...], str]  # (key path under the claim, message)


def _chosen(raw: Any, frame: Frame) -> tuple[str, ...]:
    extra = raw.model_extra or {}
    value = extra.get(frame.choice_key) if frame.choice_key else None
    if value is None:
        return frame.default
    return (value,) if isinstance(value, str) else tuple(value)


def frame_ids(raw: Any) -> tuple[str, ...]:
    """The frames a claim names: one (``frame: state``) or several (``frame: [time, cause]``)."""
    value = raw.frame
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


def check_claim(raw: Any, frames: FrameLibrary) -> list[Located]:
    """What is wrong with one claim's frame keys (empty when nothing is)."""
    extra = dict(raw.model_extra or {})
    ids = frame_ids(raw)
    if not ids:
        return [((key,), "unknown key") for key in extra]
    unknown = [i for i in ids if frames.get(i) is None]
    if unknown:
        message = f"unknown frame {unknown[0]!r}; frames: {', '.join(frames.ids())}"
        return [(("frame",), message)]
    named = [f for f in (frames.get(i) for i in ids) if f is not None]
    keys = {f.choice_key: f for f in named if f.choice_key}
    problems: list[Located] = []
    for key in extra:
        if key not in keys:
            takes = ", ".join(repr(k) for k in keys) or "no choice key"
            problems.append(((key,), f"unknown key; frame {', '.join(ids)} takes {takes}"))
            continue
        problems.extend(_check_choices(extra[key], keys[key], key))
    return problems + _check_facts(raw, named)


def _check_choices(value: Any, frame: Frame, key: str) -> list[Located]:
    names = (value,) if isinstance(value, str) else value
    if not isinstance(names, list | tuple) or not names:
        return [((key,), "a choice name or a list of them")]
    return [
        ((key,), f"{name!r} is not a choice of {frame.id}: {', '.join(frame.choice_names())}")
        for name in names
        if not isinstance(name, str) or name not in frame.choices
    ]


def _check_facts(raw: Any, frames: list[Frame]) -> list[Located]:
    problems: list[Located] = []
    types = {f.type for f in frames}
    names = ", ".join(f.id for f in frames)
    if not types & set(_FIGURE_TYPES):
        for key in _FIGURE_KEYS:
            if getattr(raw, key) not in (None, ()):
                problems.append(((key,), f"frame {names} takes no {key} (counts and measures do)"))
    if "measure" in types and (raw.value is None or raw.unit is None):
        problems.append((("value",), "a measure needs value and unit"))
    if raw.unit is not None and unit_named(raw.unit) is None:
        problems.append((("unit",), f"unknown unit {raw.unit!r} (ft, m, km, mi, t, USD ...)"))
    dated = raw.time is not None or raw.date is not None or raw.not_before or raw.not_after
    if "time" in types and not dated:
        problems.append((("time",), "a time frame needs time, date, not_before or not_after"))
    if "time" not in types:
        for key in ("time", "date", "not_before", "not_after"):
            if getattr(raw, key) is not None:
                problems.append(((key,), f"frame {names} takes no {key} (the time frame does)"))
    return problems


def frame_claim(raw: Any, languages: tuple[str, ...], frames: FrameLibrary) -> Compiled:
    """The compiled expectations of a frame claim already passed by ``check_claim``: each
    frame it names compiles on its own, and the selecting words and expectations add up."""
    about: list[str] = []
    expectations: list[Any] = []
    counts = False
    for frame_id in frame_ids(raw):
        frame = frames.get(frame_id)
        assert frame is not None
        compiled = compile_claim(_frame_claim(raw, frame, languages))
        about.extend(compiled.about)
        expectations.extend(compiled.expectations)
        counts = counts or compiled.counts
    return Compiled(tuple(dict.fromkeys(about)), tuple(expectations), counts)


def _frame_claim(raw: Any, frame: Frame, languages: tuple[str, ...]) -> FrameClaim:
    choices: tuple[Choice, ...] = tuple(frame.choices[n] for n in _chosen(raw, frame))
    minutes = minutes_after_midnight(raw.time) if raw.time is not None else None
    return FrameClaim(
        frame=frame,
        choices=choices,
        statement=raw.short or raw.statement,
        languages=languages,
        about=raw.about,
        counts=raw.counts,
        parts=raw.parts,
        value=raw.value,
        unit=raw.unit,
        approx=raw.approx,
        tolerance=raw.tolerance,
        trend=raw.trend,
        time=minutes,
        date=raw.date,
        not_before=raw.not_before,
        not_after=raw.not_after,
    )


def _frames_of(claim: Claim) -> frozenset[str]:
    return frozenset(claim.frame.split("+")) if claim.frame else frozenset()


def with_competitors(claims: Sequence[Claim]) -> tuple[Claim, ...]:
    """Each frame claim learns the own words of the claims that share a frame with it
    (``matching.focus``)."""
    out = []
    for claim in claims:
        mine = _frames_of(claim)
        others = [
            p.source
            for c in claims
            if c is not claim and c.own and mine & _frames_of(c)
            for p in c.own.patterns
        ]
        competing = PatternSet.of(list(dict.fromkeys(others))) if mine and claim.own else None
        out.append(dataclasses.replace(claim, competing=competing) if competing else claim)
    return tuple(out)


def with_rivals(claims: Sequence[Claim]) -> tuple[Claim, ...]:
    """Each figure-claim learns what the baseline's other figures count, so that a figure
    nearer another claim's noun ("six missing" beside "eight in the water") is not its own."""
    counted = [
        (claim.id, e) for claim in claims for e in claim.expectations if isinstance(e, Quantity)
    ]
    if len(counted) < 2:
        return tuple(claims)
    out = []
    for claim in claims:
        expectations = tuple(
            _rivalled(e, [q for cid, q in counted if cid != claim.id])
            if isinstance(e, Quantity)
            else e
            for e in claim.expectations
        )
        out.append(dataclasses.replace(claim, expectations=expectations))
    return tuple(out)


def _rivalled(quantity: Quantity, others: list[Quantity]) -> Quantity:
    own = {p.source for p in quantity.counts.patterns}
    sources = dict.fromkeys(
        p.source
        for other in others
        if _same_kind(quantity, other)
        for p in other.counts.patterns
        if p.source not in own
    )
    return dataclasses.replace(quantity, rivals=PatternSet.of(list(sources)))


def _same_kind(a: Quantity, b: Quantity) -> bool:
    """Counts rival counts, lengths rival lengths: a ship's 948 feet is no count of people."""
    unit_a, unit_b = unit_named(a.unit) if a.unit else None, unit_named(b.unit) if b.unit else None
    if unit_a is None or unit_b is None:
        return unit_a is None and unit_b is None
    return unit_a.dimension == unit_b.dimension
