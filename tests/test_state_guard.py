"""Opening the state as its writer (store/guard.py): the SQLite lock, the free-space reserve,
the state's identity and the evidence of a lost one, on a real SQLite file and a real
PostgreSQL database."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from claimwatch.config import Config, config_from_mapping
from claimwatch.errors import StateError
from claimwatch.feeds import FeedState
from claimwatch.store import migrate, open_store
from claimwatch.store.guard import check_state, open_state
from claimwatch.store.identity import marker_path, read_marker
from claimwatch.store.lock import lock_path
from claimwatch.store.migrations import LATEST, MIGRATIONS, statements
from claimwatch.store.space import free_bytes
from tests import pg

ALERT_LINE = '{"alert_id": "a1", "kind": "follow_up"}\n'


def config(tmp_path: Path, state: str = "var/claimwatch.db", **outbox: Any) -> Config:
    data: dict[str, Any] = {
        "state": state,
        "alerts": {"log": {"path": "var/alerts.jsonl"}},
        "outbox": {"reserve_mb": 0, **outbox},
    }
    return config_from_mapping(data, path=tmp_path / "claimwatch.toml")


@pytest.fixture
def sqlite_config(tmp_path: Path) -> Config:
    return config(tmp_path)


def opened_and_closed(loaded: Config, *, fresh: bool = False) -> str:
    store = open_state(loaded, purpose="test", fresh=fresh)
    state_id = store.state_id
    store.close()
    return state_id


# ---- a fresh install, the marker, the evidence -------------------------------------------


def test_a_fresh_install_starts_and_writes_its_marker(sqlite_config: Config) -> None:
    state_id = opened_and_closed(sqlite_config)
    marker = read_marker(sqlite_config.state)
    assert marker is not None and marker.state_id == state_id and len(state_id) == 32
    assert marker.created.startswith(str(datetime.now(UTC).year))
    assert opened_and_closed(sqlite_config) == state_id  # the same state, started again


@pytest.mark.parametrize("how", ["deleted", "emptied"])
def test_a_lost_database_beside_its_marker_is_refused(sqlite_config: Config, how: str) -> None:
    opened_and_closed(sqlite_config)
    if how == "deleted":
        sqlite_config.state.unlink()
    else:
        sqlite_config.state.write_bytes(b"")
    with pytest.raises(StateError) as caught:
        open_state(sqlite_config, purpose="test")
    message = str(caught.value)
    assert str(sqlite_config.state) in message and str(marker_path(sqlite_config.state)) in message
    assert ("does not exist" if how == "deleted" else "is empty (0 bytes)") in message
    assert "claimwatch migrate --fresh" in message
    assert sqlite_config.state.exists() == (how == "emptied")  # nothing created meanwhile


def test_an_alert_log_holding_alerts_is_evidence_too(sqlite_config: Config) -> None:
    log = sqlite_config.alert_log_path
    assert log is not None
    log.parent.mkdir(parents=True)
    log.write_text(ALERT_LINE, encoding="utf-8")
    with pytest.raises(StateError, match=r"the alert log .* already holds alerts"):
        open_state(sqlite_config, purpose="test")
    assert not sqlite_config.state.exists()
    log.write_text("", encoding="utf-8")  # an empty log says nothing
    opened_and_closed(sqlite_config)


def test_migrate_fresh_starts_over_on_purpose(sqlite_config: Config) -> None:
    old = opened_and_closed(sqlite_config)
    sqlite_config.state.unlink()
    wal = sqlite_config.state.with_name("claimwatch.db-wal")
    wal.write_bytes(b"pages of the lost database")  # must not be replayed into the new one
    summary = migrate(sqlite_config, fresh=True)
    assert "a new, empty state is the state from now on" in summary
    marker = read_marker(sqlite_config.state)
    assert marker is not None and marker.state_id != old
    assert opened_and_closed(sqlite_config) == marker.state_id


def test_a_replaced_database_is_refused_until_adopted(tmp_path: Path) -> None:
    first = config(tmp_path)
    opened_and_closed(first)
    other = config(tmp_path, "elsewhere/claimwatch.db")
    opened_and_closed(other)
    os.replace(other.state, first.state)  # a different state put in its place
    with pytest.raises(StateError, match=r"this is not the state database that .* it was replaced"):
        open_state(first, purpose="test")
    adopted = migrate(first, fresh=True)
    assert "the database found there is the state from now on" in adopted
    opened_and_closed(first)


def test_an_old_database_gets_an_identity_and_keeps_its_data(sqlite_config: Config) -> None:
    """A state from before migration 5 (no marker yet): upgraded and adopted."""
    sqlite_config.state.parent.mkdir(parents=True)
    with sqlite3.connect(sqlite_config.state) as db:
        for number, script in enumerate(MIGRATIONS[:4], start=1):
            for statement in statements(script):
                db.execute(statement)
            db.execute(f"PRAGMA user_version = {number}")
        db.execute("INSERT INTO feeds (name, configured_url, url) VALUES ('f', 'u', 'u')")
    assert "schema version 4 -> " in migrate(sqlite_config)
    store = open_state(sqlite_config, purpose="test")
    try:
        assert store.feed_state("f", "u").url == "u"
        assert store.identity()[0] == store.state_id
    finally:
        store.close()
    assert LATEST >= 5


# ---- the running store -------------------------------------------------------------------


@pytest.mark.parametrize("how", ["deleted", "emptied", "replaced"])
def test_a_store_stops_answering_once_its_file_is_lost(sqlite_config: Config, how: str) -> None:
    store = open_state(sqlite_config, purpose="test")
    try:
        store.save_feed_state("f", "u", FeedState(url="u"))
        if how == "deleted":
            sqlite_config.state.unlink()
        elif how == "emptied":
            os.truncate(sqlite_config.state, 0)
        else:
            sqlite_config.state.rename(sqlite_config.state.with_name("old.db"))
            sqlite_config.state.write_bytes(b"")
        with pytest.raises(StateError, match=f"{how[:5]}.* while claimwatch had it open"):
            store.feed_state("f", "u")
        with pytest.raises(StateError):
            check_state(store, sqlite_config)
    finally:
        store.close()
    if how == "emptied":  # closing did not write the -wal back into the emptied file
        assert sqlite_config.state.stat().st_size == 0
    with pytest.raises(StateError, match="migrate --fresh"):
        open_state(sqlite_config, purpose="test")


def test_a_moved_database_keeps_its_last_transactions(sqlite_config: Config) -> None:
    store = open_state(sqlite_config, purpose="test")
    store.save_feed_state("f", "u", FeedState(url="u", etag='"e"'))
    moved = sqlite_config.state.with_name("moved.db")
    sqlite_config.state.rename(moved)
    with pytest.raises(StateError, match="deleted or moved away"):
        store.counts()
    store.close()
    assert not sqlite_config.state.with_name("claimwatch.db-wal").exists()  # nothing to replay
    with sqlite3.connect(moved) as db:
        assert db.execute("SELECT etag FROM feeds").fetchall() == [('"e"',)]


# ---- one writer ----------------------------------------------------------------------------


def test_a_second_writer_is_refused_with_the_holder_named(sqlite_config: Config) -> None:
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path\n"
            "from claimwatch.store.lock import StateLock\n"
            "StateLock(Path(sys.argv[1])).acquire('claimwatch run'); print('held', flush=True)\n"
            "time.sleep(60)",
            str(sqlite_config.state),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None
    try:
        assert holder.stdout.readline() == "held\n"
        with pytest.raises(StateError) as caught:
            open_state(sqlite_config, purpose="claimwatch once")
        message = str(caught.value)
        assert f"pid {holder.pid}: claimwatch run" in message
        assert (
            str(sqlite_config.state) in message and str(lock_path(sqlite_config.state)) in message
        )
        reader = open_store(sqlite_config.state)  # readers take no lock
        reader.close()
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()
    opened_and_closed(sqlite_config)  # the lock went with its process


def test_the_lock_is_released_on_close(sqlite_config: Config) -> None:
    opened_and_closed(sqlite_config)
    opened_and_closed(sqlite_config)
    text = lock_path(sqlite_config.state).read_text(encoding="utf-8")
    assert text.startswith(f"pid {os.getpid()}: test, since ")


# ---- free space ------------------------------------------------------------------------------


def test_too_little_free_space_is_refused_naming_the_path(tmp_path: Path) -> None:
    free_mb = free_bytes(tmp_path) // (1024 * 1024)
    greedy = config(tmp_path, reserve_mb=free_mb + 1024)
    with pytest.raises(StateError) as caught:
        open_state(greedy, purpose="test")
    assert str(greedy.state) in str(caught.value) and "[outbox] reserve_mb" in str(caught.value)
    assert not greedy.state.exists()
    opened_and_closed(config(tmp_path, reserve_mb=1))


# ---- PostgreSQL --------------------------------------------------------------------------


@pytest.fixture
def pg_config(tmp_path: Path) -> Iterator[Config]:
    with pg.database() as url:
        yield config(tmp_path, url)


def test_postgresql_refuses_an_empty_database_when_the_alert_log_holds_alerts(
    pg_config: Config,
) -> None:
    log = pg_config.alert_log_path
    assert log is not None
    log.parent.mkdir(parents=True)
    log.write_text(ALERT_LINE, encoding="utf-8")
    assert pg_config.state_url is not None
    with pytest.raises(StateError, match=r"has no claimwatch schema, but the alert log"):
        open_state(pg_config, purpose="test")
    assert pg.query(pg_config.state_url, "SELECT to_regclass('alerts')") == [(None,)]
    assert "a new, empty state" in migrate(pg_config, fresh=True)
    opened_and_closed(pg_config)  # its schema exists now: no longer refused


def test_postgresql_notices_a_replaced_state(pg_config: Config) -> None:
    assert pg_config.state_url is not None
    store = open_state(pg_config, purpose="test")
    try:
        check_state(store, pg_config)
        pg.query(pg_config.state_url, "UPDATE state_identity SET id = 'other' RETURNING id")
        with pytest.raises(StateError, match="replaced while claimwatch had it open"):
            check_state(store, pg_config)
    finally:
        store.close()


def test_the_marker_is_json_naming_the_state(sqlite_config: Config) -> None:
    state_id = opened_and_closed(sqlite_config)
    data = json.loads(marker_path(sqlite_config.state).read_text(encoding="utf-8"))
    assert data["state_id"] == state_id and "migrate --fresh" in data["about"]
