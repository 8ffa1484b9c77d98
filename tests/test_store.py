"""The store on both engines (a real SQLite file, a real PostgreSQL database): migrations,
one transaction per entry, reprocessing rules."""

from __future__ import annotations

import dataclasses
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from claimwatch.alerts import Alert
from claimwatch.entries import Entry
from claimwatch.errors import StateError
from claimwatch.feeds import FeedState
from claimwatch.store import Store, open_store
from claimwatch.store.migrations import LATEST, MIGRATIONS, pending_migrations
from claimwatch.store.rows import decode_time, encode_time
from tests import pg

NOW = datetime(2022, 1, 20, 12, 0, tzinfo=UTC)
SINKS = ("log", "mail")


@pytest.fixture(params=pg.ENGINES)
def location(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Path | str]:
    """A SQLite file in a folder still to be made, or a fresh PostgreSQL database."""
    with pg.state_location(str(request.param), tmp_path / "state") as where:
        yield where


@pytest.fixture
def store(location: Path | str) -> Iterator[Store]:
    opened = open_store(location)
    yield opened
    opened.close()


def entry(entry_id: str = "e1", feed: str = "f") -> Entry:
    return Entry(feed, entry_id, f"https://example.org/{entry_id}", "Title", NOW, "Summary.")


def alert(
    alert_id: str = "a1",
    *,
    entry_id: str = "e1",
    fact: str = "value:1",
    kind: str = "follow_up",
    claim: str = "c1",
) -> Alert:
    return Alert(
        alert_id=alert_id,
        kind=kind,  # type: ignore[arg-type]
        baseline_id="b",
        claim_id=claim,
        article_url=f"https://example.org/{entry_id}",
        article_title="Title",
        feed="f",
        entry_id=entry_id,
        published=NOW - timedelta(hours=1),
        evidence="Evidence.",
        reason="Reason.",
        detected_at=NOW,
        novel=True,
        value=1.0,
        fact=fact,
        score=0.5,
    )


def table(path: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(path) as db:
        return db.execute(sql).fetchall()


# ---- opening and migrations ----------------------------------------------------------------


def test_open_creates_folders_wal_and_schema(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "er" / "state.db"
    open_store(path).close()
    assert path.exists()
    assert table(path, "PRAGMA journal_mode") == [("wal",)]
    assert table(path, "PRAGMA user_version") == [(LATEST,)]
    names = {row[0] for row in table(path, "SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"feeds", "entries", "alerts", "claim_facts", "deliveries"} <= names


def test_reopen_keeps_data_and_version(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    first = open_store(path)
    first.commit_entry(entry(), "h1", [alert()], SINKS, NOW)
    first.close()
    second = open_store(path)
    try:
        assert second.processed_hashes("f", ["e1"]) == {"e1": "h1"}
    finally:
        second.close()
    assert table(path, "PRAGMA user_version") == [(LATEST,)]


def test_refuses_a_database_from_a_newer_claimwatch(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    open_store(path).close()
    with sqlite3.connect(path) as db:
        db.execute(f"PRAGMA user_version = {LATEST + 1}")
    with pytest.raises(StateError) as caught:
        open_store(path)
    assert str(path) in str(caught.value) and "newer" in str(caught.value)


def test_unopenable_path_is_a_state_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(StateError):
        open_store(blocker / "state.db")


def test_not_a_database_is_a_state_error(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StateError):
        open_store(path)


@pytest.mark.parametrize(
    ("current", "available", "expected"),
    [(0, 1, [1]), (1, 1, []), (0, 3, [1, 2, 3]), (2, 3, [3])],
)
def test_pending_migrations(current: int, available: int, expected: list[int]) -> None:
    assert list(pending_migrations(current, available)) == expected


def test_pending_migrations_refuses_newer() -> None:
    with pytest.raises(ValueError, match="newer"):
        pending_migrations(LATEST + 1)


def test_latest_is_the_number_of_migrations() -> None:
    assert LATEST == len(MIGRATIONS) >= 1


@pytest.mark.parametrize(
    "moment",
    [NOW, datetime(2022, 1, 1, 6, 0, tzinfo=UTC) + timedelta(microseconds=5), None],
)
def test_time_round_trip(moment: datetime | None) -> None:
    assert decode_time(encode_time(moment)) == moment


def test_times_are_stored_in_one_fixed_width_form() -> None:
    assert encode_time(datetime(2022, 1, 9, 6, 0, tzinfo=UTC)) == "2022-01-09T06:00:00.000000+00:00"
    assert encode_time(datetime(2022, 1, 9, 6, 0)) == "2022-01-09T06:00:00.000000+00:00"
    plus_six = timezone(timedelta(hours=6))
    assert encode_time(datetime(2022, 1, 9, 12, 0, 7, 5, tzinfo=plus_six)) == (
        "2022-01-09T06:00:07.000005+00:00"
    )


def test_encoded_times_sort_as_text() -> None:
    early, late = NOW, NOW + timedelta(microseconds=1)
    assert str(encode_time(early)) < str(encode_time(late))


# ---- feeds ---------------------------------------------------------------------------------


def test_unknown_feed_has_a_fresh_state(store: Store) -> None:
    assert store.feed_state("f", "https://example.org/feed") == FeedState(
        "https://example.org/feed"
    )


def test_feed_state_round_trip(store: Store) -> None:
    state = FeedState(
        url="https://example.org/moved",
        etag='"v1"',
        last_modified="Mon, 10 Jan 2022 00:00:00 GMT",
        consecutive_failures=2,
        last_success=NOW,
        last_error="HTTP 500",
        next_attempt=NOW + timedelta(minutes=15),
        disabled_reason=None,
        redirect_target="https://example.org/next",
        redirect_count=1,
    )
    store.save_feed_state("f", "https://example.org/feed", state)
    assert store.feed_state("f", "https://example.org/feed") == state


def test_a_new_configured_url_starts_afresh(store: Store) -> None:
    gone = FeedState("https://example.org/feed", disabled_reason="HTTP 410 Gone")
    store.save_feed_state("f", "https://example.org/feed", gone)
    assert store.feed_state("f", "https://example.org/new") == FeedState("https://example.org/new")


# ---- entries: one transaction each ---------------------------------------------------------


def test_commit_entry_writes_entry_alerts_facts_and_deliveries(store: Store) -> None:
    added = store.commit_entry(
        entry(), "h1", [alert("a1"), alert("a2", fact="value:2")], SINKS, NOW
    )
    assert [a.alert_id for a in added] == ["a1", "a2"]
    assert store.processed_hashes("f", ["e1"]) == {"e1": "h1"}
    assert store.counts() == {
        "feeds": 0,
        "entries": 1,
        "alerts": 2,
        "claim_facts": 2,
        "deliveries": 4,
    }
    assert store.known_facts([("b", "c1", "follow_up")]) == {
        ("b", "c1", "follow_up", "value:1"),
        ("b", "c1", "follow_up", "value:2"),
    }


def test_failed_commit_writes_nothing(store: Store) -> None:
    broken = dataclasses.replace(alert("a2"), kind="not-a-kind")  # type: ignore[arg-type]
    with pytest.raises(StateError):
        store.commit_entry(entry(), "h1", [alert("a1"), broken], SINKS, NOW)
    assert store.processed_hashes("f", ["e1"]) == {}
    assert store.counts() == {
        "feeds": 0,
        "entries": 0,
        "alerts": 0,
        "claim_facts": 0,
        "deliveries": 0,
    }


def test_an_alert_id_is_stored_once(store: Store) -> None:
    store.commit_entry(entry(), "h1", [alert("a1")], SINKS, NOW)
    again = store.commit_entry(entry(), "h2", [alert("a1", fact="value:9")], SINKS, NOW)
    assert again == []
    assert store.counts()["deliveries"] == len(SINKS)
    assert store.known_facts([("b", "c1", "follow_up")]) == {("b", "c1", "follow_up", "value:1")}
    assert store.processed_hashes("f", ["e1"]) == {"e1": "h2"}


def test_seen_but_not_processed_is_not_skipped(store: Store) -> None:
    store.mark_seen([(entry("e1"), "h1"), (entry("e2"), "h2")], NOW)
    assert store.processed_hashes("f", ["e1", "e2"]) == {}  # e.g. crashed mid-cycle
    store.commit_entry(entry("e1"), "h1", [], SINKS, NOW)
    assert store.processed_hashes("f", ["e1", "e2"]) == {"e1": "h1"}


def test_entries_without_alerts_are_marked_processed_together(store: Store) -> None:
    store.mark_seen([(entry("e1"), "h1"), (entry("e2"), "h2"), (entry("e3"), "h3")], NOW)
    store.mark_processed([(entry("e2"), "h2"), (entry("e1"), "h1")], NOW)
    store.mark_processed([], NOW)
    assert store.processed_hashes("f", ["e1", "e2", "e3"]) == {"e1": "h1", "e2": "h2"}
    store.mark_processed([(entry("e4"), "h4")], NOW)  # never marked seen: inserted
    assert store.processed_hashes("f", ["e4"]) == {"e4": "h4"}
    assert store.counts()["alerts"] == 0


def test_marking_a_processed_entry_seen_again_keeps_it_processed(store: Store) -> None:
    store.commit_entry(entry(), "h1", [], SINKS, NOW)
    store.mark_seen([(entry(), "h1")], NOW + timedelta(hours=1))
    assert store.processed_hashes("f", ["e1"]) == {"e1": "h1"}


def test_a_changed_entry_becomes_unprocessed_until_committed(store: Store) -> None:
    store.commit_entry(entry(), "h1", [], SINKS, NOW)
    store.mark_seen([(entry(), "h2")], NOW + timedelta(hours=1))
    assert store.processed_hashes("f", ["e1"]) == {}
    store.commit_entry(entry(), "h2", [], SINKS, NOW + timedelta(hours=1))
    assert store.processed_hashes("f", ["e1"]) == {"e1": "h2"}


def test_entries_are_per_feed(store: Store) -> None:
    store.commit_entry(entry("e1", feed="f"), "h1", [], SINKS, NOW)
    assert store.processed_hashes("g", ["e1"]) == {}


def test_processed_hashes_of_many_ids(store: Store) -> None:
    for number in range(1200):
        store.commit_entry(entry(f"e{number}"), f"h{number}", [], (), NOW)
    found = store.processed_hashes("f", [f"e{n}" for n in range(0, 1300, 2)])
    assert len(found) == 600 and found["e1198"] == "h1198"


def test_first_seen_is_kept(store: Store, location: Path | str) -> None:
    store.mark_seen([(entry(), "h1")], NOW)
    store.commit_entry(entry(), "h1", [], SINKS, NOW + timedelta(hours=2))
    rows = pg.query(location, "SELECT first_seen, processed_at FROM entries")
    assert rows == [(encode_time(NOW), encode_time(NOW + timedelta(hours=2)))]


# ---- deliveries ----------------------------------------------------------------------------


def test_due_deliveries_per_sink(store: Store) -> None:
    store.commit_entry(entry(), "h1", [alert("a1"), alert("a2", fact="value:2")], SINKS, NOW)
    due = store.due_deliveries(["log"], NOW)
    assert [(d.alert.alert_id, d.sink, d.attempts) for d in due] == [
        ("a1", "log", 0),
        ("a2", "log", 0),
    ]
    assert due[0].alert == alert("a1")
    assert store.due_deliveries([], NOW) == []


def test_delivery_states(store: Store) -> None:
    store.commit_entry(entry(), "h1", [alert("a1")], SINKS, NOW)
    later = NOW + timedelta(minutes=5)
    store.record_failed("a1", "log", "disk full", later)
    store.record_refused("a1", "mail", "mailbox unknown")
    assert store.due_deliveries(SINKS, NOW) == []
    (retry,) = store.due_deliveries(SINKS, later)
    assert (retry.sink, retry.attempts) == ("log", 1)
    store.record_delivered("a1", "log", later)
    assert store.due_deliveries(SINKS, later + timedelta(days=1)) == []
    (status,) = store.recent_alerts(10)
    states = {d.sink: (d.state, d.attempts, d.last_error) for d in status.deliveries}
    assert states == {"log": ("delivered", 2, None), "mail": ("refused", 1, "mailbox unknown")}


def test_recent_alerts_newest_first(store: Store) -> None:
    store.commit_entry(entry("e1"), "h1", [alert("a1", entry_id="e1")], SINKS, NOW)
    store.commit_entry(entry("e2"), "h2", [alert("a2", entry_id="e2", fact="x")], SINKS, NOW)
    assert [s.alert.alert_id for s in store.recent_alerts(10)] == ["a2", "a1"]
    assert [s.alert.alert_id for s in store.recent_alerts(1)] == ["a2"]


def test_a_second_connection_reads_while_the_first_is_open(
    store: Store, location: Path | str
) -> None:
    store.commit_entry(entry(), "h1", [alert()], SINKS, NOW)
    reader = open_store(location)
    try:
        assert [s.alert.alert_id for s in reader.recent_alerts(5)] == ["a1"]
    finally:
        reader.close()


def test_all_alerts_oldest_first_and_delivery_counts(store: Store) -> None:
    store.commit_entry(entry("e1"), "h1", [alert("a1", entry_id="e1")], SINKS, NOW)
    store.commit_entry(entry("e2"), "h2", [alert("a2", entry_id="e2", fact="x")], SINKS, NOW)
    store.record_delivered("a1", "log", NOW)
    assert [a.alert_id for a in store.all_alerts()] == ["a1", "a2"]
    counts = store.delivery_counts()
    assert counts[("log", "delivered")] == 1 and counts[("log", "pending")] == 1
    assert sum(counts.values()) == 2 * len(SINKS)
