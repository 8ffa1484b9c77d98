"""Verdicts on alerts and claim states in the store, on both engines: histories whose latest
row counts, all-or-nothing writes, no deliveries for a held claim, and a state of the previous
schema version migrated with its alerts kept."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from claimwatch.alerts import Alert
from claimwatch.entries import Entry
from claimwatch.store import Store, open_store
from claimwatch.store.migrations import LATEST, statements
from claimwatch.store.rows import ALERT_COLUMNS, encode_time
from claimwatch.verdicts import ClaimState, Verdict
from tests import pg, shipped_migrations
from tests.test_store import alert as store_alert

NOW = datetime(2022, 1, 20, 12, 0, tzinfo=UTC)


@pytest.fixture(params=pg.ENGINES)
def location(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Path | str]:
    with pg.state_location(str(request.param), tmp_path) as where:
        yield where


@pytest.fixture
def store(location: Path | str) -> Iterator[Store]:
    opened = open_store(location)
    yield opened
    opened.close()


def alert(alert_id: str, claim: str = "c1", kind: str = "contradiction") -> Alert:
    """The store tests' alert, one article and one fact per id."""
    return store_alert(alert_id, entry_id=alert_id, fact=f"fact:{alert_id}", kind=kind, claim=claim)


def verdict(alert_id: str, kind: str = "dismissed", minutes: int = 0, **more: object) -> Verdict:
    fields: dict[str, object] = {"by": "ana", "at": NOW + timedelta(minutes=minutes)}
    fields.update(more)
    return Verdict(alert_id, kind, **fields)  # type: ignore[arg-type]


def state(claim: str, kind: str, minutes: int = 0, note: str | None = None) -> ClaimState:
    return ClaimState("b", claim, kind, "ana", NOW + timedelta(minutes=minutes), note)  # type: ignore[arg-type]


def test_the_latest_verdict_counts_and_every_one_is_kept(
    store: Store, location: Path | str
) -> None:
    store.add_alerts([alert("a1"), alert("a2"), alert("a3")], ["log"])
    assert store.verdicts() == {} and store.judged_alerts() == []
    first = verdict("a1", reason="wrong-figure", note="the 2,030 are the first wave")
    assert store.record_verdict(first)
    assert store.record_verdict(verdict("a2", "seen"))
    later = verdict("a1", "confirmed", minutes=5, by="bo")
    assert store.record_verdict(later)
    assert store.verdicts() == {"a1": later, "a2": verdict("a2", "seen")}
    assert store.verdicts(["a1", "a3", "nope"]) == {"a1": later}
    assert store.verdicts([]) == {}
    judged = store.judged_alerts()
    assert [(a.alert_id, v.verdict) for a, v in judged] == [("a1", "confirmed"), ("a2", "seen")]
    assert judged[0][0] == alert("a1")
    history = pg.query(
        location, "SELECT verdict, reason, note, judged_by FROM verdicts ORDER BY id"
    )
    assert history == [
        ("dismissed", "wrong-figure", "the 2,030 are the first wave", "ana"),
        ("seen", None, None, "ana"),
        ("confirmed", None, None, "bo"),
    ]


def test_the_last_written_counts_whatever_time_it_carries(store: Store) -> None:
    store.add_alerts([alert("a1")], [])
    store.record_verdict(verdict("a1", "confirmed", minutes=10))
    store.record_verdict(verdict("a1", "dismissed", minutes=0))  # a clock behind: still latest
    assert store.verdicts()["a1"].verdict == "dismissed"


def test_a_verdict_on_an_unknown_alert_writes_nothing(store: Store, location: Path | str) -> None:
    store.add_alerts([alert("a1")], [])
    assert store.record_verdict(verdict("zz")) is False
    assert store.record_verdicts([verdict("a1"), verdict("zz"), verdict("yy")]) == ["zz", "yy"]
    assert store.verdicts() == {}
    assert pg.query(location, "SELECT count(*) FROM verdicts") == [(0,)]
    assert store.record_verdicts([verdict("a1"), verdict("a1", "seen", minutes=1)]) == []
    assert store.verdicts()["a1"].verdict == "seen"


def test_alert_ids_by_prefix(store: Store) -> None:
    store.add_alerts([alert("80476602c9"), alert("8047aa0000"), alert("9000000000")], [])
    assert store.alert_ids_starting("8047") == ["80476602c9", "8047aa0000"]
    assert store.alert_ids_starting("80476") == ["80476602c9"]
    assert store.alert_ids_starting("9000000000") == ["9000000000"]
    assert store.alert_ids_starting("7") == []
    assert store.alert_ids_starting("8", limit=5) == ["80476602c9", "8047aa0000"]


def test_claim_states_latest_per_claim(store: Store, location: Path | str) -> None:
    assert store.claim_states() == {}
    store.record_claim_state(state("c1", "muted"))
    store.record_claim_state(state("c2", "closed", note="resolved: the bridge reopened"))
    store.record_claim_state(state("c1", "open", minutes=3))
    states = store.claim_states()
    assert states == {
        ("b", "c1"): state("c1", "open", minutes=3),
        ("b", "c2"): state("c2", "closed", note="resolved: the bridge reopened"),
    }
    assert pg.query(location, "SELECT count(*) FROM claim_states") == [(3,)]


def test_a_held_claim_keeps_its_alerts_but_gets_no_deliveries(store: Store) -> None:
    store.record_claim_state(state("muted", "muted"))
    store.record_claim_state(state("closed", "closed", note="done"))
    store.record_claim_state(state("reopened", "muted"))
    store.record_claim_state(state("reopened", "open", minutes=1))
    item = Entry("f", "e1", "https://example.org/e1", "Title", NOW, "")
    batch = [alert("m", "muted"), alert("c", "closed"), alert("r", "reopened"), alert("o", "c9")]
    added = store.commit_entry(item, "h", batch, ["log", "mail"], NOW)
    assert {a.alert_id for a in added} == {"m", "c", "r", "o"}
    assert {a.alert_id for a in store.all_alerts()} == {"m", "c", "r", "o"}
    due = {(d.alert.alert_id, d.sink) for d in store.due_deliveries(["log", "mail"], NOW)}
    assert due == {("r", "log"), ("r", "mail"), ("o", "log"), ("o", "mail")}
    assert store.known_facts([("b", "muted", "contradiction")]) == {
        ("b", "muted", "contradiction", "fact:m")
    }  # a muted claim's facts still count for novelty
    store.add_alerts([alert("m2", "muted")], ["log"])  # the other way alerts are stored
    assert "m2" not in {d.alert.alert_id for d in store.due_deliveries(["log"], NOW)}


def test_an_alert_held_back_is_stored_with_its_verdict_and_no_deliveries(store: Store) -> None:
    item = Entry("f", "e1", "https://example.org/e1", "Title", NOW, "")
    held = verdict("h", by="claimwatch", note="repeats the figure")
    added = store.commit_entry(item, "h1", [alert("h"), alert("k")], ["log"], NOW, held=[held])
    assert {a.alert_id for a in added} == {"h", "k"}
    assert [d.alert.alert_id for d in store.due_deliveries(["log"], NOW)] == ["k"]
    assert store.verdicts() == {"h": held}
    store.record_verdict(verdict("k", "seen"))
    assert (store.count_verdicts(), store.count_verdicts(not_by="claimwatch")) == (2, 1)
    # processed again (its text changed): stored before, so neither stored nor judged again
    again = store.commit_entry(item, "h2", [alert("h")], ["log"], NOW, held=[held])
    assert again == [] and store.count_verdicts() == 2


def test_verdicts_survive_a_restart(location: Path | str) -> None:
    store = open_store(location)
    store.add_alerts([alert("a1")], ["log"])
    store.record_verdict(verdict("a1", reason="restatement"))
    store.record_claim_state(state("c1", "closed", note="resolved"))
    store.close()
    again = open_store(location)
    try:
        assert again.verdicts() == {"a1": verdict("a1", reason="restatement")}
        assert again.claim_states()[("b", "c1")].note == "resolved"
    finally:
        again.close()


# ---- migrating a state of the previous version -------------------------------------------


OLD_COLUMNS = ALERT_COLUMNS.removesuffix(", why")  # the alerts of schema 5 (why: schema 7)
OLD_INSERTS = (
    f"INSERT INTO alerts ({OLD_COLUMNS}) VALUES ({', '.join(['?'] * 18)})",
    "INSERT INTO deliveries (alert_id, sink, state, attempts) VALUES (?, 'log', 'pending', 0)",
)


def old_rows(item: Alert) -> tuple[tuple[object, ...], tuple[object, ...]]:
    """An alert and its delivery as the previous version wrote them."""
    alert_row = (
        item.alert_id, item.kind, item.baseline_id, item.claim_id, item.article_url,
        item.article_title, item.feed, item.entry_id, encode_time(item.published), item.evidence,
        item.reason, encode_time(item.detected_at), 1, item.value, item.fact, item.score, None,
        None,
    )  # fmt: skip
    return alert_row, (item.alert_id,)


def previous_version(location: Path | str, alerts: list[Alert]) -> None:
    """A state as the previous claimwatch left it (schema 5, as shipped), holding ``alerts``."""
    if isinstance(location, Path):
        scripts = shipped_migrations.SQLITE
        with closing(sqlite3.connect(location, isolation_level=None)) as db:
            db.execute("BEGIN")
            for script in scripts:
                for statement in statements(script):
                    db.execute(statement)
            for item in alerts:
                for sql, row in zip(OLD_INSERTS, old_rows(item), strict=True):
                    db.execute(sql, row)
            db.execute(f"PRAGMA user_version = {len(scripts)}")
            db.execute("COMMIT")
        return
    import psycopg

    scripts = shipped_migrations.POSTGRESQL
    with psycopg.connect(location, autocommit=True) as pgdb, pgdb.transaction():
        pgdb.execute(b"CREATE TABLE schema_version (version INTEGER NOT NULL)")
        for script in scripts:
            pgdb.execute(script.encode())
        for item in alerts:
            for sql, row in zip(OLD_INSERTS, old_rows(item), strict=True):
                pgdb.execute(sql.replace("?", "%s").encode(), row)
        pgdb.execute(b"INSERT INTO schema_version (version) VALUES (%s)", (len(scripts),))


def test_a_previous_state_is_migrated_with_its_alerts(location: Path | str) -> None:
    assert len(shipped_migrations.SQLITE) == 5  # the version before verdicts (schema 6)
    previous_version(location, [alert("a1"), alert("a2", "c2")])
    store = open_store(location)
    try:
        assert store.migrated_from == 5
        assert [a.alert_id for a in store.all_alerts()] == ["a1", "a2"]
        assert {d.alert.alert_id for d in store.due_deliveries(["log"], NOW)} == {"a1", "a2"}
        assert store.record_verdict(verdict("a2", "confirmed"))
        store.record_claim_state(state("c1", "muted"))
    finally:
        store.close()
    again = open_store(location)
    try:
        assert again.migrated_from == LATEST
        assert again.verdicts() == {"a2": verdict("a2", "confirmed")}
        assert [a.alert_id for a, _ in again.judged_alerts()] == ["a2"]
        assert again.claim_states()[("b", "c1")].state == "muted"
    finally:
        again.close()
