"""One writer per SQLite state: an exclusive lock on a file beside it, naming its holder.

``claimwatch run`` and ``once`` take it for as long as they hold the state open; a second one
on the same file is refused with the holder's pid and command, rather than both polling every
feed and delivering the same outbox. The lock is the kernel's (``flock``): it goes with the
process, however that ends, so a stale lock file never blocks anyone; the text in it only
names the last holder. Readers (``status``, ``alerts``, ``report``, ``check``) take no lock,
and PostgreSQL state takes none either: several daemons share it by design (leases).
"""

from __future__ import annotations

import fcntl
import os
from datetime import UTC, datetime
from pathlib import Path

from claimwatch.errors import StateError

LOCK_SUFFIX = ".lock"


def lock_path(state: Path) -> Path:
    return state.with_name(state.name + LOCK_SUFFIX)


class StateLock:
    """The writer's lock of the SQLite state at ``state``; ``acquire`` once, ``release`` once."""

    def __init__(self, state: Path) -> None:
        self.state = state
        self.path = lock_path(state)
        self._fd: int | None = None

    def acquire(self, purpose: str) -> None:
        """Take the lock for ``purpose`` (``claimwatch run``...) or raise StateError naming
        the process that holds it."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o640)
        except OSError as exc:
            raise StateError(
                f"cannot open lock file {self.path}: {exc.strerror or exc}", subject=str(self.state)
            ) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = _read(fd)
            os.close(fd)
            raise StateError(
                f"in use by another claimwatch process ({holder or 'holder unknown'}; lock "
                f"{self.path}): one process writes a SQLite state at a time. Stop it first, "
                "or use read-only commands (status, alerts, report) meanwhile",
                subject=str(self.state),
            ) from None
        self._fd = fd
        since = datetime.now(UTC).isoformat(timespec="seconds")
        _write(fd, f"pid {os.getpid()}: {purpose}, since {since}")

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the descriptor ends the flock
            self._fd = None


def _read(fd: int) -> str:
    try:
        return os.pread(fd, 500, 0).decode("utf-8", "replace").strip()
    except OSError:
        return ""


def _write(fd: int, text: str) -> None:
    """Name the holder; a lock file that cannot be written still locks."""
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, (text + "\n").encode("utf-8"), 0)
    except OSError:
        return
