"""The outbox's queries, shared by both engines: due deliveries, claims, outcomes.

A daemon claims what it is about to deliver (``leased_by``/``leased_until``) in the same
transaction that finds it; PostgreSQL locks the rows found and skips rows another daemon is
claiming at that moment (``FOR UPDATE SKIP LOCKED``), SQLite needs no lock because its write
transactions never overlap. Recording an outcome clears the claim.

Before a sink is called, its deliveries are marked as sent at an unknown outcome
(``sending_since``) and held (``next_attempt``) for the outbox's hold, in a committed
transaction; recording the outcome clears the mark. A process that stops in between (killed,
or unable to write the outcome to a full disk) leaves the mark: the next drain sends it again
only once the hold is over, and counts it in ``unknown_outcomes``.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from claimwatch.store import Delivery, DeliveryUpdate, InDoubt
from claimwatch.store.rows import ALERT_COLUMNS_OF_A, alert_from_row, decode_time, encode_time
from claimwatch.store.sql import SqlStore

_DUE = (
    "SELECT d.sink, d.attempts, d.sending_since, d.unknown_outcomes, "  # noqa: S608
    f"{ALERT_COLUMNS_OF_A} FROM deliveries d "
    "JOIN alerts a ON a.alert_id = d.alert_id "
    "WHERE d.state IN ('pending', 'failed') "
    "AND (d.next_attempt IS NULL OR d.next_attempt <= ?) "
    "AND (d.leased_until IS NULL OR d.leased_until <= ?) "
)


class DeliveryStore(SqlStore):
    """The deliveries half of the shared queries."""

    _CLAIM_LOCK = ""  # appended to a claiming query: PostgreSQL locks what it claims

    def due_deliveries(
        self,
        sinks: Collection[str],
        now: datetime,
        limit: int = 100,
        *,
        owner: str = "",
        lease_until: datetime | None = None,
    ) -> list[Delivery]:
        """Pending or failed deliveries whose time has come and that no live lease holds,
        oldest alert first; with ``lease_until`` they are claimed for ``owner`` till then."""
        if not sinks:
            return []
        marks = ",".join("?" * len(sinks))
        sql = f"{_DUE} AND d.sink IN ({marks}) ORDER BY a.rowid, d.sink LIMIT ?"
        moment = encode_time(now)
        return self._claim(sql, (moment, moment, *sorted(sinks), limit), owner, lease_until)

    def due_digest(
        self,
        sink: str,
        before: datetime,
        now: datetime,
        limit: int = 1000,
        *,
        owner: str = "",
        lease_until: datetime | None = None,
    ) -> list[Delivery]:
        """Due deliveries of a digest sink whose alerts were detected before ``before``;
        leases as in ``due_deliveries``."""
        sql = f"{_DUE} AND d.sink = ? AND a.detected_at < ? ORDER BY a.detected_at, a.rowid LIMIT ?"
        moment = encode_time(now)
        params = (moment, moment, sink, encode_time(before), limit)
        return self._claim(sql, params, owner, lease_until)

    def _claim(
        self, sql: str, params: Sequence[Any], owner: str, lease_until: datetime | None
    ) -> list[Delivery]:
        """Run a due-deliveries query; with a lease, mark what it found as claimed."""
        if lease_until is None:
            rows = self._rows(sql, params)
        else:
            with self._transaction("claim deliveries") as db:
                rows = db.execute(sql + self._CLAIM_LOCK, params).fetchall()
                db.executemany(
                    "UPDATE deliveries SET leased_by = ?, leased_until = ? "
                    "WHERE alert_id = ? AND sink = ?",
                    [(owner, encode_time(lease_until), row[4], row[0]) for row in rows],
                )
        return [
            Delivery(alert_from_row(row[4:]), row[0], row[1], decode_time(row[2]), row[3])
            for row in rows
        ]

    def mark_sending(
        self, deliveries: Sequence[Delivery], now: datetime, hold_until: datetime
    ) -> None:
        """Mark ``deliveries`` as handed to their sink at ``now``, due again at ``hold_until``
        unless an outcome is recorded first."""
        moment, held = encode_time(now), encode_time(hold_until)
        rows = sorted((d.alert.alert_id, d.sink, d.unknown) for d in deliveries)
        with self._transaction("mark deliveries sending") as db:
            db.executemany(
                "UPDATE deliveries SET sending_since = ?, next_attempt = ?, "
                "unknown_outcomes = ? WHERE alert_id = ? AND sink = ?",
                [(moment, held, unknown, alert_id, sink) for alert_id, sink, unknown in rows],
            )

    def in_doubt(self, now: datetime, limit: int = 100) -> list[InDoubt]:
        rows = self._rows(
            "SELECT alert_id, sink, sending_since, unknown_outcomes, next_attempt "
            "FROM deliveries WHERE sending_since IS NOT NULL AND state IN ('pending', 'failed') "
            "AND (leased_until IS NULL OR leased_until <= ?) "
            "ORDER BY sending_since, alert_id, sink LIMIT ?",
            (encode_time(now), limit),
        )
        return [
            InDoubt(alert_id, sink, since, unknown, decode_time(due))
            for alert_id, sink, text, unknown, due in rows
            if (since := decode_time(text)) is not None
        ]

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
                "last_error = ?, delivered_at = ?, leased_by = NULL, leased_until = NULL, "
                "sending_since = NULL WHERE alert_id = ? AND sink = ?",
                [(*values, alert_id, sink) for alert_id in sorted(alert_ids)],
            )

    def release_claims(self, deliveries: Sequence[Delivery], owner: str) -> None:
        if not deliveries:
            return
        with self._transaction("release claims") as db:
            db.executemany(
                "UPDATE deliveries SET leased_by = NULL, leased_until = NULL "
                "WHERE alert_id = ? AND sink = ? AND leased_by = ?",
                [(d.alert.alert_id, d.sink, owner) for d in deliveries],
            )

    def requeue_failed(self) -> int:
        """Make failed and refused deliveries due now, with a fresh backoff; return how many."""
        with self._transaction("requeue deliveries") as db:
            cursor = db.execute(
                "UPDATE deliveries SET state = 'pending', attempts = 0, next_attempt = NULL, "
                "leased_by = NULL, leased_until = NULL, sending_since = NULL, "
                "unknown_outcomes = 0 WHERE state IN ('failed', 'refused')"
            )
            return cursor.rowcount

    def delivery_counts(self) -> dict[tuple[str, str], int]:
        rows = self._rows("SELECT sink, state, count(*) FROM deliveries GROUP BY sink, state")
        return {(sink, state): int(count) for sink, state, count in rows}
