"""How the web server takes clients (weblisten.py), on real loopback sockets: head and idle
timeouts, the cap with the idle client closed for a newcomer, the descriptor reserve, and
logs that count instead of repeating."""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from claimwatch import pipeline, web
from claimwatch.baselines import load_baselines
from claimwatch.config import config_from_mapping
from claimwatch.metrics import Metrics
from claimwatch.pipeline import open_runtime
from claimwatch.store import open_store
from claimwatch.throttle import Throttled
from claimwatch.web import WebServer
from claimwatch.weblisten import Limits, bind, client_cap, open_fds, soft_fd_limit
from tests import freedonia


@asynccontextmanager
async def serving(tmp_path: Path, **http: Any) -> AsyncIterator[WebServer]:
    (tmp_path / "baseline.yaml").write_text(freedonia.baseline(freedonia.BRIDGE), "utf-8")
    data = {"state": "state.db", "baselines": ["baseline.yaml"], "http": http}
    config = config_from_mapping(data, path=tmp_path / "claimwatch.toml")
    store = open_store(config.state)
    metrics = Metrics(process=False)
    rt = open_runtime(config, load_baselines(config.baselines), store, metrics=metrics)
    server = WebServer(lambda: rt, metrics, lambda: None)
    await server.start(("127.0.0.1", 0))
    try:
        yield server
    finally:
        await server.stop()
        await pipeline.close_runtime(rt)
        store.close()


async def connect(server: WebServer) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    assert server.address is not None
    return await asyncio.open_connection(*server.address)


async def closed_within(reader: asyncio.StreamReader, seconds: float) -> bool:
    """True when the server closes the connection (EOF or reset) within ``seconds``."""
    try:
        async with asyncio.timeout(seconds):
            while await reader.read(1024):
                pass
    except TimeoutError:
        return False
    except ConnectionResetError:
        pass
    return True


async def healthz(server: WebServer) -> int:
    async with httpx.AsyncClient(trust_env=False, timeout=5) as http:
        return (await http.get(f"{server.url}healthz")).status_code


async def test_a_client_that_never_finishes_its_request_head_is_closed(tmp_path: Path) -> None:
    async with serving(tmp_path, listen_header_timeout=1) as server:
        _, silent_writer = silent = await connect(server)
        trickle_reader, trickle = await connect(server)
        trickle.write(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        for _ in range(3):  # a byte now and then does not keep it open
            await asyncio.sleep(0.3)
            trickle.write(b"X")
        assert await closed_within(silent[0], 2.0)
        assert await closed_within(trickle_reader, 1.0)
        assert server.clients == 0
        assert await healthz(server) == 200
        silent_writer.close()
        trickle.close()


async def test_an_idle_keep_alive_connection_is_closed_after_idle_timeout(
    tmp_path: Path,
) -> None:
    async with serving(tmp_path, listen_header_timeout=5, listen_idle_timeout=1) as server:
        reader, writer = await connect(server)
        writer.write(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        assert (await reader.readline()).startswith(b"HTTP/1.1 200")
        assert not await closed_within(reader, 0.5)  # kept alive for a while
        assert await closed_within(reader, 1.5)
        writer.close()


async def test_at_the_cap_the_client_idle_longest_makes_room(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    async with serving(tmp_path, listen_max_clients=3) as server:
        silent = [await connect(server) for _ in range(3)]
        await asyncio.sleep(0.1)
        assert server.clients == 3
        for _ in range(5):  # each request takes the place of the oldest idle client
            assert await healthz(server) == 200
        assert server.clients <= 3
        assert await closed_within(silent[0][0], 1.0)
        for _, writer in silent:
            writer.close()
    evicted = [r for r in caplog.records if r.msg == "web.client"]
    assert evicted and evicted[0].__dict__["claimwatch_fields"]["status"] == "evicted"


async def test_nothing_is_accepted_while_descriptors_are_short(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    limit, used = soft_fd_limit(), open_fds()
    if limit is None or used is None:
        pytest.skip("the system tells no file limit or no count of open files")
    async with serving(tmp_path, max_connections=1) as server:
        idle = await connect(server)
        await asyncio.sleep(0.1)
        # A reserve as large as the limit: every descriptor is wanted for polls.
        monkeypatch.setattr(web, "RESERVE", limit)
        async with httpx.AsyncClient(trust_env=False, timeout=5) as http:
            waiting = asyncio.create_task(http.get(f"{server.url}healthz"))
            assert await closed_within(idle[0], 1.0)  # idle clients go first
            await asyncio.sleep(1.0)
            assert not waiting.done()  # queued by the kernel, not accepted
            monkeypatch.setattr(web, "RESERVE", 0)
            assert (await waiting).status_code == 200
        idle[1].close()


def test_the_cap_stays_well_below_the_file_limit() -> None:
    limits = Limits(max_clients=100, header_timeout=10, idle_timeout=30, reserve=114)
    assert client_cap(limits, 1024) == 100
    assert client_cap(limits, 256) == 71  # half of what the reserve leaves
    assert client_cap(limits, 100) == 1
    assert client_cap(limits, None) == 100


async def test_throttled_logs_one_line_per_interval_with_a_count(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    throttled = Throttled("web.accept", "failed", interval=0.2)
    for n in range(50):
        throttled.note(f"error {n}")
    await asyncio.sleep(0.3)
    throttled.note("error 50")
    throttled.flush()
    lines = [r.__dict__["claimwatch_fields"] for r in caplog.records if r.msg == "web.accept"]
    assert [(line["count"], line["error"]) for line in lines] == [
        (1, "error 0"),
        (49, "error 49"),
        (1, "error 50"),
    ]


async def test_one_port_for_every_address_of_a_name() -> None:
    sockets = await bind("localhost", 0)
    try:
        ports = {sock.getsockname()[1] for sock in sockets}
        assert len(ports) == 1
        families = {sock.family for sock in sockets}
        assert socket.AF_INET in families
    finally:
        for sock in sockets:
            sock.close()


async def test_malformed_requests_are_logged_once_a_minute_without_tracebacks(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    async with serving(tmp_path) as server:
        for _ in range(10):
            reader, writer = await connect(server)
            writer.write(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX: " + b"a" * 20_000 + b"\r\n\r\n")
            assert (await reader.readline()).startswith(b"HTTP/1.0 400")
            writer.close()
    assert not [r for r in caplog.records if r.exc_info or r.name.startswith("aiohttp")]
    lines = [r.__dict__["claimwatch_fields"] for r in caplog.records if r.msg == "web.request"]
    assert [(line["status"], line["count"]) for line in lines] == [("failed", 1), ("failed", 9)]
    assert "LineTooLong" in lines[0]["error"]
