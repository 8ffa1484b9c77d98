"""Three ``claimwatch run`` processes share one PostgreSQL and one set of feeds; one is killed.

Nine feeds at a 30 s interval, three of them slow to answer; every feed gains new coverage
(one alert per entry) before each round of polls. The three daemons start together and race
for every feed. Once the second round is under way, the daemon holding the lease of a slow
feed is killed with SIGKILL in the middle of that poll. Then:

- every feed was polled at its interval: consecutive polls (as the feed server saw them) are
  never closer than the interval, and never further apart than the interval plus the dead
  daemon's lease expiry and one re-check; only the poll the dead daemon never finished is
  followed early by the take-over;
- no entry was processed twice (``entry.processed`` across the three logs) and every entry
  is processed in the store;
- every alert is stored once and delivered once in all: each daemon writes the alerts it
  delivers to its own JSON Lines file, and each alert_id appears in exactly one line of all.
"""

from __future__ import annotations

import itertools
import os
import signal
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from tests import freedonia, pg
from tests.e2e.helpers import Service, Workdir, eventually
from tests.servers import FeedServer, RecordedRequest

pytestmark = pytest.mark.slow

INTERVAL = 30.0  # the shortest feed interval claimwatch accepts
LEASE = 10.0  # [scheduler] lease: short, so that the take-over happens within the test
FEEDS = [f"feed{n}" for n in range(9)]
SLOW = {"feed0", "feed1", "feed2"}  # answer after SLOW_DELAY: a kill lands mid-poll
SLOW_DELAY = 3.0
DAEMONS = 3
RUN_FOR = 80.0  # seconds: three rounds of polls, the kill and the take-over
BASELINE = freedonia.baseline(freedonia.TROOPS)


class TimedServer(FeedServer):
    """A FeedServer that also remembers when each request arrived."""

    def __init__(self) -> None:
        super().__init__()
        self.times: list[tuple[float, str]] = []

    def record(self, request: RecordedRequest) -> None:
        self.times.append((time.monotonic(), request.path))
        super().record(request)


class Newsroom:
    """Every feed gains one relevant entry per round, each with its own figure."""

    def __init__(self, server: FeedServer) -> None:
        self.server = server
        self.items: dict[str, list[str]] = {name: [] for name in FEEDS}
        self.guids: set[tuple[str, str]] = set()

    def publish(self, round_number: int) -> None:
        for index, name in enumerate(FEEDS):
            guid = f"{name}-{round_number}"
            figure = 3000 + 10 * (round_number * len(FEEDS) + index)
            link = self.server.url(f"/articles/{guid}")
            self.items[name].insert(
                0,
                f'<item><guid isPermaLink="false">{guid}</guid><link>{link}</link>'
                f"<title>Peacekeepers in Freedonia: {guid}</title>"
                f"<description>Officials in Freedonia said on Tuesday that {figure:,} "
                "peacekeepers had arrived in the capital.</description></item>",
            )
            self.guids.add((name, guid))
            body = (
                f'<?xml version="1.0"?><rss version="2.0"><channel><title>{name}</title>'
                f"{''.join(self.items[name])}</channel></rss>"
            )
            delay = SLOW_DELAY if name in SLOW else 0.0
            self.server.route(f"/{name}.xml", body, etag=f'"{round_number}"', delay=delay)


def write_config(work: Workdir, url: str) -> None:
    (work.root / "baselines" / "freedonia.yaml").write_text(BASELINE, encoding="utf-8")
    work.write_config(
        FEEDS,
        state=url,
        interval=f"{INTERVAL:.0f}s",
        scheduler=[f'lease = "{LEASE:.0f}s"'],
        feed_options=['fetch_articles = "none"'],
    )


@pytest.fixture
def server() -> Iterator[TimedServer]:
    with TimedServer() as running:
        yield running


@pytest.fixture
def url() -> Iterator[str]:
    """A fresh database on the session's throwaway PostgreSQL."""
    with pg.database() as fresh:
        yield fresh


def held_leases(url: str) -> list[tuple[str, str]]:
    """(feed, owner) of every lease held now."""
    with psycopg.connect(url) as db:
        rows = db.execute(
            "SELECT feed, leased_by FROM feed_leases WHERE leased_by IS NOT NULL"
        ).fetchall()
    return [(str(feed), str(owner)) for feed, owner in rows]


def kill_mid_poll(url: str, services: dict[int, Service]) -> tuple[int, set[str], float]:
    """SIGKILL the daemon holding a slow feed's lease; return its pid, its feeds, the time."""
    found: list[tuple[str, str]] = []

    def slow_feed_held() -> bool:
        found[:] = [(f, o) for f, o in held_leases(url) if f in SLOW]
        return bool(found)

    eventually(slow_feed_held, timeout=INTERVAL, what="a slow feed's lease")
    pid = int(found[0][1].split(":")[-2])  # owner = host:pid:random
    time.sleep(SLOW_DELAY / 2)  # its quick cycles (and their deliveries) end; the slow one waits
    os.kill(pid, signal.SIGKILL)
    killed_at = time.monotonic()
    services[pid].wait(10)
    held = {f for f, o in held_leases(url) if int(o.split(":")[-2]) == pid}
    return pid, held, killed_at


def poll_times(server: TimedServer) -> dict[str, list[float]]:
    times: dict[str, list[float]] = defaultdict(list)
    for moment, path in server.times:
        name = path.strip("/").removesuffix(".xml")
        if name in FEEDS:
            times[name].append(moment)
    return times


def check_intervals(times: dict[str, list[float]], killed: set[str], killed_at: float) -> None:
    longest = INTERVAL + LEASE * 1.5 + 2 * SLOW_DELAY + 5  # dead lease, one re-check, slack
    for name in FEEDS:
        polls = sorted(times[name])
        assert len(polls) >= 3, (name, polls)
        for before, after in itertools.pairwise(polls):
            unfinished = name in killed and before <= killed_at <= before + SLOW_DELAY + 1
            if not unfinished:  # a take-over follows an unfinished poll early, by design
                assert after - before >= INTERVAL - 1, (name, before, after)
            assert after - before <= longest, (name, before, after)


def processed_events(services: list[Service]) -> Counter[tuple[str, str]]:
    return Counter(
        (event["feed"], event["entry_id"])
        for service in services
        for event in service.events("entry.processed")
    )


def delivered_lines(works: list[Workdir]) -> Counter[str]:
    return Counter(alert["alert_id"] for work in works for alert in work.alerts())


def rows(url: str, sql: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(url) as db:
        return db.execute(sql).fetchall()  # type: ignore[arg-type]


def test_three_daemons_share_the_feeds_and_one_dies(
    tmp_path: Path, server: TimedServer, url: str
) -> None:
    for n in range(DAEMONS):
        (tmp_path / f"host{n}").mkdir()
    works = [Workdir(tmp_path / f"host{n}", server) for n in range(DAEMONS)]
    news = Newsroom(server)
    news.publish(0)
    for work in works:
        write_config(work, url)
    started = time.monotonic()
    services = [Service(work) for work in works]
    by_pid = {service.process.pid: service for service in services}
    publisher = threading.Timer(INTERVAL / 2, news.publish, args=(1,))
    publisher.start()
    try:
        time.sleep(INTERVAL - (time.monotonic() - started))
        pid, killed, killed_at = kill_mid_poll(url, by_pid)
        news.publish(2)
        time.sleep(max(started + RUN_FOR - time.monotonic(), 0))
        survivors = [s for s in services if s.process.pid != pid]
        for service in survivors:
            service.signal(signal.SIGTERM)
        assert [service.wait() for service in survivors] == [0] * (DAEMONS - 1)
    finally:
        publisher.cancel()
        for service in services:
            service.stop()

    assert killed, "the killed daemon held a slow feed's lease"
    print(f"killed pid {pid} holding {sorted(killed)}")
    check_intervals(poll_times(server), killed, killed_at)

    processed = processed_events(services)
    assert set(processed) == news.guids and set(processed.values()) == {1}
    stored = rows(url, "SELECT feed, entry_id FROM entries WHERE processed_at IS NOT NULL")
    assert {(feed, entry) for feed, entry in stored} == news.guids

    alerts = {alert_id for (alert_id,) in rows(url, "SELECT alert_id FROM alerts")}
    assert len(alerts) == len(news.guids)  # one contradiction per entry
    lines = delivered_lines(works)
    assert set(lines) == alerts and set(lines.values()) == {1}
    states = rows(url, "SELECT sink, state, count(*) FROM deliveries GROUP BY 1, 2")
    assert states == [("log", "delivered", len(alerts))]
    assert all(not s.events("feed.crash") for s in services)
    # Shared: the killed daemon held leases, and survivors polled (its log lines may be lost
    # with it, and which survivor wins the first races is up to the scheduler).
    assert any(s.events("feed.poll") for s in services if s.process.pid != pid)
