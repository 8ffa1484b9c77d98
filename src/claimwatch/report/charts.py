"""Inline SVG charts: reported figures over publication date, and a state's events on a time axis.

Drawn by this small module rather than a plotting library: the page must be one file with no
scripts, and these two chart forms need only scales, ticks, markers and a legend (axes.py,
svg.py). Each mark is one report, coloured by its source and linked to it; hovering shows the
source, date, figure and title.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, time

from claimwatch.baselines import Quantity
from claimwatch.report.axes import (
    Scale,
    compact_label,
    time_domain,
    time_ticks,
    value_label,
    value_ticks,
)
from claimwatch.report.series import CONTRADICTED, FigureSeries, Mark, StateTrack
from claimwatch.report.svg import (
    LegendItem,
    SourceStyle,
    esc,
    legend,
    line,
    linked_marker,
    source_item,
    source_styles,
    text,
    text_width,
)
from claimwatch.sinks.email_render import one_line

WIDTH = 880
RIGHT = 24
TOP = 24  # room for the baseline date's label and the top value's
PLOT_HEIGHT = 170
AXIS_HEIGHT = 30
LANE = 30
LABEL_ROOM = (44, 14)  # a value label is skipped when another sits this close (x, y)
TICK_SIZE, LANE_SIZE = 11, 12  # px: the CSS font sizes of value ticks and lane labels
MIN_LEFT = 40.0  # the left margin of a figure chart with short labels
TIP_TITLE_LIMIT = 100
APPROX_WORDS = {"exact": "", "about": "about ", "at_least": "at least ", "at_most": "at most "}


def _midday(day: date) -> datetime:
    return datetime.combine(day, time(12), tzinfo=UTC)


def _tip(mark: Mark) -> str:
    alert = mark.alert
    parts = [one_line(alert.feed), f"{mark.at:%Y-%m-%d}"]
    if mark.value is not None:
        parts.append(value_label(mark.value))
    parts.append(one_line(alert.article_title, TIP_TITLE_LIMIT) or "(untitled)")
    return " · ".join(parts)


def _svg(height: float, label: str, body: Iterable[str]) -> str:
    return (
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height:g}" role="img" '
        f'aria-label="{esc(label)}" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{esc(label)}</title>{''.join(body)}</svg>"
    )


def _time_axis(x: Scale, low: datetime, high: datetime, top: float, bottom: float) -> list[str]:
    parts = [line(x.start, bottom, x.end, bottom, "axis")]
    for moment, label in time_ticks(low, high):
        px = x(moment.timestamp())
        parts.append(line(px, top, px, bottom, "grid"))
        parts.append(line(px, bottom, px, bottom + 4, "axis"))
        if px + 3.5 * len(label) < WIDTH:  # a label cut by the edge reads as another date
            parts.append(text(px, bottom + 17, label, anchor="middle", cls="tick"))
    return parts


def _baseline_rule(x: Scale, day: date | None, top: float, bottom: float) -> list[str]:
    if day is None:
        return []
    px = x(_midday(day).timestamp())
    right = px < x.end - 140  # the label reads away from the edge
    label = f"baseline {day.day} {day:%b %Y}"
    return [
        line(px, top - 6, px, bottom, "baseline-date"),
        text(
            px + 4 if right else px - 4,
            top - 9,
            label,
            anchor="start" if right else "end",
            cls="note",
        ),
    ]


def _styles(marks: Sequence[Mark]) -> dict[str, SourceStyle]:
    """Colours per chart, not per page: a story has more sources than a palette has colours,
    and within one chart every source must stand apart."""
    return source_styles(sorted({m.alert.feed for m in marks}))


def _legend(styles: Mapping[str, SourceStyle]) -> list[LegendItem]:
    return [source_item(feed, style) for feed, style in styles.items()]


def _x_scale(marks: Sequence[Mark], baseline_day: date | None, left: float) -> Scale:
    moments = [m.at for m in marks] + ([_midday(baseline_day)] if baseline_day else [])
    low, high = time_domain(moments)
    return Scale(low.timestamp(), high.timestamp(), left, WIDTH - RIGHT)


def _domain(x: Scale) -> tuple[datetime, datetime]:
    return datetime.fromtimestamp(x.low, UTC), datetime.fromtimestamp(x.high, UTC)


# ---- figures ------------------------------------------------------------------------------


def _reference(q: Quantity, x: Scale, y: Scale) -> list[str]:
    """The tolerance band (when not exact) and the baseline's figure as a dashed line."""
    low, high = q.interval
    top = y(min(high, y.high)) if math.isfinite(high) else y(y.high)
    parts = []
    if q.approx != "exact":
        parts.append(
            f'<rect x="{x.start:g}" y="{top:g}" width="{x.end - x.start:g}" '
            f'height="{max(y(low) - top, 1):g}" class="band"/>'
        )
    ry = y(q.value)
    label = f"baseline: {APPROX_WORDS[q.approx]}{compact_label(q.value, q.unit)}"
    parts.append(line(x.start, ry, x.end, ry, "reference"))
    parts.append(text(x.end - 4, ry - 6, label, anchor="end", cls="reference-label"))
    return parts


def _value_labels(points: Sequence[tuple[float, float, float]], unit: str | None) -> list[str]:
    """A figure above each mark, unless another label already sits there."""
    placed: list[tuple[float, float]] = []
    parts = []
    for px, py, value in points:
        if any(abs(px - qx) < LABEL_ROOM[0] and abs(py - qy) < LABEL_ROOM[1] for qx, qy in placed):
            continue
        placed.append((px, py))
        parts.append(text(px, py - 9, compact_label(value, unit), anchor="middle", cls="value"))
    return parts


def figure_chart(
    series: FigureSeries,
    *,
    label: str,
    baseline_day: date | None,
) -> str:
    """Every reported figure of one measure over publication date, with the baseline's own."""
    marks, unit = series.marks, series.unit
    styles = _styles(marks)
    values = [m.value for m in marks if m.value is not None]
    if series.reference is not None:
        values.append(series.reference.value)
    ticks = value_ticks(max(values, default=1.0) * 1.12)  # room for the top mark's label
    labels = [compact_label(tick, unit) for tick in ticks]
    left = max(MIN_LEFT, 14 + max(text_width(label, TICK_SIZE) for label in labels))
    x = _x_scale(marks, baseline_day, left)
    bottom = TOP + PLOT_HEIGHT
    y = Scale(0.0, ticks[-1], bottom, TOP)
    parts = []
    for tick, tick_label in zip(ticks, labels, strict=True):
        parts.append(line(left, y(tick), x.end, y(tick), "grid" if tick else "axis"))
        parts.append(text(left - 6, y(tick) + 4, tick_label, anchor="end", cls="tick"))
    parts += _time_axis(x, *_domain(x), TOP, bottom)
    if series.reference is not None:
        parts += _reference(series.reference, x, y)
    parts += _baseline_rule(x, baseline_day, TOP, bottom)
    if not marks:
        parts.append(
            text((left + x.end) / 2, TOP + PLOT_HEIGHT / 2, "no figure charted yet",
                 anchor="middle", cls="note")
        )  # fmt: skip
    points = [(x(m.at.timestamp()), y(m.value or 0.0), m.value or 0.0) for m in marks]
    parts += _value_labels(points, unit)
    for mark, (px, py, _value) in zip(marks, points, strict=True):
        parts.append(
            linked_marker(styles[mark.alert.feed], px, py, _tip(mark), mark.alert.article_url)
        )
    items = _legend(styles)
    if series.reference is not None:
        items.append(LegendItem("baseline figure", line(-9, 0, 9, 0, "reference")))
    keys, height = legend(items, left, bottom + AXIS_HEIGHT, x.end - left)
    parts.append(keys)
    return _svg(bottom + AXIS_HEIGHT + height + 6, label, parts)


# ---- states -------------------------------------------------------------------------------


def _lane_offsets(marks: Sequence[Mark], x: Scale) -> list[float]:
    """Reports of the same lane and nearly the same day fan out vertically instead of hiding."""
    taken: dict[tuple[str, int], int] = {}
    offsets: list[float] = []
    for mark in marks:
        key = (mark.lane, round(x(mark.at.timestamp()) / 8))
        n = taken.get(key, 0)
        taken[key] = n + 1
        offsets.append((0.0, 10.0, -10.0)[n % 3])  # a lane holds three; more overlap
    return offsets


def state_chart(
    track: StateTrack,
    *,
    label: str,
    baseline_day: date | None,
) -> str:
    """Each reported stage of each change (announced, started, completed) on one time axis."""
    left = max(MIN_LEFT, 16 + max((text_width(lane, LANE_SIZE) for lane in track.lanes), default=0))
    marks = track.marks
    styles = _styles(marks)
    x = _x_scale(marks, baseline_day, left)
    bottom = TOP + LANE * len(track.lanes)
    lane_y = {lane: TOP + LANE * (i + 0.5) for i, lane in enumerate(track.lanes)}
    parts = []
    for i, lane in enumerate(track.lanes):
        if i % 2 == 0:
            parts.append(
                f'<rect x="{left:g}" y="{TOP + LANE * i:g}" width="{x.end - left:g}" '
                f'height="{LANE}" class="lane"/>'
            )
        cls = "lane-label contra" if lane == CONTRADICTED else "lane-label"
        parts.append(text(left - 8, lane_y[lane] + 4, lane, anchor="end", cls=cls))
    parts += _time_axis(x, *_domain(x), TOP, bottom)
    parts += _baseline_rule(x, baseline_day, TOP, bottom)
    for mark, dy in zip(marks, _lane_offsets(marks, x), strict=True):
        px, py = x(mark.at.timestamp()), lane_y[mark.lane] + dy
        parts.append(
            linked_marker(styles[mark.alert.feed], px, py, _tip(mark), mark.alert.article_url)
        )
    keys, height = legend(_legend(styles), left, bottom + AXIS_HEIGHT, x.end - left)
    parts.append(keys)
    return _svg(bottom + AXIS_HEIGHT + height + 6, label, parts)
