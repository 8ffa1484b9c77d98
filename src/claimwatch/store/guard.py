"""Opening the state as its writer, and watching it while it is open.

A writer (``claimwatch run``, ``once``, ``migrate``), unlike a reader (``status``, ``alerts``,
``report``), before it polls or delivers anything:

- takes the SQLite state's lock (lock.py): one writer per file, a second one is refused;
- checks the free space where it writes (space.py);
- refuses a state that is missing, empty or replaced where there is evidence of the one it
  should find (identity.py): the marker beside a SQLite file, or an alert log that already
  holds alerts (the only evidence there is for PostgreSQL, which has no file to sit beside);
  ``fresh`` (``claimwatch migrate --fresh``) accepts the state as it is now instead;
- records the state's identity in the marker beside a SQLite file.

While the daemon runs, ``check_state`` (its state watch) repeats the identity and free-space
checks; every SQLite query also checks the file itself (identity.lost).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from claimwatch.store import Store, postgres_store
from claimwatch.store.identity import (
    Marker,
    absence,
    marker_evidence,
    missing_state,
    read_marker,
    remove_sidecars,
    replaced_state,
    write_marker,
)
from claimwatch.store.lock import StateLock
from claimwatch.store.space import check_space

if TYPE_CHECKING:
    from claimwatch.config import Config
    from claimwatch.store.sqlite import SqliteStore


def open_state(config: Config, *, purpose: str, fresh: bool = False) -> Store:
    """The configured state, opened for writing by ``purpose`` (``claimwatch run``...).

    Raises StateError: held by another writer, too little free space, missing or replaced
    (unless ``fresh``), or unopenable.
    """
    if config.state_url is not None:
        check_space(space_paths(config), config.outbox.reserve_mb)
        evidence = None if fresh else log_evidence(config)
        refusal = None
        if evidence is not None:
            refusal = missing_state(config.state_display, "has no claimwatch schema", evidence)
        return postgres_store(config.state_url, refuse_empty=refusal)
    lock = StateLock(config.state)
    lock.acquire(purpose)
    try:
        check_space(space_paths(config), config.outbox.reserve_mb)
        return _open_sqlite(config, lock, fresh=fresh)
    except BaseException:
        lock.release()
        raise


def check_state(store: Store, config: Config) -> None:
    """Raise StateError when the open state is gone, emptied or replaced, or free space has
    fallen below the reserve."""
    store.verify()
    check_space(space_paths(config), config.outbox.reserve_mb)


def space_paths(config: Config) -> list[Path]:
    """Where claimwatch writes: the SQLite state and the alert log file."""
    paths = [] if config.state_url is not None else [config.state]
    if config.alert_log_path is not None:
        paths.append(config.alert_log_path)
    return paths


def log_evidence(config: Config) -> str | None:
    """What the alert log says about an earlier state: it holds alerts already."""
    from claimwatch.sinks.jsonl import holds_alerts

    log = config.alert_log_path
    if log is not None and holds_alerts(log):
        return f"the alert log {log} already holds alerts"
    return None


def _open_sqlite(config: Config, lock: StateLock, *, fresh: bool) -> SqliteStore:
    from claimwatch.store.sqlite import SqliteStore

    state = config.state
    marker = read_marker(state)
    how = absence(state)
    if how is None and SqliteStore.version_on_disk(state) == 0:
        how = "has no schema"
    if how is not None and not fresh:
        evidence = _evidence(config, marker)
        if evidence is not None:
            raise missing_state(str(state), how, evidence)
    if absence(state) is not None:
        remove_sidecars(state)  # an old -wal would be replayed into the new database
    store = SqliteStore(state, lock=lock, replace_lost=fresh)
    try:
        _record_identity(store, marker, fresh=fresh)
    except BaseException:
        store.close()
        raise
    return store


def _evidence(config: Config, marker: Marker | None) -> str | None:
    if marker is not None:
        return marker_evidence(config.state, marker)
    return log_evidence(config)


def _record_identity(store: SqliteStore, marker: Marker | None, *, fresh: bool) -> None:
    """Refuse a replaced database; write the marker of a new or adopted one."""
    if marker is not None and marker.state_id == store.state_id:
        return
    if marker is not None and not fresh:
        raise replaced_state(store.path, marker, f"state id {store.state_id}")
    state_id, created = store.identity()
    write_marker(store.path, Marker(state_id, created))
