"""feeds: poll() against the loopback server, and the pure next_state()/next_poll() tables."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from claimwatch.config import FeedConfig, SchedulerConfig
from claimwatch.feeds import (
    FeedPoll,
    FeedState,
    failed,
    next_poll,
    next_state,
    parse_max_age,
    parse_retry_after,
    poll,
)
from claimwatch.fetcher import Fetcher
from tests.servers import FeedServer, loopback_http_config

BODY = b"<rss version='2.0'><channel><title>t</title></channel></rss>"
NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
SCHED = SchedulerConfig(max_backoff=6 * 3600, max_retry_after=86400)
ETAG = 'W/"abc-123"'
MODIFIED = "Wed, 01 May 2024 10:00:00 GMT"


def feed_for(url: str, interval: float = 900) -> FeedConfig:
    return FeedConfig(name="wire", url=url, interval=interval)


async def poll_once(server: FeedServer, state: FeedState) -> FeedPoll:
    async with Fetcher(loopback_http_config()) as fetcher:
        return await poll(fetcher, feed_for(server.url("/feed")), state, now=NOW)


def after(state: FeedState, result: FeedPoll, **kwargs: object) -> FeedState:
    return next_state(feed_for(state.url), state, result, scheduler=SCHED, **kwargs)  # type: ignore[arg-type]


# -- poll() against a real server ------------------------------------------------------------


async def test_conditional_get_round_trip(feed_server: FeedServer) -> None:
    feed_server.route(
        "/feed",
        BODY,
        etag=ETAG,
        last_modified=MODIFIED,
        headers={"Cache-Control": "public, max-age=1800"},
    )
    state = FeedState(url=feed_server.url("/feed"))
    first = await poll_once(feed_server, state)
    assert (first.outcome, first.status, first.body) == ("fetched", 200, BODY)
    assert (first.etag, first.last_modified, first.max_age) == (ETAG, MODIFIED, 1800.0)
    assert "if-none-match" not in feed_server.requests[0].headers
    assert "application/rss+xml" in feed_server.requests[0].headers["accept"]

    state = after(state, first)
    second = await poll_once(feed_server, state)
    sent = feed_server.requests[1].headers
    assert (sent["if-none-match"], sent["if-modified-since"]) == (ETAG, MODIFIED)
    assert (second.outcome, second.status, second.body) == ("not_modified", 304, b"")
    assert (second.etag, second.last_modified) == (ETAG, MODIFIED)
    assert after(state, second).etag == ETAG


async def test_last_modified_alone_is_sent_back(feed_server: FeedServer) -> None:
    feed_server.route("/feed", BODY, last_modified=MODIFIED)
    state = FeedState(url=feed_server.url("/feed"), last_modified=MODIFIED)
    result = await poll_once(feed_server, state)
    assert result.outcome == "not_modified"
    assert "if-none-match" not in feed_server.requests[0].headers


async def test_permanent_redirect_is_adopted_after_two_polls(feed_server: FeedServer) -> None:
    feed_server.redirect("/feed", "/moved", status=301)
    feed_server.route("/moved", BODY)
    state = FeedState(url=feed_server.url("/feed"))
    first = await poll_once(feed_server, state)
    assert first.permanent_redirect == feed_server.url("/moved")
    assert first.url == feed_server.url("/moved")
    state = after(state, first)
    assert (state.url, state.redirect_count) == (feed_server.url("/feed"), 1)
    state = after(state, await poll_once(feed_server, state))
    assert (state.url, state.redirect_target) == (feed_server.url("/moved"), None)
    await poll_once(feed_server, state)
    assert [r.path for r in feed_server.requests] == ["/feed", "/moved"] * 2 + ["/moved"]


async def test_temporary_redirect_is_not_remembered(feed_server: FeedServer) -> None:
    feed_server.redirect("/feed", "/elsewhere", status=302)
    feed_server.route("/elsewhere", BODY)
    result = await poll_once(feed_server, FeedState(url=feed_server.url("/feed")))
    assert (result.outcome, result.permanent_redirect) == ("fetched", None)


async def test_gone_disables_the_feed(feed_server: FeedServer) -> None:
    feed_server.route("/feed", b"", status=410)
    result = await poll_once(feed_server, FeedState(url=feed_server.url("/feed")))
    assert (result.outcome, result.status) == ("gone", 410)
    state = after(FeedState(url=feed_server.url("/feed")), result)
    assert state.disabled_reason == "HTTP 410 Gone"
    assert state.next_attempt is None


@pytest.mark.parametrize(
    ("status", "retry_after", "seconds"),
    [
        (429, "120", 120.0),
        (503, "Wed, 01 May 2024 12:10:00 GMT", 600.0),
        (429, "999999999999", 86400.0),
        (503, "tomorrow-ish", None),
    ],
)
async def test_throttling_reports_retry_after(
    feed_server: FeedServer, status: int, retry_after: str, seconds: float | None
) -> None:
    feed_server.route("/feed", b"slow down", status=status, headers={"Retry-After": retry_after})
    state = FeedState(url=feed_server.url("/feed"))
    result = await poll_once(feed_server, state)
    assert (result.outcome, result.status, result.retry_after) == ("failed", status, seconds)
    assert result.error == f"HTTP {status}"
    new = after(state, result)
    assert new.consecutive_failures == 1
    assert new.next_attempt == NOW + timedelta(seconds=max(900.0, seconds or 0))


async def test_server_error_is_a_failure(feed_server: FeedServer) -> None:
    feed_server.route("/feed", b"boom", status=500)
    state = FeedState(url=feed_server.url("/feed"), consecutive_failures=2)
    result = await poll_once(feed_server, state)
    assert (result.outcome, result.error, result.retry_after) == ("failed", "HTTP 500", None)
    new = after(state, result)
    assert (new.consecutive_failures, new.last_error) == (3, "HTTP 500")
    assert new.next_attempt == NOW + timedelta(seconds=900 * 4)


async def test_transport_failure_names_the_url() -> None:
    with FeedServer() as server:
        url = server.url("/feed")
    async with Fetcher(loopback_http_config()) as fetcher:
        result = await poll(fetcher, feed_for(url), FeedState(url=url), now=NOW)
    assert result.outcome == "failed"
    assert result.error is not None
    assert result.error.startswith(url)


# -- pure decisions ----------------------------------------------------------------------------


def fetched(**kwargs: object) -> FeedPoll:
    base = FeedPoll(feed="wire", url="https://e.com/feed", outcome="fetched", fetched_at=NOW)
    return replace(base, **kwargs)  # type: ignore[arg-type]


def test_success_resets_failures_and_stores_validators() -> None:
    state = FeedState(
        url="https://e.com/feed", etag='"old"', consecutive_failures=4, last_error="HTTP 500"
    )
    new = after(state, fetched(etag='"new"', last_modified=None))
    assert (new.consecutive_failures, new.last_error, new.last_success) == (0, None, NOW)
    assert (new.etag, new.last_modified) == ('"new"', None)
    assert new.next_attempt == NOW + timedelta(seconds=900)


def test_failure_keeps_validators_and_counts() -> None:
    state = FeedState(url="https://e.com/feed", etag='"v"', last_success=NOW - timedelta(days=1))
    new = after(state, failed(fetched(etag='"other"'), "FeedError: not a usable feed"))
    assert (new.etag, new.consecutive_failures) == ('"v"', 1)
    assert new.last_error == "FeedError: not a usable feed"
    assert new.last_success == state.last_success


@pytest.mark.parametrize(
    ("pending", "count", "seen", "expected_url", "expected_pending"),
    [
        (None, 0, None, "https://e.com/feed", (None, 0)),
        (None, 0, "https://e.com/new", "https://e.com/feed", ("https://e.com/new", 1)),
        ("https://e.com/new", 1, "https://e.com/new", "https://e.com/new", (None, 0)),
        (
            "https://e.com/new",
            1,
            "https://e.com/other",
            "https://e.com/feed",
            ("https://e.com/other", 1),
        ),
        ("https://e.com/new", 1, None, "https://e.com/feed", (None, 0)),
    ],
)
def test_redirect_bookkeeping(
    pending: str | None,
    count: int,
    seen: str | None,
    expected_url: str,
    expected_pending: tuple[str | None, int],
) -> None:
    state = FeedState(url="https://e.com/feed", redirect_target=pending, redirect_count=count)
    new = after(state, fetched(permanent_redirect=seen))
    assert new.url == expected_url
    assert (new.redirect_target, new.redirect_count) == expected_pending


def test_failed_poll_leaves_pending_redirect_alone() -> None:
    state = FeedState(
        url="https://e.com/feed", redirect_target="https://e.com/new", redirect_count=1
    )
    new = after(state, fetched(outcome="failed", permanent_redirect="https://e.com/new"))
    assert (new.url, new.redirect_count) == ("https://e.com/feed", 1)


def test_success_clears_a_disabled_reason() -> None:
    state = FeedState(url="https://e.com/feed", disabled_reason="HTTP 410 Gone")
    assert after(state, fetched()).disabled_reason is None


def test_ttl_and_jitter_reach_next_attempt() -> None:
    new = after(FeedState(url="https://e.com/feed"), fetched(), ttl=3600.0, jitter=7.0)
    assert new.next_attempt == NOW + timedelta(seconds=3607)


H = 3600.0


@pytest.mark.parametrize(
    ("kwargs", "seconds"),
    [
        ({}, 900),
        ({"ttl": 60.0}, 900),  # hints never make polls more frequent
        ({"ttl": 2 * H}, 2 * H),
        ({"max_age": 1800.0}, 1800),
        ({"ttl": 2 * H, "max_age": 3 * H}, 3 * H),
        ({"ttl": 30 * 24 * H}, 24 * H),  # hints are honoured up to max_retry_after
        ({"failures": 1}, 900),
        ({"failures": 2}, 1800),
        ({"failures": 3}, 3600),
        ({"failures": 5}, 4 * H),
        ({"failures": 6}, 6 * H),  # capped at max_backoff
        ({"failures": 500}, 6 * H),
        ({"failures": 1, "retry_after": 7200.0}, 7200),
        ({"failures": 5, "retry_after": 12 * H}, 12 * H),
        ({"failures": 1, "retry_after": 10.0}, 900),
        ({"failures": 1, "retry_after": 90 * H}, 24 * H),
        ({"jitter": 12.5}, 912.5),
        ({"jitter": -5.0}, 900),
        ({"failures": 1, "ttl": 10 * H}, 900),  # a failure ignores the success hints
    ],
)
def test_next_poll(kwargs: dict[str, float], seconds: float) -> None:
    assert next_poll(NOW, 900.0, scheduler=SCHED, **kwargs) == NOW + timedelta(seconds=seconds)  # type: ignore[arg-type]


def test_backoff_never_polls_more_often_than_the_interval() -> None:
    assert next_poll(NOW, 86400.0, scheduler=SCHED, failures=3) == NOW + timedelta(days=1)


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        (None, None),
        ("", None),
        ("0", 0.0),
        ("  30 ", 30.0),
        ("Wed, 01 May 2024 13:00:00 GMT", 3600.0),
        ("Wed, 01 May 2024 11:00:00 GMT", 0.0),  # in the past
        ("Thu, 01 May 2025 12:00:00 GMT", 86400.0),
        ("-5", None),
        ("soon", None),
    ],
)
def test_parse_retry_after(value: str | None, seconds: float | None) -> None:
    assert parse_retry_after(value, NOW) == seconds


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        (None, None),
        ("no-cache", None),
        ("public, max-age=600", 600.0),
        ('max-age="60", must-revalidate', 60.0),
        ("s-maxage=100", None),
        ("private,max-age=0", 0.0),
    ],
)
def test_parse_max_age(value: str | None, seconds: float | None) -> None:
    assert parse_max_age(value) == seconds
