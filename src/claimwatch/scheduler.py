"""apscheduler (3.x, in memory): one job per feed, plus a periodic outbox drain.

Each feed job runs at the feed's interval (with jitter) as a fallback cadence; after every
poll its next run is moved to the time the store computed (backoff, Retry-After, ttl). The
due times live in the database, so a restart resumes them: a job's first run is the stored
``next_attempt`` when in the future, else now plus a little jitter.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from claimwatch.config import FeedConfig, SchedulerConfig
from claimwatch.logs import log_event

OUTBOX_JOB = "outbox"
OUTBOX_INTERVAL = 30.0  # seconds between drains of due retries
START_SPREAD = 5.0  # seconds over which feeds due at start are spread

logger = logging.getLogger(__name__)

FeedRunner = Callable[[str], Awaitable[datetime | None]]  # feed name -> next attempt (None: stop)


def feed_job_id(name: str) -> str:
    return f"feed:{name}"


def first_run(next_attempt: datetime | None, now: datetime, spread: float) -> datetime:
    """The stored due time when still ahead, else ``now`` plus ``spread`` seconds."""
    if next_attempt is not None and next_attempt > now:
        return next_attempt
    return now + timedelta(seconds=max(spread, 0.0))


@dataclass(frozen=True, slots=True)
class ReloadPlan:
    """Jobs to add, remove and re-create when the feed list changes."""

    add: tuple[FeedConfig, ...] = ()
    remove: tuple[str, ...] = ()
    change: tuple[FeedConfig, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.add or self.remove or self.change)


def plan_reload(old: Sequence[FeedConfig], new: Sequence[FeedConfig]) -> ReloadPlan:
    """Compare two lists of enabled feeds by name."""
    before = {feed.name: feed for feed in old}
    after = {feed.name: feed for feed in new}
    return ReloadPlan(
        add=tuple(f for name, f in after.items() if name not in before),
        remove=tuple(name for name in before if name not in after),
        change=tuple(f for name, f in after.items() if name in before and before[name] != f),
    )


class FeedScheduler:
    """Owns the AsyncIOScheduler and knows which feed cycles are in flight."""

    def __init__(
        self,
        config: SchedulerConfig,
        run_feed: FeedRunner,
        drain: Callable[[], Awaitable[object]],
        *,
        rng: random.Random | None = None,
        outbox_interval: float = OUTBOX_INTERVAL,
    ) -> None:
        self.config = config
        self._run_feed = run_feed
        self._drain = drain
        self._rng = rng or random.Random()
        self._outbox_interval = outbox_interval
        self._scheduler = AsyncIOScheduler(timezone=UTC)
        self.in_flight: set[asyncio.Task[object]] = set()

    def start(self, feeds: Iterable[FeedConfig], due: Mapping[str, datetime | None]) -> None:
        """Add one job per feed and the outbox job, then start scheduling."""
        now = datetime.now(UTC)
        for feed in feeds:
            self._add(feed, due.get(feed.name), now)
        self._scheduler.add_job(
            self._drain_job,
            IntervalTrigger(seconds=self._outbox_interval, timezone=UTC),
            id=OUTBOX_JOB,
            next_run_time=now,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=int(self.config.misfire_grace),
        )
        self._scheduler.start()

    def _add(self, feed: FeedConfig, next_attempt: datetime | None, now: datetime) -> None:
        spread = self._rng.uniform(0, min(self.config.jitter, START_SPREAD))
        self._scheduler.add_job(
            self._feed_job,
            IntervalTrigger(seconds=feed.interval, jitter=self.config.jitter or None, timezone=UTC),
            args=(feed.name,),
            id=feed_job_id(feed.name),
            name=feed.name,
            next_run_time=first_run(next_attempt, now, spread),
            coalesce=True,
            max_instances=1,
            misfire_grace_time=int(self.config.misfire_grace),
            replace_existing=True,
        )

    def apply(self, plan: ReloadPlan, due: Mapping[str, datetime | None]) -> None:
        """Apply a reload: new and changed feeds are (re)scheduled from their stored due time."""
        now = datetime.now(UTC)
        for name in plan.remove:
            self._remove(name)
        for feed in (*plan.add, *plan.change):
            self._add(feed, due.get(feed.name), now)

    def _remove(self, name: str) -> None:
        with contextlib.suppress(JobLookupError):  # already gone
            self._scheduler.remove_job(feed_job_id(name))

    def job_names(self) -> list[str]:
        return sorted(job.name for job in self._scheduler.get_jobs() if job.id != OUTBOX_JOB)

    @contextlib.contextmanager
    def _tracked(self) -> Iterator[None]:
        """Count the current task as in flight, so that ``stop`` can wait for it."""
        task = asyncio.current_task()
        if task is None:
            yield
            return
        self.in_flight.add(task)
        try:
            yield
        finally:
            self.in_flight.discard(task)

    async def _feed_job(self, name: str) -> None:
        with self._tracked():
            try:
                next_attempt = await self._run_feed(name)
            except Exception as exc:  # a bug: loud, but the other feeds go on
                log_event(
                    logger,
                    "feed.crash",
                    level=logging.CRITICAL,
                    status="bug",
                    feed=name,
                    error=repr(exc),
                    exc=exc,
                )
                return
        self._reschedule(name, next_attempt)

    def _reschedule(self, name: str, next_attempt: datetime | None) -> None:
        try:
            if next_attempt is None:
                self._scheduler.pause_job(feed_job_id(name))
            else:
                self._scheduler.modify_job(feed_job_id(name), next_run_time=next_attempt)
        except JobLookupError:
            pass  # removed by a reload while it ran

    async def _drain_job(self) -> None:
        try:
            with self._tracked():
                await self._drain()
        except Exception as exc:
            log_event(
                logger,
                "outbox.crash",
                level=logging.CRITICAL,
                status="bug",
                error=repr(exc),
                exc=exc,
            )

    async def stop(self, grace: float) -> int:
        """Stop scheduling, wait up to ``grace`` s for cycles in flight, cancel the rest.

        Returns how many cycles had to be abandoned (safe: state commits per entry).
        """
        self._scheduler.pause()
        pending = set(self.in_flight)
        if pending:
            _, pending = await asyncio.wait(pending, timeout=grace)
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.wait(pending, timeout=5)
        self._scheduler.shutdown(wait=False)
        await asyncio.sleep(0)  # the shutdown runs via call_soon
        return len(pending)
