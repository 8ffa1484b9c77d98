"""The SQLite store: WAL, a busy timeout, numbered migrations, one transaction per entry.

All calls are synchronous and short; the event loop runs them inline, so no two transactions
of this process ever interleave. Other processes (``claimwatch alerts``, or more daemons on one
file) read concurrently thanks to WAL, and ``BEGIN IMMEDIATE`` makes their writes take turns:
of two daemons racing for a lease, the second sees the first one's lease.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

from claimwatch.errors import StateError
from claimwatch.store.deliveries import DeliveryStore
from claimwatch.store.migrations import LATEST, migrate, pending_migrations, schema_version
from claimwatch.store.rows import Db

BUSY_TIMEOUT_MS = 10_000


class SqliteStore(DeliveryStore):
    """The state database in one SQLite file (parent folders created)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.location = str(path)
        if path.exists() and not path.is_file():
            raise StateError("not a database file", subject=str(path))
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
        except (OSError, sqlite3.Error) as exc:
            raise StateError(f"cannot open state database: {exc}", subject=str(path)) from None
        try:
            self._prepare()
        except BaseException:
            self._db.close()
            raise

    def _prepare(self) -> None:
        with self._errors("prepare"):
            self._db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            self._db.execute("PRAGMA journal_mode = WAL")
            self._db.execute("PRAGMA synchronous = NORMAL")
            self._db.execute("PRAGMA foreign_keys = ON")
            try:
                pending_migrations(schema_version(self._db))
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

    @contextmanager
    def _transaction(self, action: str) -> Iterator[Db]:
        with self._errors(action):
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self._errors("query"):
            return self._db.execute(sql, params).fetchall()

    def close(self) -> None:
        with self._errors("close"):
            self._db.close()
