"""Feed health: the pure decision (a table), its alerts, and the cycle storing and sending them."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from claimwatch import health, pipeline
from claimwatch.alerts import to_json
from claimwatch.baselines import load_baselines
from claimwatch.config import Config, config_from_mapping
from claimwatch.health import Episode, FeedHistory, assess, rhythm
from claimwatch.pipeline import Runtime, open_runtime, run_feed
from claimwatch.store import open_store
from claimwatch.store.migrations import MIGRATIONS
from tests.e2e.helpers import BASELINE
from tests.servers import FeedServer

T0 = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)
DAY = 86400.0
HOURLY = tuple(T0 - timedelta(hours=h) for h in range(10))  # newest first
DAILY = tuple(T0 - timedelta(days=d) for d in range(10))


def hours(n: float) -> timedelta:
    return timedelta(hours=n)


FAILING = Episode("failing", T0)
SILENT = Episode("silent", T0)

# (id, history, hours after T0, expected kind or None, expected episode)
CASES: list[tuple[str, FeedHistory, float, str | None, Episode | None]] = [
    ("healthy", FeedHistory(None, None, T0, HOURLY), 1, None, None),
    ("unknown-feed", FeedHistory(None, None), 100, None, None),
    ("failing-not-long-enough", FeedHistory(T0, "HTTP 500"), 23.9, None, None),
    ("failing-24h", FeedHistory(T0, "HTTP 500"), 24, "feed_failing", FAILING),
    ("failing-and-silent", FeedHistory(T0, "HTTP 500", T0, HOURLY), 30, "feed_failing", FAILING),
    ("still-failing-no-repeat", FeedHistory(T0, "HTTP 500", open_episode=FAILING), 48, None, None),
    ("works-again", FeedHistory(None, None, open_episode=FAILING), 50, "feed_recovered", FAILING),
    ("hourly-feed-quiet-a-day", FeedHistory(None, None, T0, HOURLY), 24, "feed_failing", SILENT),
    ("hourly-feed-quiet-23h", FeedHistory(None, None, T0, HOURLY), 23, None, None),
    ("daily-feed-quiet-5-days", FeedHistory(None, None, T0, DAILY), 5 * 24, None, None),
    ("daily-feed-quiet-10-days", FeedHistory(None, None, T0, DAILY), 10 * 24, "feed_failing",
     SILENT),
    ("too-little-history", FeedHistory(None, None, T0, HOURLY[:4]), 1000, None, None),
    ("quiet-while-briefly-failing", FeedHistory(T0 + hours(25), "x", T0, HOURLY), 26, None, None),
    ("silent-no-repeat", FeedHistory(None, None, T0, HOURLY, SILENT), 100, None, None),
    ("silent-then-failing", FeedHistory(T0 + hours(30), "x", T0, HOURLY, SILENT), 60, None, None),
    ("silent-new-entry", FeedHistory(None, None, T0 + hours(1), HOURLY, SILENT), 50,
     "feed_recovered", SILENT),
]  # fmt: skip


@pytest.mark.parametrize(
    ("history", "after", "kind", "episode"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_assess(
    history: FeedHistory, after: float, kind: str | None, episode: Episode | None
) -> None:
    change = assess(history, T0 + hours(after), failing_after=DAY)
    if kind is None:
        assert change is None
        return
    assert change is not None
    assert (change.kind, change.episode) == (kind, episode)
    if kind == "feed_failing" and episode == FAILING:
        assert change.error == history.last_error
    if episode == SILENT and kind == "feed_failing":
        assert "usually one every" in change.error


@pytest.mark.parametrize(
    ("times", "seconds"),
    [(HOURLY, 3600.0), (DAILY, DAY), (HOURLY[:4], None), ((T0,) * 6, 0.0)],
    ids=["hourly", "daily", "too-few", "one-batch"],
)
def test_rhythm(times: tuple[datetime, ...], seconds: float | None) -> None:
    assert rhythm(times) == seconds


def test_alert_ids_are_stable_per_feed_and_episode() -> None:
    failing = health.HealthChange("feed_failing", FAILING, "HTTP 500")
    a = health.alert(failing, feed="news", url="https://e.org/f", now=T0 + hours(24))
    b = health.alert(failing, feed="news", url="https://e.org/f", now=T0 + hours(30))
    recovered = health.alert(
        replace(failing, kind="feed_recovered"), feed="news", url="https://e.org/f", now=T0
    )
    later = health.alert(
        replace(failing, episode=Episode("failing", T0 + hours(1))),
        feed="news",
        url="https://e.org/f",
        now=T0,
    )
    other = health.alert(failing, feed="sport", url="https://e.org/s", now=T0)
    assert a.alert_id == b.alert_id
    assert len({a.alert_id, recovered.alert_id, later.alert_id, other.alert_id}) == 4
    record = to_json(a)
    assert (record["kind"], record["feed"], record["error"]) == ("feed_failing", "news", "HTTP 500")
    assert record["since"] == T0.isoformat() and "has failed since" in record["reason"]


# -- through the pipeline, with a clock that runs faster than time ----------------------------


class Clock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


def make_config(tmp_path: Path, server: FeedServer) -> Config:
    (tmp_path / "baseline.yaml").write_text(BASELINE, encoding="utf-8")
    data = {
        "state": "state.db",
        "baselines": ["baseline.yaml"],
        "http": {"allow_private_addresses": True, "total_timeout": 5},
        "scheduler": {"jitter": 0, "failing_after": "24h"},
        "alerts": {"log": {"path": "alerts.jsonl"}},
        "feeds": [{"name": "news", "url": server.url("/news.xml"), "fetch_articles": "none"}],
    }
    return config_from_mapping(data, path=tmp_path / "claimwatch.toml")


@pytest.fixture
async def rt(tmp_path: Path, feed_server: FeedServer) -> AsyncIterator[Runtime]:
    config = make_config(tmp_path, feed_server)
    store = open_store(config.state)
    runtime = replace(
        open_runtime(config, load_baselines(config.baselines), store, workers=0),
        clock=Clock(datetime.now(UTC)),
    )
    yield runtime
    await pipeline.close_runtime(runtime)
    store.close()


def feed_alerts(rt: Runtime) -> list[dict[str, Any]]:
    path = rt.config.alert_log_path
    assert path is not None
    if not path.exists():
        return []
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return [line for line in lines if line["kind"].startswith("feed_")]


def rss(server: FeedServer, items: list[tuple[str, datetime]]) -> str:
    body = "".join(
        f"<item><guid>{guid}</guid><title>Weather {guid}</title>"
        f"<link>{server.url('/a/' + guid)}</link><description>Rain.</description>"
        f"<pubDate>{when:%a, %d %b %Y %H:%M:%S} GMT</pubDate></item>"
        for guid, when in items
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>{body}</channel></rss>'
    )


async def cycle(rt: Runtime, advance: float = 0.0) -> pipeline.FeedReport:
    assert isinstance(rt.clock, Clock)
    rt.clock.now += hours(advance)
    report = await run_feed(rt, rt.config.feeds[0])
    await rt.outbox.drain()
    return report


async def test_a_failing_feed_alerts_once_then_recovers_once(
    rt: Runtime, feed_server: FeedServer
) -> None:
    feed_server.route("/news.xml", "down", status=500)
    started = rt.clock()
    reports = [await cycle(rt, advance=0 if n == 0 else 6) for n in range(5)]  # for 0..24 h
    assert [r.health for r in reports] == [None, None, None, None, "feed_failing"]
    reports = [await cycle(rt, advance=6) for _ in range(3)]  # still failing: no repeat
    assert [r.health for r in reports] == [None, None, None]
    (failing,) = feed_alerts(rt)
    assert failing["kind"] == "feed_failing" and failing["feed"] == "news"
    assert failing["error"] == "HTTP 500" and failing["article_url"] == feed_server.url("/news.xml")
    assert failing["since"] == started.isoformat()

    feed_server.route("/news.xml", rss(feed_server, [("g1", started)]))
    reports = [await cycle(rt, advance=1) for _ in range(3)]
    assert [r.health for r in reports] == ["feed_recovered", None, None]
    assert [a["kind"] for a in feed_alerts(rt)] == ["feed_failing", "feed_recovered"]
    assert feed_alerts(rt)[1]["since"] == failing["since"]  # the episode it closes

    feed_server.route("/news.xml", "down again", status=503)  # a new episode, new ids
    reports = [await cycle(rt, advance=13) for _ in range(3)]
    assert [r.health for r in reports] == [None, None, "feed_failing"]
    ids = [a["alert_id"] for a in feed_alerts(rt)]
    assert len(ids) == len(set(ids)) == 3


async def test_a_silent_feed_alerts_once_then_recovers_with_a_new_entry(
    rt: Runtime, feed_server: FeedServer
) -> None:
    now = rt.clock()
    items = [(f"g{h}", now - hours(h)) for h in range(8)]  # one entry an hour
    feed_server.route("/news.xml", rss(feed_server, items), etag='"v1"')
    assert (await cycle(rt)).health is None
    reports = [await cycle(rt, advance=8) for _ in range(4)]  # 304s for 32 h
    assert [r.health for r in reports] == [None, None, "feed_failing", None]
    (silent,) = feed_alerts(rt)
    assert "no new entry since" in silent["error"] and "usually one every 1 h" in silent["error"]

    fresh = [("new", rt.clock()), *items]
    feed_server.route("/news.xml", rss(feed_server, fresh), etag='"v2"')
    assert (await cycle(rt, advance=1)).health == "feed_recovered"
    assert [a["kind"] for a in feed_alerts(rt)] == ["feed_failing", "feed_recovered"]


async def test_a_gone_feed_counts_as_failing(rt: Runtime, feed_server: FeedServer) -> None:
    feed_server.route("/news.xml", "gone", status=410)
    assert (await cycle(rt)).outcome == "gone"
    assert (await cycle(rt, advance=25)).health == "feed_failing"  # e.g. after a restart
    assert [a["error"] for a in feed_alerts(rt)] == ["HTTP 410 Gone"]


def test_migration_3_keeps_alerts_and_their_deliveries(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA foreign_keys = ON")
    for number, script in enumerate(MIGRATIONS[:2], start=1):
        db.executescript(f"BEGIN;\n{script}\nPRAGMA user_version = {number};\nCOMMIT;")
    db.execute(
        "INSERT INTO alerts (alert_id, kind, baseline_id, claim_id, article_url, article_title, "
        "feed, entry_id, published, evidence, reason, detected_at, novel, value, fact, score, "
        "highlight_start, highlight_end) VALUES ('a1', 'follow_up', 'b', 'c', NULL, 't', 'f', "
        "'e', NULL, 'ev', 'r', '2024-01-01T00:00:00.000000+00:00', 1, 3.0, 'x', 0.9, 1, 2)"
    )
    db.execute("INSERT INTO deliveries (alert_id, sink, state) VALUES ('a1', 'log', 'pending')")
    db.execute("INSERT INTO claim_facts VALUES ('b', 'c', 'follow_up', 'x', 'a1')")
    db.close()

    store = open_store(path)
    try:
        (status,) = store.recent_alerts(5)
        assert (status.alert.alert_id, status.alert.value, status.alert.highlight) == (
            "a1", 3.0, (1, 2),
        )  # fmt: skip
        assert [d.state for d in status.deliveries] == ["pending"]
        change = health.HealthChange("feed_failing", FAILING, "HTTP 500")
        alert = health.alert(change, feed="f", url="https://e.org/f", now=T0)
        assert store.add_alerts([alert], ["log"]) == [alert]
        assert store.add_alerts([alert], ["log"]) == []  # the same episode: stored once
    finally:
        store.close()
    with sqlite3.connect(path) as check:
        assert check.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert check.execute("PRAGMA foreign_key_check").fetchall() == []
        check.execute("PRAGMA foreign_keys = ON")
        with pytest.raises(sqlite3.IntegrityError):
            check.execute(
                "INSERT INTO deliveries (alert_id, sink, state) VALUES ('no', 'log', 'pending')"
            )
