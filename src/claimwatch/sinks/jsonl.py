"""The JSON Lines sink: one JSON object per alert per line, in a file or on stdout.

A line is written whole or not at all: one ``write`` on an append-only descriptor, then an
fsync, and only then does ``deliver`` return and the outbox mark the alert delivered. When the
write or the fsync fails (a full disk), the file is cut back to its length before, so no torn
line is left for ``jq`` to stop at. A line torn all the same (the process killed in the middle
of a write, a power cut) is repaired when the sink starts and before it appends: a last line
without its newline that holds a whole alert gets the newline, anything else is cut off (its
alert was never marked delivered, so it is written again), and the repair is logged.

``alert_id`` is stable, so the sink knows what it already wrote: at its first delivery it reads
the ids in its file, and an alert already there is not written twice (a delivery in doubt
after a crash, or a state started afresh). Ids are read from this file only: lines moved away
by log rotation are not looked at. One process appends to a file at a time (the SQLite state's
lock; with PostgreSQL, give each daemon its own file).
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import json
import logging
import os
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from claimwatch.alerts import Alert, to_json
from claimwatch.logs import log_event
from claimwatch.sinks.base import DeliveryError

if TYPE_CHECKING:
    from claimwatch.config import Config

NAME = "log"
_PERMANENT = (IsADirectoryError, NotADirectoryError)
_ID = re.compile(rb'^\{"alert_id": "([^"\\]+)"')  # how render() starts every line
_CHUNK = 65536
PEEK = 65536  # bytes read from the start of a file to tell whether it holds alerts

logger = logging.getLogger(__name__)


def render(alert: Alert) -> bytes:
    """The alert as one UTF-8 JSON line."""
    return (json.dumps(to_json(alert), ensure_ascii=False) + "\n").encode("utf-8")


def line_id(line: bytes) -> str | None:
    """The alert_id of one line of the file, or None for a line that holds no alert."""
    if (found := _ID.match(line)) is not None:
        return found.group(1).decode("utf-8", "replace")
    return _whole_alert(line)


def read_ids(path: Path) -> set[str]:
    """The alert ids of every line of ``path`` (none when it does not exist)."""
    try:
        with path.open("rb") as file:
            return {found for line in file if (found := line_id(line.strip())) is not None}
    except FileNotFoundError:
        return set()


def holds_alerts(path: Path) -> bool:
    """Whether ``path`` holds at least one alert line among its first bytes."""
    try:
        with path.open("rb") as file:
            head = file.read(PEEK)
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return False
    return any(line_id(line.strip()) for line in head.split(b"\n"))


def _last_line_start(fd: int, size: int) -> int:
    """Offset just after the last newline before ``size`` (0 when there is none)."""
    end = size
    while end > 0:
        start = max(0, end - _CHUNK)
        at = os.pread(fd, end - start, start).rfind(b"\n")
        if at >= 0:
            return start + at + 1
        end = start
    return 0


def repair_fd(fd: int) -> str | None:
    """Make the file of ``fd`` (opened to append) end with a whole line; say what was done,
    or None when it did already."""
    size = os.fstat(fd).st_size
    if size == 0 or os.pread(fd, 1, size - 1) == b"\n":
        return None
    start = _last_line_start(fd, size)
    tail = os.pread(fd, min(size - start, _CHUNK), start)
    if size - start <= _CHUNK and (whole := _whole_alert(tail)) is not None:
        os.write(fd, b"\n")  # the descriptor appends
        os.fsync(fd)
        return f"added the newline missing after the last alert ({whole})"
    os.ftruncate(fd, start)
    os.fsync(fd)
    preview = tail[:80].decode("utf-8", "replace")
    return f"cut a torn last line of {size - start} bytes at offset {start}: {preview!r}"


def _whole_alert(data: bytes) -> str | None:
    """The alert_id when ``data`` is one whole JSON alert record (not just its start)."""
    try:
        record = json.loads(data)
    except ValueError:
        return None
    alert_id = record.get("alert_id") if isinstance(record, dict) else None
    return alert_id if isinstance(alert_id, str) else None


def repair_tail(path: Path) -> str | None:
    """``repair_fd`` on the file at ``path``; None when there is no file."""
    try:
        fd = os.open(path, os.O_RDWR | os.O_APPEND)
    except FileNotFoundError:
        return None
    try:
        return repair_fd(fd)
    finally:
        os.close(fd)


def append_line(path: Path, line: bytes) -> str | None:
    """Append ``line`` durably and whole, or not at all (parent folders created); return
    what was repaired first, if anything (see ``repair_fd``)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        repaired = repair_fd(fd)
        start = os.fstat(fd).st_size
        try:
            written = os.write(fd, line)
            if written != len(line):  # the disk filled up during the write
                raise OSError(errno.ENOSPC, f"{os.strerror(errno.ENOSPC)} ({written} bytes)")
            os.fsync(fd)
        except OSError:
            with contextlib.suppress(OSError):  # if even this fails, the next start repairs
                os.ftruncate(fd, start)
            raise
        return repaired
    finally:
        os.close(fd)


class JsonlSink:
    """``[alerts.log] path = "..."``; ``"-"`` writes to standard output."""

    def __init__(self, path: Path | None) -> None:
        self.path = path  # None: stdout
        self._lock = asyncio.Lock()
        self._written: set[str] | None = None  # ids in the file, read at the first delivery

    @classmethod
    def from_config(cls, config: Config) -> JsonlSink:
        sink = cls(config.alert_log_path)
        sink.repair()
        return sink

    def repair(self) -> None:
        """Repair a torn last line now (at start) rather than at the first delivery."""
        if self.path is None:
            return
        try:
            self._told(repair_tail(self.path))
        except OSError as exc:  # the first delivery reports it as a failure with the reason
            log_event(
                logger, "alert_log.repair", level=logging.ERROR, status="failed",
                path=str(self.path), error=exc.strerror or str(exc),
            )  # fmt: skip

    async def deliver(self, alert: Alert) -> None:
        line = render(alert)
        async with self._lock:
            try:
                if self.path is None:
                    _write_stdout(line)
                else:
                    await asyncio.to_thread(self._append, self.path, alert.alert_id, line)
            except OSError as exc:
                where = str(self.path or "stdout")
                raise DeliveryError(
                    f"cannot append to {where}: {exc.strerror or exc}",
                    sink=NAME,
                    permanent=isinstance(exc, _PERMANENT),
                ) from exc

    def _append(self, path: Path, alert_id: str, line: bytes) -> None:
        """In a worker thread: append the line unless the file has this alert already."""
        if self._written is None:
            self._written = read_ids(path)
        if alert_id in self._written:
            log_event(
                logger, "alert.delivery", status="already_written", alert_id=alert_id,
                sink=NAME, path=str(path),
            )  # fmt: skip
            return
        self._told(append_line(path, line))
        self._written.add(alert_id)

    def _told(self, repaired: str | None) -> None:
        if repaired is not None:
            log_event(
                logger, "alert_log.repair", level=logging.WARNING, status="repaired",
                path=str(self.path), error=repaired,
            )  # fmt: skip

    async def aclose(self) -> None:
        return None


def _write_stdout(line: bytes) -> None:
    sys.stdout.write(line.decode("utf-8"))
    sys.stdout.flush()
