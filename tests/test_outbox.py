"""The outbox on a real store with hand-written fake sinks: per-sink state, retries, refusals."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from claimwatch.alerts import Alert
from claimwatch.entries import Entry
from claimwatch.outbox import RETRY_BASE, RETRY_CAP, DrainReport, Outbox, retry_delay
from claimwatch.sinks import DeliveryError, Sink
from claimwatch.sinks.jsonl import JsonlSink
from claimwatch.store import Store, open_store

START = datetime(2022, 1, 20, 12, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


class RecordingSink:
    """Fails ``failures`` times (transiently or permanently), then records deliveries."""

    def __init__(self, failures: int = 0, *, permanent: bool = False, bug: bool = False) -> None:
        self.failures = failures
        self.permanent = permanent
        self.bug = bug
        self.delivered: list[str] = []
        self.calls = 0

    async def deliver(self, alert: Alert) -> None:
        self.calls += 1
        if self.failures > 0:
            self.failures -= 1
            if self.bug:
                raise RuntimeError("sink bug")
            raise DeliveryError("down", sink="fake", permanent=self.permanent)
        self.delivered.append(alert.alert_id)

    async def aclose(self) -> None:
        return None


def alert(alert_id: str) -> Alert:
    return Alert(
        alert_id,
        "follow_up",
        "b",
        "c",
        None,
        "T",
        "f",
        alert_id,
        None,
        "E.",
        "R.",
        START,
        True,
        None,
        alert_id,
        0.5,
    )


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = open_store(tmp_path / "state.db")
    yield opened
    opened.close()


def add(store: Store, sinks: dict[str, Sink], *ids: str) -> None:
    for alert_id in ids:
        entry = Entry("f", alert_id, None, "T", None, "")
        store.commit_entry(entry, "h", [alert(alert_id)], list(sinks), START)


@pytest.mark.parametrize(
    ("attempts", "seconds"),
    [(1, RETRY_BASE), (2, 2 * RETRY_BASE), (3, 4 * RETRY_BASE), (50, RETRY_CAP), (0, RETRY_BASE)],
)
def test_retry_delay_doubles_and_caps(attempts: int, seconds: float) -> None:
    assert retry_delay(attempts) == seconds


async def test_delivers_to_every_sink_once(store: Store) -> None:
    one, two = RecordingSink(), RecordingSink()
    sinks: dict[str, Sink] = {"one": one, "two": two}
    add(store, sinks, "a1", "a2")
    outbox = Outbox(store, sinks, clock=Clock())
    assert await outbox.drain() == DrainReport(delivered=4)
    assert one.delivered == two.delivered == ["a1", "a2"]
    assert await outbox.drain() == DrainReport()
    assert one.calls == 2


async def test_a_failing_sink_does_not_block_another(store: Store) -> None:
    down, up = RecordingSink(failures=99), RecordingSink()
    sinks: dict[str, Sink] = {"down": down, "up": up}
    add(store, sinks, "a1", "a2", "a3")
    report = await Outbox(store, sinks, clock=Clock()).drain()
    assert up.delivered == ["a1", "a2", "a3"]
    assert down.calls == 1  # halted at its first failure for this drain
    assert report == DrainReport(delivered=3, failed=1)


async def test_failures_back_off_and_retry_until_delivered(store: Store) -> None:
    clock, flaky = Clock(), RecordingSink(failures=2)
    sinks: dict[str, Sink] = {"flaky": flaky}
    add(store, sinks, "a1")
    outbox = Outbox(store, sinks, clock=clock)
    assert (await outbox.drain()).failed == 1
    clock.advance(RETRY_BASE - 1)
    assert await outbox.drain() == DrainReport()  # not yet due
    clock.advance(1)
    assert (await outbox.drain()).failed == 1  # second failure: next wait doubles
    clock.advance(2 * RETRY_BASE - 1)
    assert await outbox.drain() == DrainReport()
    clock.advance(1)
    assert (await outbox.drain()).delivered == 1
    (status,) = store.recent_alerts(1)
    assert [(d.state, d.attempts) for d in status.deliveries] == [("delivered", 3)]


async def test_backoff_survives_a_restart(tmp_path: Path) -> None:
    path, clock = tmp_path / "state.db", Clock()
    first = open_store(path)
    sinks: dict[str, Sink] = {"log": RecordingSink(failures=1)}
    add(first, sinks, "a1")
    await Outbox(first, sinks, clock=clock).drain()
    first.close()
    second = open_store(path)
    try:
        again = RecordingSink()
        outbox = Outbox(second, {"log": again}, clock=clock)
        assert await outbox.drain() == DrainReport()
        clock.advance(RETRY_BASE)
        assert await outbox.drain() == DrainReport(delivered=1)
        assert again.delivered == ["a1"]
    finally:
        second.close()


async def test_permanent_failure_is_recorded_and_never_retried(store: Store) -> None:
    clock, refusing = Clock(), RecordingSink(failures=1, permanent=True)
    sinks: dict[str, Sink] = {"mail": refusing}
    add(store, sinks, "a1", "a2")
    assert await Outbox(store, sinks, clock=clock).drain() == DrainReport(delivered=1, refused=1)
    clock.advance(RETRY_CAP * 10)
    assert await Outbox(store, sinks, clock=clock).drain() == DrainReport()
    states = {s.alert.alert_id: s.deliveries[0] for s in store.recent_alerts(5)}
    assert (states["a1"].state, states["a1"].last_error) == ("refused", "down")
    assert states["a2"].state == "delivered"


async def test_a_buggy_sink_is_retried_like_a_failure(store: Store) -> None:
    clock, buggy = Clock(), RecordingSink(failures=1, bug=True)
    sinks: dict[str, Sink] = {"buggy": buggy}
    add(store, sinks, "a1")
    outbox = Outbox(store, sinks, clock=clock)
    assert (await outbox.drain()).failed == 1
    (status,) = store.recent_alerts(1)
    assert "RuntimeError" in str(status.deliveries[0].last_error)
    clock.advance(RETRY_BASE)
    assert (await outbox.drain()).delivered == 1


async def test_removed_sinks_keep_their_pending_deliveries(store: Store) -> None:
    sinks: dict[str, Sink] = {"old": RecordingSink(), "kept": RecordingSink()}
    add(store, sinks, "a1")
    outbox = Outbox(store, {"kept": sinks["kept"]}, clock=Clock())
    assert await outbox.drain() == DrainReport(delivered=1)
    assert [d.sink for d in store.due_deliveries(["old"], START)] == ["old"]


async def test_replace_sinks_returns_the_old_ones(store: Store) -> None:
    old, new = RecordingSink(), RecordingSink()
    outbox = Outbox(store, {"log": old}, clock=Clock())
    assert await outbox.replace_sinks({"log": new}) == {"log": old}
    add(store, {"log": new}, "a1")
    await outbox.drain()
    assert new.delivered == ["a1"] and old.delivered == []


async def test_jsonl_through_the_outbox(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "alerts.jsonl"
    sinks: dict[str, Sink] = {"log": JsonlSink(path)}
    add(store, sinks, "a1", "a2")
    outbox = Outbox(store, sinks, clock=Clock())
    await outbox.drain()
    await outbox.drain()
    assert path.read_text().count("\n") == 2
