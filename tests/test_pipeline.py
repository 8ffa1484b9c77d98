"""One feed's cycle against a real loopback server and a real SQLite file."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import pytest

from claimwatch import pipeline
from claimwatch.baselines import Baseline, load_baselines
from claimwatch.config import Config, config_from_mapping
from claimwatch.pipeline import Runtime, open_runtime, run_all, run_feed, should_fetch
from claimwatch.store import open_store
from tests import freedonia
from tests.servers import FeedServer

BASELINE = freedonia.baseline(freedonia.BRIDGE)
RELEVANT = ("g1", "Freedonia bridge closed", "The bridge in Freedonia was closed on Tuesday.")
OTHER = ("g2", "Weather in Sylvania", "It rained in Sylvania all week.")


def rss(server: FeedServer, items: Sequence[tuple[str, str, str]]) -> str:
    body = "".join(
        f'<item><guid isPermaLink="false">{guid}</guid>'
        f"<title>{escape(title)}</title>"
        f"<link>{server.url('/articles/' + guid)}</link>"
        f"<description>{escape(text)}</description>"
        "<pubDate>Wed, 12 Jan 2022 10:00:00 GMT</pubDate></item>"
        for guid, title, text in items
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>{body}</channel></rss>'
    )


def make_config(tmp_path: Path, server: FeedServer, *feeds: dict[str, Any]) -> Config:
    (tmp_path / "baseline.yaml").write_text(BASELINE, encoding="utf-8")
    data = {
        "state": "state.db",
        "baselines": ["baseline.yaml"],
        "http": {"allow_private_addresses": True, "total_timeout": 5, "connect_timeout": 2},
        "scheduler": {"jitter": 0},
        "alerts": {"log": {"path": "alerts.jsonl"}},
        "feeds": [{"url": server.url(f"/{f['name']}.xml"), **f} for f in feeds],
    }
    return config_from_mapping(data, path=tmp_path / "claimwatch.toml")


@pytest.fixture
def config(tmp_path: Path, feed_server: FeedServer) -> Config:
    return make_config(tmp_path, feed_server, {"name": "news", "fetch_articles": "none"})


@pytest.fixture
def baselines(config: Config) -> tuple[Baseline, ...]:
    return load_baselines(config.baselines)


def rows(rt: Runtime, sql: str) -> list[tuple[Any, ...]]:
    import sqlite3

    with sqlite3.connect(rt.store.path) as db:
        return db.execute(sql).fetchall()


@pytest.mark.parametrize(
    ("mode", "title", "expected"),
    [
        ("all", "Weather", True),
        ("none", "Freedonia", False),
        ("relevant", "Freedonia bridge", True),
        ("relevant", "Weather in Sylvania", False),
    ],
)
def test_should_fetch(
    mode: pipeline.FetchMode, title: str, expected: bool, baselines: tuple[Baseline, ...]
) -> None:
    assert should_fetch(mode, title, "", baselines) is expected


async def test_first_poll_processes_every_entry(rt: Runtime, feed_server: FeedServer) -> None:
    feed_server.route("/news.xml", rss(feed_server, [RELEVANT, OTHER]), etag='"v1"')
    report = await run_feed(rt, rt.config.feeds[0])
    assert (report.outcome, report.entries, report.processed) == ("fetched", 2, 2)
    processed = rows(rt, "SELECT entry_id FROM entries WHERE processed_at IS NOT NULL")
    assert sorted(r[0] for r in processed) == ["g1", "g2"]
    state = rt.store.feed_state("news", rt.config.feeds[0].url)
    assert state.etag == '"v1"' and state.consecutive_failures == 0
    assert state.next_attempt is not None and state.last_success is not None


async def test_second_poll_is_conditional_and_processes_nothing(
    rt: Runtime, feed_server: FeedServer
) -> None:
    feed_server.route("/news.xml", rss(feed_server, [RELEVANT, OTHER]), etag='"v1"')
    await run_feed(rt, rt.config.feeds[0])
    report = await run_feed(rt, rt.config.feeds[0])
    assert (report.outcome, report.processed) == ("not_modified", 0)
    second = feed_server.requests_for("/news.xml")[1]
    assert second.headers["if-none-match"] == '"v1"'


async def test_only_new_or_changed_entries_are_processed(
    rt: Runtime, feed_server: FeedServer
) -> None:
    feed_server.route("/news.xml", rss(feed_server, [RELEVANT, OTHER]))
    await run_feed(rt, rt.config.feeds[0])
    changed = (OTHER[0], OTHER[1], "It rained in Sylvania all month.")
    feed_server.route("/news.xml", rss(feed_server, [RELEVANT, changed, ("g3", "New", "New.")]))
    report = await run_feed(rt, rt.config.feeds[0])
    assert (report.entries, report.processed) == (3, 2)


async def test_alerts_are_stored_and_delivered(rt: Runtime, feed_server: FeedServer) -> None:
    feed_server.route("/news.xml", rss(feed_server, [RELEVANT, OTHER]))
    report = await run_feed(rt, rt.config.feeds[0])
    assert report.alerts >= 1
    log = rt.config.alert_log_path
    assert log is not None and log.read_text().count("\n") == report.alerts
    states = {d.state for s in rt.store.recent_alerts(10) for d in s.deliveries}
    assert states == {"delivered"}


@pytest.mark.parametrize(
    ("route", "outcome", "error"),
    [
        ({"status": 500}, "failed", "HTTP 500"),
        ({"body": "<html>not a feed</html>", "content_type": "text/html"}, "failed", "feed"),
        ({"status": 410}, "gone", "410"),
    ],
    ids=["server-error", "not-a-feed", "gone"],
)
async def test_a_feed_failure_is_recorded_and_logged_once(
    rt: Runtime,
    feed_server: FeedServer,
    caplog: pytest.LogCaptureFixture,
    route: dict[str, Any],
    outcome: str,
    error: str,
) -> None:
    feed_server.route("/news.xml", **route)
    with caplog.at_level(logging.INFO, logger="claimwatch"):
        report = await run_feed(rt, rt.config.feeds[0])
    assert report.outcome == outcome and error in str(report.error)
    state = rt.store.feed_state("news", rt.config.feeds[0].url)
    assert error in str(state.last_error)
    polls = [r for r in caplog.records if r.getMessage() == "feed.poll"]
    assert len(polls) == 1 and polls[0].levelno == logging.WARNING
    fields = polls[0].claimwatch_fields  # type: ignore[attr-defined]
    assert fields["feed"] == "news" and fields["url"] == rt.config.feeds[0].url
    assert error in fields["error"]


async def test_backoff_grows_with_failures(rt: Runtime, feed_server: FeedServer) -> None:
    feed_server.route("/news.xml", status=503)
    first = await run_feed(rt, rt.config.feeds[0])
    second = await run_feed(rt, rt.config.feeds[0])
    state = rt.store.feed_state("news", rt.config.feeds[0].url)
    assert state.consecutive_failures == 2
    assert first.next_attempt is not None and second.next_attempt is not None
    assert second.next_attempt > first.next_attempt


async def test_a_gone_feed_is_not_polled_again(rt: Runtime, feed_server: FeedServer) -> None:
    feed_server.route("/news.xml", status=410)
    await run_feed(rt, rt.config.feeds[0])
    report = await run_feed(rt, rt.config.feeds[0])
    assert report.outcome == "disabled"
    assert len(feed_server.requests_for("/news.xml")) == 1


async def test_a_crash_mid_cycle_skips_nothing(
    rt: Runtime, feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    feed_server.route("/news.xml", rss(feed_server, [RELEVANT, OTHER]), etag='"v1"')
    real_match = pipeline.match

    def crash_on_other(document: Any, baselines: Any) -> Any:
        if "Sylvania" in document.title:
            raise RuntimeError("bug")
        return real_match(document, baselines)

    monkeypatch.setattr(pipeline, "match", crash_on_other)
    with pytest.raises(RuntimeError):
        await run_feed(rt, rt.config.feeds[0])
    monkeypatch.setattr(pipeline, "match", real_match)
    assert rt.store.processed_hashes("news", ["g1", "g2"]).keys() == {"g1"}
    report = await run_feed(rt, rt.config.feeds[0])
    assert "if-none-match" not in feed_server.requests_for("/news.xml")[1].headers
    assert report.processed == 1
    assert rt.store.processed_hashes("news", ["g1", "g2"]).keys() == {"g1", "g2"}


async def test_entries_matching_nothing_are_read_again_after_a_crash(
    rt: Runtime, feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """They are marked processed together once the feed's entries are read: a crash before
    that loses nothing, it only means reading them again."""
    quiet = [(f"q{n}", f"Weather {n}", "It rained in Sylvania.") for n in range(3)]
    crash = ("boom", "Crash", "This one breaks the detector.")
    feed_server.route("/news.xml", rss(feed_server, [*quiet, crash]), etag='"v1"')
    real_match = pipeline.match

    def crash_on_boom(document: Any, baselines: Any) -> Any:
        if document.title == "Crash":
            raise RuntimeError("bug")
        return real_match(document, baselines)

    monkeypatch.setattr(pipeline, "match", crash_on_boom)
    with pytest.raises(RuntimeError):
        await run_feed(rt, rt.config.feeds[0])
    assert rt.store.processed_hashes("news", ["q0", "q1", "q2", "boom"]) == {}
    monkeypatch.setattr(pipeline, "match", real_match)
    report = await run_feed(rt, rt.config.feeds[0])
    assert report.processed == 4
    assert rt.store.processed_hashes("news", ["q0", "q1", "q2", "boom"]).keys() == {
        "q0",
        "q1",
        "q2",
        "boom",
    }
    assert rows(rt, "SELECT count(*) FROM alerts") == [(0,)]


@pytest.mark.parametrize(
    ("mode", "pages"),
    [("none", set()), ("relevant", {"/articles/g1"}), ("all", {"/articles/g1", "/articles/g2"})],
)
async def test_fetch_articles_modes(
    tmp_path: Path, feed_server: FeedServer, mode: str, pages: set[str]
) -> None:
    config = make_config(tmp_path, feed_server, {"name": "news", "fetch_articles": mode})
    store = open_store(config.state)
    runtime = open_runtime(config, load_baselines(config.baselines), store)
    try:
        feed_server.route("/news.xml", rss(feed_server, [RELEVANT, OTHER]))
        await run_feed(runtime, config.feeds[0])
    finally:
        await pipeline.close_runtime(runtime)
        store.close()
    asked = {r.path for r in feed_server.requests if r.path.startswith("/articles/")}
    assert asked == pages


async def test_one_failing_feed_does_not_stop_the_others(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    config = make_config(
        tmp_path,
        feed_server,
        {"name": "broken"},
        {"name": "fine"},
        {"name": "off", "enabled": False},
    )
    feed_server.route("/broken.xml", status=500)
    feed_server.route("/fine.xml", rss(feed_server, [OTHER]))
    store = open_store(config.state)
    runtime = open_runtime(config, load_baselines(config.baselines), store)
    try:
        report = await run_all(runtime)
    finally:
        await pipeline.close_runtime(runtime)
        store.close()
    assert {r.feed: r.outcome for r in report.feeds} == {"broken": "failed", "fine": "fetched"}
    assert feed_server.requests_for("/off.xml") == []
