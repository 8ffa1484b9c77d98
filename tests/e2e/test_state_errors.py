"""A state database that cannot be written: a clear error, a non-zero exit, nothing lost.

Read-only: ``claimwatch once`` as a real process, without the root privilege that would
ignore file modes (``setpriv`` drops it). Locked: another connection holds the write lock;
these run in-process with a short busy timeout instead of the real 10 s.
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator

import pytest

from claimwatch import cli
from claimwatch.daemon import Daemon
from claimwatch.inputs import load_inputs
from claimwatch.store import sqlite as sqlite_store
from tests.e2e.helpers import OTHER, RELEVANT, Workdir, rss

pytestmark = pytest.mark.slow

NEWER = ("g3", "Freedonia bridge shut again", "The Freedonia bridge was shut again on Friday.")
SETPRIV = shutil.which("setpriv")
# File-mode bypasses of root; without them root gets "permission denied" like anyone else.
DROP_ROOT_BYPASS = "-dac_override,-dac_read_search,-fowner,-linux_immutable"


def unprivileged(command: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return command
    if SETPRIV is None:
        pytest.skip("root ignores file modes and setpriv is not installed")
    return [SETPRIV, "--bounding-set", DROP_ROOT_BYPASS, "--inh-caps=-all", *command]


def publish_newer(work: Workdir) -> None:
    work.server.route("/news.xml", rss(work.server, [NEWER, RELEVANT, OTHER]))
    work.server.route("/articles/g3", "<html><body><p>Shut.</p></body></html>")


def test_read_only_state_file_exits_1_and_loses_nothing(work: Workdir) -> None:
    work.serve_news()
    work.write_config(["news"])
    assert work.run("once").returncode == 0
    before = work.alerts()
    publish_newer(work)
    files = [work.state, *work.state.parent.glob(work.state.name + "-*")]
    for file in files:
        file.chmod(0o444)
    try:
        command = [sys.executable, "-m", "claimwatch", "once", "--config", str(work.config)]
        result = subprocess.run(
            unprivileged(command), capture_output=True, text=True, timeout=120, cwd=work.root
        )
    finally:
        for file in files:
            file.chmod(0o600)
    assert result.returncode == 1, result.stderr
    assert str(work.state) in result.stderr and "readonly database" in result.stderr
    assert "Traceback" not in result.stderr and "feed.crash" not in result.stderr
    assert work.alerts() == before  # nothing delivered that was not stored

    again = work.run("once")  # writable again: the new entry is processed now
    assert again.returncode == 0, again.stderr
    assert {a["article_title"] for a in work.alerts()} - {a["article_title"] for a in before} == {
        NEWER[1]
    }


@pytest.fixture
def write_lock(work: Workdir, monkeypatch: pytest.MonkeyPatch) -> Iterator[sqlite3.Connection]:
    """The state exists; another connection holds its write lock; waits are short."""
    work.serve_news()
    work.write_config(["news"])
    assert work.run("once").returncode == 0
    publish_newer(work)
    monkeypatch.setattr(sqlite_store, "BUSY_TIMEOUT_MS", 200)
    holder = sqlite3.connect(work.state, isolation_level=None)
    holder.execute("UPDATE feeds SET next_attempt = NULL")  # due now, for the daemon
    holder.execute("BEGIN EXCLUSIVE")
    yield holder
    if holder.in_transaction:
        holder.execute("ROLLBACK")
    holder.close()


def test_locked_database_makes_once_exit_1(
    work: Workdir,
    write_lock: sqlite3.Connection,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(cli, "setup_logging", lambda *args: None)
    before = work.alerts()
    assert cli.main(["once", "--config", str(work.config)]) == cli.EXIT_FAILURE
    err = capsys.readouterr().err
    assert str(work.state) in err and "database is locked" in err
    assert work.alerts() == before
    write_lock.execute("ROLLBACK")
    assert cli.main(["once", "--config", str(work.config)]) == cli.EXIT_OK
    assert len(work.alerts()) == len(before) + 1


async def test_locked_database_stops_the_daemon_with_exit_1(
    work: Workdir, write_lock: sqlite3.Connection, caplog: pytest.LogCaptureFixture
) -> None:
    config, baselines = load_inputs(work.config)
    with caplog.at_level(logging.INFO, logger="claimwatch"):
        async with asyncio.timeout(30):
            code = await Daemon(config, baselines, grace=5).run()
    assert code == 1
    (failure,) = [r for r in caplog.records if r.getMessage() == "daemon.state"]
    fields = failure.claimwatch_fields  # type: ignore[attr-defined]
    assert fields["path"] == str(work.state) and "database is locked" in fields["error"]
    assert not [r for r in caplog.records if r.getMessage() == "feed.crash"]
    assert [r.getMessage() for r in caplog.records][-1] == "daemon.stop"
    write_lock.execute("ROLLBACK")
    processed = "SELECT count(*) FROM entries WHERE processed_at IS NOT NULL"
    assert work.query(processed) == [(2,)]  # the new entry was not marked done


def test_an_unopenable_state_path_exits_1(work: Workdir) -> None:
    work.serve_news()
    work.write_config(["news"])
    (work.root / "var").write_text("a file where the state folder should be", encoding="utf-8")
    for command in ("once", "run"):
        result = work.run(command)
        assert result.returncode == 1, result.stderr
        assert str(work.state) in result.stderr and "Traceback" not in result.stderr
