"""Choosing the engine, migrating it, and what only PostgreSQL has: schema_version, reconnects,
passwords kept out of messages."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest

from claimwatch.config import Config, config_from_mapping, redact_url
from claimwatch.entries import Entry
from claimwatch.errors import StateError
from claimwatch.store import migrate, open_store
from claimwatch.store.migrations import LATEST, MIGRATIONS, PG_MIGRATIONS, statements
from tests import pg

NOW = datetime(2022, 1, 20, 12, 0, tzinfo=UTC)


def config(tmp_path: Path, state: str) -> Config:
    return config_from_mapping({"state": state}, path=tmp_path / "claimwatch.toml")


# ---- configuration -------------------------------------------------------------------------


@pytest.mark.parametrize("scheme", ["postgresql", "postgres", "PostgreSQL"])
def test_a_postgres_url_selects_postgresql(tmp_path: Path, scheme: str) -> None:
    url = f"{scheme}://cw:s3cret@db.example.org:5433/claimwatch"
    loaded = config(tmp_path, url)
    assert loaded.state_url == url and loaded.state_location == url
    assert loaded.state_display == f"{scheme}://cw:***@db.example.org:5433/claimwatch"


def test_anything_else_is_a_sqlite_file(tmp_path: Path) -> None:
    loaded = config(tmp_path, "var/state.db")
    assert loaded.state_url is None
    assert loaded.state_location == loaded.state == tmp_path / "var" / "state.db"
    assert loaded.state_display == str(tmp_path / "var" / "state.db")


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql://cw@h/db", "postgresql://cw@h/db"),
        ("postgresql://cw:p%40ss:w@h/db", "postgresql://cw:***@h/db"),
        ("postgresql://:pw@h/db", "postgresql://:***@h/db"),
        ("postgresql:///db?host=/run/pg&password=pw&x=1", "postgresql:///db?host=/run/pg&password=***&x=1"),
    ],
)  # fmt: skip
def test_redact_url(url: str, shown: str) -> None:
    assert redact_url(url) == shown


def test_the_old_state_path_of_a_postgresql_config_is_no_database(tmp_path: Path) -> None:
    """Code still opening ``config.state`` fails loudly instead of starting a private SQLite."""
    loaded = config(tmp_path, "postgresql://cw@db.example.org/claimwatch")
    with pytest.raises(StateError, match="not a database file"):
        open_store(loaded.state)


# ---- migrations ----------------------------------------------------------------------------


def test_every_migration_exists_for_both_engines() -> None:
    assert len(PG_MIGRATIONS) == len(MIGRATIONS) == LATEST


def test_statements_split_a_script() -> None:
    assert statements("CREATE TABLE t (\n  x TEXT\n);\nCREATE INDEX i ON t (x);\n") == [
        "CREATE TABLE t (\n  x TEXT\n);",
        "CREATE INDEX i ON t (x);",
    ]
    with pytest.raises(ValueError, match="incomplete"):
        statements("CREATE TABLE t (x TEXT")


@pytest.mark.parametrize("engine", pg.ENGINES)
def test_migrate_says_what_it_did(tmp_path: Path, engine: str) -> None:
    with pg.state_location(engine, tmp_path) as location:
        loaded = config(tmp_path, str(location))
        assert migrate(loaded) == f"{loaded.state_display}: schema version 0 -> {LATEST}"
        assert migrate(loaded) == f"{loaded.state_display}: schema version {LATEST}, up to date"


def open_together(location: Path | str, count: int = 6) -> list[BaseException]:
    """Open and close the store at ``location`` from ``count`` threads at once: the errors."""
    errors: list[BaseException] = []

    def open_and_close() -> None:
        try:
            open_store(location).close()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=open_and_close) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


@pytest.mark.parametrize("engine", pg.ENGINES)
def test_daemons_opening_a_new_database_together_migrate_once(tmp_path: Path, engine: str) -> None:
    with pg.state_location(engine, tmp_path) as location:
        assert open_together(location) == []
        if engine == "postgresql":
            assert pg.query(location, "SELECT version FROM schema_version") == [(LATEST,)]


def test_new_sqlite_files_switched_to_wal_together_open(tmp_path: Path) -> None:
    """SQLite answers "locked" at once, busy timeout or not, to one of several connections
    switching a new file to WAL together: about one round in ten without the retry."""
    for round_ in range(30):
        location = tmp_path / f"state{round_}.db"
        assert open_together(location) == [], f"round {round_}"
        assert pg.query(location, "PRAGMA journal_mode") == [("wal",)]


def test_postgresql_keeps_its_version_and_refuses_a_newer_one() -> None:
    with pg.database() as url:
        open_store(url).close()
        assert pg.query(url, "SELECT version FROM schema_version") == [(LATEST,)]
        pg.query(url, f"UPDATE schema_version SET version = {LATEST + 1} RETURNING version")
        with pytest.raises(StateError, match="newer"):
            open_store(url)


# ---- connections ---------------------------------------------------------------------------


def test_a_password_never_reaches_a_message() -> None:
    server = pg.cluster()
    url = server.url("no_such_database").replace("postgres@", "postgres:s3cret@")
    with pytest.raises(StateError) as caught:
        open_store(url)
    assert "s3cret" not in str(caught.value) and "no_such_database" in str(caught.value)


def test_a_lost_connection_is_reopened_on_the_next_call() -> None:
    with pg.database() as url:
        store = open_store(url)
        try:
            store.commit_entry(Entry("f", "e1", None, "T", None, ""), "h", [], (), NOW)
            pg.query(
                url,
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE application_name = 'claimwatch' AND pid <> pg_backend_pid()",
            )
            with pytest.raises(StateError):
                store.processed_hashes("f", ["e1"])
            assert store.processed_hashes("f", ["e1"]) == {"e1": "h"}
        finally:
            store.close()
