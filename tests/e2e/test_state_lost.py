"""A state database deleted or emptied under a running ``claimwatch run``: /healthz fails, the
daemon stops with exit 1 and says why, the next start refuses instead of starting over (and
re-delivering every alert still in the feed), and ``migrate --fresh`` starts over on purpose
without the JSON Lines sink writing any alert twice."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

import httpx
import pytest

from tests.e2e.helpers import Service, Workdir, eventually
from tests.e2e.test_web_daemon import free_port, listen_on

pytestmark = pytest.mark.slow


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=5) as client:
        yield client


@pytest.mark.parametrize("how", ["deleted", "emptied"])
def test_a_state_lost_under_the_daemon_stops_it_and_is_not_replaced(
    work: Workdir, service_factory: Callable[..., Service], http: httpx.Client, how: str
) -> None:
    work.serve_news()
    work.write_config(["news"])
    port = free_port()
    listen_on(work, port)
    service = service_factory()
    eventually(lambda: len(work.alerts()) == 1, what="the alert delivered")
    eventually(lambda: http.get(f"http://127.0.0.1:{port}/healthz").status_code == 200)
    delivered = work.alerts()
    if how == "deleted":  # meanwhile: a second writer is refused, naming the daemon
        second = work.run("once")
        assert second.returncode == 1, second.stderr
        holder = f"in use by another claimwatch process (pid {service.process.pid}: claimwatch run"
        assert holder in second.stderr
        report = work.run("report", "--out", "-")  # readers work as ever
        assert report.returncode == 0 and "<html" in report.stdout, report.stderr

    if how == "deleted":
        work.state.unlink()
    else:
        os.truncate(work.state, 0)
    health = http.get(f"http://127.0.0.1:{port}/healthz")  # at once, before the watch runs
    assert health.status_code == 503
    assert str(work.state) in health.text and f"was {how}" in health.text
    assert service.wait(30) == 1
    (failure,) = service.events("daemon.state")
    assert failure["path"] == str(work.state) and f"was {how}" in failure["error"]

    # A restart (systemd's Restart=on-failure) refuses to start over.
    refused = work.run("run" if how == "deleted" else "once")
    assert refused.returncode == 1, refused.stderr
    assert str(work.state) in refused.stderr and "claimwatch migrate --fresh" in refused.stderr
    assert f"{work.state}.marker says one was created there" in refused.stderr
    assert "Traceback" not in refused.stderr
    status = work.run("status")  # read-only: says so, and creates nothing either
    assert work.alerts() == delivered
    if how == "emptied":
        assert status.returncode == 1 and "will not start over" in status.stderr
        assert work.state.stat().st_size == 0
        return
    assert status.returncode == 0 and "refuse to start over" in status.stdout.replace("\n", " ")
    assert not work.state.exists()

    fresh = work.run("migrate", "--fresh")
    assert fresh.returncode == 0, fresh.stderr
    assert "a new, empty state is the state from now on" in fresh.stdout
    with work.alert_log.open("ab") as log:  # and a line torn by a crash meanwhile
        log.write(b'{"alert_id": "torn", "kind": "contra')
    again = work.run("once")  # the feed's alert is found again; the log has it already
    assert again.returncode == 0, again.stderr
    assert "alert_log.repair" in again.stderr and "cut a torn last line" in again.stderr
    assert work.alerts() == delivered
    assert work.query("SELECT sink, state FROM deliveries") == [("log", "delivered")]
