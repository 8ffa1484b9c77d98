"""Scales and ticks for the charts: numbers to pixels, round tick values, readable date ticks,
and figures written short enough for an axis ("$9.6 bn", "120 m", "12k ft").
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from claimwatch.units import unit_named

DAY_STEPS = (1, 2, 3, 7, 14)  # tick steps in days for short spans
MONTH_STEPS = (1, 2, 3, 6, 12)  # tick steps in months for long ones
MAX_TICKS = 7
# (from, divisor, suffix): counts and money as newsrooms write them, measures with SI prefixes
NEWS_SCALES = ((1e12, 1e12, "tn"), (1e9, 1e9, "bn"), (1e6, 1e6, "m"))
SI_SCALES = ((1e12, 1e12, "T"), (1e9, 1e9, "G"), (1e6, 1e6, "M"), (1e4, 1e3, "k"))
SIGNS = {"USD": "$", "EUR": "€", "GBP": "£"}


@dataclass(frozen=True, slots=True)
class Scale:
    """Maps ``low..high`` linearly onto pixels ``start..end`` (``end`` may be below ``start``)."""

    low: float
    high: float
    start: float
    end: float

    def __call__(self, value: float) -> float:
        span = self.high - self.low
        share = (value - self.low) / span if span else 0.5
        return round(self.start + share * (self.end - self.start), 1)


def timestamp(moment: datetime) -> float:
    return moment.timestamp()


def nice_step(span: float, count: int = 5) -> float:
    """A 1, 2 or 5 times a power of ten that cuts ``span`` into about ``count`` steps."""
    raw = span / max(count, 1)
    power = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1.0
    return next((power * f for f in (1, 2, 5, 10) if power * f >= raw), power * 10)


def value_ticks(high: float, count: int = 5) -> list[float]:
    """Ticks from zero to the first round value at or above ``high``."""
    step = nice_step(high if high > 0 else 1.0, count)
    top = math.ceil(high / step) * step if high > 0 else step
    return [i * step for i in range(round(top / step) + 1)]


def value_label(value: float) -> str:
    """``2500`` -> ``2,500``; fractions only when the value has one."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}".rstrip("0")


def _scaled(value: float, scales: tuple[tuple[float, float, str], ...], space: str) -> str:
    """``9.6e9`` -> ``9.6 bn``: three significant digits at most; exact below the scales."""
    for start, size, suffix in scales:
        if abs(value) >= start:
            return f"{value / size:.3g}{space}{suffix}"
    return value_label(value)


def compact_label(value: float, unit: str | None = None) -> str:
    """A figure short enough for an axis or a mark: ``$9.6 bn`` for money (the claim's
    ``unit``), ``120 m`` for a count, ``948 ft`` or ``12k ft`` for a measure."""
    found = unit_named(unit) if unit else None
    if found is None:
        return _scaled(value, NEWS_SCALES, " ")
    if found.dimension.startswith("currency:"):
        number = _scaled(value, NEWS_SCALES, " ")
        sign = SIGNS.get(found.name)
        if sign is None:
            return number if found.name == "ANY" else f"{number} {found.name}"
        return f"-{sign}{number[1:]}" if number.startswith("-") else f"{sign}{number}"
    return f"{_scaled(value, SI_SCALES, '')} {found.name}"


def time_domain(moments: Iterable[datetime]) -> tuple[datetime, datetime]:
    """The span of ``moments`` widened by a twentieth on each side and at least a day."""
    points = sorted(moments)
    if not points:
        now = datetime.now(UTC)
        return now - timedelta(days=1), now + timedelta(days=1)
    low, high = points[0], points[-1]
    pad = max((high - low) / 20, timedelta(days=1))
    return low - pad, high + pad


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


def _day_ticks(low: datetime, high: datetime, step: int) -> list[tuple[datetime, str]]:
    first = low.astimezone(UTC).date() + timedelta(days=1)
    ticks = []
    day = first
    while _midnight(day) <= high:
        ticks.append((_midnight(day), f"{day.day} {day:%b}"))
        day += timedelta(days=step)
    return ticks


def _month_ticks(low: datetime, high: datetime, step: int) -> list[tuple[datetime, str]]:
    ticks: list[tuple[datetime, str]] = []
    year, month = low.year, low.month
    while True:
        month += 1
        if month > 12:
            year, month = year + 1, 1
        moment = datetime(year, month, 1, tzinfo=UTC)
        if moment > high:
            return ticks
        if (month - 1) % step == 0:
            ticks.append((moment, f"{moment:%b %Y}"))


def time_ticks(low: datetime, high: datetime) -> list[tuple[datetime, str]]:
    """At most MAX_TICKS dated ticks inside ``low..high``: days for short spans, else months."""
    days = (high - low).total_seconds() / 86400
    for step in DAY_STEPS:
        if days / step <= MAX_TICKS:
            return _day_ticks(low, high, step)
    months = days / 30.44
    step = next((s for s in MONTH_STEPS if months / s <= MAX_TICKS), 0)
    if step:
        return _month_ticks(low, high, step)
    years = max(1, math.ceil(days / 365.25 / MAX_TICKS))
    return [
        (datetime(y, 1, 1, tzinfo=UTC), str(y)) for y in range(low.year + 1, high.year + 1, years)
    ]
