"""Real processes whose stderr stands in for the journal: $JOURNAL_STREAM names its
device:inode (a real file here), and every line must carry its priority; a stream that is not
the one named gets plain lines. With a running journald, the real ``systemd-cat`` too."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.e2e.helpers import Service, Workdir, eventually

pytestmark = pytest.mark.slow

PREFIXED = re.compile(r"<([0-7])>(.*)")
STAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ ")
JOURNAL_SOCKET = Path("/run/systemd/journal/stdout")
# systemd-cat sets $JOURNAL_STREAM from version 253 on; for older ones, as it would
STREAM_OF_STDERR = (
    'export JOURNAL_STREAM="${JOURNAL_STREAM:-$(stat -L -c %d:%i /proc/self/fd/2)}"; exec "$@"'
)


def stream_id(path: Path) -> str:
    status = os.stat(path)
    return f"{status.st_dev}:{status.st_ino}"


def once(work: Workdir, log_format: str, journal_stream: Callable[[Path], str]) -> list[str]:
    """``claimwatch once`` with stderr to a file and $JOURNAL_STREAM from ``journal_stream``."""
    log = work.root / f"once-{log_format}.log"
    log.touch()
    env = {**os.environ, "JOURNAL_STREAM": journal_stream(log)}
    with log.open("w", encoding="utf-8") as stderr:
        command = ["once", "--config", str(work.config), "--log-format", log_format, "-v"]
        result = subprocess.run(
            [sys.executable, "-m", "claimwatch", *command],
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            env=env,
            cwd=work.root,
            timeout=60,
        )
    assert result.returncode == 3  # the only feed failed
    return log.read_text(encoding="utf-8").splitlines()


@pytest.fixture
def failing_feed(work: Workdir) -> Workdir:
    work.server.route("/broken.xml", status=500)
    work.write_config(["broken"])
    return work


def test_once_on_the_journal_stream_prefixes_every_line(failing_feed: Workdir) -> None:
    text = once(failing_feed, "text", stream_id)
    matches = [PREFIXED.fullmatch(line) for line in text]
    assert text and all(matches), text
    by_priority = {int(m[1]): m[2] for m in reversed(matches) if m}
    assert by_priority[4].startswith("WARNING feed.poll status=failed feed=broken")
    assert by_priority[3].startswith("ERROR   run.once status=failed")
    assert 6 in by_priority
    assert not any(STAMP.match(m[2]) for m in matches if m)  # journald stamps the entries

    lines = once(failing_feed, "json", stream_id)
    records = []
    for line in lines:
        match = PREFIXED.fullmatch(line)
        assert match, line
        records.append((int(match[1]), json.loads(match[2])))
    levels = {"debug": 7, "info": 6, "warning": 4, "error": 3, "critical": 2}
    assert all(priority == levels[record["level"]] for priority, record in records)
    assert {r["event"] for _, r in records} >= {"feed.poll", "run.once"}


def test_once_on_another_stream_writes_plain_dated_lines(failing_feed: Workdir) -> None:
    def another(log: Path) -> str:  # inherited from a parent whose stderr was the journal
        device, inode = stream_id(log).split(":")
        return f"{device}:{int(inode) + 1}"

    text = once(failing_feed, "text", another)
    assert text and all(STAMP.match(line) for line in text), text
    assert any("WARNING feed.poll status=failed" in line for line in text)


def test_a_rejected_reload_is_logged_once_and_the_daemon_goes_on(
    work: Workdir, service_factory: Callable[..., Service]
) -> None:
    work.serve_news()
    work.write_config(["news"])
    good = work.config.read_text(encoding="utf-8")
    log = work.root / "service.log"
    log.touch()  # Service truncates it: the same inode, named before the daemon starts
    service = service_factory({"JOURNAL_STREAM": stream_id(log)})

    def records() -> list[tuple[int, dict[str, object]]]:
        found = []
        for line in log.read_text(encoding="utf-8").splitlines():
            match = PREFIXED.fullmatch(line)
            assert match, f"a line without priority: {line!r}"
            found.append((int(match[1]), json.loads(match[2])))
        return found

    def rejections() -> list[tuple[int, dict[str, object]]]:
        return [
            (p, r)
            for p, r in records()
            if r["event"] == "config.reload" and r.get("status") == "rejected"
        ]

    eventually(lambda: any(r["event"] == "daemon.start" for _, r in records()), what="start")
    broken = good.replace("[scheduler]", "[scheduler]\nbogus = 1") + "colour = 'red'\n"
    work.config.write_text(broken, encoding="utf-8")
    for count in (1, 2):  # each SIGHUP: exactly one line, however many problems
        service.signal(signal.SIGHUP)
        eventually(lambda n=count: len(rejections()) >= n, what=f"rejection {count}")
        time.sleep(0.3)  # room for a second line, were one written
        assert len(rejections()) == count
    priority, rejected = rejections()[0]
    assert priority == 3 and rejected["level"] == "error"
    problems = str(rejected["error"]).splitlines()
    assert len(problems) == 2 and all(p.startswith(f"{work.config}:") for p in problems)
    assert sum("unknown key" in line for line in log.read_text().splitlines()) == 2
    assert service.process.poll() is None
    assert not [r for _, r in records() if r.get("status") == "applied"]

    work.config.write_text(good, encoding="utf-8")  # still the same daemon, reloading
    service.signal(signal.SIGHUP)
    eventually(lambda: any(r.get("status") == "applied" for _, r in records()), what="reload")
    service.signal(signal.SIGTERM)
    assert service.wait() == 0
    assert {p for p, _ in records()} >= {3, 6, 7}


@pytest.mark.skipif(
    shutil.which("systemd-cat") is None or not JOURNAL_SOCKET.exists(),
    reason="needs systemd-cat and a running journald",
)
def test_real_journald_takes_the_priorities(failing_feed: Workdir) -> None:
    tag = f"claimwatch-test-{uuid.uuid4().hex[:12]}"
    wrapper = ["systemd-cat", "-t", tag, "sh", "-c", STREAM_OF_STDERR, "sh"]
    command = ["once", "--config", str(failing_feed.config), "--log-format", "text"]
    subprocess.run(
        [*wrapper, sys.executable, "-m", "claimwatch", *command],
        cwd=failing_feed.root,
        timeout=60,
        check=False,
    )

    def entries(*options: str) -> list[dict[str, str]]:
        out = subprocess.run(
            ["journalctl", "-t", tag, "-o", "json", "--no-pager", *options],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        ).stdout
        return [json.loads(line) for line in out.splitlines() if line.strip()]

    eventually(lambda: any("run.once" in e["MESSAGE"] for e in entries()), what="journal")
    priorities = {e["MESSAGE"].split()[1]: e["PRIORITY"] for e in entries()}
    assert priorities["feed.poll"] == "4" and priorities["run.once"] == "3"
    assert not any(e["MESSAGE"].startswith("<") for e in entries())
    warnings = {e["MESSAGE"].split()[1] for e in entries("-p", "warning")}
    assert warnings == {"feed.poll", "run.once"}  # not the info lines
