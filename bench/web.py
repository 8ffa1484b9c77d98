"""Web server benchmark: how fast /healthz answers while clients press on ``claimwatch run``.

    python -m bench.web                                  # 1,000 slow clients, 5,000 alerts
    python -m bench.web --slow-clients 50 --alerts 200   # the small configuration CI runs

Three rounds against one real daemon process (its open-file limit lowered to ``--file-limit``)
serving on loopback, /healthz asked every 20 ms from a thread of this process:

- idle: nothing else happens;
- slow clients: ``--slow-clients`` connections opened at once, half silent, half trickling a
  request head that never ends;
- page loads: ``--page-loads`` clients load the status page at once, twice (a new alert
  stored between the two), with ``--alerts`` alerts in the state.

Printed: /healthz latency (median, 99th percentile, worst) per round, and how long the pages
took. Figures depend on the machine; the README quotes a run on the 2-core VM.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from claimwatch.alerts import Alert
from claimwatch.store import open_store
from tests import freedonia

BASELINE = freedonia.baseline(freedonia.BRIDGE)
PROBE_EVERY = 0.02  # seconds between /healthz requests


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def alerts(count: int, start: int = 0) -> list[Alert]:
    moment = datetime(2022, 1, 12, 10, tzinfo=UTC)
    base = Alert(
        alert_id="", kind="contradiction", baseline_id="freedonia", claim_id="bridge",
        article_url="", article_title="Freedonia bridge closed", feed="wire", entry_id="",
        published=None, evidence="The bridge in Freedonia was closed on Tuesday. " * 3,
        reason="The article says the bridge was closed.", detected_at=moment, novel=False,
        value=None, fact="closed", score=0.8,
    )  # fmt: skip
    return [
        dataclasses.replace(
            base,
            alert_id=f"a{n:06d}",
            entry_id=f"e{n}",
            feed=f"wire-{n % 50}",
            article_url=f"https://news.example.org/{n}",
            published=moment + timedelta(minutes=n),
            detected_at=moment + timedelta(minutes=n),
        )
        for n in range(start, start + count)
    ]


def store(state: Path, items: list[Alert]) -> None:
    opened = open_store(state)
    try:
        opened.add_alerts(items, [])
    finally:
        opened.close()


@contextmanager
def daemon(folder: Path, port: int, file_limit: int) -> Iterator[str]:
    """``claimwatch run`` serving on 127.0.0.1:``port``; yields its base URL."""
    (folder / "baselines").mkdir(exist_ok=True)
    (folder / "baselines" / "freedonia.yaml").write_text(BASELINE, encoding="utf-8")
    config = folder / "claimwatch.toml"
    config.write_text(
        f'state = "state.db"\nbaselines = ["baselines"]\n[http]\nlisten = "127.0.0.1:{port}"\n'
        '[alerts.log]\npath = "alerts.jsonl"\n',
        encoding="utf-8",
    )
    argv = ["claimwatch", "run", "--config", str(config), "--log-format", "json", "-q"]
    boot = (
        "import resource, runpy, sys\n"
        f"resource.setrlimit(resource.RLIMIT_NOFILE, ({file_limit}, "
        "resource.getrlimit(resource.RLIMIT_NOFILE)[1]))\n"
        f"sys.argv = {argv!r}\n"
        "runpy.run_module('claimwatch', run_name='__main__', alter_sys=True)\n"
    )
    log = (folder / "daemon.log").open("w", encoding="utf-8")
    process = subprocess.Popen(
        [sys.executable, "-c", boot], cwd=folder, stdin=subprocess.DEVNULL, stderr=log,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(trust_env=False, timeout=2) as http:
            for _ in range(400):
                try:
                    if http.get(base + "/healthz").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                time.sleep(0.05)
            else:
                raise SystemExit("the daemon did not answer /healthz within 20 s")
        yield base
    finally:
        process.terminate()
        process.wait(60)
        log.close()


class Probe:
    """/healthz every PROBE_EVERY seconds in a thread; latencies in seconds."""

    def __init__(self, url: str) -> None:
        self.url, self.latencies, self.failures = url, [], 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Probe:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(30)

    def _run(self) -> None:
        with httpx.Client(trust_env=False, timeout=10) as http:
            while not self._stop.is_set():
                start = time.perf_counter()
                try:
                    ok = http.get(self.url).status_code == 200
                except httpx.TransportError:
                    ok = False
                self.latencies.append(time.perf_counter() - start)
                self.failures += not ok
                self._stop.wait(PROBE_EVERY)


def during(url: str, work: Callable[[], str]) -> tuple[Probe, str]:
    with Probe(url + "/healthz") as probe:
        time.sleep(0.2)
        note = work()
        time.sleep(0.2)
    return probe, note


def slow_clients(url: str, count: int) -> Callable[[], str]:
    host, port = url.removeprefix("http://").split(":")

    def run() -> str:
        start = time.perf_counter()
        opened = []
        for index in range(count):
            sock = socket.create_connection((host, int(port)), timeout=10)
            if index % 2:
                sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
            opened.append(sock)
        took = time.perf_counter() - start
        time.sleep(2.0)
        for sock in opened:
            sock.close()
        return f"{count} connections opened in {took:.2f} s, held 2 s"

    return run


def page_loads(url: str, count: int, state: Path, stored: int) -> Callable[[], str]:
    clients = [httpx.Client(trust_env=False, timeout=60) for _ in range(count)]  # made early:
    times: list[float] = []  # making one takes a while, which would slow the probe's thread

    def run() -> str:

        def load(http: httpx.Client, barrier: threading.Barrier) -> None:
            barrier.wait()
            start = time.perf_counter()
            assert http.get(url + "/").status_code == 200
            times.append(time.perf_counter() - start)

        for round_ in range(2):
            barrier = threading.Barrier(count)
            threads = [threading.Thread(target=load, args=(c, barrier)) for c in clients]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            if round_ == 0:
                store(state, alerts(1, start=stored))
        for http in clients:
            http.close()
        return (
            f"{2 * count} pages, {stored:,} alerts: median {statistics.median(times) * 1000:.0f}"
            f" ms, slowest {max(times) * 1000:.0f} ms"
        )

    return run


def row(name: str, probe: Probe, note: str) -> str:
    ms = sorted(x * 1000 for x in probe.latencies)
    p99 = ms[min(len(ms) - 1, int(len(ms) * 0.99))]
    return (
        f"| {name} | {len(ms)} | {statistics.median(ms):.1f} | {p99:.1f} | {ms[-1]:.1f} | "
        f"{probe.failures} | {note} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--slow-clients", type=int, default=1000)
    parser.add_argument("--alerts", type=int, default=5000)
    parser.add_argument("--page-loads", type=int, default=20)
    parser.add_argument("--file-limit", type=int, default=256)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cw-bench-web-") as tmp:
        folder = Path(tmp)
        store(folder / "state.db", alerts(args.alerts))
        with daemon(folder, free_port(), args.file_limit) as url:
            loads = page_loads(url, args.page_loads, folder / "state.db", args.alerts)
            results = [
                ("idle", *during(url, lambda: (time.sleep(1.0), "")[1])),
                ("slow clients", *during(url, slow_clients(url, args.slow_clients))),
                ("page loads", *during(url, loads)),
            ]
        logged = (folder / "daemon.log").read_text(encoding="utf-8").splitlines()
    print(f"claimwatch run, open-file limit {args.file_limit}; /healthz every 20 ms (ms)\n")
    print("| round | probes | median | p99 | worst | failed | what happened |")
    print("|---|---|---|---|---|---|---|")
    for name, probe, note in results:
        print(row(name, probe, note))
    print(f"\nthe daemon logged {len(logged)} lines at warning level or above (-q)")


if __name__ == "__main__":
    main()
