"""The SQLite store: WAL, a busy timeout, numbered migrations, one transaction per entry.

All calls are synchronous and short; the event loop runs them inline, so no two transactions
of this process ever interleave. Other processes (``claimwatch alerts``, ``alerts --retry``)
read concurrently thanks to WAL, and ``BEGIN IMMEDIATE`` makes their writes take turns. One
writer runs at a time (lock.py, taken by guard.open_state).

Every query first checks that the file is still the one opened (identity.lost): SQLite itself
would go on reading and writing a deleted file through its open descriptor.
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

from claimwatch.errors import StateError
from claimwatch.store.deliveries import DeliveryStore
from claimwatch.store.identity import (
    EMPTIED,
    FRESH_HINT,
    empty_wal,
    file_id,
    lost,
    marker_evidence,
    missing_state,
    read_marker,
    set_aside_wal,
    wal_id,
)
from claimwatch.store.lock import StateLock
from claimwatch.store.migrations import LATEST, migrate, pending_migrations, schema_version
from claimwatch.store.rows import Db
from claimwatch.store.verdicts import VerdictStore

BUSY_TIMEOUT_MS = 10_000


class SqliteStore(DeliveryStore, VerdictStore):
    """The state database in one SQLite file (parent folders created)."""

    def __init__(
        self, path: Path, *, lock: StateLock | None = None, replace_lost: bool = False
    ) -> None:
        """``lock``: the writer's lock, released by ``close``. A schema is never created
        where the marker beside ``path`` says a state was, unless ``replace_lost``
        (``migrate --fresh``): not by a reader either."""
        self.path = path
        self.location = str(path)
        self._lock = lock
        self._lost: str | None = None  # why the file is no longer the one opened
        if path.exists() and not path.is_file():
            raise StateError("not a database file", subject=str(path))
        marker = None if replace_lost else read_marker(path)
        if marker is not None and not path.exists():
            raise missing_state(str(path), "does not exist", marker_evidence(path, marker))
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
        except (OSError, sqlite3.Error) as exc:
            raise StateError(f"cannot open state database: {exc}", subject=str(path)) from None
        try:
            if marker is not None and schema_version(self._db) == 0:  # reads, writes nothing
                how = "is empty (0 bytes)" if path.stat().st_size == 0 else "has no schema"
                raise missing_state(str(path), how, marker_evidence(path, marker))
            self._prepare()
            self._opened = file_id(path)
            self._wal = wal_id(path)
            self.state_id = self.identity()[0]
        except BaseException as exc:
            self._db.close()
            if isinstance(exc, OSError):  # the file vanished between opening and here
                raise StateError(f"cannot open state database: {exc}", subject=str(path)) from None
            raise

    def _prepare(self) -> None:
        with self._errors("prepare"):
            self._db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            self._use_wal()
            self._db.execute("PRAGMA synchronous = NORMAL")
            self._db.execute("PRAGMA foreign_keys = ON")
            self.migrated_from = schema_version(self._db)
            try:
                pending_migrations(self.migrated_from)
            except ValueError as exc:
                raise StateError(f"{exc}; upgrade claimwatch", subject=str(self.path)) from None
            try:
                version = migrate(self._db)
            except sqlite3.Error:
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                raise
        if version != LATEST:
            raise StateError(f"schema version {version}, expected {LATEST}", subject=str(self.path))

    def _use_wal(self) -> None:
        """Switch to WAL, trying again for up to the busy timeout: while another process
        switches a new file at the same moment, SQLite answers "locked" at once rather than
        waiting on its busy handler."""
        deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
        pause = 0.005
        while True:
            try:
                self._db.execute("PRAGMA journal_mode = WAL")
                return
            except sqlite3.OperationalError as exc:
                if exc.sqlite_errorcode != sqlite3.SQLITE_BUSY or time.monotonic() >= deadline:
                    raise
            time.sleep(pause)
            pause = min(pause * 2, 0.1)

    @staticmethod
    def version_on_disk(path: Path) -> int:
        """The schema version of the file at ``path`` without migrating it; 0 if none."""
        if not path.is_file():
            return 0
        try:
            with closing(sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)) as db:
                return schema_version(db)
        except sqlite3.Error as exc:
            raise StateError(f"cannot read state database: {exc}", subject=str(path)) from None

    @contextmanager
    def _errors(self, action: str) -> Iterator[None]:
        try:
            yield
        except sqlite3.Error as exc:
            raise StateError(f"{action} failed: {exc}", subject=str(self.path)) from None

    def _check_file(self) -> None:
        """Raise StateError when the file at ``path`` is no longer the database opened."""
        reason = self._lost or lost(self.path, self._opened)
        if reason is not None:
            self._lost = reason
            raise StateError(
                f"the state database {reason}; stopping rather than going on without it. "
                + FRESH_HINT,
                subject=str(self.path),
            )

    @contextmanager
    def _transaction(self, action: str) -> Iterator[Db]:
        self._check_file()
        with self._errors(action):
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        self._check_file()
        with self._errors("query"):
            return self._db.execute(sql, params).fetchall()

    def close(self) -> None:
        """Close (a file emptied or gone is closed so that nothing of it is replayed into a
        database put at its path later; see identity.py) and release the writer's lock."""
        reason = self._lost
        try:
            if reason is not None and reason.startswith(EMPTIED):
                empty_wal(self.path)
            elif reason is not None:  # into the file this store has open (a moved one keeps it)
                with contextlib.suppress(sqlite3.Error):
                    self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            with self._errors("close"):
                self._db.close()
            if reason is not None and not reason.startswith(EMPTIED):
                set_aside_wal(self.path, self._wal)
        finally:
            if self._lock is not None:
                self._lock.release()
