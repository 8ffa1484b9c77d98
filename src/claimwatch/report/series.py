"""A claim's alerts -> what its charts draw: figures over time, and a state's events.

Figures come from the alert ``fact`` and ``value``: ``value:<n>`` for a claim with a figure
(``Quantity``), ``<measure>:<n>`` for a matter without one (``Unquantified``). State events come
from facts ``<change>:<stage>`` (``withdrawal:started``); reports that contradict the claim get
a lane of their own on the same axis.

An alert carries one figure at most, and none when the detector fired on other words ("rose
to"): the figures its evidence quotes beside it are read here, so that the page never says
"no figure" beside a sentence that gives one.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from claimwatch.alerts import Alert
from claimwatch.baselines import Claim, Quantity, State, Unquantified
from claimwatch.claims import Change
from claimwatch.matching.figures import find_figures
from claimwatch.report.status import reported_at
from claimwatch.sinks.email_render import one_line
from claimwatch.units import unit_named

STAGES = ("announced", "started", "completed")  # the stages the state judge reports
CONTRADICTED = "contradicted"
QUANTITY_MEASURE = "value"
FIGURE_TEXT_LIMIT = 30  # characters of a quoted figure ("more than 4,500")
QUOTED_SCAN = 12  # newest reports of a claim whose evidence is read for figures: reading a
# sentence takes about a millisecond, and the page is rendered again for each new alert


@dataclass(frozen=True, slots=True)
class Mark:
    """One report placed on a chart."""

    at: datetime
    alert: Alert
    value: float | None = None  # a figure chart's y
    lane: str = ""  # a state axis's row


@dataclass(frozen=True, slots=True)
class FigureSeries:
    measure: str  # "value" for the claim's own figure, else the measure's name
    marks: tuple[Mark, ...]
    reference: Quantity | None  # the baseline's own figure, when the claim gives one

    @property
    def unit(self) -> str | None:
        return self.reference.unit if self.reference else None


@dataclass(frozen=True, slots=True)
class StateTrack:
    holds: str
    lanes: tuple[str, ...]  # top to bottom: each change's stages, then contradictions
    marks: tuple[Mark, ...]


def _measure(alert: Alert) -> str | None:
    if alert.value is None or ":" not in alert.fact:
        return None
    return alert.fact.partition(":")[0]


def _figures(alerts: Sequence[Alert], measure: str) -> tuple[Mark, ...]:
    return tuple(
        Mark(reported_at(a), a, value=a.value)
        for a in alerts
        if _measure(a) == measure and a.value is not None
    )


def figure_series(claim: Claim, alerts: Sequence[Alert]) -> list[FigureSeries]:
    """One series for the claim's own figure and one per unquantified measure (maybe empty)."""
    series: list[FigureSeries] = []
    quantity = next((e for e in claim.expectations if isinstance(e, Quantity)), None)
    if quantity is not None:
        series.append(FigureSeries(QUANTITY_MEASURE, _figures(alerts, QUANTITY_MEASURE), quantity))
    for expectation in claim.expectations:
        if isinstance(expectation, Unquantified):
            for measure, _terms in expectation.measures:
                series.append(FigureSeries(measure, _figures(alerts, measure), None))
    return series


def _state_lanes(state: State, alerts: Sequence[Alert]) -> tuple[list[str], list[Mark]]:
    lanes: list[str] = []
    marks: list[Mark] = []
    for change in state.changes:
        reported = _reported(change, alerts)
        if not reported:
            continue
        stages = _stage_order({stage for _, stage in reported})
        lanes.extend(f"{change.name} {stage}" for stage in stages)
        marks.extend(
            Mark(reported_at(a), a, lane=f"{change.name} {stage}") for a, stage in reported
        )
    return lanes, marks


def _reported(change: Change, alerts: Sequence[Alert]) -> list[tuple[Alert, str]]:
    """The follow-ups that reported ``change``, each with the stage it reported."""
    prefix = f"{change.name}:"
    return [
        (a, a.fact.removeprefix(prefix))
        for a in alerts
        if a.kind == "follow_up" and a.fact.startswith(prefix)
    ]


def _stage_order(seen: set[str]) -> list[str]:
    """Every known stage in its order, then any other stage seen, by name."""
    return [*STAGES, *sorted(seen - set(STAGES))]


def state_tracks(claim: Claim, alerts: Sequence[Alert]) -> list[StateTrack]:
    """One time axis per state the claim describes; lanes only for changes that were reported."""
    tracks: list[StateTrack] = []
    for expectation in claim.expectations:
        if not isinstance(expectation, State):
            continue
        lanes, marks = _state_lanes(expectation, alerts)
        against = [
            Mark(reported_at(a), a, lane=CONTRADICTED) for a in alerts if a.kind == "contradiction"
        ]
        if against:
            lanes.append(CONTRADICTED)
            marks.extend(against)
        tracks.append(
            StateTrack(expectation.holds, tuple(lanes), tuple(sorted(marks, key=lambda m: m.at)))
        )
    return tracks


def _figure_kinds(claim: Claim) -> set[str | None]:
    """The kinds of figure (``Figure.unit``) that can be the claim's: counts, and money or
    measures where its figure has such a unit."""
    kinds: set[str | None] = {None}
    for expectation in claim.expectations:
        if isinstance(expectation, Quantity) and expectation.unit:
            found = unit_named(expectation.unit)
            money = found is not None and found.dimension.startswith("currency:")
            kinds.add("currency" if money else "measure")
    return kinds


def quoted_figures(claim: Claim, alerts: Sequence[Alert]) -> tuple[str, ...]:
    """The figures the evidence of the newest reports quotes that no alert carries as its own
    value, as written ("369", "more than 4,500"), in report order; vague ones ("dozens") and
    those of another kind (money beside a count of people) left out."""
    carried = {a.value for a in alerts if a.value is not None}
    kinds = _figure_kinds(claim)
    found: dict[float, str] = {}
    for alert in alerts[-QUOTED_SCAN:]:
        for figure in find_figures(alert.evidence):
            if figure.vague or figure.value in carried or figure.unit not in kinds:
                continue
            found.setdefault(figure.value, one_line(figure.text, FIGURE_TEXT_LIMIT))
    return tuple(found.values())


def stage_counts(state: State, alerts: Sequence[Alert]) -> list[tuple[str, list[tuple[str, int]]]]:
    """Per change of ``state``, how many follow-ups reported each stage, in stage order:
    ``[("withdrawal", [("announced", 3), ("completed", 1)])]``; changes never reported left out."""
    rows = []
    for change in state.changes:
        counts = Counter(stage for _, stage in _reported(change, alerts))
        if counts:
            order = _stage_order(set(counts))
            rows.append((change.name, [(s, counts[s]) for s in order if s in counts]))
    return rows
