"""Delivery state for the email and Apprise sinks: migration 2, skipped, digests, --retry
(on both engines)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from claimwatch.alerts import Alert
from claimwatch.entries import Entry
from claimwatch.outbox import digests, period_start
from claimwatch.store import Delivery, DeliveryUpdate, Store, open_store
from claimwatch.store.migrations import LATEST, MIGRATIONS
from tests import pg

NOON = datetime(2022, 1, 20, 12, 0, tzinfo=UTC)


def alert(alert_id: str, detected_at: datetime = NOON, **extra: object) -> Alert:
    return Alert(
        alert_id, "follow_up", "b", "c", None, "T", "f", alert_id, None, "Evidence 42.", "R.",
        detected_at, True, None, alert_id, 0.5, **extra,  # type: ignore[arg-type]
    )  # fmt: skip


@pytest.fixture(params=pg.ENGINES)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    with pg.state_location(str(request.param), tmp_path) as location:
        opened = open_store(location)
        yield opened
        opened.close()


def add(store: Store, *alerts: Alert, sinks: tuple[str, ...] = ("email",)) -> None:
    for item in alerts:
        entry = Entry("f", item.alert_id, None, "T", None, "")
        store.commit_entry(entry, "h", [item], sinks, item.detected_at)


def state_of(store: Store, alert_id: str) -> tuple[str, int]:
    (status,) = [s for s in store.recent_alerts(100) if s.alert.alert_id == alert_id]
    return status.deliveries[0].state, status.deliveries[0].attempts


def test_migration_2_keeps_the_deliveries_of_a_version_1_database(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as db:
        db.executescript(MIGRATIONS[0] + "\nPRAGMA user_version = 1;")
        db.execute(
            "INSERT INTO alerts VALUES ('a1', 'follow_up', 'b', 'c', NULL, 'T', 'f', 'e', NULL, "
            "'E.', 'R.', '2022-01-20T12:00:00.000000+00:00', 1, NULL, 'x', 0.5)"
        )
        db.execute(
            "INSERT INTO deliveries VALUES ('a1', 'log', 'failed', 2, "
            "'2022-01-20T13:00:00.000000+00:00', 'disk full', NULL)"
        )
    db.close()
    store = open_store(path)
    try:
        (status,) = store.recent_alerts(5)
        assert status.alert.highlight is None
        (delivery,) = status.deliveries
        assert (delivery.state, delivery.attempts, delivery.last_error) == (
            "failed",
            2,
            "disk full",
        )
        store.record(["a1"], "log", DeliveryUpdate("skipped", at=NOON))  # the new state is allowed
        assert state_of(store, "a1") == ("skipped", 2)
    finally:
        store.close()
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone() == (LATEST,)
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    db.close()


def test_the_highlight_span_is_stored(store: Store) -> None:
    add(store, alert("a1", highlight=(9, 11)), alert("a2"))
    spans = {s.alert.alert_id: s.alert.highlight for s in store.recent_alerts(5)}
    assert spans == {"a1": (9, 11), "a2": None}
    (due,) = store.due_deliveries(["email"], NOON, 1)
    assert due.alert.highlight == (9, 11)


def test_skipped_counts_no_attempt_and_is_not_due_again(store: Store) -> None:
    add(store, alert("a1"))
    store.record(["a1"], "email", DeliveryUpdate("skipped", at=NOON))
    assert state_of(store, "a1") == ("skipped", 0)
    assert store.due_deliveries(["email"], NOON + timedelta(days=9)) == []


def test_requeue_failed_makes_failed_and_refused_due_now(store: Store) -> None:
    add(store, alert("a1"), alert("a2"), alert("a3"), alert("a4"))
    later = NOON + timedelta(hours=1)
    store.record_failed("a1", "email", "451 busy", later)
    store.record_refused("a2", "email", "550 no such user")
    store.record_delivered("a3", "email", NOON)
    assert [d.alert.alert_id for d in store.due_deliveries(["email"], NOON)] == ["a4"]
    assert store.requeue_failed() == 2
    assert [d.alert.alert_id for d in store.due_deliveries(["email"], NOON)] == ["a1", "a2", "a4"]
    assert state_of(store, "a1") == ("pending", 0) and state_of(store, "a3") == ("delivered", 1)


def test_due_digest_takes_finished_periods_and_due_retries_only(store: Store) -> None:
    add(store, alert("a1", NOON + timedelta(minutes=5)), alert("a2", NOON + timedelta(minutes=65)))
    add(store, alert("a3", NOON + timedelta(minutes=10)))
    store.record_failed("a3", "email", "421", NOON + timedelta(hours=3))
    now = NOON + timedelta(minutes=70)
    due = store.due_digest("email", period_start(now, 3600), now)
    assert [d.alert.alert_id for d in due] == ["a1"]
    later = NOON + timedelta(hours=3)
    due = store.due_digest("email", period_start(later, 3600), later)
    assert [d.alert.alert_id for d in due] == ["a1", "a3", "a2"]


@pytest.mark.parametrize(
    ("moment", "period", "start"),
    [
        (
            datetime(2022, 1, 20, 12, 59, 59, tzinfo=UTC),
            3600,
            datetime(2022, 1, 20, 12, tzinfo=UTC),
        ),
        (datetime(2022, 1, 20, 13, 0, 0, tzinfo=UTC), 3600, datetime(2022, 1, 20, 13, tzinfo=UTC)),
        (datetime(2022, 1, 20, 23, 30, tzinfo=UTC), 86400, datetime(2022, 1, 20, tzinfo=UTC)),
        (datetime(2022, 1, 20, 0, 20, tzinfo=UTC), 900, datetime(2022, 1, 20, 0, 15, tzinfo=UTC)),
    ],
)
def test_period_start_is_aligned_to_the_epoch_in_utc(
    moment: datetime, period: float, start: datetime
) -> None:
    assert period_start(moment, period) == start


def test_digests_group_deliveries_by_period_oldest_first() -> None:
    late = Delivery(alert("a2", NOON + timedelta(minutes=70)), "email", 0)
    early = [
        Delivery(alert(i, NOON + timedelta(minutes=m)), "email", 0)
        for i, m in (("a1", 5), ("a3", 59))
    ]
    grouped = digests([late, *early], 3600)
    assert [(d.start, [a.alert_id for a in d.alerts]) for d, _ in grouped] == [
        (NOON, ["a1", "a3"]),
        (NOON + timedelta(hours=1), ["a2"]),
    ]
    assert grouped[0][0].end == NOON + timedelta(hours=1)
