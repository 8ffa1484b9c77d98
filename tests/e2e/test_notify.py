"""The real daemon talking to a real ``$NOTIFY_SOCKET``, as systemd would see it.

READY=1 once the scheduler runs, WATCHDOG=1 at half of ``$WATCHDOG_USEC`` with a STATUS= line
of feed and alert counts, RELOADING=1 then READY=1 on SIGHUP, STOPPING=1 on SIGTERM.
"""

from __future__ import annotations

import re
import signal
import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.e2e.helpers import Service, Workdir

pytestmark = pytest.mark.slow

UNIT = Path(__file__).resolve().parents[2] / "systemd" / "claimwatch.service"


class Supervisor:
    """The receiving end of ``$NOTIFY_SOCKET``: every datagram, in order."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(str(path))
        self.received: list[dict[str, str]] = []

    def wait_for(
        self, check: Callable[[dict[str, str]], bool], timeout: float = 20, after: int = -1
    ) -> int:
        """Read until a datagram after index ``after`` passes ``check``; return its index."""
        deadline = time.monotonic() + timeout
        for index, message in enumerate(self.received):
            if index > after and check(message):
                return index
        while (left := deadline - time.monotonic()) > 0:
            self.sock.settimeout(left)
            try:
                data = self.sock.recv(4096)
            except TimeoutError:
                break
            message = dict(line.split("=", 1) for line in data.decode().splitlines())
            self.received.append(message)
            if check(message):
                return len(self.received) - 1
        raise AssertionError(f"no such notification; got {self.received}")

    def count(self, key: str) -> int:
        return sum(1 for message in self.received if key in message)


@pytest.fixture
def supervisor(work: Workdir) -> Iterator[Supervisor]:
    listener = Supervisor(work.root / "notify.sock")
    yield listener
    listener.sock.close()


def test_ready_watchdog_status_reload_and_stop(
    work: Workdir, service_factory: Callable[..., Service], supervisor: Supervisor
) -> None:
    work.serve_news()
    work.write_config(["news"])
    service = service_factory(
        {"NOTIFY_SOCKET": str(supervisor.path), "WATCHDOG_USEC": "1000000"}  # a ping per 0.5 s
    )
    ready = supervisor.wait_for(lambda m: "READY" in m)
    assert re.fullmatch(r"1 feeds, \d+ alerts", supervisor.received[ready]["STATUS"])
    # The first poll finds one alert; a later watchdog ping reports it.
    alerted = supervisor.wait_for(lambda m: m.get("STATUS") == "1 feeds, 1 alerts")
    assert supervisor.received[alerted]["WATCHDOG"] == "1"
    started = time.monotonic()
    supervisor.wait_for(lambda m: "WATCHDOG" in m and supervisor.count("WATCHDOG") >= 4)
    assert time.monotonic() - started < 10  # pings keep coming at about 0.5 s

    service.signal(signal.SIGHUP)
    reloading = supervisor.wait_for(lambda m: "RELOADING" in m)
    assert int(supervisor.received[reloading]["MONOTONIC_USEC"]) > 0
    again = supervisor.wait_for(lambda m: "READY" in m, after=reloading)
    assert supervisor.received[again]["STATUS"] == "1 feeds, 1 alerts"

    service.signal(signal.SIGTERM)
    supervisor.wait_for(lambda m: "STOPPING" in m)
    assert service.wait() == 0


def test_no_watchdog_pings_on_behalf_of_another_process(
    work: Workdir, service_factory: Callable[..., Service], supervisor: Supervisor
) -> None:
    work.serve_news()
    work.write_config(["news"])
    service = service_factory(
        {"NOTIFY_SOCKET": str(supervisor.path), "WATCHDOG_USEC": "200000", "WATCHDOG_PID": "1"}
    )
    supervisor.wait_for(lambda m: "READY" in m)
    with pytest.raises(AssertionError, match="no such notification"):
        supervisor.wait_for(lambda m: "WATCHDOG" in m, timeout=1.5)
    service.signal(signal.SIGTERM)
    supervisor.wait_for(lambda m: "STOPPING" in m)
    assert service.wait() == 0


def test_the_unit_asks_for_the_watchdog_and_restarts_on_failure() -> None:
    text = UNIT.read_text(encoding="utf-8")
    watchdog = re.search(r"^WatchdogSec=(\d+)s$", text, flags=re.M)
    assert watchdog and 30 <= int(watchdog.group(1)) <= 300
    assert re.search(r"^Restart=on-failure$", text, flags=re.M)
    assert re.search(r"^NotifyAccess=main$", text, flags=re.M)  # parser workers stay silent
