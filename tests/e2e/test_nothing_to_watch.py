"""``claimwatch run`` on nothing to watch: refused at start (exit 2), and on a SIGHUP reload
the running baselines are kept."""

from __future__ import annotations

import signal
from collections.abc import Callable

import pytest

from tests import freedonia
from tests.e2e.helpers import Service, Workdir, eventually, rss

pytestmark = pytest.mark.slow


def test_run_exits_2_naming_the_empty_folder(work: Workdir) -> None:
    work.write_config(["news"])
    (work.root / "baselines" / "freedonia.yaml").unlink()
    result = work.run("run")
    assert result.returncode == 2
    folder = work.root / "baselines"
    assert f"{folder}: no baseline files (*.yaml/*.yml) in this folder" in result.stderr
    assert not work.state.exists()


def test_a_reload_to_a_baseline_without_claims_keeps_the_running_ones(
    work: Workdir, service_factory: Callable[..., Service]
) -> None:
    work.server.route("/news.xml", rss(work.server, []))
    work.write_config(["news"])
    service = service_factory()
    eventually(lambda: bool(service.events("daemon.start")), what="the start")
    baseline = work.root / "baselines" / "freedonia.yaml"
    baseline.write_text(freedonia.baseline(), encoding="utf-8")  # every claim removed
    service.signal(signal.SIGHUP)
    eventually(lambda: bool(service.events("config.reload")), what="the reload")
    (event,) = service.events("config.reload")
    assert event["status"] == "rejected"
    assert f"{baseline}: claims: baseline 'freedonia' has no claims" in event["error"]
    assert service.process.poll() is None  # still running, on the baseline it had
    service.signal(signal.SIGTERM)
    assert service.wait() == 0
