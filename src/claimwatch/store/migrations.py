"""Numbered schema migrations for both engines, applied in order on open.

A migration is appended, never edited: a database at version N has run exactly the first N
scripts. A database newer than this code is refused rather than guessed at. SQLite keeps the
version in ``user_version``; PostgreSQL in a one-row ``schema_version`` table (postgres.py runs
them).

Each migration is written once, as a function of a ``Dialect`` that names what differs between
the engines: PostgreSQL's REAL is 4 bytes, so floats are DOUBLE PRECISION there; PostgreSQL has
no implicit ``rowid``, so alerts get an explicit one and the queries read the same on both
engines; SQLite cannot alter a CHECK constraint, so it rebuilds the table where PostgreSQL alters
the constraint (named for that); each engine has its own random and clock functions; and an
integer key numbered in insertion order is ``INTEGER PRIMARY KEY`` on SQLite, an identity
column on PostgreSQL.
``MIGRATIONS`` (SQLite) and ``PG_MIGRATIONS`` are the scripts rendered for each.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Dialect:
    """What differs between the engines' scripts."""

    double: str  # column type of a float
    alerts_rowid: str  # the alerts table's rowid column, where the engine has no implicit one
    random_id: str  # an expression for a random hexadecimal id
    utc_now: str  # an expression for the time now, as 2024-01-31T12:00:00+00:00
    alters_checks: bool  # can ALTER TABLE drop and add a CHECK constraint
    serial_key: str  # an integer primary key numbered in insertion order

    def check(self, name: str, condition: str) -> str:
        """A column's CHECK constraint; named where a later migration alters it by name."""
        return (
            f"CONSTRAINT {name} CHECK ({condition})"
            if self.alters_checks
            else f"CHECK ({condition})"
        )

    def replace_check(self, table: str, name: str, condition: str, rebuild: str) -> str:
        """Statements that give ``table`` a new CHECK ``condition``: the named constraint
        altered, or (SQLite) ``rebuild``, the table copied into a new one and renamed."""
        if not self.alters_checks:
            return rebuild
        return (
            f"ALTER TABLE {table} DROP CONSTRAINT {name};\n"
            f"    ALTER TABLE {table} ADD CONSTRAINT {name}\n"
            f"        CHECK ({condition});"
        )


SQLITE = Dialect(
    double="REAL",
    alerts_rowid="",
    random_id="lower(hex(randomblob(16)))",
    utc_now="strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now')",
    alters_checks=False,
    serial_key="INTEGER PRIMARY KEY",
)
POSTGRESQL = Dialect(
    double="DOUBLE PRECISION",
    alerts_rowid=",\n        rowid BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE",
    random_id="md5(random()::text || clock_timestamp()::text || pg_backend_pid()::text)",
    utc_now=(
        "to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"+00:00\"')"
    ),
    alters_checks=True,
    serial_key="BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY",
)


def _v1(d: Dialect) -> str:
    """Feeds, entries, alerts, claim facts and per-sink deliveries."""
    kinds = "kind IN ('contradiction', 'follow_up')"
    states = "state IN ('pending', 'delivered', 'failed', 'refused')"
    return f"""
    CREATE TABLE feeds (
        name TEXT PRIMARY KEY,
        configured_url TEXT NOT NULL,
        url TEXT NOT NULL,
        etag TEXT,
        last_modified TEXT,
        last_success TEXT,
        consecutive_failures INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        next_attempt TEXT,
        disabled_reason TEXT,
        redirect_target TEXT,
        redirect_count INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE entries (
        feed TEXT NOT NULL,
        entry_id TEXT NOT NULL,
        url TEXT,
        title TEXT NOT NULL,
        published TEXT,
        text_hash TEXT NOT NULL,
        first_seen TEXT NOT NULL,
        processed_at TEXT,
        PRIMARY KEY (feed, entry_id)
    );
    CREATE TABLE alerts (
        alert_id TEXT PRIMARY KEY,
        kind TEXT NOT NULL {d.check("alerts_kind_check", kinds)},
        baseline_id TEXT NOT NULL,
        claim_id TEXT NOT NULL,
        article_url TEXT,
        article_title TEXT NOT NULL,
        feed TEXT NOT NULL,
        entry_id TEXT NOT NULL,
        published TEXT,
        evidence TEXT NOT NULL,
        reason TEXT NOT NULL,
        detected_at TEXT NOT NULL,
        novel INTEGER NOT NULL,
        value {d.double},
        fact TEXT NOT NULL,
        score {d.double} NOT NULL{d.alerts_rowid}
    );
    CREATE INDEX alerts_by_time ON alerts (detected_at);
    CREATE TABLE claim_facts (
        baseline_id TEXT NOT NULL,
        claim_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        fact TEXT NOT NULL,
        first_alert_id TEXT NOT NULL REFERENCES alerts (alert_id),
        PRIMARY KEY (baseline_id, claim_id, kind, fact)
    );
    CREATE TABLE deliveries (
        alert_id TEXT NOT NULL REFERENCES alerts (alert_id),
        sink TEXT NOT NULL,
        state TEXT NOT NULL {d.check("deliveries_state_check", states)},
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt TEXT,
        last_error TEXT,
        delivered_at TEXT,
        PRIMARY KEY (alert_id, sink)
    );
    CREATE INDEX deliveries_due ON deliveries (state, next_attempt);
    """


def _v2(d: Dialect) -> str:
    """The evidence's highlight span on alerts; a 'skipped' delivery state (a sink that
    declines an alert on purpose, e.g. email for repeats)."""
    states = "state IN ('pending', 'delivered', 'failed', 'refused', 'skipped')"
    rebuild = f"""CREATE TABLE deliveries_v2 (
        alert_id TEXT NOT NULL REFERENCES alerts (alert_id),
        sink TEXT NOT NULL,
        state TEXT NOT NULL
            CHECK ({states}),
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt TEXT,
        last_error TEXT,
        delivered_at TEXT,
        PRIMARY KEY (alert_id, sink)
    );
    INSERT INTO deliveries_v2 (alert_id, sink, state, attempts, next_attempt, last_error,
                               delivered_at)
        SELECT alert_id, sink, state, attempts, next_attempt, last_error, delivered_at
        FROM deliveries;
    DROP TABLE deliveries;
    ALTER TABLE deliveries_v2 RENAME TO deliveries;
    CREATE INDEX deliveries_due ON deliveries (state, next_attempt);"""  # noqa: S608
    return f"""
    ALTER TABLE alerts ADD COLUMN highlight_start INTEGER;
    ALTER TABLE alerts ADD COLUMN highlight_end INTEGER;
    {d.replace_check("deliveries", "deliveries_state_check", states, rebuild)}
    CREATE INDEX deliveries_by_sink ON deliveries (sink, state);
    """


def _v3(d: Dialect) -> str:
    """Operator alerts about feeds (feed_failing, feed_recovered) go through the alerts table
    and the outbox like every alert. A feed remembers since when its current failures last;
    its newest entries are found by index (health.py reads them after every poll)."""
    kinds = "kind IN ('contradiction', 'follow_up', 'feed_failing', 'feed_recovered')"
    rebuild = f"""CREATE TABLE alerts_v3 (
        alert_id TEXT PRIMARY KEY,
        kind TEXT NOT NULL
            CHECK ({kinds}),
        baseline_id TEXT NOT NULL,
        claim_id TEXT NOT NULL,
        article_url TEXT,
        article_title TEXT NOT NULL,
        feed TEXT NOT NULL,
        entry_id TEXT NOT NULL,
        published TEXT,
        evidence TEXT NOT NULL,
        reason TEXT NOT NULL,
        detected_at TEXT NOT NULL,
        novel INTEGER NOT NULL,
        value {d.double},
        fact TEXT NOT NULL,
        score {d.double} NOT NULL,
        highlight_start INTEGER,
        highlight_end INTEGER
    );
    INSERT INTO alerts_v3 (alert_id, kind, baseline_id, claim_id, article_url, article_title,
                           feed, entry_id, published, evidence, reason, detected_at, novel,
                           value, fact, score, highlight_start, highlight_end)
        SELECT alert_id, kind, baseline_id, claim_id, article_url, article_title, feed,
               entry_id, published, evidence, reason, detected_at, novel, value, fact, score,
               highlight_start, highlight_end
        FROM alerts;
    DROP TABLE alerts;
    ALTER TABLE alerts_v3 RENAME TO alerts;
    CREATE INDEX alerts_by_time ON alerts (detected_at);"""  # noqa: S608
    return f"""
    {d.replace_check("alerts", "alerts_kind_check", kinds, rebuild)}
    CREATE INDEX alerts_by_feed ON alerts (feed, kind);
    ALTER TABLE feeds ADD COLUMN failing_since TEXT;
    CREATE INDEX entries_by_date ON entries (feed, coalesce(published, first_seen));
    CREATE INDEX entries_by_first_seen ON entries (feed, first_seen);
    """


def _v4(d: Dialect) -> str:
    """Several daemons share one database. A feed's poll lease and next due time live in
    their own table (a lease may be taken before the feed's first poll stores its state); a
    delivery claimed by a daemon's outbox carries a lease too."""
    return """
    CREATE TABLE feed_leases (
        feed TEXT PRIMARY KEY,
        next_due TEXT,
        leased_by TEXT,
        leased_until TEXT
    );
    ALTER TABLE deliveries ADD COLUMN leased_by TEXT;
    ALTER TABLE deliveries ADD COLUMN leased_until TEXT;
    """


def _v5(d: Dialect) -> str:
    """A delivery is marked as handed to its sink before the sink is called (sending_since,
    cleared with the outcome), so that an attempt whose outcome was never recorded is retried
    only after a hold and a bounded number of times (unknown_outcomes); and the state gets an
    identity, so that a database deleted, emptied or replaced is noticed (store/identity.py)."""
    return f"""
    ALTER TABLE deliveries ADD COLUMN sending_since TEXT;
    ALTER TABLE deliveries ADD COLUMN unknown_outcomes INTEGER NOT NULL DEFAULT 0;
    CREATE INDEX deliveries_in_doubt ON deliveries (sending_since)
        WHERE sending_since IS NOT NULL;
    CREATE TABLE state_identity (id TEXT NOT NULL, created_at TEXT NOT NULL);
    INSERT INTO state_identity (id, created_at)
        VALUES ({d.random_id}, {d.utc_now});
    """  # noqa: S608


def _v6(d: Dialect) -> str:
    """An analyst's calls: verdicts on alerts and states of claims (claimwatch/verdicts.py).
    Both are histories, never updated in place: every call is kept with who, when and why,
    and the latest row (the highest id) counts. A claim needs no row of its own: claims live
    in the baselines, so a claim state is keyed by its ids alone."""
    verdicts = "verdict IN ('confirmed', 'dismissed', 'seen')"
    reasons = "reason IN ('wrong-story', 'wrong-figure', 'restatement', 'not-news')"
    states = "state IN ('open', 'muted', 'closed')"
    return f"""
    CREATE TABLE verdicts (
        id {d.serial_key},
        alert_id TEXT NOT NULL REFERENCES alerts (alert_id),
        verdict TEXT NOT NULL CHECK ({verdicts}),
        reason TEXT CHECK ({reasons}),
        note TEXT,
        judged_by TEXT NOT NULL,
        judged_at TEXT NOT NULL
    );
    CREATE INDEX verdicts_by_alert ON verdicts (alert_id, id);
    CREATE TABLE claim_states (
        id {d.serial_key},
        baseline_id TEXT NOT NULL,
        claim_id TEXT NOT NULL,
        state TEXT NOT NULL CHECK ({states}),
        note TEXT,
        set_by TEXT NOT NULL,
        set_at TEXT NOT NULL
    );
    CREATE INDEX claim_states_by_claim ON claim_states (baseline_id, claim_id, id);
    """


def _v7(d: Dialect) -> str:
    """An alert's why: the detector's explanation of its claim, as JSON text (claimwatch/why.py).
    A nullable column, so alerts stored before, and feed alerts, simply have none."""
    return """
    ALTER TABLE alerts ADD COLUMN why TEXT;
    """


# S608 above: only the dialects' constant SQL is ever interpolated.
STEPS: tuple[Callable[[Dialect], str], ...] = (_v1, _v2, _v3, _v4, _v5, _v6, _v7)


def render(dialect: Dialect) -> tuple[str, ...]:
    """Every migration's script for one engine, in order."""
    return tuple(step(dialect) for step in STEPS)


MIGRATIONS = render(SQLITE)
PG_MIGRATIONS = render(POSTGRESQL)
LATEST = len(MIGRATIONS)


def schema_version(connection: sqlite3.Connection) -> int:
    row = connection.execute("PRAGMA user_version").fetchone()
    return int(row[0])


def pending_migrations(current: int, available: int = LATEST) -> range:
    """The migration numbers still to run; empty when up to date.

    Raises ValueError for a database written by a newer claimwatch.
    """
    if current > available:
        raise ValueError(f"schema version {current} is newer than this claimwatch ({available})")
    return range(current + 1, available + 1)


def statements(script: str) -> list[str]:
    """A script's statements one by one (``executescript`` would commit the transaction)."""
    found: list[str] = []
    pending = ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            found.append(pending.strip())
            pending = ""
    if pending.strip():
        raise ValueError(f"incomplete statement in migration: {pending.strip()[:60]!r}")
    return found


def migrate(connection: sqlite3.Connection) -> int:
    """Run every pending migration, each in its own transaction; return the new version.

    Each transaction re-reads the version once it holds the write lock, so processes opening
    one new file together run each migration once. Foreign keys are off meanwhile, as
    SQLite's procedure for rebuilding a table that others refer to requires, and checked
    before each commit: a migration that breaks one fails.
    """
    enforced = connection.execute("PRAGMA foreign_keys").fetchone()[0]
    connection.execute("PRAGMA foreign_keys = OFF")
    try:
        for number in pending_migrations(schema_version(connection)):
            connection.execute("BEGIN IMMEDIATE")
            if schema_version(connection) < number:
                for statement in statements(MIGRATIONS[number - 1]):
                    connection.execute(statement)
                connection.execute(f"PRAGMA user_version = {number}")
            broken = connection.execute("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise sqlite3.IntegrityError(f"migration {number} breaks foreign keys: {broken}")
            connection.execute("COMMIT")
    finally:
        if connection.in_transaction:
            connection.execute("ROLLBACK")
        connection.execute(f"PRAGMA foreign_keys = {'ON' if enforced else 'OFF'}")
    return schema_version(connection)
