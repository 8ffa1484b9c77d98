"""The web server on a real loopback socket, a real SQLite store and real HTTP requests.

The last tests run the daemon in-process with ``[http] listen`` set: /healthz follows the
scheduler and the database.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from prometheus_client import CONTENT_TYPE_LATEST
from prometheus_client.parser import text_string_to_metric_families

from claimwatch import pipeline
from claimwatch.baselines import load_baselines
from claimwatch.config import Config, config_from_mapping
from claimwatch.daemon import Daemon
from claimwatch.entries import Entry
from claimwatch.errors import ClaimwatchError, StateError
from claimwatch.lastvisit import COOKIE
from claimwatch.metrics import Metrics
from claimwatch.pipeline import Runtime, open_runtime, run_feed
from claimwatch.report.markup import minute
from claimwatch.store import open_store
from claimwatch.web import WebServer
from tests.servers import FeedServer
from tests.test_outbox import alert
from tests.test_pipeline import BASELINE, OTHER, RELEVANT, make_config, rss


class Health:
    """What the daemon would say about itself."""

    def __init__(self) -> None:
        self.problem: str | None = None

    def __call__(self) -> str | None:
        return self.problem


@pytest.fixture
def config(tmp_path: Path, feed_server: FeedServer) -> Config:
    return make_config(tmp_path, feed_server, {"name": "news", "fetch_articles": "none"})


@pytest.fixture
async def rt(config: Config) -> AsyncIterator[Runtime]:
    store = open_store(config.state)
    runtime = open_runtime(config, load_baselines(config.baselines), store, metrics=Metrics())
    yield runtime
    await pipeline.close_runtime(runtime)
    store.close()


@pytest.fixture
def health() -> Health:
    return Health()


@pytest.fixture
async def server(rt: Runtime, health: Health) -> AsyncIterator[WebServer]:
    assert rt.metrics is not None
    web = WebServer(lambda: rt, rt.metrics, health)
    await web.start(("127.0.0.1", 0))
    yield web
    await web.stop()


@pytest.fixture
async def client(server: WebServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=str(server.url), trust_env=False, timeout=5) as http:
        yield http


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def taken() -> Iterator[int]:
    """A port something else listens on."""
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        yield int(holder.getsockname()[1])


async def test_healthz_is_ok_while_healthy(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert (response.status_code, response.text) == (200, "ok\n")
    assert response.headers["cache-control"] == "no-store"


async def test_healthz_says_why_the_daemon_is_unhealthy(
    client: httpx.AsyncClient, health: Health
) -> None:
    health.problem = "stopping"
    response = await client.get("/healthz")
    assert (response.status_code, response.text) == (503, "unhealthy: stopping\n")


async def test_healthz_fails_when_the_database_does_not_answer(
    client: httpx.AsyncClient, rt: Runtime
) -> None:
    rt.store.close()
    response = await client.get("/healthz")
    assert response.status_code == 503
    assert "state database" in response.text and str(rt.config.state) in response.text
    assert (await client.get("/metrics")).status_code == 200  # still scrapeable


async def test_metrics_after_a_cycle(
    client: httpx.AsyncClient, rt: Runtime, feed_server: FeedServer
) -> None:
    feed_server.route("/news.xml", rss(feed_server, [RELEVANT, OTHER]))
    await run_feed(rt, rt.config.feeds[0])
    entry = Entry("other", "x1", None, "T", None, "")
    rt.store.commit_entry(entry, "h", [alert("a-pending")], ["email"], rt.clock())
    response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"] == CONTENT_TYPE_LATEST
    samples = {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }
    polls = ("claimwatch_feed_polls_total", (("feed", "news"), ("outcome", "fetched")))
    assert samples[polls] == 1
    assert samples[("claimwatch_entries_processed_total", (("feed", "news"),))] == 2
    assert samples[("claimwatch_outbox_backlog", (("sink", "email"),))] == 1
    assert samples[("claimwatch_outbox_backlog", (("sink", "log"),))] == 0


async def test_the_status_page(
    client: httpx.AsyncClient, rt: Runtime, feed_server: FeedServer
) -> None:
    feed_server.route("/news.xml", rss(feed_server, [RELEVANT, OTHER]))
    await run_feed(rt, rt.config.feeds[0])
    response = await client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert "script-src" not in response.headers["content-security-policy"]  # none at all
    assert "<table" in response.text or "<svg" in response.text
    assert "Freedonia bridge closed" in response.text  # the evidence, from the store


async def test_the_status_page_honours_its_filter(
    client: httpx.AsyncClient, rt: Runtime, feed_server: FeedServer
) -> None:
    feed_server.route("/news.xml", rss(feed_server, [RELEVANT, OTHER]))
    await run_feed(rt, rt.config.feeds[0])  # the bridge contradicted, reported by "news"
    evidence = "Freedonia bridge closed"  # the report's title, under its evidence

    async def page(query: str) -> str:
        response = await client.get("/", params=query)
        assert response.status_code == 200, response.text
        return response.text

    everything = await page("")
    assert evidence in everything
    assert 'href="?status=contradicted"' in everything  # served: the filters are query links
    contradicted = await page("status=contradicted&kind=contradiction&source=news")
    assert evidence in contradicted and "Showing only status contradicted" in contradicted
    assert 'href="?status=unchallenged&amp;kind=contradiction&amp;source=news"' in contradicted
    for other in ("status=unchallenged", "kind=follow-up", "source=elsewhere"):
        assert evidence not in await page(other), other
    refused = await client.get("/", params="kind=rumour")
    assert refused.status_code == 400
    assert (
        refused.text == "bad filter: kind: 'rumour' is not one of all, contradiction, follow-up\n"
    )


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [("GET", "/nope", 404), ("POST", "/healthz", 405), ("DELETE", "/", 405), ("HEAD", "/", 200)],
)
async def test_other_paths_and_methods(
    client: httpx.AsyncClient, method: str, path: str, status: int
) -> None:
    assert (await client.request(method, path)).status_code == status


async def test_a_taken_port_names_the_config_key(rt: Runtime, taken: int) -> None:
    assert rt.metrics is not None
    web = WebServer(lambda: rt, rt.metrics, Health())
    with pytest.raises(ClaimwatchError) as caught:
        await web.start(("127.0.0.1", taken))
    assert "[http] listen" in str(caught.value) and f"127.0.0.1:{taken}" in str(caught.value)
    assert web.address is None


async def test_move_serves_on_the_new_address_only(server: WebServer) -> None:
    old = server.address
    assert old is not None
    port = free_port()
    await server.move(("127.0.0.1", port))
    assert server.address == ("127.0.0.1", port)
    async with httpx.AsyncClient(trust_env=False, timeout=5) as http:
        assert (await http.get(f"http://127.0.0.1:{port}/healthz")).status_code == 200
        with pytest.raises(httpx.ConnectError):
            await http.get(f"http://127.0.0.1:{old[1]}/healthz")
    await server.move(None)
    assert server.address is None


async def test_move_to_a_taken_port_keeps_serving_where_it_was(
    server: WebServer, taken: int
) -> None:
    old = server.address
    with pytest.raises(ClaimwatchError, match=r"\[http\] listen"):
        await server.move(("127.0.0.1", taken))
    assert server.address == old
    async with httpx.AsyncClient(base_url=str(server.url), trust_env=False, timeout=5) as http:
        assert (await http.get("/healthz")).status_code == 200


async def test_moving_between_hosts_on_the_same_port(server: WebServer) -> None:
    """The old socket holds the port: it is released before the new one binds."""
    old = server.address
    assert old is not None
    await server.move(("0.0.0.0", old[1]))
    assert server.address == ("0.0.0.0", old[1])


# ---- the daemon serving ---------------------------------------------------------------


def listening_config(tmp_path: Path, server: FeedServer, port: int) -> Config:
    (tmp_path / "baseline.yaml").write_text(BASELINE, encoding="utf-8")
    data = {
        "state": "state.db",
        "baselines": ["baseline.yaml"],
        "http": {"allow_private_addresses": True, "listen": f"127.0.0.1:{port}"},
        "scheduler": {"jitter": 0},
        "alerts": {"log": {"path": "alerts.jsonl"}},
        "feeds": [{"name": "news", "url": server.url("/news.xml"), "fetch_articles": "none"}],
    }
    return config_from_mapping(data, path=tmp_path / "claimwatch.toml")


async def until(check: Callable[[], Awaitable[bool]], what: str, seconds: float = 10) -> None:
    for _ in range(int(seconds / 0.05)):
        if await check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


async def healthz(url: str) -> httpx.Response:
    async with httpx.AsyncClient(trust_env=False, timeout=5) as http:
        return await http.get(url + "healthz")


Serving = tuple[Daemon, str, "asyncio.Task[int]"]


@pytest.fixture
async def serving(tmp_path: Path, feed_server: FeedServer) -> AsyncIterator[Serving]:
    """A daemon whose first cycle stays in flight for 2 s (the feed answers slowly)."""
    feed_server.route("/news.xml", rss(feed_server, [RELEVANT, OTHER]), delay=2.0)
    port = free_port()
    config = listening_config(tmp_path, feed_server, port)
    daemon = Daemon(config, load_baselines(config.baselines), grace=10)
    task = asyncio.create_task(daemon.run())
    url = f"http://127.0.0.1:{port}/"

    async def polling() -> bool:
        assert not task.done(), task
        return bool(feed_server.requests_for("/news.xml"))

    await until(polling, "the first poll")
    yield daemon, url, task
    daemon.request_stop()
    await task


async def test_the_daemon_is_healthy_until_it_stops(serving: Serving) -> None:
    daemon, url, _ = serving
    response = await healthz(url)
    assert (response.status_code, response.text) == (200, "ok\n")
    daemon.request_stop()  # the slow cycle keeps it stopping for a while
    response = await healthz(url)
    assert (response.status_code, response.text) == (503, "unhealthy: stopping\n")


async def test_the_daemon_is_unhealthy_once_its_database_failed(
    serving: Serving,
) -> None:
    daemon, url, _ = serving
    daemon.state_failed(StateError("disk I/O error", subject="state.db"))
    response = await healthz(url)
    assert response.status_code == 503
    assert response.text == "unhealthy: state database failed: state.db: disk I/O error\n"


async def test_the_daemon_stops_serving_when_it_exits(serving: Serving) -> None:
    daemon, url, task = serving
    daemon.request_stop()
    daemon.request_stop()  # the second signal: abandon the slow cycle
    assert await task == 0
    with pytest.raises(httpx.ConnectError):
        await healthz(url)


async def test_the_served_page_says_what_is_new_since_the_last_visit(
    client: httpx.AsyncClient,
) -> None:
    first = await client.get("/")
    assert first.status_code == 200
    kept = first.cookies.get(COOKIE)
    assert kept is not None and kept.startswith("~")
    assert "HttpOnly" in first.headers["set-cookie"]
    assert "SameSite=Strict" in first.headers["set-cookie"]
    now = datetime.fromtimestamp(int(kept[1:]), UTC)
    last = now - timedelta(hours=3)  # the reader came back after three hours
    client.cookies.set(COOKIE, f"~{int(last.timestamp())}")
    again = await client.get("/")
    assert f"New: found since {minute(last)}" in again.text
    assert again.cookies.get(COOKIE, "").startswith(f"{int(last.timestamp())}~")
    asked = await client.get("/", params={"since": "2022-01-01T00:00:00+00:00"})
    assert f"New: found since {minute(datetime(2022, 1, 1, tzinfo=UTC))}" in asked.text
