"""``claimwatch run`` with ``[http] listen`` under hostile and heavy clients, as a real process.

- A thousand slow clients (silent, or trickling a request head) against a daemon whose file
  limit is lowered to 256: /healthz still answers within a second, a feed added meanwhile is
  polled and its alert delivered, and the log stays short.
- Twenty browsers loading the status page at once, with 5,000 stored alerts: /healthz keeps
  answering within 200 ms, and every page shows the alerts stored up to its request.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from bench.web import alerts, free_port, store
from tests import freedonia
from tests.e2e.helpers import Workdir, eventually, rss

pytestmark = pytest.mark.slow

SLOW_CLIENTS = 1000
FILE_LIMIT = 256
PAGE_LOADS = 20
STORED_ALERTS = 5000


class Daemon:
    """``claimwatch run`` in a child process whose open-file limit is set before it starts."""

    def __init__(self, work: Workdir, *, file_limit: int | None = None) -> None:
        self.log_path = work.root / "service.log"
        self._log = self.log_path.open("w", encoding="utf-8")
        argv = ["claimwatch", "run", "--config", str(work.config), "--log-format", "json"]
        boot = (
            "import resource, runpy, sys\n"
            f"limit = {file_limit!r}\n"
            "if limit:\n"
            "    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]\n"
            "    resource.setrlimit(resource.RLIMIT_NOFILE, (limit, hard))\n"
            f"sys.argv = {argv!r}\n"
            "runpy.run_module('claimwatch', run_name='__main__', alter_sys=True)\n"
        )
        self.process = subprocess.Popen(
            [sys.executable, "-c", boot],
            stdout=subprocess.DEVNULL,
            stderr=self._log,
            cwd=work.root,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )

    def lines(self) -> list[str]:
        return self.log_path.read_text(encoding="utf-8").splitlines()

    def events(self, name: str) -> list[dict[str, Any]]:
        found = []
        for line in self.lines():
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                continue
            if record.get("event") == name:
                found.append(record)
        return found

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(30)
        finally:
            self._log.close()

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)
        self._log.close()


@pytest.fixture
def daemons() -> Iterator[Callable[..., Daemon]]:
    started: list[Daemon] = []

    def start(work: Workdir, **options: Any) -> Daemon:
        started.append(Daemon(work, **options))
        return started[-1]

    yield start
    for daemon in started:
        daemon.kill()


def serve(work: Workdir, port: int, feeds: list[str]) -> None:
    """Feeds on the loopback server and a config listening on 127.0.0.1:``port``."""
    for name in feeds:
        guid = f"{name}-1"
        work.server.route(
            f"/{name}.xml",
            rss(work.server, [(guid, "Freedonia bridge closed", "The bridge was closed.")]),
        )
    work.write_config(feeds, feed_options=['fetch_articles = "none"'])
    text = work.config.read_text(encoding="utf-8")
    work.config.write_text(
        text.replace("[http]\n", f'[http]\nlisten = "127.0.0.1:{port}"\n', 1), encoding="utf-8"
    )


def answers(http: httpx.Client, url: str) -> bool:
    try:
        return http.get(url).status_code == 200
    except httpx.TransportError:
        return False


def timed_get(http: httpx.Client, url: str) -> tuple[float, int]:
    start = time.perf_counter()
    response = http.get(url)
    return time.perf_counter() - start, response.status_code


# ---- slow clients ------------------------------------------------------------------------


def open_slow_clients(port: int, count: int) -> list[socket.socket]:
    """Half say nothing, half start a request head and never finish it."""
    clients = []
    for index in range(count):
        sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        if index % 2:
            sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        clients.append(sock)
    return clients


@pytest.fixture
def fd_room() -> None:
    """This process holds the slow clients: it needs more than a thousand descriptors."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = SLOW_CLIENTS + 200
    if soft < wanted:
        if hard != resource.RLIM_INFINITY and hard < wanted:
            pytest.skip(f"the test process may open only {hard} files")
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))


@pytest.mark.usefixtures("fd_room")
def test_a_thousand_slow_clients_starve_neither_health_nor_polls(
    work: Workdir, daemons: Callable[..., Daemon]
) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    serve(work, port, ["news"])
    daemon = daemons(work, file_limit=FILE_LIMIT)
    with httpx.Client(trust_env=False, timeout=5) as http:
        eventually(lambda: answers(http, base + "/healthz"), what="/healthz")
        eventually(lambda: len(work.alerts()) == 1, what="the first alert")
        clients = open_slow_clients(port, SLOW_CLIENTS)
        try:
            latencies = []
            for _ in range(5):
                seconds, status = timed_get(http, base + "/healthz")
                latencies.append(seconds)
                assert status == 200
                time.sleep(0.2)
            assert max(latencies) < 1.0, latencies
            # A feed added now is polled and its alert delivered while the clients wait.
            serve(work, port, ["news", "wire"])
            daemon.process.send_signal(signal.SIGHUP)
            eventually(lambda: len(work.alerts()) == 2, timeout=20, what="the new feed's alert")
            seconds, status = timed_get(http, base + "/")
            assert status == 200 and seconds < 1.0
        finally:
            for sock in clients:
                sock.close()
    assert daemon.stop() == 0
    lines = daemon.lines()
    assert len(lines) < 60, lines[-20:]  # a few lines a minute, not one per client
    assert not [line for line in lines if "Traceback" in line or "Too many open" in line]
    assert daemon.events("web.client"), "turning clients away is logged, with a count"


# ---- many page loads -------------------------------------------------------------------


class HealthProbe:
    """Asks /healthz every 20 ms in a thread and keeps the slowest answer."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.slowest = 0.0
        self.failures: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> HealthProbe:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(10)

    def _run(self) -> None:
        with httpx.Client(trust_env=False, timeout=5) as http:
            while not self._stop.is_set():
                try:
                    seconds, status = timed_get(http, self.url)
                except httpx.TransportError as exc:
                    self.failures.append(repr(exc))
                    continue
                self.slowest = max(self.slowest, seconds)
                if status != 200:
                    self.failures.append(str(status))
                self._stop.wait(0.02)


def load_pages(url: str, clients: list[httpx.Client]) -> list[str]:
    """One page per client, all at once (clients made beforehand: making one takes a while)."""
    start = threading.Barrier(len(clients))

    def load(http: httpx.Client) -> str:
        start.wait()
        response = http.get(url)
        assert response.status_code == 200
        return response.text

    with ThreadPoolExecutor(len(clients)) as pool:
        return list(pool.map(load, clients))


def test_twenty_page_loads_with_5000_alerts_keep_health_answering(
    work: Workdir, daemons: Callable[..., Daemon]
) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    (work.root / "baselines" / "freedonia.yaml").write_text(
        freedonia.baseline(freedonia.BRIDGE), encoding="utf-8"
    )
    serve(work, port, [])
    store(work.state, alerts(STORED_ALERTS))
    daemon = daemons(work)
    with httpx.Client(trust_env=False, timeout=5) as http:
        eventually(lambda: answers(http, base + "/healthz"), what="/healthz")
    clients = [httpx.Client(trust_env=False, timeout=30) for _ in range(PAGE_LOADS)]
    try:
        for stored in (STORED_ALERTS, STORED_ALERTS + 1):
            with HealthProbe(base + "/healthz") as probe:
                time.sleep(0.1)
                pages = load_pages(base + "/", clients)
            assert not probe.failures
            assert probe.slowest < 0.2, f"/healthz took {probe.slowest:.3f} s"
            total = f'<td class="n">{stored}</td>'  # the overview's count of the baseline's alerts
            assert all(total in page for page in pages)
            store(work.state, alerts(1, start=stored))  # the next round shows it
    finally:
        for http in clients:
            http.close()
    assert daemon.stop() == 0
