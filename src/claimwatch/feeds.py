"""Poll one feed (conditional GET, redirects, 410, 429/503) and decide when to poll it next.

``poll`` does the I/O and reports what happened as a FeedPoll. ``next_state`` and
``next_poll`` are pure: they turn the previous FeedState and a FeedPoll into the state to
store, including the time of the next attempt. A failure to parse a fetched body is a
failed poll too: ``failed(poll, error)``.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Literal

from claimwatch.config import FeedConfig, SchedulerConfig
from claimwatch.errors import FetchError
from claimwatch.fetcher import Fetcher

Outcome = Literal["fetched", "not_modified", "gone", "failed"]

FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, "
    "application/xml;q=0.8, text/xml;q=0.8, */*;q=0.5"
)
DEFAULT_MAX_RETRY_AFTER = 86400.0
REDIRECTS_TO_MOVE = 2  # polls in a row that must see the same permanent redirect
_THROTTLED = frozenset({429, 503})
_MAX_AGE = re.compile(r"(?:^|[,\s])max-age\s*=\s*\"?(\d+)", re.I)


@dataclass(frozen=True, slots=True)
class FeedState:
    """What the store remembers about a feed between polls."""

    url: str  # current URL (a permanent redirect may have replaced the configured one)
    etag: str | None = None
    last_modified: str | None = None
    consecutive_failures: int = 0
    last_success: datetime | None = None
    last_error: str | None = None
    next_attempt: datetime | None = None
    disabled_reason: str | None = None  # set on 410 Gone
    redirect_target: str | None = None  # pending permanent-redirect target
    redirect_count: int = 0  # how many polls in a row saw that target
    failing_since: datetime | None = None  # first failed poll of the current run of failures


@dataclass(frozen=True, slots=True)
class FeedPoll:
    """The outcome of one poll."""

    feed: str
    url: str  # where the answer came from (after redirects): the base for relative links
    outcome: Outcome
    fetched_at: datetime
    status: int | None = None
    body: bytes = b""
    headers: Mapping[str, str] = field(default_factory=dict)
    etag: str | None = None
    last_modified: str | None = None
    permanent_redirect: str | None = None
    retry_after: float | None = None  # seconds, already clamped
    max_age: float | None = None  # Cache-Control max-age, seconds
    error: str | None = None


async def poll(
    fetcher: Fetcher,
    feed: FeedConfig,
    state: FeedState,
    *,
    now: datetime | None = None,
    max_retry_after: float = DEFAULT_MAX_RETRY_AFTER,
) -> FeedPoll:
    """GET ``state.url`` conditionally; never raises for a feed's failure.

    The URL is the operator's choice, its redirects are not: they may reach public addresses
    or the kind of network the feed's own address is in (see ``Fetcher.get``)."""
    fetched_at = now or datetime.now(UTC)
    try:
        response = await fetcher.get(
            state.url, headers=conditional_headers(state), guard_redirects=True
        )
    except FetchError as exc:
        return FeedPoll(feed.name, state.url, "failed", fetched_at, exc.status, error=str(exc))
    headers = response.headers
    base = FeedPoll(
        feed=feed.name,
        url=response.url,
        outcome="failed",
        fetched_at=fetched_at,
        status=response.status,
        headers=headers,
        permanent_redirect=response.permanent_redirect,
        max_age=parse_max_age(headers.get("cache-control")),
    )
    status = response.status
    if status == 304:
        etag = headers.get("etag", state.etag)
        modified = headers.get("last-modified", state.last_modified)
        return dataclasses.replace(base, outcome="not_modified", etag=etag, last_modified=modified)
    if 200 <= status < 300:
        return dataclasses.replace(
            base,
            outcome="fetched",
            body=response.body,
            etag=headers.get("etag"),
            last_modified=headers.get("last-modified"),
        )
    if status == 410:
        return dataclasses.replace(base, outcome="gone", error="HTTP 410 Gone")
    retry_after = None
    if status in _THROTTLED:
        retry_after = parse_retry_after(headers.get("retry-after"), fetched_at, max_retry_after)
    return dataclasses.replace(base, retry_after=retry_after, error=f"HTTP {status}")


def conditional_headers(state: FeedState) -> dict[str, str]:
    """Accept plus the stored validators, sent back exactly as the server gave them."""
    headers = {"Accept": FEED_ACCEPT}
    if state.etag:
        headers["If-None-Match"] = state.etag
    if state.last_modified:
        headers["If-Modified-Since"] = state.last_modified
    return headers


def failed(result: FeedPoll, error: str) -> FeedPoll:
    """The poll as a failure, e.g. when its body did not parse (validators are not kept)."""
    return dataclasses.replace(result, outcome="failed", error=error)


def parse_retry_after(
    value: str | None, now: datetime, maximum: float = DEFAULT_MAX_RETRY_AFTER
) -> float | None:
    """Retry-After as seconds from ``now`` (delta-seconds or HTTP-date), within [0, maximum]."""
    if not value:
        return None
    text = value.strip()
    if text.isascii() and text.isdigit():
        seconds = float(text)
    else:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - now).total_seconds()
    return min(max(seconds, 0.0), maximum)


def parse_max_age(cache_control: str | None) -> float | None:
    """The ``max-age`` directive of a Cache-Control header, in seconds."""
    match = _MAX_AGE.search(cache_control or "")
    return float(match.group(1)) if match else None


def next_state(
    feed: FeedConfig,
    state: FeedState,
    result: FeedPoll,
    *,
    scheduler: SchedulerConfig,
    ttl: float | None = None,
    jitter: float = 0.0,
    now: datetime | None = None,
) -> FeedState:
    """The state to store after ``result``.

    ``ttl`` is the parsed feed's RSS ttl (seconds), ``jitter`` seconds drawn by the caller
    (e.g. ``random.uniform(0, scheduler.jitter)``), ``now`` defaults to the poll's time.
    """
    when = now or result.fetched_at
    if result.outcome == "gone":
        reason = result.error or "HTTP 410 Gone"
        return dataclasses.replace(
            state,
            disabled_reason=reason,
            last_error=reason,
            next_attempt=None,
            failing_since=state.failing_since or when,
        )
    if result.outcome == "failed":
        failures = state.consecutive_failures + 1
        return dataclasses.replace(
            state,
            consecutive_failures=failures,
            last_error=result.error or "failed",
            failing_since=state.failing_since or when,
            next_attempt=next_poll(
                when,
                feed.interval,
                scheduler=scheduler,
                failures=failures,
                retry_after=result.retry_after,
                jitter=jitter,
            ),
        )
    moved = _follow_redirect(state, result.permanent_redirect)
    return dataclasses.replace(
        moved,
        etag=result.etag,
        last_modified=result.last_modified,
        consecutive_failures=0,
        last_success=when,
        last_error=None,
        failing_since=None,
        disabled_reason=None,
        next_attempt=next_poll(
            when,
            feed.interval,
            scheduler=scheduler,
            ttl=ttl,
            max_age=result.max_age,
            jitter=jitter,
        ),
    )


def _follow_redirect(state: FeedState, target: str | None) -> FeedState:
    """Count a successful poll's permanent redirect; move the URL on the second in a row."""
    if target is None or target == state.url:
        return dataclasses.replace(state, redirect_target=None, redirect_count=0)
    count = state.redirect_count + 1 if target == state.redirect_target else 1
    if count >= REDIRECTS_TO_MOVE:
        return dataclasses.replace(state, url=target, redirect_target=None, redirect_count=0)
    return dataclasses.replace(state, redirect_target=target, redirect_count=count)


def next_poll(
    now: datetime,
    interval: float,
    *,
    scheduler: SchedulerConfig,
    failures: int = 0,
    ttl: float | None = None,
    max_age: float | None = None,
    retry_after: float | None = None,
    jitter: float = 0.0,
) -> datetime:
    """When to poll next.

    Success: ``interval``, but never sooner than the feed's own hints (RSS ttl,
    Cache-Control max-age), which are honoured up to ``scheduler.max_retry_after``.
    Failure n: ``interval * 2**(n-1)`` capped at ``scheduler.max_backoff`` (a backoff never
    polls more often than ``interval``), and never sooner than Retry-After.
    """
    if failures > 0:
        cap = max(scheduler.max_backoff, interval)
        delay = min(interval * 2.0 ** min(failures - 1, 32), cap)
    else:
        hints = [h for h in (ttl, max_age) if h is not None]
        delay = max(interval, min(max(hints, default=0.0), scheduler.max_retry_after))
    if retry_after is not None:
        delay = max(delay, min(retry_after, scheduler.max_retry_after))
    return now + timedelta(seconds=delay + max(jitter, 0.0))
