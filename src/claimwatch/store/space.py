"""Free disk space kept in reserve where claimwatch writes: the state and the alert log.

A full disk is where "sent, but not recorded" comes from: the email goes out, the record of it
cannot be written, the process exits and the next start is in doubt. So claimwatch refuses to
start, and a running daemon stops, while a file system it writes to has less free space than
``[outbox] reserve_mb``, and says which one and how much is left.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from claimwatch.errors import StateError

MB = 1024 * 1024


def free_bytes(path: Path) -> int:
    """Bytes an unprivileged writer may still use on the file system holding ``path`` (or its
    nearest existing parent: a state not created yet)."""
    probe = path
    while not probe.exists() and probe.parent != probe:
        probe = probe.parent
    stats = os.statvfs(probe)
    return stats.f_bavail * stats.f_frsize


def check_space(paths: Iterable[Path], reserve_mb: int) -> None:
    """Raise StateError naming the first of ``paths`` whose file system holds less than
    ``reserve_mb`` free; nothing with a reserve of 0."""
    if reserve_mb <= 0:
        return
    for path in paths:
        try:
            free = free_bytes(path)
        except OSError as exc:
            raise StateError(
                f"cannot read the free space: {exc.strerror or exc}", subject=str(path)
            ) from None
        if free < reserve_mb * MB:
            raise StateError(
                f"only {free / MB:.1f} MB free on its file system, below the reserve of "
                f"{reserve_mb} MB ([outbox] reserve_mb): free some space. claimwatch does not "
                "run on a nearly full disk, where a sent alert could not be recorded",
                subject=str(path),
            )
