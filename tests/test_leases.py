"""Leases on both engines: one poller per feed, claimed deliveries handed out once."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from claimwatch.alerts import Alert
from claimwatch.entries import Entry
from claimwatch.store import Store, open_store
from tests import pg

NOW = datetime(2022, 1, 20, 12, 0, tzinfo=UTC)
LEASE = timedelta(minutes=5)


@pytest.fixture(params=pg.ENGINES)
def location(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Path | str]:
    """Where two stores of one test meet: a SQLite file, or a fresh PostgreSQL database."""
    with pg.state_location(str(request.param), tmp_path) as where:
        yield where


@pytest.fixture
def two(location: Path | str) -> Iterator[tuple[Store, Store]]:
    """Two stores on one database, as two daemons have."""
    first = open_store(location)
    second = open_store(location)
    yield first, second
    first.close()
    second.close()


def alert(alert_id: str) -> Alert:
    return Alert(
        alert_id, "follow_up", "b", "c", None, "T", "f", "e1", None, "E.", "R.",
        NOW, True, None, alert_id, 0.5,
    )  # fmt: skip


# ---- feeds ---------------------------------------------------------------------------------


def test_a_new_feed_is_due_and_its_lease_is_exclusive(two: tuple[Store, Store]) -> None:
    first, second = two
    assert first.lease_feed("f", "a", NOW, NOW + LEASE)
    assert not second.lease_feed("f", "b", NOW, NOW + LEASE)
    assert not first.lease_feed("f", "a", NOW, NOW + LEASE)  # one poll at a time, even by "a"
    assert second.lease_feed("g", "b", NOW, NOW + LEASE)  # other feeds are free


def test_released_feed_waits_for_its_next_due_time(two: tuple[Store, Store]) -> None:
    first, second = two
    assert first.lease_feed("f", "a", NOW, NOW + LEASE)
    first.release_feed("f", "a", NOW + timedelta(minutes=15))
    assert not second.lease_feed("f", "b", NOW + timedelta(minutes=14), NOW + LEASE * 4)
    assert second.lease_feed("f", "b", NOW + timedelta(minutes=15), NOW + LEASE * 4)


def test_an_expired_lease_is_taken_over(two: tuple[Store, Store]) -> None:
    first, second = two
    assert first.lease_feed("f", "dead", NOW, NOW + LEASE)
    assert not second.lease_feed("f", "b", NOW + LEASE - timedelta(seconds=1), NOW + LEASE * 2)
    assert second.lease_feed("f", "b", NOW + LEASE, NOW + LEASE * 2)


def test_a_lost_lease_is_not_released_by_its_old_owner(two: tuple[Store, Store]) -> None:
    first, second = two
    assert first.lease_feed("f", "slow", NOW, NOW + LEASE)
    assert second.lease_feed("f", "b", NOW + LEASE, NOW + LEASE * 2)
    first.release_feed("f", "slow", NOW)  # too late: changes nothing
    assert not first.lease_feed("f", "c", NOW + LEASE, NOW + LEASE * 2)
    second.release_feed("f", "b", NOW + LEASE * 3)
    assert first.lease_feed("f", "c", NOW + LEASE * 3, NOW + LEASE * 4)


def race(location: Path | str, works: list[Callable[[Store], list[str]]]) -> list[str]:
    """Run each work at once in its own thread on its own store, as daemons would; return
    what they returned, together. A thread's exception fails the test."""
    open_store(location).close()  # created and migrated before the race
    start = threading.Barrier(len(works), timeout=20)
    results: list[str] = []
    errors: list[BaseException] = []

    def run(work: Callable[[Store], list[str]]) -> None:
        try:
            store = open_store(location)
        except BaseException as exc:
            start.abort()
            errors.append(exc)
            return
        try:
            start.wait()
            results.extend(work(store))
        except BaseException as exc:
            errors.append(exc)
        finally:
            store.close()

    threads = [threading.Thread(target=run, args=(work,)) for work in works]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    return results


def test_racing_stores_one_wins(location: Path | str) -> None:
    """Eight daemons take the same feed's lease at once: exactly one gets it."""

    def take(owner: str) -> Callable[[Store], list[str]]:
        return lambda store: [owner] if store.lease_feed("f", owner, NOW, NOW + LEASE) else []

    assert len(race(location, [take(f"d{n}") for n in range(8)])) == 1


# ---- deliveries ----------------------------------------------------------------------------


def add(store: Store, *alert_ids: str) -> None:
    entry = Entry("f", "e1", None, "T", None, "")
    store.commit_entry(entry, "h", [alert(i) for i in alert_ids], ("log",), NOW)


def test_claimed_deliveries_are_not_handed_out_twice(two: tuple[Store, Store]) -> None:
    first, second = two
    add(first, "a1", "a2", "a3")
    mine = first.due_deliveries(["log"], NOW, 2, owner="a", lease_until=NOW + LEASE)
    theirs = second.due_deliveries(["log"], NOW, 10, owner="b", lease_until=NOW + LEASE)
    assert [d.alert.alert_id for d in mine] == ["a1", "a2"]
    assert [d.alert.alert_id for d in theirs] == ["a3"]
    assert second.due_deliveries(["log"], NOW, 10, owner="b", lease_until=NOW + LEASE) == []
    assert second.due_deliveries(["log"], NOW) == []  # unclaimed reads skip claims too


def test_a_claim_expires_and_an_outcome_clears_it(two: tuple[Store, Store]) -> None:
    first, second = two
    add(first, "a1", "a2")
    first.due_deliveries(["log"], NOW, owner="a", lease_until=NOW + LEASE)
    first.record_failed("a1", "log", "disk full", NOW + timedelta(minutes=1))
    later = NOW + timedelta(minutes=1)
    retry = second.due_deliveries(["log"], later, owner="b", lease_until=later + LEASE)
    assert [d.alert.alert_id for d in retry] == ["a1"]  # a2 still claimed by "a"
    taken = second.due_deliveries(["log"], NOW + LEASE, owner="b", lease_until=NOW + LEASE * 2)
    assert [d.alert.alert_id for d in taken] == ["a2"]  # a's claim expired


def test_digest_claims(two: tuple[Store, Store]) -> None:
    first, second = two
    add(first, "a1")
    before = NOW + timedelta(hours=1)
    claimed = first.due_digest("log", before, NOW, owner="a", lease_until=NOW + LEASE)
    assert [d.alert.alert_id for d in claimed] == ["a1"]
    assert second.due_digest("log", before, NOW, owner="b", lease_until=NOW + LEASE) == []


def test_an_entry_stored_by_two_daemons_yields_one_alert(two: tuple[Store, Store]) -> None:
    first, second = two
    entry = Entry("f", "e1", None, "T", None, "")
    assert first.commit_entry(entry, "h", [alert("a1")], ("log", "mail"), NOW) == [alert("a1")]
    assert second.commit_entry(entry, "h", [alert("a1")], ("log", "mail"), NOW) == []
    assert second.counts()["alerts"] == 1 and second.counts()["deliveries"] == 2


def test_racing_commits_store_each_alert_once(location: Path | str) -> None:
    """Four daemons commit overlapping alerts of one entry at once, in different orders."""
    ids = [f"a{n}" for n in range(20)]

    def commit(order: list[str]) -> Callable[[Store], list[str]]:
        def work(store: Store) -> list[str]:
            entry = Entry("f", "e1", None, "T", None, "")
            stored = store.commit_entry(entry, "h", [alert(i) for i in order], ("log",), NOW)
            return [a.alert_id for a in stored]

        return work

    orders = [ids, ids[::-1], ids[5:] + ids[:5], ids[::2] + ids[1::2]]
    assert sorted(race(location, [commit(order) for order in orders])) == sorted(ids)
    store = open_store(location)
    try:
        assert store.counts()["deliveries"] == len(ids)
    finally:
        store.close()


def test_racing_claims_hand_each_delivery_out_once(location: Path | str) -> None:
    store = open_store(location)
    try:
        add(store, *(f"a{n:02}" for n in range(30)))
    finally:
        store.close()

    def claim(owner: str) -> Callable[[Store], list[str]]:
        def work(store: Store) -> list[str]:
            taken: list[str] = []
            while due := store.due_deliveries(
                ["log"], NOW, 4, owner=owner, lease_until=NOW + LEASE
            ):
                taken += [d.alert.alert_id for d in due]
            return taken

        return work

    taken = race(location, [claim(f"d{n}") for n in range(4)])
    assert sorted(taken) == [f"a{n:02}" for n in range(30)]
