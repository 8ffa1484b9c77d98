"""A claim's alerts -> what its charts draw: figures over time, and a state's events.

Figures come from the alert ``fact`` and ``value``: ``value:<n>`` for a claim with a figure
(``Quantity``), ``<measure>:<n>`` for a matter without one (``Unquantified``). State events come
from facts ``<change>:<stage>`` (``withdrawal:started``); reports that contradict the claim get
a lane of their own on the same axis.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from claimwatch.alerts import Alert
from claimwatch.baselines import Claim, Quantity, State, Unquantified
from claimwatch.report.status import reported_at

STAGES = ("announced", "started", "completed")  # the stages the state judge reports
CONTRADICTED = "contradicted"
QUANTITY_MEASURE = "value"


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
        mine = [a for a in alerts if a.kind == "follow_up" and a.fact.startswith(f"{change.name}:")]
        if not mine:
            continue
        seen = {a.fact.partition(":")[2] for a in mine}
        stages = [*STAGES, *sorted(seen - set(STAGES))]
        lanes.extend(f"{change.name} {stage}" for stage in stages)
        marks.extend(
            Mark(reported_at(a), a, lane=f"{change.name} {a.fact.partition(':')[2]}") for a in mine
        )
    return lanes, marks


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
