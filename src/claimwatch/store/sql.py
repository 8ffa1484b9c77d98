"""The queries both engines share: feeds, leases, entries and alerts, in portable SQL.

An engine subclass supplies the connection: ``_transaction`` (one write transaction),
``_rows`` (one read) and the error mapping; SQL is written with ``?`` placeholders and the
PostgreSQL connection translates them. Where the dialects differ the engine says so through a
class attribute (``_CLAIM_LOCK``), never by rewriting the SQL here.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any

from claimwatch.alerts import Alert, ClaimKey, FactKey
from claimwatch.entries import Entry
from claimwatch.errors import StateError
from claimwatch.feeds import FeedState
from claimwatch.health import FeedHistory, episode_of
from claimwatch.store import AlertStatus, SinkStatus
from claimwatch.store.rows import (
    ALERT_COLUMNS,
    FEED_COLUMNS,
    FEED_UPSERT,
    LEASE_FEED,
    RELEASE_FEED,
    Db,
    alert_from_row,
    decode_time,
    encode_time,
    entry_row,
    insert_alert,
    insert_verdicts,
)
from claimwatch.verdicts import Verdict

_PROCESSED = (
    "INSERT INTO entries (feed, entry_id, url, title, published, text_hash, "
    "first_seen, processed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (feed, entry_id) DO UPDATE SET url = excluded.url, "
    "title = excluded.title, published = excluded.published, "
    "text_hash = excluded.text_hash, processed_at = excluded.processed_at"
)  # an entry processed (inserted if never marked seen)
_CHUNK = 500  # bound on SQL parameters per IN (...) list
# S608 below: only constant column lists and "?" placeholders are ever interpolated.


def chunks(items: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def by_id(alerts: Sequence[Alert]) -> list[Alert]:
    """Alerts in one global order, so that two daemons storing overlapping alerts at once lock
    their rows in the same order and cannot deadlock on PostgreSQL."""
    return sorted(alerts, key=lambda alert: alert.alert_id)


def _entry_rows(
    entries: Sequence[tuple[Entry, str]], now: datetime, *extra: Any
) -> list[tuple[Any, ...]]:
    """``entry_row`` per (entry, text hash), plus ``extra`` values, in (feed, entry_id)
    order: writers that lock rows in one order cannot deadlock on PostgreSQL."""
    rows = ((*entry_row(entry, digest, now), *extra) for entry, digest in entries)
    return sorted(rows, key=lambda row: (row[0], row[1]))


class SqlStore:
    """Everything but the connection; see the subclasses."""

    location: str
    state_id: str  # set by the subclass once open (identity)

    def _transaction(self, action: str) -> AbstractContextManager[Db]:
        raise NotImplementedError

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        raise NotImplementedError

    # ---- identity ----------------------------------------------------------------------

    def identity(self) -> tuple[str, str]:
        """(state id, created at), written by the migration that created the schema."""
        rows = self._rows("SELECT id, created_at FROM state_identity LIMIT 1")
        if not rows:
            raise StateError("the state database has no identity row", subject=self.location)
        return str(rows[0][0]), str(rows[0][1])

    def verify(self) -> None:
        """Raise StateError when the database answering is not the one opened."""
        found, _ = self.identity()
        if found != self.state_id:
            raise StateError(
                f"the state database was replaced while claimwatch had it open (state id "
                f"{self.state_id}, now {found}); stopping rather than going on in another one",
                subject=self.location,
            )

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
                f"INSERT INTO feeds (name, configured_url, {FEED_COLUMNS}) "  # noqa: S608
                f"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) {FEED_UPSERT}",
                values,
            )

    def lease_feed(self, name: str, owner: str, now: datetime, until: datetime) -> bool:
        """Take the feed's poll lease when it is due and nobody holds a live lease."""
        moment = encode_time(now)
        with self._transaction("lease feed") as db:
            rows = db.execute(LEASE_FEED, (name, owner, encode_time(until), moment, moment))
            return bool(rows.fetchall())

    def release_feed(self, name: str, owner: str, next_due: datetime) -> None:
        """Give the lease back, if still ours, and say when the feed is next due."""
        with self._transaction("release feed") as db:
            db.execute(RELEASE_FEED, (encode_time(next_due), name, owner))

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

    # ---- entries -----------------------------------------------------------------------

    def processed_hashes(self, feed: str, entry_ids: Iterable[str]) -> dict[str, str]:
        """entry_id -> text hash, for those of ``entry_ids`` already processed."""
        found: dict[str, str] = {}
        for chunk in chunks(list(dict.fromkeys(entry_ids))):
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
                _entry_rows(seen, now),
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
        *,
        held: Sequence[Verdict] = (),
    ) -> list[Alert]:
        """One transaction: entry processed, new alerts, their facts, pending deliveries;
        an alert with a verdict in ``held`` (claimwatch holding it back) gets that verdict
        instead of deliveries.

        Returns the alerts actually added: an alert_id stored before (by this daemon or any
        other) is not stored again, nor judged again.
        """
        verdicts = {v.alert_id: v for v in held}
        added: set[str] = set()
        with self._transaction("commit entry") as db:
            db.execute(_PROCESSED, (*entry_row(entry, text_hash, now), encode_time(now)))
            for alert in by_id(alerts):
                if insert_alert(db, alert, () if alert.alert_id in verdicts else sinks):
                    added.add(alert.alert_id)
            insert_verdicts(db, [v for key, v in sorted(verdicts.items()) if key in added])
        return [alert for alert in alerts if alert.alert_id in added]

    def mark_processed(self, done: Sequence[tuple[Entry, str]], now: datetime) -> None:
        """Record entries processed without alerts, all in one transaction.

        Each of them wrote nothing else, so each is still all-or-nothing; a crash before
        this commit only means reading them again. (A transaction per entry was about a
        fifth of the main process's time in a cold cycle of bench/polling.py.)
        """
        if not done:
            return
        with self._transaction("mark entries processed") as db:
            db.executemany(_PROCESSED, _entry_rows(done, now, encode_time(now)))

    def add_alerts(self, alerts: Sequence[Alert], sinks: Collection[str]) -> list[Alert]:
        """Store alerts that belong to no entry (feed alerts), with their deliveries, at once;
        return those not stored before."""
        with self._transaction("add alerts") as db:
            added = {a.alert_id for a in by_id(alerts) if insert_alert(db, a, sinks)}
        return [alert for alert in alerts if alert.alert_id in added]

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

    def counts(self) -> dict[str, int]:
        """Row counts per table, for status lines and tests."""
        tables = ("feeds", "entries", "alerts", "claim_facts", "deliveries")
        return {t: int(self._rows(f"SELECT count(*) FROM {t}")[0][0]) for t in tables}  # noqa: S608
