"""The SQLite store: WAL, a busy timeout, numbered migrations, one transaction per entry.

All calls are synchronous and short; the event loop runs them inline, so no two transactions
of this process ever interleave. Other processes (``claimwatch alerts``) read concurrently
thanks to WAL.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from claimwatch.alerts import Alert, ClaimKey, FactKey
from claimwatch.entries import Entry
from claimwatch.errors import StateError
from claimwatch.feeds import FeedState
from claimwatch.health import FeedHistory, episode_of
from claimwatch.store import AlertStatus, Delivery, DeliveryUpdate, SinkStatus
from claimwatch.store.migrations import LATEST, migrate, pending_migrations, schema_version
from claimwatch.store.rows import (
    ALERT_COLUMNS,
    FEED_COLUMNS,
    alert_from_row,
    decode_time,
    encode_time,
    entry_row,
    insert_alert,
)

BUSY_TIMEOUT_MS = 10_000
_CHUNK = 500  # bound on SQL parameters per IN (...) list
# S608 below: only these constant column lists and "?" placeholders are ever interpolated.


def _chunks(items: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


class SqliteStore:
    """The state database in one SQLite file (parent folders created)."""

    def __init__(self, path: Path) -> None:
        self.path = path
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

    @contextmanager
    def _errors(self, action: str) -> Iterator[None]:
        try:
            yield
        except sqlite3.Error as exc:
            raise StateError(f"{action} failed: {exc}", subject=str(self.path)) from None

    @contextmanager
    def _transaction(self, action: str) -> Iterator[sqlite3.Connection]:
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

    # ---- feeds -------------------------------------------------------------------------

    def feed_state(self, name: str, configured_url: str) -> FeedState:
        """The stored state; a fresh one when unknown or when the configured URL changed."""
        rows = self._rows(
            f"SELECT configured_url, {FEED_COLUMNS} FROM feeds WHERE name = ?",  # noqa: S608
            (name,),
        )
        if not rows or rows[0][0] != configured_url:
            return FeedState(url=configured_url)
        (_, url, etag, modified, success, failures, error, due, disabled, target, count,
         failing) = rows[0]  # fmt: skip
        return FeedState(
            url=url,
            etag=etag,
            last_modified=modified,
            consecutive_failures=failures,
            last_success=decode_time(success),
            last_error=error,
            next_attempt=decode_time(due),
            disabled_reason=disabled,
            redirect_target=target,
            redirect_count=count,
            failing_since=decode_time(failing),
        )

    def save_feed_state(self, name: str, configured_url: str, state: FeedState) -> None:
        values = (
            name, configured_url, state.url, state.etag, state.last_modified,
            encode_time(state.last_success), state.consecutive_failures, state.last_error,
            encode_time(state.next_attempt), state.disabled_reason, state.redirect_target,
            state.redirect_count, encode_time(state.failing_since),
        )  # fmt: skip
        with self._transaction("save feed state") as db:
            db.execute(
                f"INSERT OR REPLACE INTO feeds (name, configured_url, {FEED_COLUMNS}) "  # noqa: S608
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                values,
            )

    # ---- entries -----------------------------------------------------------------------

    def processed_hashes(self, feed: str, entry_ids: Iterable[str]) -> dict[str, str]:
        """entry_id -> text hash, for those of ``entry_ids`` already processed."""
        found: dict[str, str] = {}
        for chunk in _chunks(list(dict.fromkeys(entry_ids))):
            marks = ",".join("?" * len(chunk))
            rows = self._rows(
                "SELECT entry_id, text_hash FROM entries WHERE feed = ? "  # noqa: S608
                f"AND processed_at IS NOT NULL AND entry_id IN ({marks})",
                (feed, *chunk),
            )
            found.update((row[0], row[1]) for row in rows)
        return found

    def mark_seen(self, seen: Sequence[tuple[Entry, str]], now: datetime) -> None:
        """Record entries about to be processed; a changed entry becomes unprocessed."""
        if not seen:
            return
        with self._transaction("mark entries seen") as db:
            db.executemany(
                "INSERT INTO entries (feed, entry_id, url, title, published, text_hash, "
                "first_seen, processed_at) VALUES (?, ?, ?, ?, ?, ?, ?, NULL) "
                "ON CONFLICT (feed, entry_id) DO UPDATE SET url = excluded.url, "
                "title = excluded.title, published = excluded.published, "
                "text_hash = excluded.text_hash, processed_at = NULL "
                "WHERE entries.text_hash != excluded.text_hash",
                [entry_row(entry, digest, now) for entry, digest in seen],
            )

    def known_facts(self, keys: Iterable[ClaimKey]) -> set[FactKey]:
        facts: set[FactKey] = set()
        for baseline_id, claim_id, kind in set(keys):
            rows = self._rows(
                "SELECT fact FROM claim_facts WHERE baseline_id = ? AND claim_id = ? AND kind = ?",
                (baseline_id, claim_id, kind),
            )
            facts.update((baseline_id, claim_id, kind, row[0]) for row in rows)
        return facts

    def commit_entry(
        self,
        entry: Entry,
        text_hash: str,
        alerts: Sequence[Alert],
        sinks: Collection[str],
        now: datetime,
    ) -> list[Alert]:
        """One transaction: entry processed, new alerts, their facts, pending deliveries.

        Returns the alerts actually added: an alert_id stored before is not stored again.
        """
        added: list[Alert] = []
        with self._transaction("commit entry") as db:
            db.execute(
                "INSERT INTO entries (feed, entry_id, url, title, published, text_hash, "
                "first_seen, processed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (feed, entry_id) DO UPDATE SET url = excluded.url, "
                "title = excluded.title, published = excluded.published, "
                "text_hash = excluded.text_hash, processed_at = excluded.processed_at",
                (*entry_row(entry, text_hash, now), encode_time(now)),
            )
            for alert in alerts:
                if insert_alert(db, alert, sinks):
                    added.append(alert)
        return added

    def add_alerts(self, alerts: Sequence[Alert], sinks: Collection[str]) -> list[Alert]:
        """Store alerts that belong to no entry (feed alerts), with their deliveries, at once;
        return those not stored before."""
        with self._transaction("add alerts") as db:
            return [alert for alert in alerts if insert_alert(db, alert, sinks)]

    def feed_history(self, name: str, state: FeedState, limit: int = 20) -> FeedHistory:
        """What health.assess needs: ``state`` plus the feed's recent entries and open episode."""
        dates = self._rows(
            "SELECT coalesce(published, first_seen) FROM entries WHERE feed = ? "
            "ORDER BY coalesce(published, first_seen) DESC LIMIT ?",
            (name, limit),
        )
        newest = self._rows("SELECT max(first_seen) FROM entries WHERE feed = ?", (name,))
        latest = self._rows(
            "SELECT kind, fact, published FROM alerts WHERE feed = ? "
            "AND kind IN ('feed_failing', 'feed_recovered') ORDER BY rowid DESC LIMIT 1",
            (name,),
        )
        episode = None
        if latest and latest[0][0] == "feed_failing":
            episode = episode_of(latest[0][1], decode_time(latest[0][2]))
        return FeedHistory(
            failing_since=state.failing_since,
            last_error=state.last_error,
            last_new_entry=decode_time(newest[0][0]),
            entry_times=tuple(t for (text,) in dates if (t := decode_time(text)) is not None),
            open_episode=episode,
        )

    # ---- deliveries --------------------------------------------------------------------

    def due_deliveries(
        self, sinks: Collection[str], now: datetime, limit: int = 100
    ) -> list[Delivery]:
        """Pending or failed deliveries whose time has come, oldest alert first."""
        if not sinks:
            return []
        marks = ",".join("?" * len(sinks))
        columns = ", ".join(f"a.{c.strip()}" for c in ALERT_COLUMNS.split(","))
        rows = self._rows(
            f"SELECT d.sink, d.attempts, {columns} FROM deliveries d "  # noqa: S608
            "JOIN alerts a ON a.alert_id = d.alert_id "
            "WHERE d.state IN ('pending', 'failed') AND d.sink IN "
            f"({marks}) AND (d.next_attempt IS NULL OR d.next_attempt <= ?) "
            "ORDER BY a.rowid, d.sink LIMIT ?",
            (*sorted(sinks), encode_time(now), limit),
        )
        return [Delivery(alert_from_row(row[2:]), row[0], row[1]) for row in rows]

    def due_digest(
        self, sink: str, before: datetime, now: datetime, limit: int = 1000
    ) -> list[Delivery]:
        """Due deliveries of a digest sink whose alerts were detected before ``before``."""
        columns = ", ".join(f"a.{c.strip()}" for c in ALERT_COLUMNS.split(","))
        rows = self._rows(
            f"SELECT d.sink, d.attempts, {columns} FROM deliveries d "  # noqa: S608
            "JOIN alerts a ON a.alert_id = d.alert_id "
            "WHERE d.sink = ? AND d.state IN ('pending', 'failed') AND a.detected_at < ? "
            "AND (d.next_attempt IS NULL OR d.next_attempt <= ?) "
            "ORDER BY a.detected_at, a.rowid LIMIT ?",
            (sink, encode_time(before), encode_time(now), limit),
        )
        return [Delivery(alert_from_row(row[2:]), row[0], row[1]) for row in rows]

    def record_delivered(self, alert_id: str, sink: str, now: datetime) -> None:
        self.record([alert_id], sink, DeliveryUpdate("delivered", at=now))

    def record_failed(self, alert_id: str, sink: str, error: str, next_attempt: datetime) -> None:
        self.record(
            [alert_id], sink, DeliveryUpdate("failed", error=error, next_attempt=next_attempt)
        )

    def record_refused(self, alert_id: str, sink: str, error: str) -> None:
        self.record([alert_id], sink, DeliveryUpdate("refused", error=error))

    def record(self, alert_ids: Sequence[str], sink: str, update: DeliveryUpdate) -> None:
        """One transaction for all of ``alert_ids`` (a digest is delivered all at once)."""
        attempt = 0 if update.state == "skipped" else 1
        values = (
            update.state,
            attempt,
            encode_time(update.next_attempt),
            update.error,
            encode_time(update.at),
        )
        with self._transaction("record delivery") as db:
            db.executemany(
                "UPDATE deliveries SET state = ?, attempts = attempts + ?, next_attempt = ?, "
                "last_error = ?, delivered_at = ? WHERE alert_id = ? AND sink = ?",
                [(*values, alert_id, sink) for alert_id in alert_ids],
            )

    def requeue_failed(self) -> int:
        """Make failed and refused deliveries due now, with a fresh backoff; return how many."""
        with self._transaction("requeue deliveries") as db:
            cursor = db.execute(
                "UPDATE deliveries SET state = 'pending', attempts = 0, next_attempt = NULL "
                "WHERE state IN ('failed', 'refused')"
            )
            return cursor.rowcount

    # ---- reading -----------------------------------------------------------------------

    def recent_alerts(self, limit: int) -> list[AlertStatus]:
        rows = self._rows(
            f"SELECT {ALERT_COLUMNS} FROM alerts ORDER BY rowid DESC LIMIT ?",  # noqa: S608
            (limit,),
        )
        return [AlertStatus(alert_from_row(row), self._sink_statuses(row[0])) for row in rows]

    def _sink_statuses(self, alert_id: str) -> tuple[SinkStatus, ...]:
        rows = self._rows(
            "SELECT sink, state, attempts, next_attempt, last_error, delivered_at "
            "FROM deliveries WHERE alert_id = ? ORDER BY sink",
            (alert_id,),
        )
        return tuple(
            SinkStatus(sink, state, attempts, decode_time(due), error, decode_time(done))
            for sink, state, attempts, due, error, done in rows
        )

    def all_alerts(self) -> list[Alert]:
        rows = self._rows(f"SELECT {ALERT_COLUMNS} FROM alerts ORDER BY rowid")  # noqa: S608
        return [alert_from_row(row) for row in rows]

    def delivery_counts(self) -> dict[tuple[str, str], int]:
        rows = self._rows("SELECT sink, state, count(*) FROM deliveries GROUP BY sink, state")
        return {(sink, state): int(count) for sink, state, count in rows}

    def counts(self) -> dict[str, int]:
        """Row counts per table, for status lines and tests."""
        tables = ("feeds", "entries", "alerts", "claim_facts", "deliveries")
        return {t: int(self._rows(f"SELECT count(*) FROM {t}")[0][0]) for t in tables}  # noqa: S608

    def close(self) -> None:
        with self._errors("close"):
            self._db.close()
