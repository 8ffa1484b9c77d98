"""The PostgreSQL store: the shared queries over one psycopg 3 connection, for several daemons.

Like the SQLite store, calls are synchronous and short, and every write is one explicit
transaction (the connection is in autocommit mode between them, so a read never leaves a
transaction open). What makes several daemons safe lives in the SQL: one atomic upsert takes
a feed's lease, claimed deliveries are locked with ``FOR UPDATE SKIP LOCKED``, and alerts are
inserted with ``ON CONFLICT DO NOTHING`` in alert_id order. Migrations run under an advisory
lock, so daemons starting together migrate once. A lost connection is reopened on the next
call; the call that found it lost raises StateError like any other database error.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

import psycopg

from claimwatch.config import redact_url
from claimwatch.errors import StateError
from claimwatch.store.deliveries import DeliveryStore
from claimwatch.store.migrations import LATEST, PG_MIGRATIONS, pending_migrations
from claimwatch.store.rows import Db
from claimwatch.store.verdicts import VerdictStore

CONNECT_TIMEOUT_S = 10
LOCK_TIMEOUT = "10s"  # as SQLite's busy timeout: wait that long for another daemon's row
_MIGRATION_LOCK = 0x636C61696D  # pg_advisory_xact_lock key: "claim"

Connection = psycopg.Connection[tuple[Any, ...]]


@lru_cache(maxsize=256)
def placeholders(sql: str) -> str:
    """The shared queries' ``?`` placeholders as psycopg's ``%s`` (no query holds a literal
    ``?`` or ``%``)."""
    return sql.replace("?", "%s")


class PgConnection:
    """A psycopg connection as the shared queries use one (see rows.Db)."""

    def __init__(self, db: Connection) -> None:
        self._db = db

    def execute(self, sql: str, parameters: Sequence[Any] = (), /) -> psycopg.Cursor[Any]:
        return self._db.execute(placeholders(sql), parameters or None)

    def executemany(self, sql: str, parameters: Iterable[Sequence[Any]], /) -> psycopg.Cursor[Any]:
        cursor = self._db.cursor()
        rows = list(parameters)
        if rows:
            cursor.executemany(placeholders(sql), rows)
        return cursor


def connect(url: str) -> Connection:
    """A connection in autocommit mode with bounded waits; StateError when it fails."""
    try:
        db = psycopg.connect(
            url,
            autocommit=True,
            connect_timeout=CONNECT_TIMEOUT_S,
            application_name="claimwatch",
        )
    except psycopg.Error as exc:
        raise StateError(f"cannot open state database: {exc}", subject=redact_url(url)) from None
    try:
        db.execute(f"SET lock_timeout = '{LOCK_TIMEOUT}'")
    except psycopg.Error as exc:
        db.close()
        raise StateError(f"cannot prepare connection: {exc}", subject=redact_url(url)) from None
    return db


def run_migrations(db: Connection, refuse_empty: StateError | None = None) -> tuple[int, int]:
    """Run every pending migration in one transaction; return (version before, after).
    ``refuse_empty`` is raised (nothing created) when the database has no schema yet.

    Raises ValueError for a database written by a newer claimwatch.
    """
    with db.transaction():
        db.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))
        db.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
        row = db.execute("SELECT max(version) FROM schema_version").fetchone()
        before = int(row[0]) if row and row[0] is not None else 0
        if before == 0 and refuse_empty is not None:
            raise refuse_empty
        for number in pending_migrations(before):
            db.execute(PG_MIGRATIONS[number - 1].encode())  # bytes: several statements
        if before < LATEST:
            db.execute("DELETE FROM schema_version")
            db.execute("INSERT INTO schema_version (version) VALUES (%s)", (LATEST,))
    return before, max(before, LATEST)


class PostgresStore(DeliveryStore, VerdictStore):
    """The state database in PostgreSQL, shared by any number of daemons."""

    _CLAIM_LOCK = " FOR UPDATE OF d SKIP LOCKED"

    def __init__(self, url: str, *, refuse_empty: StateError | None = None) -> None:
        """``refuse_empty``: raised instead of creating the schema in an empty database
        (guard.open_state: an alert log speaks of an earlier state)."""
        self._url = url
        self.path = Path(os.devnull)
        self.location = redact_url(url)
        self._db = connect(url)
        try:
            self.migrated_from, _ = self._migrate(refuse_empty)
            self.state_id = self.identity()[0]
        except BaseException:
            self._db.close()
            raise

    def _migrate(self, refuse_empty: StateError | None) -> tuple[int, int]:
        with self._errors("migrate"):
            try:
                return run_migrations(self._db, refuse_empty)
            except ValueError as exc:
                raise StateError(f"{exc}; upgrade claimwatch", subject=self.location) from None

    @contextmanager
    def _errors(self, action: str) -> Iterator[None]:
        if self._db.closed or self._db.broken:
            self._db.close()
            self._db = connect(self._url)
        try:
            yield
        except psycopg.Error as exc:
            message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise StateError(f"{action} failed: {message}", subject=self.location) from None

    @contextmanager
    def _transaction(self, action: str) -> Iterator[Db]:
        with self._errors(action), self._db.transaction():
            yield PgConnection(self._db)

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self._errors("query"):
            return PgConnection(self._db).execute(sql, params).fetchall()

    def close(self) -> None:
        self._db.close()
