"""Records <-> rows of either engine: column lists, time encoding, the inserts of one alert.

Times are stored as fixed-width UTC text on both engines (one schema, one encoding): text
of one fixed format sorts in time order under any collation. ``insert_alert`` runs inside the
caller's transaction; nothing here commits.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

from claimwatch.alerts import FEED_KINDS, Alert
from claimwatch.entries import Entry
from claimwatch.verdicts import Verdict
from claimwatch.why import dumps, loads


class Cursor(Protocol):
    @property
    def rowcount(self) -> int: ...

    def fetchall(self) -> list[Any]: ...


class Db(Protocol):
    """What the shared queries need of a connection (``sqlite3.Connection`` as it is)."""

    def execute(self, sql: str, parameters: Sequence[Any] = (), /) -> Cursor: ...

    def executemany(self, sql: str, parameters: Iterable[Sequence[Any]], /) -> Cursor: ...


# S608 below: only these constant column lists and "?" placeholders are ever interpolated.
ALERT_COLUMNS = (
    "alert_id, kind, baseline_id, claim_id, article_url, article_title, feed, entry_id, "
    "published, evidence, reason, detected_at, novel, value, fact, score, "
    "highlight_start, highlight_end, why"
)
ALERT_WIDTH = len(ALERT_COLUMNS.split(","))
ALERT_COLUMNS_OF_A = ", ".join(f"a.{c.strip()}" for c in ALERT_COLUMNS.split(","))  # "alerts a"
FEED_COLUMNS = (
    "url, etag, last_modified, last_success, consecutive_failures, last_error, next_attempt, "
    "disabled_reason, redirect_target, redirect_count, failing_since"
)

FEED_UPSERT = "ON CONFLICT (name) DO UPDATE SET configured_url = excluded.configured_url, " + (
    ", ".join(f"{c} = excluded.{c}" for c in (c.strip() for c in FEED_COLUMNS.split(",")))
)
# A lease is taken when the feed is due and no live lease exists; the row is created on the
# first lease. One statement, so that of two daemons racing exactly one gets a row back.
LEASE_FEED = (
    "INSERT INTO feed_leases AS l (feed, next_due, leased_by, leased_until) "
    "VALUES (?, NULL, ?, ?) ON CONFLICT (feed) DO UPDATE SET "
    "leased_by = excluded.leased_by, leased_until = excluded.leased_until "
    "WHERE (l.next_due IS NULL OR l.next_due <= ?) "
    "AND (l.leased_until IS NULL OR l.leased_until <= ?) RETURNING feed"
)
RELEASE_FEED = (
    "UPDATE feed_leases SET next_due = ?, leased_by = NULL, leased_until = NULL "
    "WHERE feed = ? AND leased_by = ?"
)


def encode_time(moment: datetime | None) -> str | None:
    """Fixed-width UTC text, so that SQL compares times as strings correctly."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="microseconds")  # ...T12:00:00.000000+00:00


def decode_time(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def entry_row(entry: Entry, text_hash: str, now: datetime) -> tuple[Any, ...]:
    return (
        entry.feed,
        entry.entry_id,
        entry.url,
        entry.title,
        encode_time(entry.published),
        text_hash,
        encode_time(now),
    )


def held(db: Db, alert: Alert) -> bool:
    """Whether the alert's claim is muted or closed now (its latest state, claim_states)."""
    if alert.kind in FEED_KINDS:
        return False
    rows = db.execute(
        "SELECT state FROM claim_states WHERE baseline_id = ? AND claim_id = ? "
        "ORDER BY id DESC LIMIT 1",
        (alert.baseline_id, alert.claim_id),
    ).fetchall()
    return bool(rows) and rows[0][0] != "open"


def insert_alert(db: Db, alert: Alert, sinks: Collection[str]) -> bool:
    """Insert one alert with its fact and deliveries (none when its claim is muted or closed:
    the alert is kept, not sent); False when its id is already stored."""
    cursor = db.execute(
        f"INSERT INTO alerts ({ALERT_COLUMNS}) "  # noqa: S608
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (alert_id) DO NOTHING",
        (
            alert.alert_id, alert.kind, alert.baseline_id, alert.claim_id, alert.article_url,
            alert.article_title, alert.feed, alert.entry_id, encode_time(alert.published),
            alert.evidence, alert.reason, encode_time(alert.detected_at), int(alert.novel),
            alert.value, alert.fact, alert.score, *(alert.highlight or (None, None)),
            None if alert.why is None else dumps(alert.why),
        ),
    )  # fmt: skip
    if cursor.rowcount != 1:
        return False
    db.execute(
        "INSERT INTO claim_facts (baseline_id, claim_id, kind, fact, first_alert_id) "
        "VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        (*alert.fact_key, alert.alert_id),
    )
    if sinks and not held(db, alert):
        db.executemany(
            "INSERT INTO deliveries (alert_id, sink, state, attempts) VALUES (?, ?, 'pending', 0)",
            [(alert.alert_id, sink) for sink in sorted(sinks)],
        )
    return True


def insert_verdicts(db: Db, verdicts: Sequence[Verdict]) -> None:
    """Append verdicts to their alerts' histories (the alerts must be stored)."""
    if verdicts:
        db.executemany(
            "INSERT INTO verdicts (alert_id, verdict, reason, note, judged_by, judged_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [(v.alert_id, v.verdict, v.reason, v.note, v.by, encode_time(v.at)) for v in verdicts],
        )


def alert_from_row(row: Sequence[Any]) -> Alert:
    (alert_id, kind, baseline_id, claim_id, url, title, feed, entry_id, published, evidence,
     reason, detected_at, novel, value, fact, score, start, end, why) = row  # fmt: skip
    detected = decode_time(detected_at)
    assert detected is not None  # NOT NULL column
    return Alert(
        alert_id=alert_id,
        kind=kind,
        baseline_id=baseline_id,
        claim_id=claim_id,
        article_url=url,
        article_title=title,
        feed=feed,
        entry_id=entry_id,
        published=decode_time(published),
        evidence=evidence,
        reason=reason,
        detected_at=detected,
        novel=bool(novel),
        value=value,
        fact=fact,
        score=score,
        highlight=(start, end) if start is not None and end is not None else None,
        why=loads(why),
    )
