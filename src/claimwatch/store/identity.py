"""Is this the state claimwatch has been keeping? The evidence beside a SQLite file, and checks.

A state database deleted or emptied must not make the next start begin again from nothing: that
would deliver again every alert still in the feeds. So:

- every state has an id, written by the migration that creates its schema (``state_identity``);
  a writer copies it into a marker file beside the SQLite file (``claimwatch.db.marker``);
- a writer that finds no state (no file, an empty file, a file without schema) where there is
  evidence of one (the marker, or an alert log already holding alerts) refuses to start, and
  so does one whose database has another id than the marker (it was replaced);
  ``claimwatch migrate --fresh`` starts over on purpose and writes a new marker;
- a running store checks before each query that its file is still the one it opened (same
  device and inode, not empty): a deleted, replaced or truncated file fails the next query
  (and with it /healthz), instead of the daemon going on in an orphaned file.
"""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from claimwatch.errors import StateError

MARKER_SUFFIX = ".marker"
SIDECARS = ("-wal", "-shm", "-journal")  # SQLite's own files beside the database
FRESH_HINT = (
    "Restore the database (with its -wal file, if the backup has one), or start with an "
    "empty state on purpose: claimwatch migrate --fresh"
)

EMPTIED = "was emptied"  # how ``lost`` begins the reason of a truncated file
FileId = tuple[int, int]  # (device, inode)


@dataclass(frozen=True, slots=True)
class Marker:
    """What a marker file holds: the id of the state beside it and when that was created."""

    state_id: str
    created: str


def marker_path(state: Path) -> Path:
    return state.with_name(state.name + MARKER_SUFFIX)


def read_marker(state: Path) -> Marker | None:
    """The marker beside ``state``, or None when there is none."""
    path = marker_path(state)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise StateError(f"unreadable state marker: {exc}", subject=str(path)) from None
    if not isinstance(data, dict) or not isinstance(data.get("state_id"), str):
        raise StateError("not a claimwatch state marker (no state_id)", subject=str(path))
    return Marker(data["state_id"], str(data.get("created", "")))


def write_marker(state: Path, marker: Marker) -> None:
    """Write the marker atomically (a reader sees the old one or the new one)."""
    path = marker_path(state)
    text = json.dumps(
        {
            "state_id": marker.state_id,
            "created": marker.created,
            "about": "claimwatch refuses to start while this file names a state that is "
            "missing or different; `claimwatch migrate --fresh` starts over on purpose",
        },
        indent=2,
    )
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with temporary.open("w", encoding="utf-8") as file:
            file.write(text + "\n")
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        message = f"cannot write state marker: {exc.strerror or exc}"
        raise StateError(message, subject=str(path)) from None
    _sync_folder(path.parent)


def _sync_folder(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def file_id(path: Path) -> FileId:
    stats = os.stat(path)
    return stats.st_dev, stats.st_ino


def wal_path(state: Path) -> Path:
    return state.with_name(state.name + "-wal")


def wal_id(state: Path) -> FileId | None:
    """The identity of the -wal file beside ``state`` now, if there is one."""
    try:
        return file_id(wal_path(state))
    except OSError:
        return None


def empty_wal(state: Path) -> None:
    """Before closing a database whose file was emptied: closing checkpoints the -wal into
    the file, and its pages would make the empty file a torn database. An empty -wal leaves
    the checkpoint nothing to copy, so the file stays empty."""
    with contextlib.suppress(OSError):
        os.truncate(wal_path(state), 0)


def set_aside_wal(state: Path, opened: FileId | None) -> None:
    """After closing a database deleted or replaced under it. SQLite does not checkpoint into
    a deleted file and leaves its -wal at the path, where it would be replayed into whatever
    database is put there next (a restored backup). The store checkpoints into the file it
    has open first (a moved file so keeps its last transactions); then the -wal, if still
    the one this process used, is removed when empty and else renamed ``-wal.orphaned``,
    and the -shm index is removed."""
    path = wal_path(state)
    with contextlib.suppress(OSError):
        if opened is None or file_id(path) != opened:
            return
        if path.stat().st_size == 0:  # checkpointed into the file this process had open
            path.unlink()
        else:
            os.replace(path, path.with_name(path.name + ".orphaned"))
        state.with_name(state.name + "-shm").unlink(missing_ok=True)


def lost(path: Path, opened: FileId) -> str | None:
    """Why the file at ``path`` is no longer the database opened as ``opened``; None if it is."""
    try:
        stats = os.stat(path)
    except FileNotFoundError:
        return "was deleted or moved away while claimwatch had it open"
    except OSError as exc:
        return f"cannot be checked: {exc.strerror or exc}"
    if (stats.st_dev, stats.st_ino) != opened:
        return "was replaced by another file while claimwatch had it open"
    if stats.st_size == 0:
        return f"{EMPTIED} (truncated to 0 bytes) while claimwatch had it open"
    return None


def absence(state: Path) -> str | None:
    """How the SQLite state at ``state`` is absent ("does not exist", "is empty"), or None
    when a file with content is there (its schema is checked when it is opened)."""
    try:
        size = state.stat().st_size
    except FileNotFoundError:
        return "does not exist"
    except OSError:
        return None  # opening it reports the problem with its path
    return "is empty (0 bytes)" if size == 0 else None


def remove_sidecars(state: Path) -> None:
    """Delete what SQLite left beside a database that is gone: an old -wal file would be
    replayed into the new, empty one."""
    for suffix in SIDECARS:
        state.with_name(state.name + suffix).unlink(missing_ok=True)


def marker_evidence(state: Path, marker: Marker) -> str:
    created = f" on {marker.created}" if marker.created else ""
    return f"{marker_path(state)} says one was created there{created}"


def missing_state(state: str, how: str, evidence: str) -> StateError:
    """The refusal to start over from nothing."""
    return StateError(
        f"the state database {how}, but {evidence}: it was deleted, emptied or moved. "
        "claimwatch will not start over from nothing, which would deliver again every alert "
        f"still in the feeds. {FRESH_HINT}",
        subject=state,
    )


def replaced_state(state: Path, marker: Marker, found: str) -> StateError:
    return StateError(
        f"this is not the state database that {marker_path(state)} names (state id "
        f"{marker.state_id}, created {marker.created or 'at an unknown time'}; this file has "
        f"{found}): it was replaced. Put the right file back, or, to keep this one on purpose "
        "(a restored backup), run claimwatch migrate --fresh",
        subject=str(state),
    )
