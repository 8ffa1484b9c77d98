"""The migrations, written once for both engines, give exactly the schema the two shipped copies
gave: the rendered scripts equal them, and databases created fresh or migrated from any earlier
version end with the same tables, columns, constraints and indexes, on both engines."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest

from claimwatch.store import open_store
from claimwatch.store.migrations import (
    LATEST,
    MIGRATIONS,
    PG_MIGRATIONS,
    POSTGRESQL,
    SQLITE,
    Dialect,
    render,
    statements,
)
from tests import pg, shipped_migrations

SHIPPED = len(shipped_migrations.SQLITE)


def words(script: str) -> str:
    return " ".join(script.split())


def test_sqlite_scripts_are_the_shipped_ones_to_the_byte() -> None:
    """SQLite keeps each CREATE statement's text in sqlite_master as it was written."""
    assert MIGRATIONS[:SHIPPED] == shipped_migrations.SQLITE


def test_postgresql_scripts_are_the_shipped_ones_up_to_whitespace() -> None:
    assert [words(s) for s in PG_MIGRATIONS[:SHIPPED]] == [
        words(s) for s in shipped_migrations.POSTGRESQL
    ]


def test_what_differs_between_the_engines() -> None:
    """Only the named differences: a script without them reads the same on both engines."""
    assert render(SQLITE)[3] == render(POSTGRESQL)[3]
    plain = Dialect("REAL", "", "'id'", "'now'", alters_checks=False, serial_key="INTEGER")
    assert "CONSTRAINT" not in "".join(render(plain))
    assert plain.check("x_check", "x > 0") == "CHECK (x > 0)"
    assert POSTGRESQL.check("x_check", "x > 0") == "CONSTRAINT x_check CHECK (x > 0)"
    assert SQLITE.replace_check("t", "c", "x > 0", "REBUILD") == "REBUILD"
    assert "ALTER TABLE t DROP CONSTRAINT c;" in POSTGRESQL.replace_check("t", "c", "x", "R")


# ---- SQLite: the schema itself -------------------------------------------------------------


def run_shipped_sqlite(path: Path, upto: int) -> None:
    """A database as the shipped code left it at version ``upto``."""
    with closing(sqlite3.connect(path, isolation_level=None)) as db:
        for number, script in enumerate(shipped_migrations.SQLITE[:upto], start=1):
            db.execute("BEGIN IMMEDIATE")
            for statement in statements(script):
                db.execute(statement)
            db.execute(f"PRAGMA user_version = {number}")
            db.execute("COMMIT")


def sqlite_schema(path: Path) -> list[tuple[object, ...]]:
    with closing(sqlite3.connect(path)) as db:
        version = db.execute("PRAGMA user_version").fetchone()
        rows = db.execute("SELECT type, name, tbl_name, rootpage, sql FROM sqlite_master")
        return [version, *rows.fetchall()]


@pytest.fixture(scope="module")
def shipped_sqlite_schema(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[object, ...]]:
    """The shipped scripts' schema, with the migrations added since run on top of it."""
    path = tmp_path_factory.mktemp("shipped") / "state.db"
    run_shipped_sqlite(path, SHIPPED)
    open_store(path).close()
    return sqlite_schema(path)


@pytest.mark.parametrize("start", range(SHIPPED))
def test_sqlite_schema_is_unchanged_from_any_version(
    tmp_path: Path, start: int, shipped_sqlite_schema: list[tuple[object, ...]]
) -> None:
    path = tmp_path / "state.db"
    run_shipped_sqlite(path, start)
    open_store(path).close()
    assert sqlite_schema(path) == shipped_sqlite_schema
    assert shipped_sqlite_schema[0] == (LATEST,)
    tables = {row[1] for row in shipped_sqlite_schema[1:] if row[0] == "table"}
    assert tables == {
        "feeds", "entries", "alerts", "claim_facts", "deliveries", "feed_leases", "state_identity",
        "verdicts", "claim_states",
    }  # fmt: skip


# ---- PostgreSQL: the catalogs ----------------------------------------------------------------

CATALOG = (
    "SELECT table_name, ordinal_position, column_name, data_type, is_nullable, column_default,"
    " is_identity, identity_generation FROM information_schema.columns"
    " WHERE table_schema = 'public' ORDER BY 1, 2",
    "SELECT conrelid::regclass::text, conname, contype, pg_get_constraintdef(oid)"
    " FROM pg_constraint WHERE connamespace = 'public'::regnamespace ORDER BY 1, 2",
    "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'"
    " ORDER BY 1, 2",
    "SELECT version FROM schema_version",
)


def run_shipped_postgresql(url: str, upto: int) -> None:
    """A database as the shipped code left it at version ``upto`` (as postgres.py runs them)."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as db, db.transaction():
        db.execute(b"CREATE TABLE schema_version (version INTEGER NOT NULL)")
        for script in shipped_migrations.POSTGRESQL[:upto]:
            db.execute(script.encode())
        db.execute(b"INSERT INTO schema_version (version) VALUES (%s)", (upto,))


def postgresql_schema(url: str) -> list[list[tuple[object, ...]]]:
    return [pg.query(url, sql) for sql in CATALOG]


@pytest.fixture(scope="module")
def shipped_postgresql_schema() -> Iterator[list[list[tuple[object, ...]]]]:
    with pg.database() as url:
        run_shipped_postgresql(url, SHIPPED)
        open_store(url).close()  # the migrations added since, on top
        yield postgresql_schema(url)


@pytest.mark.parametrize("start", range(SHIPPED))
def test_postgresql_schema_is_unchanged_from_any_version(
    start: int, shipped_postgresql_schema: list[list[tuple[object, ...]]]
) -> None:
    with pg.database() as url:
        if start:
            run_shipped_postgresql(url, start)
        open_store(url).close()
        assert postgresql_schema(url) == shipped_postgresql_schema
    columns, constraints, indexes, version = shipped_postgresql_schema
    assert version == [(LATEST,)]
    assert ("alerts", "alerts_rowid_key", "u", "UNIQUE (rowid)") in constraints
    assert ("verdicts", 1, "id", "bigint", "NO", None, "YES", "ALWAYS") in columns
    assert ("claim_states", 1, "id", "bigint", "NO", None, "YES", "ALWAYS") in columns
    assert any(c[1] == "deliveries_state_check" and "skipped" in str(c[3]) for c in constraints)
    assert ("alerts", 17, "rowid", "bigint", "NO", None, "YES", "ALWAYS") in columns
    assert ("deliveries", "deliveries_in_doubt") in {row[:2] for row in indexes}
