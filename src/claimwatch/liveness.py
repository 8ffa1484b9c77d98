"""When /healthz says "degraded": the daemon runs and its database answers, but it is not
doing its job. Pure decisions over what the web server samples.

- *Polls*: no feed poll has succeeded (fetched, or 304 not modified) for
  ``[http] healthz_max_poll_age`` (default 1 h; never less than twice the shortest feed
  interval, so a feed polled hourly does not look dead between polls), counted from the
  daemon's start while none has succeeded yet.
- *Outbox*: the backlog (deliveries pending or failed) kept growing for
  ``[http] healthz_backlog_window`` (default 30 min): sampled every ``sample_every``, it never
  shrank and ended larger than it began. A digest sink's pending deliveries wait for their
  period on purpose and are not counted; its failed ones are.

"0" turns either check off.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from itertools import pairwise

from claimwatch.alerts import iso

BACKLOG_STATES = ("pending", "failed")


@dataclass(frozen=True, slots=True)
class Sample:
    at: datetime
    backlog: int


def sample_every(window: float) -> float:
    """Seconds between backlog samples: ten per window, between 5 s and a minute."""
    return max(5.0, min(60.0, window / 10)) if window else 60.0


def backlog(counts: Mapping[tuple[str, str], int], digest_sinks: Collection[str] = ()) -> int:
    """Deliveries still to make, from ``Store.delivery_counts()``."""
    return sum(
        count
        for (sink, state), count in counts.items()
        if state == "failed" or (state == "pending" and sink not in digest_sinks)
    )


def span(seconds: float) -> str:
    """``45`` -> ``45s``, ``1800`` -> ``30m``, ``4500`` -> ``1h 15m``."""
    if seconds < 60:
        return f"{seconds:g}s"
    minutes = int(seconds // 60)
    return f"{minutes // 60}h {minutes % 60:02d}m" if minutes >= 60 else f"{minutes}m"


def stale_polls(
    now: datetime,
    since: datetime,
    max_age: float,
    intervals: Iterable[float],
) -> str | None:
    """Why polls look dead, or None. ``since``: the last success, else the daemon's start."""
    shortest = min(intervals, default=None)
    if not max_age or shortest is None:
        return None  # off, or no feed to poll
    limit = max(max_age, 2 * shortest)
    age = (now - since).total_seconds()
    if age < limit:
        return None
    return f"no feed poll has succeeded for {span(age)} (since {iso(since)}; limit {span(limit)})"


class BacklogTrend:
    """The outbox backlog over the last window, oldest sample first."""

    def __init__(self) -> None:
        self.samples: deque[Sample] = deque()

    def add(self, at: datetime, count: int, window: float) -> None:
        self.samples.append(Sample(at, count))
        # Keep one sample from before the window: it is where the window's growth starts.
        while len(self.samples) > 2 and (at - self.samples[1].at).total_seconds() >= window:
            self.samples.popleft()

    def growing(self, now: datetime, window: float) -> str | None:
        """Why the backlog looks stuck, or None."""
        if not window or len(self.samples) < 2:
            return None
        first, last = self.samples[0], self.samples[-1]
        if (now - first.at).total_seconds() < window or last.backlog <= first.backlog:
            return None
        values = [s.backlog for s in self.samples]
        if any(later < earlier for earlier, later in pairwise(values)):
            return None
        return (
            f"the outbox backlog grew from {first.backlog} to {last.backlog} deliveries over "
            f"{span((now - first.at).total_seconds())} without shrinking"
        )
