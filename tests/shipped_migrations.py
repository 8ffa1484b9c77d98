"""The schema migrations 1 to 5 exactly as claimwatch shipped them, one copy per engine,
before they were written once for both (``claimwatch.store.migrations``).

Kept verbatim, never edited: the scripts rendered from the single source must equal these
(SQLite to the byte, since it stores each CREATE statement's text as written; PostgreSQL up
to whitespace), so that databases created or migrated since get exactly the same schema.
"""

from __future__ import annotations

SQLITE: tuple[str, ...] = (
    # 1: feeds, entries, alerts, claim facts and per-sink deliveries
    """
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
        kind TEXT NOT NULL CHECK (kind IN ('contradiction', 'follow_up')),
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
        value REAL,
        fact TEXT NOT NULL,
        score REAL NOT NULL
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
        state TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'failed', 'refused')),
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt TEXT,
        last_error TEXT,
        delivered_at TEXT,
        PRIMARY KEY (alert_id, sink)
    );
    CREATE INDEX deliveries_due ON deliveries (state, next_attempt);
    """,
    # 2: the evidence's highlight span on alerts; a 'skipped' delivery state (a sink that
    # declines an alert on purpose, e.g. email for repeats); SQLite cannot alter a CHECK
    # constraint, so the deliveries table is rebuilt.
    """
    ALTER TABLE alerts ADD COLUMN highlight_start INTEGER;
    ALTER TABLE alerts ADD COLUMN highlight_end INTEGER;
    CREATE TABLE deliveries_v2 (
        alert_id TEXT NOT NULL REFERENCES alerts (alert_id),
        sink TEXT NOT NULL,
        state TEXT NOT NULL
            CHECK (state IN ('pending', 'delivered', 'failed', 'refused', 'skipped')),
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
    CREATE INDEX deliveries_due ON deliveries (state, next_attempt);
    CREATE INDEX deliveries_by_sink ON deliveries (sink, state);
    """,
    # 3: operator alerts about feeds (feed_failing, feed_recovered) go through the alerts
    # table and the outbox like every alert; SQLite cannot widen a CHECK constraint, so the
    # alerts table is rebuilt. A feed remembers since when its current failures last; its
    # newest entries are found by index (health.py reads them after every poll).
    """
    CREATE TABLE alerts_v3 (
        alert_id TEXT PRIMARY KEY,
        kind TEXT NOT NULL
            CHECK (kind IN ('contradiction', 'follow_up', 'feed_failing', 'feed_recovered')),
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
        value REAL,
        fact TEXT NOT NULL,
        score REAL NOT NULL,
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
    CREATE INDEX alerts_by_time ON alerts (detected_at);
    CREATE INDEX alerts_by_feed ON alerts (feed, kind);
    ALTER TABLE feeds ADD COLUMN failing_since TEXT;
    CREATE INDEX entries_by_date ON entries (feed, coalesce(published, first_seen));
    CREATE INDEX entries_by_first_seen ON entries (feed, first_seen);
    """,
    # 4: several daemons share one database. A feed's poll lease and next due time live in
    # their own table (a lease may be taken before the feed's first poll stores its state);
    # a delivery claimed by a daemon's outbox carries a lease too. Same script on both engines.
    """
    CREATE TABLE feed_leases (
        feed TEXT PRIMARY KEY,
        next_due TEXT,
        leased_by TEXT,
        leased_until TEXT
    );
    ALTER TABLE deliveries ADD COLUMN leased_by TEXT;
    ALTER TABLE deliveries ADD COLUMN leased_until TEXT;
    """,
    # 5: a delivery is marked as handed to its sink before the sink is called (sending_since,
    # cleared with the outcome), so that an attempt whose outcome was never recorded is
    # retried only after a hold and a bounded number of times (unknown_outcomes); and the
    # state gets an identity, so that a database deleted, emptied or replaced is noticed
    # (store/identity.py). Only the random id differs between the engines.
    """
    ALTER TABLE deliveries ADD COLUMN sending_since TEXT;
    ALTER TABLE deliveries ADD COLUMN unknown_outcomes INTEGER NOT NULL DEFAULT 0;
    CREATE INDEX deliveries_in_doubt ON deliveries (sending_since)
        WHERE sending_since IS NOT NULL;
    CREATE TABLE state_identity (id TEXT NOT NULL, created_at TEXT NOT NULL);
    INSERT INTO state_identity (id, created_at)
        VALUES (lower(hex(randomblob(16))), strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now'));
    """,
)

POSTGRESQL: tuple[str, ...] = (
    # 1: as MIGRATIONS[0]
    """
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
        kind TEXT NOT NULL
            CONSTRAINT alerts_kind_check CHECK (kind IN ('contradiction', 'follow_up')),
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
        value DOUBLE PRECISION,
        fact TEXT NOT NULL,
        score DOUBLE PRECISION NOT NULL,
        rowid BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE
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
        state TEXT NOT NULL CONSTRAINT deliveries_state_check
            CHECK (state IN ('pending', 'delivered', 'failed', 'refused')),
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt TEXT,
        last_error TEXT,
        delivered_at TEXT,
        PRIMARY KEY (alert_id, sink)
    );
    CREATE INDEX deliveries_due ON deliveries (state, next_attempt);
    """,
    # 2: as MIGRATIONS[1], altering the CHECK constraint in place
    """
    ALTER TABLE alerts ADD COLUMN highlight_start INTEGER;
    ALTER TABLE alerts ADD COLUMN highlight_end INTEGER;
    ALTER TABLE deliveries DROP CONSTRAINT deliveries_state_check;
    ALTER TABLE deliveries ADD CONSTRAINT deliveries_state_check
        CHECK (state IN ('pending', 'delivered', 'failed', 'refused', 'skipped'));
    CREATE INDEX deliveries_by_sink ON deliveries (sink, state);
    """,
    # 3: as MIGRATIONS[2], altering the CHECK constraint in place
    """
    ALTER TABLE alerts DROP CONSTRAINT alerts_kind_check;
    ALTER TABLE alerts ADD CONSTRAINT alerts_kind_check
        CHECK (kind IN ('contradiction', 'follow_up', 'feed_failing', 'feed_recovered'));
    CREATE INDEX alerts_by_feed ON alerts (feed, kind);
    ALTER TABLE feeds ADD COLUMN failing_since TEXT;
    CREATE INDEX entries_by_date ON entries (feed, coalesce(published, first_seen));
    CREATE INDEX entries_by_first_seen ON entries (feed, first_seen);
    """,
    # 4: the same script on both engines
    SQLITE[3],
    # 5: as MIGRATIONS[4], with PostgreSQL's random and clock
    """
    ALTER TABLE deliveries ADD COLUMN sending_since TEXT;
    ALTER TABLE deliveries ADD COLUMN unknown_outcomes INTEGER NOT NULL DEFAULT 0;
    CREATE INDEX deliveries_in_doubt ON deliveries (sending_since)
        WHERE sending_since IS NOT NULL;
    CREATE TABLE state_identity (id TEXT NOT NULL, created_at TEXT NOT NULL);
    INSERT INTO state_identity (id, created_at)
        VALUES (md5(random()::text || clock_timestamp()::text || pg_backend_pid()::text),
                to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"+00:00"'));
    """,
)
