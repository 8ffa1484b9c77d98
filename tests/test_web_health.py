"""/healthz says "degraded" (503) when the daemon runs but does not do its job: no feed poll
has succeeded for a while, or the outbox backlog keeps growing. A real server on loopback, a
real SQLite store, real polls of the loopback feed server; only the clock is the test's."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from claimwatch import pipeline
from claimwatch.baselines import load_baselines
from claimwatch.config import config_from_mapping
from claimwatch.entries import Entry
from claimwatch.liveness import BacklogTrend, backlog, sample_every, span, stale_polls
from claimwatch.metrics import Metrics
from claimwatch.pipeline import Runtime, open_runtime, run_feed
from claimwatch.store import open_store
from claimwatch.web import WebServer
from tests import freedonia
from tests.servers import FeedServer
from tests.test_outbox import START, Clock, alert
from tests.test_pipeline import OTHER, RELEVANT, rss


class Health:
    def __init__(self) -> None:
        self.problem: str | None = None

    def __call__(self) -> str | None:
        return self.problem


Serving = tuple[WebServer, Runtime, Clock, Health]


async def serve(tmp_path: Path, feeds: list[dict[str, Any]], **http: Any) -> Serving:
    (tmp_path / "baseline.yaml").write_text(freedonia.baseline(freedonia.BRIDGE), "utf-8")
    data = {
        "state": "state.db",
        "baselines": ["baseline.yaml"],
        "http": {"allow_private_addresses": True, **http},
        "scheduler": {"jitter": 0},
        "alerts": {"log": {"path": "alerts.jsonl"}},
        "feeds": feeds,
    }
    config = config_from_mapping(data, path=tmp_path / "claimwatch.toml")
    clock, health = Clock(), Health()
    store = open_store(config.state)
    metrics = Metrics(process=False)
    opened = open_runtime(config, load_baselines(config.baselines), store, metrics=metrics)
    rt = dataclasses.replace(opened, clock=clock)
    server = WebServer(lambda: rt, metrics, health)
    await server.start(("127.0.0.1", 0))
    await asyncio.sleep(0.01)  # the backlog's first sample, at START
    return server, rt, clock, health


@pytest.fixture
async def stopper() -> AsyncIterator[list[Serving]]:
    started: list[Serving] = []
    yield started
    for server, rt, _, _ in started:
        await server.stop()
        await pipeline.close_runtime(rt)
        rt.store.close()


async def healthz(server: WebServer) -> tuple[int, str]:
    async with httpx.AsyncClient(trust_env=False, timeout=5) as http:
        response = await http.get(f"{server.url}healthz")
        return response.status_code, response.text


async def test_degraded_when_no_feed_poll_succeeds(
    tmp_path: Path, feed_server: FeedServer, stopper: list[Serving]
) -> None:
    feed_server.route("/news.xml", status=500)
    feed = {"name": "news", "url": feed_server.url("/news.xml"), "interval": "30s"}
    served = await serve(tmp_path, [feed], healthz_max_poll_age="2m")
    stopper.append(served)
    server, rt, clock, _ = served
    assert (await run_feed(rt, rt.config.feeds[0])).outcome == "failed"
    clock.advance(100)
    assert await healthz(server) == (200, "ok\n")  # counted from the start: not yet
    clock.advance(30)
    status, text = await healthz(server)
    assert status == 503
    assert text == (
        "degraded: no feed poll has succeeded for 2m (since 2022-01-20T12:00:00+00:00; limit 2m)\n"
    )
    feed_server.route("/news.xml", rss(feed_server, [RELEVANT, OTHER]))
    assert (await run_feed(rt, rt.config.feeds[0])).outcome == "fetched"
    assert await healthz(server) == (200, "ok\n")
    clock.advance(121)
    assert (await healthz(server))[0] == 503  # counted from the last success now


async def test_the_limit_is_never_below_two_feed_intervals(
    tmp_path: Path, feed_server: FeedServer, stopper: list[Serving]
) -> None:
    feed = {"name": "news", "url": feed_server.url("/news.xml"), "interval": "1h"}
    stopper.append(served := await serve(tmp_path, [feed], healthz_max_poll_age="2m"))
    server, _, clock, health = served
    clock.advance(3600)
    assert await healthz(server) == (200, "ok\n")  # an hourly feed is not dead after 2 min
    clock.advance(3601)
    assert (await healthz(server))[1].startswith("degraded: no feed poll has succeeded for 2h")
    health.problem = "stopping"  # the daemon's own trouble comes first
    assert await healthz(server) == (503, "unhealthy: stopping\n")


async def test_degraded_while_the_outbox_backlog_keeps_growing(
    tmp_path: Path, stopper: list[Serving]
) -> None:
    stopper.append(served := await serve(tmp_path, [], healthz_backlog_window="1m"))
    server, rt, clock, _ = served

    def stuck(alert_id: str) -> None:  # queued for a sink that never delivers
        entry = Entry("f", alert_id, None, "T", None, "")
        rt.store.commit_entry(entry, "h", [alert(alert_id)], ["email"], clock())

    stuck("a1")
    clock.advance(30)
    server.sample()
    assert await healthz(server) == (200, "ok\n")  # growing, but for less than the window
    stuck("a2")
    clock.advance(31)
    server.sample()
    assert await healthz(server) == (
        503,
        "degraded: the outbox backlog grew from 0 to 2 deliveries over 1m without shrinking\n",
    )
    rt.store.record_delivered("a1", "email", clock())
    clock.advance(5)
    server.sample()
    assert await healthz(server) == (200, "ok\n")  # it shrank: deliveries are moving


async def test_both_checks_can_be_turned_off(
    tmp_path: Path, feed_server: FeedServer, stopper: list[Serving]
) -> None:
    feed = {"name": "news", "url": feed_server.url("/news.xml"), "interval": "30s"}
    off = {"healthz_max_poll_age": "0", "healthz_backlog_window": "0"}
    stopper.append(served := await serve(tmp_path, [feed], **off))
    server, _, clock, _ = served
    clock.advance(7 * 86400)
    assert await healthz(server) == (200, "ok\n")


def test_a_digest_sink_holds_pending_alerts_on_purpose() -> None:
    counts = {("email", "pending"): 5, ("email", "failed"): 2, ("log", "pending"): 1}
    assert backlog(counts) == 8
    assert backlog(counts, digest_sinks=("email",)) == 3  # its failed ones still count
    assert backlog({("log", "delivered"): 9, ("log", "refused"): 1}) == 0


def test_the_backlog_trend_keeps_one_sample_before_its_window() -> None:
    trend = BacklogTrend()
    for minute in range(10):
        trend.add(START + timedelta(minutes=minute), minute, 120)
    assert [s.backlog for s in trend.samples] == [7, 8, 9]
    assert trend.growing(START + timedelta(minutes=9), 120) is not None
    assert sample_every(1800) == 60 and sample_every(60) == 6 and sample_every(0) == 60
    assert span(45) == "45s" and span(4500) == "1h 15m"
    assert stale_polls(START, START, 3600, []) is None  # no feed, nothing to miss
