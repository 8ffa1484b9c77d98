"""Attempts of unknown outcome, on both engines: recorded before the sink is called, held after
a process died mid-send, sent again once the hold is over, and refused after the retries.

A process dying while its sink sends is a ``Killed`` raised from the sink: a BaseException,
so nothing in the outbox records an outcome, as when the process is gone. A new Outbox on the
same database is the restarted process."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from claimwatch.alerts import Alert
from claimwatch.entries import Entry
from claimwatch.outbox import DrainReport, Outbox
from claimwatch.sinks import Digest, Sink
from claimwatch.store import Store, open_store
from tests import pg

START = datetime(2022, 1, 20, 12, 0, tzinfo=UTC)
HOLD = 600.0


class Killed(BaseException):
    """The process died while the sink was sending."""


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


class DyingSink:
    """Every alert arrives; the process dies ``dies`` times before the outcome is recorded."""

    digest_period = 0.0

    def __init__(self, dies: int = 0, store: Store | None = None) -> None:
        self.dies = dies
        self.received: list[str] = []
        self.store = store
        self.doubts_seen: list[int] = []

    async def deliver(self, alert: Alert) -> None:
        if self.store is not None:  # what a crash right now would leave
            self.doubts_seen.append(len(self.store.in_doubt(START + timedelta(days=1))))
        self.received.append(alert.alert_id)
        if self.dies:
            self.dies -= 1
            raise Killed

    async def deliver_digest(self, digest: Digest) -> None:
        for alert in digest.alerts:
            await self.deliver(alert)

    async def aclose(self) -> None:
        return None


def alert(alert_id: str) -> Alert:
    return Alert(
        alert_id, "follow_up", "b", "c", None, "T", "f", alert_id, None, "E.", "R.", START,
        True, None, alert_id, 0.5,
    )  # fmt: skip


@pytest.fixture(params=pg.ENGINES)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    with pg.state_location(str(request.param), tmp_path) as location:
        opened = open_store(location)
        yield opened
        opened.close()


def add(store: Store, sinks: dict[str, Sink], *ids: str) -> None:
    for alert_id in ids:
        entry = Entry("f", alert_id, None, "T", None, "")
        store.commit_entry(entry, "h", [alert(alert_id)], list(sinks), START)


def is_sqlite(store: Store) -> bool:
    return store.location.endswith(".db")


def outbox(store: Store, sink: DyingSink, clock: Clock, retries: int = 2) -> Outbox:
    """A (restarted) process's outbox; on PostgreSQL it claims, as daemons there do."""
    owner = "" if is_sqlite(store) else f"daemon-{id(sink)}-{clock.now}"
    return Outbox(store, {"mail": sink}, clock=clock, hold=HOLD, retries=retries, owner=owner)


async def test_the_attempt_is_recorded_before_the_sink_is_called(store: Store) -> None:
    sink = DyingSink(store=store)
    add(store, {"mail": sink}, "a1", "a2")
    assert await outbox(store, sink, Clock()).drain() == DrainReport(delivered=2)
    assert sink.doubts_seen == [1, 1]  # each in doubt while it was being sent, then recorded
    assert store.in_doubt(START + timedelta(days=1)) == []


async def test_an_unknown_outcome_is_held_then_sent_once_more(
    store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    clock, sink = Clock(), DyingSink(dies=1)
    add(store, {"mail": sink}, "a1", "a2")
    with pytest.raises(Killed):
        await outbox(store, sink, clock).drain()
    assert sink.received == ["a1"]
    with caplog.at_level(logging.INFO, logger="claimwatch"):
        for _ in range(5):  # restarts within the hold: the other alert only, a1 is held
            clock.now += timedelta(seconds=HOLD / 10)
            await outbox(store, sink, clock).drain()
    assert sink.received == ["a1", "a2"]
    (doubt,) = store.in_doubt(clock.now)
    assert (doubt.alert_id, doubt.sending_since, doubt.unknown_outcomes) == ("a1", START, 0)
    assert doubt.next_attempt == START + timedelta(seconds=HOLD)
    told = [r.claimwatch_fields for r in caplog.records if r.getMessage() == "alert.delivery"]  # type: ignore[attr-defined]
    unknown = [fields for fields in told if fields["status"] == "unknown"]
    # Each restart says so at its first drain (on PostgreSQL once the dead daemon's claim ran
    # out: until then it might be sending still).
    assert len(unknown) == (5 if is_sqlite(store) else 1)
    assert unknown[0]["alert_id"] == "a1" and "no outcome was recorded" in unknown[0]["error"]

    clock.now = START + timedelta(seconds=HOLD)
    with caplog.at_level(logging.INFO, logger="claimwatch"):
        assert await outbox(store, sink, clock).drain() == DrainReport(delivered=1)
    assert sink.received == ["a1", "a2", "a1"]  # one more send, after the hold
    assert any(
        r.claimwatch_fields.get("status") == "retry_unknown"  # type: ignore[attr-defined]
        for r in caplog.records
    )
    assert store.in_doubt(clock.now) == []
    clock.now += timedelta(days=1)
    assert await outbox(store, sink, clock).drain() == DrainReport()


async def test_unknown_outcomes_are_retried_at_most_retries_times(store: Store) -> None:
    clock, sink = Clock(), DyingSink(dies=99)
    add(store, {"mail": sink}, "a1")
    for _ in range(3):  # the first send, then two retries, each dying
        with pytest.raises(Killed):
            await outbox(store, sink, clock, retries=2).drain()
        clock.now += timedelta(seconds=HOLD)
    assert sink.received == ["a1"] * 3
    assert await outbox(store, sink, clock, retries=2).drain() == DrainReport(refused=1)
    assert sink.received == ["a1"] * 3  # given up, not sent a fourth time
    (status,) = store.recent_alerts(1)
    (delivery,) = status.deliveries
    assert delivery.state == "refused"
    assert delivery.last_error is not None and "outcome unknown after 3 attempts" in (
        delivery.last_error
    )
    assert store.requeue_failed() == 1  # alerts --retry: sent once more on purpose
    assert store.in_doubt(clock.now) == []


async def test_a_digest_of_unknown_outcome_is_held_as_a_whole(store: Store) -> None:
    clock, sink = Clock(), DyingSink(dies=1)
    sink.digest_period = 3600.0
    add(store, {"mail": sink}, "a1", "a2")
    clock.now = START + timedelta(hours=1)
    with pytest.raises(Killed):
        await outbox(store, sink, clock).drain()
    later = clock.now + timedelta(seconds=HOLD)  # on PostgreSQL, after the claims ran out
    assert {d.alert_id for d in store.in_doubt(later)} == {"a1", "a2"}
    assert await outbox(store, sink, clock).drain() == DrainReport()
    clock.now += timedelta(seconds=HOLD)
    assert await outbox(store, sink, clock).drain() == DrainReport(delivered=2)
    assert sorted(sink.received) == ["a1", "a1", "a2"]  # the dying send took the first only
