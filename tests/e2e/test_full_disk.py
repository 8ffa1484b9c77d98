"""A full disk, for real: a small tmpfs (mounted by the test, which CI runs as root) holds the
state and the alert log.

- The SMTP server fills the disk the moment it has the message, so the email goes out and its
  record cannot be written: ``claimwatch once`` exits 1. Restarts (as under systemd's
  ``Restart=on-failure``) send nothing more, full disk or not, until the hold is over; then
  the email is sent once more, with the same Message-ID.
- An alert line that no longer fits is not left half-written in the alert log.
- Less free space than the reserve: the start is refused, naming the path.

Where mounting is not permitted the tests skip; test_sinks_jsonl.py covers the torn line
with a test double of the write.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from claimwatch.alerts import Alert
from claimwatch.sinks import DeliveryError
from claimwatch.sinks.jsonl import JsonlSink
from tests.e2e.helpers import Workdir
from tests.smtp_server import Received, SmtpServer

pytestmark = pytest.mark.slow

SIZE = "4m"


@pytest.fixture
def disk(tmp_path: Path) -> Iterator[Path]:
    """A 4 MB tmpfs of its own."""
    folder = tmp_path / "disk"
    folder.mkdir()
    mount = shutil.which("mount")
    if mount is None or os.geteuid() != 0:
        pytest.skip("mounting a small file system needs root and mount(8)")
    done = subprocess.run(
        [mount, "-t", "tmpfs", "-o", f"size={SIZE}", "tmpfs", str(folder)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield folder
    finally:
        # lazy: a sqlite3 connection of the test may not be collected yet
        subprocess.run(["umount", "--lazy", str(folder)], check=False, capture_output=True)


def fill(disk: Path) -> Path:
    """Write a file until the disk is full, to the last byte."""
    filler = disk / "filler"
    with filler.open("wb", buffering=0) as file:
        for size in (65536, 4096, 1):
            try:
                while True:
                    file.write(b"\0" * size)
            except OSError as exc:
                assert exc.errno == errno.ENOSPC
    return filler


def alert(alert_id: str, evidence: str = "Evidence.") -> Alert:
    now = datetime(2022, 1, 20, 12, 0, tzinfo=UTC)
    return Alert(
        alert_id, "contradiction", "b", "c", "https://example.org/a", "T", "f", "e", None,
        evidence, "R.", now, True, None, "x", 0.5,
    )  # fmt: skip


def email_config(work: Workdir, disk: Path, port: int, outbox: str) -> None:
    work.write_config(
        ["news"],
        state=str(disk / "claimwatch.db"),
        alert_path=str(disk / "alerts.jsonl"),
        sections=[
            "[alerts.email]",
            'host = "127.0.0.1"',
            f"port = {port}",
            'security = "none"',
            'sender = "claimwatch@example.org"',
            'recipients = ["desk@example.org"]',
            'timeout = "5s"',
            "[outbox]",
            outbox,
        ],
    )
    work.state = disk / "claimwatch.db"
    work.alert_log = disk / "alerts.jsonl"


def test_restarts_on_a_full_disk_send_an_email_at_most_once_more(work: Workdir, disk: Path) -> None:
    work.serve_news()
    with SmtpServer() as smtp:
        email_config(work, disk, smtp.port, 'reserve_mb = 0\nunknown_hold = "10m"')
        filled: list[Path] = []

        def full_disk(received: Received) -> None:
            if not filled:  # the message is out; now nothing more can be written
                filled.append(fill(disk))

        smtp.on_data = full_disk
        first = work.run("once")
        assert first.returncode == 1, first.stderr
        assert "database or disk is full" in first.stderr, first.stderr
        (sent,) = smtp.messages

        for _ in range(2):  # restarts on the full disk
            again = work.run("once")
            assert again.returncode != 0, again.stderr
        filled[0].unlink()
        again = work.run("once")  # a restart with room again, within the hold
        assert again.returncode == 0, again.stderr
        assert len(smtp.messages) == 1  # nothing sent again: the outcome is in doubt
        lines = work.alert_log.read_text(encoding="utf-8").splitlines()
        assert [json.loads(line)["alert_id"] for line in lines] == [
            sent.message["X-Claimwatch-Alert-Id"]
        ]

        # The hold is over (the clock moved on): sent once more, the same message.
        work.query_write(
            "UPDATE deliveries SET next_attempt = NULL WHERE sending_since IS NOT NULL"
        )
        last = work.run("once")
        assert last.returncode == 0, last.stderr
        counts = Counter(smtp.message_ids())
    assert counts == {str(sent.message["Message-ID"]): 2}
    assert work.query("SELECT sink, state FROM deliveries ORDER BY sink") == [
        ("email", "delivered"),
        ("log", "delivered"),
    ]
    assert work.integrity() == "ok"


async def test_a_line_that_does_not_fit_is_not_written_in_part(disk: Path) -> None:
    path = disk / "alerts.jsonl"
    sink = JsonlSink(path)
    await sink.deliver(alert("a0"))  # the file's first page is part-used
    before = path.read_bytes()
    filler = fill(disk)
    with pytest.raises(DeliveryError, match="No space left on device"):
        await sink.deliver(alert("a1", evidence="x" * 20_000))  # fits the page only in part
    assert path.read_bytes() == before
    filler.unlink()
    await sink.deliver(alert("a1", evidence="x" * 20_000))
    lines = path.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["alert_id"] for line in lines] == ["a0", "a1"]


def test_too_little_free_space_refuses_the_start(work: Workdir, disk: Path) -> None:
    work.serve_news()
    reserve = ["[outbox]", "reserve_mb = 16"]  # more than the whole 4 MB disk
    work.write_config(["news"], state=str(disk / "claimwatch.db"), sections=reserve)
    for command in ("once", "run"):
        refused = work.run(command)
        assert refused.returncode == 1, refused.stderr
        assert f"{disk / 'claimwatch.db'}: only " in refused.stderr
        assert "below the reserve of 16 MB ([outbox] reserve_mb)" in refused.stderr
    assert not (disk / "claimwatch.db").exists()
    assert not work.server.requests  # nothing polled
