"""Scheduling decisions (pure) and the in-memory apscheduler jobs on a real event loop."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from claimwatch.config import Config, FeedConfig, SchedulerConfig, config_from_mapping
from claimwatch.daemon import reload_plan
from claimwatch.scheduler import FeedScheduler, ReloadPlan, feed_job_id, first_run, plan_reload

NOW = datetime(2022, 1, 20, 12, 0, tzinfo=UTC)


def feed(name: str, interval: float = 900, url: str = "https://example.org/feed") -> FeedConfig:
    return FeedConfig(name=name, url=url, interval=interval)


@pytest.mark.parametrize(
    ("stored", "expected"),
    [
        (None, NOW + timedelta(seconds=3)),  # never polled: now (spread)
        (NOW - timedelta(hours=1), NOW + timedelta(seconds=3)),  # overdue: now (spread)
        (NOW + timedelta(hours=2), NOW + timedelta(hours=2)),  # backoff still running: keep it
    ],
    ids=["never", "overdue", "future"],
)
def test_first_run(stored: datetime | None, expected: datetime) -> None:
    assert first_run(stored, NOW, 3.0) == expected


def test_plan_reload() -> None:
    old = [feed("kept"), feed("changed"), feed("dropped")]
    new = [feed("kept"), feed("changed", interval=60), feed("added")]
    plan = plan_reload(old, new)
    assert [f.name for f in plan.add] == ["added"]
    assert list(plan.remove) == ["dropped"]
    assert [f.name for f in plan.change] == ["changed"]
    assert plan_reload(old, old).empty


def config(tmp_path: Path, feeds: list[str], jitter: float = 30) -> Config:
    data = {
        "feeds": [{"name": n, "url": f"https://example.org/{n}"} for n in feeds],
        "scheduler": {"jitter": jitter},
    }
    return config_from_mapping(data, path=tmp_path / "c.toml")


def test_reload_plan_recreates_every_job_when_scheduler_settings_change(tmp_path: Path) -> None:
    old, same, other = config(tmp_path, ["a", "b"]), config(tmp_path, ["a", "c"]), None
    assert reload_plan(old, same) == ReloadPlan(add=(same.feeds[1],), remove=("b",))
    other = config(tmp_path, ["a", "c"], jitter=5)
    plan = reload_plan(old, other)
    assert [f.name for f in plan.change] == ["a"] and [f.name for f in plan.add] == ["c"]


class Runner:
    """A fake feed cycle: records calls, optionally waits, returns a fixed next attempt."""

    def __init__(self, next_attempt: datetime | None, hold: float = 0.0) -> None:
        self.next_attempt = next_attempt
        self.hold = hold
        self.calls: list[str] = []
        self.called = asyncio.Event()

    async def __call__(self, name: str) -> datetime | None:
        self.calls.append(name)
        self.called.set()
        await asyncio.sleep(self.hold)
        return self.next_attempt


async def drain() -> None:
    return None


SETTINGS = SchedulerConfig(jitter=0)


async def test_each_feed_is_a_job_moved_to_its_next_attempt() -> None:
    later = datetime.now(UTC) + timedelta(hours=3)
    runner = Runner(later)
    scheduler = FeedScheduler(SETTINGS, runner, drain)
    scheduler.start([feed("a"), feed("b")], {"b": later})
    try:
        await asyncio.wait_for(runner.called.wait(), 5)
        await asyncio.sleep(0.05)
        assert runner.calls == ["a"]  # b's stored due time is still ahead
        assert scheduler.job_names() == ["a", "b"]
        job = scheduler._scheduler.get_job(feed_job_id("a"))
        assert job.next_run_time == later
        assert job.coalesce and job.max_instances == 1
        assert job.misfire_grace_time == int(SETTINGS.misfire_grace)
    finally:
        await scheduler.stop(1)


async def test_a_disabled_feed_job_is_paused() -> None:
    runner = Runner(None)
    scheduler = FeedScheduler(SETTINGS, runner, drain)
    scheduler.start([feed("a")], {})
    try:
        await asyncio.wait_for(runner.called.wait(), 5)
        await asyncio.sleep(0.05)
        assert scheduler._scheduler.get_job(feed_job_id("a")).next_run_time is None
    finally:
        await scheduler.stop(1)


async def test_apply_adds_and_removes_jobs() -> None:
    runner = Runner(datetime.now(UTC) + timedelta(hours=1))
    scheduler = FeedScheduler(SETTINGS, runner, drain)
    far = datetime.now(UTC) + timedelta(hours=1)
    scheduler.start([feed("a"), feed("b")], {"a": far, "b": far})
    try:
        scheduler.apply(ReloadPlan(add=(feed("c"),), remove=("b", "unknown")), {"c": far})
        assert scheduler.job_names() == ["a", "c"]
    finally:
        await scheduler.stop(1)


async def test_stop_waits_for_cycles_in_flight() -> None:
    runner = Runner(datetime.now(UTC) + timedelta(hours=1), hold=0.3)
    scheduler = FeedScheduler(SETTINGS, runner, drain)
    scheduler.start([feed("a")], {})
    await asyncio.wait_for(runner.called.wait(), 5)
    assert await scheduler.stop(grace=10) == 0
    assert not scheduler.in_flight


async def test_stop_abandons_cycles_past_the_grace() -> None:
    runner = Runner(datetime.now(UTC) + timedelta(hours=1), hold=60)
    scheduler = FeedScheduler(SETTINGS, runner, drain)
    scheduler.start([feed("a")], {})
    await asyncio.wait_for(runner.called.wait(), 5)
    assert await scheduler.stop(grace=0.1) == 1


async def test_a_crashing_cycle_is_logged_and_the_job_kept(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def crash(name: str) -> datetime | None:
        raise RuntimeError("bug in cycle")

    scheduler = FeedScheduler(SETTINGS, crash, drain)
    scheduler.start([feed("a")], {})
    try:
        for _ in range(100):
            if any(r.getMessage() == "feed.crash" for r in caplog.records):
                break
            await asyncio.sleep(0.02)
        crash_records = [r for r in caplog.records if r.getMessage() == "feed.crash"]
        assert crash_records and crash_records[0].levelname == "CRITICAL"
        assert scheduler.job_names() == ["a"]
    finally:
        await scheduler.stop(1)
