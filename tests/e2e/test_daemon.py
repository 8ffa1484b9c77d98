"""``claimwatch run`` as a real process: polls, SIGTERM drains and exits 0, SIGHUP reloads."""

from __future__ import annotations

import signal
import socket
from collections.abc import Callable

import pytest

from tests.e2e.helpers import RELEVANT, Service, Workdir, eventually, rss

pytestmark = pytest.mark.slow


def test_polls_then_stops_cleanly_on_sigterm(
    work: Workdir, service_factory: Callable[..., Service]
) -> None:
    work.serve_news()
    work.write_config(["news"])
    notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    notify.bind(str(work.root / "notify.sock"))
    notify.settimeout(20)
    with notify:
        service = service_factory({"NOTIFY_SOCKET": str(work.root / "notify.sock")})
        assert notify.recv(4096).startswith(b"READY=1")
        eventually(lambda: bool(work.alerts()), what="an alert line")
        assert work.server.requests_for("/news.xml")
        service.signal(signal.SIGTERM)
        assert service.wait() == 0
        assert notify.recv(4096) == b"STOPPING=1"
    assert work.integrity() == "ok"
    assert service.events("daemon.start") and service.events("daemon.stop")
    assert not service.events("feed.crash")


def test_sigterm_lets_a_cycle_in_flight_finish(
    work: Workdir, service_factory: Callable[..., Service]
) -> None:
    work.server.route("/slow.xml", rss(work.server, [RELEVANT]), delay=1.5)
    work.write_config(["slow"])
    service = service_factory()
    eventually(lambda: bool(work.server.requests_for("/slow.xml")), what="the slow poll")
    service.signal(signal.SIGTERM)
    assert service.wait() == 0
    assert work.query("SELECT count(*) FROM entries WHERE processed_at IS NOT NULL") == [(1,)]
    assert work.integrity() == "ok"


def test_sighup_reloads_and_keeps_the_old_config_when_the_new_one_is_broken(
    work: Workdir, service_factory: Callable[..., Service]
) -> None:
    for name in ("first", "second", "third"):
        work.server.route(f"/{name}.xml", rss(work.server, [RELEVANT]))
    work.write_config(["first"])
    service = service_factory()
    eventually(lambda: bool(work.server.requests_for("/first.xml")), what="the first feed")

    work.write_config(["first", "second"])
    service.signal(signal.SIGHUP)
    eventually(lambda: bool(work.server.requests_for("/second.xml")), what="the added feed")

    work.config.write_text("this is = = not toml\n", encoding="utf-8")
    service.signal(signal.SIGHUP)
    eventually(
        lambda: bool(
            service.events("config.reload")
            and any(e["status"] == "rejected" for e in service.events("config.reload"))
        ),
        what="rejection",
    )
    (rejected,) = [e for e in service.events("config.reload") if e["status"] == "rejected"]
    assert str(work.config) in rejected["error"] and rejected["level"] == "error"
    assert service.process.poll() is None  # still running on the old config

    work.write_config(["first", "second", "third"])
    service.signal(signal.SIGHUP)
    eventually(lambda: bool(work.server.requests_for("/third.xml")), what="the third feed")
    service.signal(signal.SIGTERM)
    assert service.wait() == 0
    assert work.integrity() == "ok"
