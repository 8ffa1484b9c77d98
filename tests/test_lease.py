"""Feed leases and claimed deliveries: two runtimes (two daemons) on one state database,
SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from claimwatch import pipeline
from claimwatch.alerts import Alert
from claimwatch.baselines import load_baselines
from claimwatch.config import Config
from claimwatch.entries import Entry
from claimwatch.lease import RACE_SPREAD, FeedLeases, owner_id, retry_at
from claimwatch.outbox import DrainReport, Outbox
from claimwatch.pipeline import Runtime, open_runtime, run_feed
from claimwatch.sinks import DeliveryError
from claimwatch.store import open_store
from tests import pg
from tests.servers import FeedServer
from tests.test_pipeline import OTHER, RELEVANT, make_config, rss

NOW = datetime(2022, 1, 20, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("due", "expected"),
    [
        (NOW + timedelta(minutes=10), NOW + timedelta(minutes=10, seconds=1)),  # polled: its time
        (NOW - timedelta(minutes=1), NOW + timedelta(seconds=151)),  # overdue: half a lease
        (None, NOW + timedelta(seconds=151)),  # never polled, held by another: half a lease
    ],
    ids=["ahead", "overdue", "never"],
)
def test_retry_at(due: datetime | None, expected: datetime) -> None:
    assert retry_at(due, NOW, interval=900, lease=300, spread=1) == expected


def test_retry_at_never_waits_longer_than_an_interval() -> None:
    assert retry_at(None, NOW, interval=60, lease=300, spread=0) == NOW + timedelta(seconds=60)


def test_owner_ids_differ_between_daemons() -> None:
    assert owner_id() != owner_id()


@pytest.fixture
def config(tmp_path: Path, feed_server: FeedServer) -> Config:
    feed_server.route("/news.xml", rss(feed_server, [RELEVANT, OTHER]), etag='"v1"')
    return make_config(tmp_path, feed_server, {"name": "news", "fetch_articles": "none"})


@pytest.fixture(params=pg.ENGINES)
def location(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Path | str]:
    """One state database, SQLite or PostgreSQL, that both daemons open."""
    with pg.state_location(request.param, tmp_path) as where:
        yield where


async def daemon(config: Config, location: Path | str, owner: str) -> Runtime:
    store = open_store(location)
    rt = open_runtime(config, load_baselines(config.baselines), store, workers=0, owner=owner)
    return dataclasses.replace(rt, leases=FeedLeases(store, owner))


@pytest.fixture
async def pair(config: Config, location: Path | str) -> AsyncIterator[tuple[Runtime, Runtime]]:
    first, second = await daemon(config, location, "a"), await daemon(config, location, "b")
    yield first, second
    for rt in (first, second):
        await pipeline.close_runtime(rt)
        rt.store.close()


async def test_a_feed_polled_by_one_daemon_is_refused_to_the_other_until_due(
    pair: tuple[Runtime, Runtime], feed_server: FeedServer
) -> None:
    first, second = pair
    feed = first.config.feeds[0]
    report = await run_feed(first, feed)
    assert report.outcome == "fetched" and report.next_attempt is not None
    refused = await run_feed(second, feed)
    assert refused.outcome == "leased" and refused.processed == 0
    assert refused.next_attempt is not None
    assert report.next_attempt <= refused.next_attempt
    assert refused.next_attempt <= report.next_attempt + timedelta(seconds=RACE_SPREAD)
    assert len(feed_server.requests_for("/news.xml")) == 1
    due = report.next_attempt
    later = dataclasses.replace(second, clock=lambda: due)
    assert (await run_feed(later, feed)).outcome == "not_modified"  # due: the other's turn


async def test_a_dead_daemons_lease_is_taken_over_after_it_expires(
    pair: tuple[Runtime, Runtime], feed_server: FeedServer
) -> None:
    first, second = pair
    feed, now = first.config.feeds[0], datetime.now(UTC)
    assert first.store.lease_feed(feed.name, "dead", now, now + timedelta(seconds=60))
    assert (await run_feed(second, feed)).outcome == "leased"
    expired = dataclasses.replace(second, clock=lambda: now + timedelta(seconds=61))
    assert (await run_feed(expired, feed)).outcome == "fetched"


async def test_a_cancelled_cycle_gives_its_lease_back_at_once(
    pair: tuple[Runtime, Runtime], feed_server: FeedServer
) -> None:
    first, second = pair
    feed = first.config.feeds[0]
    feed_server.route("/news.xml", rss(feed_server, [RELEVANT]), delay=2)
    task = asyncio.ensure_future(run_feed(first, feed))
    for _ in range(500):  # up to 5 s for the request to arrive
        if feed_server.requests_for("/news.xml"):
            break
        await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    feed_server.route("/news.xml", rss(feed_server, [RELEVANT]))
    assert (await run_feed(second, feed)).outcome == "fetched"


def alert(alert_id: str) -> Alert:
    return Alert(
        alert_id, "follow_up", "b", "c", None, "T", "f", alert_id, None, "E.", "R.", NOW, True,
        None, alert_id, 0.5,
    )  # fmt: skip


class SlowSink:
    """Holds every delivery until ``go`` is set; records what it got."""

    def __init__(self) -> None:
        self.go = asyncio.Event()
        self.started = asyncio.Event()
        self.delivered: list[str] = []

    async def deliver(self, alert: Alert) -> None:
        self.started.set()
        await self.go.wait()
        self.delivered.append(alert.alert_id)

    async def aclose(self) -> None:
        return None


async def test_claimed_deliveries_are_not_handed_to_another_outbox(location: Path | str) -> None:
    stores = [open_store(location) for _ in range(2)]
    try:
        entry = Entry("f", "e1", None, "T", None, "S")
        alerts = [alert(f"a{n}") for n in range(3)]
        stores[0].commit_entry(entry, "h", alerts, ["log"], NOW)
        sinks = [SlowSink(), SlowSink()]
        first, second = (
            Outbox(store, {"log": sink}, clock=lambda: NOW, owner=name)
            for store, sink, name in zip(stores, sinks, "ab", strict=True)
        )
        draining = asyncio.ensure_future(first.drain())
        await asyncio.wait_for(sinks[0].started.wait(), 5)
        sinks[1].go.set()
        assert await second.drain() == DrainReport()  # all three are claimed by the first
        sinks[0].go.set()
        assert await draining == DrainReport(delivered=3)
        assert await second.drain() == DrainReport()
        assert sinks[0].delivered == ["a0", "a1", "a2"] and sinks[1].delivered == []
    finally:
        for store in stores:
            store.close()


class FailingSink:
    """A sink whose server is down: every attempt fails, to be retried."""

    digest_period = 0.0

    def __init__(self) -> None:
        self.attempts: list[str] = []

    async def deliver(self, alert: Alert) -> None:
        self.attempts.append(alert.alert_id)
        raise DeliveryError("connection refused", sink="log")

    async def aclose(self) -> None:
        return None


async def test_a_halted_sink_gives_back_the_claims_it_did_not_use(location: Path | str) -> None:
    stores = [open_store(location) for _ in range(2)]
    try:
        entry = Entry("f", "e1", None, "T", None, "S")
        stores[0].commit_entry(entry, "h", [alert(f"a{n}") for n in range(3)], ["log"], NOW)
        down, up = FailingSink(), SlowSink()
        up.go.set()
        first = Outbox(stores[0], {"log": down}, clock=lambda: NOW, owner="a")
        second = Outbox(stores[1], {"log": up}, clock=lambda: NOW, owner="b")
        assert await first.drain() == DrainReport(failed=1)
        assert down.attempts == ["a0"]  # the sink halted at its first failure
        assert await second.drain() == DrainReport(delivered=2)  # not after the claim expires
        assert up.delivered == ["a1", "a2"]
    finally:
        for store in stores:
            store.close()
