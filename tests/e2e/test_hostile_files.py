"""Hostile files and feeds against real ``claimwatch`` processes: an alias-bomb baseline and
deeply nested TOML reloaded under ``run`` while /healthz keeps answering, and an entity
bomb polled by ``once`` under a memory limit."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests.bombs import alias_bomb, entity_bomb
from tests.e2e.helpers import Service, Workdir, eventually
from tests.e2e.test_web_daemon import free_port, listen_on

pytestmark = pytest.mark.slow


def rejections(service: Service) -> list[dict[str, Any]]:
    return [e for e in service.events("config.reload") if e["status"] == "rejected"]


def healthz_keeps_answering_until(
    http: httpx.Client, url: str, done: Callable[[], bool], within: float = 20
) -> int:
    """Ask /healthz every 50 ms until ``done()``; every answer must be 200 within a second.
    Returns how many answers were seen."""
    answered = 0
    deadline = time.monotonic() + within
    while not done():
        assert time.monotonic() < deadline, "the reload was never reported"
        assert http.get(url, timeout=1.0).status_code == 200
        answered += 1
        time.sleep(0.05)
    return answered


def test_hostile_inputs_reloaded_under_run_never_stop_the_daemon(
    work: Workdir, service_factory: Callable[..., Service]
) -> None:
    work.serve_news()
    work.write_config(["news"])
    port = free_port()
    listen_on(work, port)
    healthz = f"http://127.0.0.1:{port}/healthz"
    service = service_factory()
    with httpx.Client(trust_env=False) as http:
        eventually(lambda: bool(work.alerts()), what="the first poll's alert")
        assert http.get(healthz).status_code == 200

        # 1. A baseline that is an alias bomb with one invalid value (it hung the loop).
        (work.root / "baselines" / "bomb.yaml").write_text(alias_bomb(), encoding="utf-8")
        service.signal(signal.SIGHUP)
        healthz_keeps_answering_until(http, healthz, lambda: len(rejections(service)) == 1)
        (first,) = rejections(service)
        assert "bomb.yaml:5: invalid YAML: more than 20 aliases" in first["error"]
        (work.root / "baselines" / "bomb.yaml").unlink()

        # 2. A config nested too deeply for Python's recursion (it raised in the reload task).
        config = work.config.read_text(encoding="utf-8")
        work.config.write_text(config + f"x = {'[' * 5000}{']' * 5000}\n", encoding="utf-8")
        service.signal(signal.SIGHUP)
        healthz_keeps_answering_until(http, healthz, lambda: len(rejections(service)) == 2)
        second = rejections(service)[1]
        assert second["error"] == f"{work.config}: invalid TOML: nested too deeply"
        assert http.get(healthz).status_code == 200

    service.signal(signal.SIGTERM)
    assert service.wait(30) == 0
    assert not [e for e in service.events() if "Traceback" in json.dumps(e)]


MEMORY_LIMIT = 1536 * 1024 * 1024  # address space per process: ample for claimwatch once
LIMITED = (  # claimwatch, its address space limited before it starts (parsers inherit it)
    "import resource, runpy, sys; "
    f"resource.setrlimit(resource.RLIMIT_AS, ({MEMORY_LIMIT}, {MEMORY_LIMIT})); "
    "sys.argv[0] = 'claimwatch'; runpy.run_module('claimwatch', run_name='__main__')"
)


def test_an_entity_bomb_under_a_memory_limit_is_a_clear_feed_error(work: Workdir) -> None:
    """310 KB that expanded to 1 GB of text (5 GB resident) in feedparser's fallback parser:
    under a 1.5 GB address-space limit the poll fails with a clear error, the other feed goes
    on."""
    work.serve_news()
    bomb = entity_bomb(value_size=10_000, references=60_000)
    assert 250_000 < len(bomb) < 400_000
    work.server.route("/bomb.xml", bomb, content_type="application/rss+xml")
    work.write_config(["news", "bomb"])
    command = ["once", "--config", str(work.config), "--log-format", "json"]
    result = subprocess.run(
        [sys.executable, "-c", LIMITED, *command],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=work.root,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    polls = [json.loads(line) for line in result.stderr.splitlines() if '"feed.poll"' in line]
    (failed,) = [p for p in polls if p.get("feed") == "bomb"]
    assert failed["url"] == work.server.url("/bomb.xml")
    assert "refused before parsing" in failed["error"] and "entities" in failed["error"]
    assert [p["status"] for p in polls if p.get("feed") == "news"] == ["fetched"]
    assert [a["feed"] for a in work.alerts()] == ["news"]
