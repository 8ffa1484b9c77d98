"""Is a feed in trouble? Pure decisions over its recent history, turned into operator alerts.

A feed is in trouble when

- *failing*: its current run of failed polls started ``failing_after`` ago or earlier
  (``[scheduler] failing_after``, default 24 h), or
- *silent*: it answers, but its newest entry was first seen longer ago than both
  ``failing_after`` and SILENCE_FACTOR times its usual rhythm (the median gap between its
  recent entries; a feed with fewer than MIN_HISTORY entries has no rhythm yet).

One ``feed_failing`` alert opens an episode, one ``feed_recovered`` alert closes it when the
feed works again (a successful poll; for a silent feed, a new entry); nothing in between. The
open episode is the feed's latest feed alert, kept in the store with every other alert. Both
alerts of an episode get ids from the feed and the episode's start, so recomputing them (after
a crash, or on every poll while nothing changed) never stores one twice.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import pairwise
from typing import Literal

from claimwatch.alerts import Alert, FeedKind, alert_id, iso

SILENCE_FACTOR = 10.0
MIN_HISTORY = 5  # entries needed before a feed's rhythm means anything

Reason = Literal["failing", "silent"]


@dataclass(frozen=True, slots=True)
class Episode:
    """A stretch of trouble: why, and since when."""

    reason: Reason
    since: datetime


@dataclass(frozen=True, slots=True)
class FeedHistory:
    """What the store knows about one feed's health, read after its latest poll was saved."""

    failing_since: datetime | None  # first failed poll of the current run; None: it works
    last_error: str | None
    last_new_entry: datetime | None = None  # when its newest entry was first seen
    entry_times: tuple[datetime, ...] = ()  # recent entries' dates (published, else first seen)
    open_episode: Episode | None = None  # the feed_failing alert not yet followed by recovery


@dataclass(frozen=True, slots=True)
class HealthChange:
    """An alert to raise: an episode opens (feed_failing) or closes (feed_recovered)."""

    kind: FeedKind
    episode: Episode
    error: str  # the last error, or what the silence means


def rhythm(times: Sequence[datetime]) -> float | None:
    """The median gap in seconds between consecutive ``times``; None with too few of them."""
    if len(times) < MIN_HISTORY:
        return None
    ordered = sorted(times)
    gaps = [(later - earlier).total_seconds() for earlier, later in pairwise(ordered)]
    return float(statistics.median(gaps))


def silence(history: FeedHistory, now: datetime, failing_after: float) -> Episode | None:
    """The silent episode the feed is in now, if any."""
    usual = rhythm(history.entry_times)
    if usual is None or history.last_new_entry is None:
        return None
    quiet = (now - history.last_new_entry).total_seconds()
    if quiet < max(failing_after, SILENCE_FACTOR * usual):
        return None
    return Episode("silent", history.last_new_entry)


def assess(history: FeedHistory, now: datetime, failing_after: float) -> HealthChange | None:
    """The alert this poll calls for, or None (also while an episode simply goes on)."""
    episode = history.open_episode
    if episode is None:
        failing = history.failing_since
        if failing is not None and (now - failing).total_seconds() >= failing_after:
            error = history.last_error or "failed"
            return HealthChange("feed_failing", Episode("failing", failing), error)
        quiet = silence(history, now, failing_after)
        if quiet is not None and failing is None:
            return HealthChange("feed_failing", quiet, _silence_text(history, quiet))
        return None
    if episode.reason == "failing" and history.failing_since is None:
        return HealthChange("feed_recovered", episode, "")
    new = history.last_new_entry
    if episode.reason == "silent" and new is not None and new > episode.since:
        return HealthChange("feed_recovered", episode, "")
    return None


def _silence_text(history: FeedHistory, episode: Episode) -> str:
    usual = rhythm(history.entry_times) or 0.0
    return f"no new entry since {iso(episode.since)} (usually one every {_span(usual)})"


def _span(seconds: float) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{seconds / size:.3g} {unit}"
    return f"{seconds:.0f} s"


def fact(episode: Episode) -> str:
    """How an episode is remembered in its alerts: ``failing:<since>``."""
    return f"{episode.reason}:{iso(episode.since)}"


def episode_of(alert_fact: str, since: datetime | None) -> Episode | None:
    """The episode a stored feed alert belongs to (the inverse of ``fact``)."""
    reason = alert_fact.partition(":")[0]
    if since is None or reason not in ("failing", "silent"):
        return None
    return Episode("failing" if reason == "failing" else "silent", since)


def alert(change: HealthChange, *, feed: str, url: str, now: datetime) -> Alert:
    """The operator alert for ``change``: stable id per (feed, episode, kind).

    ``published`` carries since when the trouble lasts, ``evidence`` the last error.
    """
    episode = change.episode
    return Alert(
        alert_id=alert_id(f"feed\x1f{feed}", "", fact(episode), change.kind),
        kind=change.kind,
        baseline_id="",
        claim_id="",
        article_url=url,
        article_title=feed,
        feed=feed,
        entry_id="",
        published=episode.since,
        evidence=change.error,
        reason=_reason(change, feed),
        detected_at=now,
        novel=True,
        value=None,
        fact=fact(episode),
        score=1.0,
    )


def _reason(change: HealthChange, feed: str) -> str:
    since = iso(change.episode.since)
    if change.kind == "feed_recovered":
        trouble = "failing" if change.episode.reason == "failing" else "silent"
        return f"Feed {feed!r} works again (it was {trouble} since {since})."
    if change.episode.reason == "failing":
        return f"Feed {feed!r} has failed since {since}: {change.error}"
    return f"Feed {feed!r} is silent: {change.error}."
