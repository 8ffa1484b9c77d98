"""The long-running process: schedule feeds, reload on SIGHUP, drain and exit on SIGTERM.

- SIGTERM/SIGINT: stop scheduling, let cycles in flight finish for up to SHUTDOWN_GRACE
  seconds, cancel the rest (state commits per entry, so nothing is half-written), close the
  database, exit 0. A second signal cancels at once.
- SIGHUP: read the config and baselines again, off the event loop and within a time limit
  (inputs.py). Invalid or too slow: logged, the running ones kept.
  Valid: feed jobs added, removed or re-created; HTTP client and sinks rebuilt if changed.
- The state database failing (read-only, locked, disk full): logged with the path and the
  reason, then the same graceful stop, but exit 1, so that systemd restarts the service and
  the operator sees the failure. Nothing was marked done that was not done. The state watch
  checks every STATE_WATCH seconds that the database is still the one opened (not deleted,
  emptied or replaced: store/guard.py) and that free space stays above the reserve, and
  fails the same way; a SQLite state is locked against a second writer for the whole run.
- Under systemd: READY=1 once the scheduler runs, STATUS= with the feed and alert counts,
  WATCHDOG=1 from the event loop (when ``WatchdogSec`` is set) while the database answers,
  RELOADING=1 on SIGHUP and STOPPING=1 on the way out.
- ``[http] listen``: the status page, /healthz and /metrics (web.py), bound before anything is
  scheduled (a taken port stops the start), moved on reload, closed last. /healthz answers
  503 from the moment the daemon stops scheduling or its database fails, and while polls or
  deliveries stall (liveness.py).
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import signal
from datetime import datetime
from typing import Any

from claimwatch import sdnotify
from claimwatch.baselines import Baseline
from claimwatch.config import SERVER_KEYS, Config, FeedConfig
from claimwatch.errors import ClaimwatchError, InputError, StateError
from claimwatch.fetcher import Fetcher
from claimwatch.inputs import load_inputs_async, require_claims
from claimwatch.lease import FeedLeases, owner_id, shares_state
from claimwatch.logs import log_event
from claimwatch.metrics import Metrics
from claimwatch.pipeline import Runtime, active_feeds, close_runtime, open_runtime, run_feed
from claimwatch.scheduler import FeedScheduler, ReloadPlan, plan_reload
from claimwatch.sinkcheck import log_email_warnings
from claimwatch.sinks import configured_sinks
from claimwatch.store import Store
from claimwatch.store.guard import check_state, open_state
from claimwatch.web import WebServer

SHUTDOWN_GRACE = 30.0
STATUS_PERIOD = 60.0  # seconds between STATUS= updates when systemd wants no watchdog
STATE_WATCH = 2.0  # seconds between checks of the state's identity and free space

logger = logging.getLogger(__name__)


def reload_plan(old: Config, new: Config) -> ReloadPlan:
    """Feed jobs to change; new scheduler settings re-create every job."""
    plan = plan_reload(active_feeds(old), active_feeds(new))
    if old.scheduler == new.scheduler:
        return plan
    kept = tuple(f for f in active_feeds(new) if f not in plan.add)
    return ReloadPlan(add=plan.add, remove=plan.remove, change=kept)


def _due(
    store: Store, feeds: tuple[FeedConfig, ...] | list[FeedConfig]
) -> dict[str, datetime | None]:
    return {feed.name: store.feed_state(feed.name, feed.url).next_attempt for feed in feeds}


def _client_settings(config: Config) -> dict[str, Any]:
    """What the HTTP client is built from (``listen`` and the like are the web server's)."""
    return config.http.model_dump(exclude=set(SERVER_KEYS))


class Daemon:
    def __init__(
        self, config: Config, baselines: tuple[Baseline, ...], *, grace: float = SHUTDOWN_GRACE
    ) -> None:
        self.config = config
        self.baselines = baselines
        self.grace = grace
        self._stop = asyncio.Event()
        self._reload_lock = asyncio.Lock()
        self._background: set[asyncio.Task[object]] = set()
        self._hurry = False
        self._rt: Runtime | None = None
        self._scheduler: FeedScheduler | None = None
        self._exit_code = 0
        self._failure: str | None = None  # why the daemon stops, when it must
        self._scheduling = False
        self.metrics = Metrics()  # one per process: counters survive reloads
        # Holds this daemon's feed leases and delivery claims when daemons share the state.
        self.owner = owner_id() if shares_state(config) else None
        self.web = WebServer(lambda: self.rt, self.metrics, self.problem)

    @property
    def rt(self) -> Runtime:
        assert self._rt is not None, "the daemon is not running"
        return self._rt

    async def run(self) -> int:
        """Serve until SIGTERM/SIGINT; return the exit code."""
        store = open_state(self.config, purpose="claimwatch run")
        try:
            rt = open_runtime(
                self.config, self.baselines, store, metrics=self.metrics, owner=self.owner
            )
            leases = FeedLeases(store, self.owner) if self.owner else None
            self._rt = dataclasses.replace(rt, leases=leases)
            try:
                return await self._serve()
            finally:
                await close_runtime(self.rt)
        finally:
            store.close()

    async def _serve(self) -> int:
        loop = asyncio.get_running_loop()
        scheduler = self._scheduler = FeedScheduler(
            self.config.scheduler, self._run_feed, self._drain
        )
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, self.request_stop)
        loop.add_signal_handler(signal.SIGHUP, self._spawn_reload)
        try:
            feeds = active_feeds(self.config)
            self.metrics.track((f.name for f in feeds), self.baselines)
            if (address := self.config.http.listen_address) is not None:
                await self.web.start(address)
            scheduler.start(feeds, _due(self.rt.store, feeds))
            self._scheduling = True
            log_email_warnings(self.config)
            log_event(
                logger, "daemon.start", status="ready", count=len(feeds), path=str(self.config.path)
            )
            sdnotify.ready(self.status())
            heartbeat = loop.create_task(self._heartbeat())
            watch = loop.create_task(self._watch_state())
            await self._stop.wait()
            self._scheduling = False
            sdnotify.stopping()
            abandoned = await scheduler.stop(0 if self._hurry else self.grace)
            heartbeat.cancel()
            watch.cancel()
            await self._settle_background()
            log_event(logger, "daemon.stop", status="stopped", count=abandoned)
            return self._exit_code
        finally:
            for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
                loop.remove_signal_handler(sig)
            await self.web.stop()

    def request_stop(self) -> None:
        """First call: graceful stop. Second call: abandon cycles in flight now."""
        if self._stop.is_set():
            self._hurry = True
            if self._scheduler is not None:
                for task in list(self._scheduler.in_flight):
                    task.cancel()
            return
        log_event(logger, "daemon.signal", status="stopping")
        self._stop.set()

    def state_failed(self, error: StateError) -> None:
        """The database failed: stop as on SIGTERM, but exit 1 (systemd restarts us)."""
        log_event(
            logger,
            "daemon.state",
            level=logging.ERROR,
            status="failed",
            path=self.config.state_display,
            error=str(error),
        )
        self._exit_code = 1
        self._failure = f"state database failed: {error}"
        if not self._stop.is_set():
            self.request_stop()

    def problem(self) -> str | None:
        """Why /healthz says 503 (the web server also checks that the database answers)."""
        if self._failure is not None:
            return self._failure
        if not self._scheduling:
            return "stopping" if self._stop.is_set() else "starting"
        return None

    def status(self) -> str:
        """The STATUS= line: what runs and what it found (reads the database)."""
        alerts = self.rt.store.counts()["alerts"]
        return f"{len(active_feeds(self.config))} feeds, {alerts} alerts"

    async def _heartbeat(self) -> None:
        """From the event loop: WATCHDOG=1 (if systemd asked) and STATUS= while the store
        answers. A blocked loop or a failed store sends nothing, and systemd steps in."""
        if not sdnotify.enabled():
            return
        period = sdnotify.watchdog_period()
        while True:
            await asyncio.sleep(period or STATUS_PERIOD)
            try:
                status = self.status()
            except StateError as exc:
                self.state_failed(exc)
                return
            if period is None:
                sdnotify.status(status)
            else:
                sdnotify.watchdog(status)

    async def _watch_state(self) -> None:
        """Stop (exit 1) once the state is deleted, emptied or replaced, or the disk fills
        below the reserve; /healthz says why from then on."""
        while True:
            await asyncio.sleep(STATE_WATCH)
            try:
                check_state(self.rt.store, self.config)
            except StateError as exc:
                self.state_failed(exc)
                return

    async def _run_feed(self, name: str) -> datetime | None:
        rt = self.rt  # the runtime current when the cycle starts
        feed = next((f for f in active_feeds(rt.config) if f.name == name), None)
        if feed is None or self._exit_code:
            return None
        try:
            report = await run_feed(rt, feed)
        except StateError as exc:
            self.state_failed(exc)
            return None
        return report.next_attempt

    async def _drain(self) -> None:
        try:
            await self.rt.outbox.drain()
        except StateError as exc:
            self.state_failed(exc)

    # ---- reload ------------------------------------------------------------------------

    def _spawn_reload(self) -> None:
        self._keep(asyncio.get_running_loop().create_task(self.reload()))

    def _keep(self, task: asyncio.Task[Any]) -> None:
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def reload(self) -> bool:
        """Re-read config and baselines; keep the running ones when the new ones are invalid."""
        async with self._reload_lock:
            sdnotify.reloading()
            try:
                inputs = await load_inputs_async(self.config.path)  # off the loop
                config, baselines = require_claims(inputs)
            except InputError as exc:
                log_event(
                    logger,
                    "config.reload",
                    level=logging.ERROR,
                    status="rejected",
                    path=str(self.config.path),
                    error=str(exc),
                )
                sdnotify.ready()
                return False
            try:
                await self._apply(config, baselines)
                sdnotify.ready(self.status())
            except StateError as exc:
                self.state_failed(exc)
                return False
            return True

    async def _apply(self, config: Config, baselines: tuple[Baseline, ...]) -> None:
        old, rt = self.config, self.rt
        if config.state_location != old.state_location:
            log_event(
                logger,
                "config.reload",
                level=logging.WARNING,
                status="ignored",
                path=config.state_display,
                error="a new state path needs a restart",
            )
        fetcher = rt.fetcher
        if _client_settings(config) != _client_settings(old):
            fetcher = Fetcher(config.http)
            self._keep(asyncio.create_task(self._close_after_cycles(rt.fetcher)))
        if config.alerts != old.alerts:
            for sink in (await rt.outbox.replace_sinks(configured_sinks(config))).values():
                await sink.aclose()
        self._rt = dataclasses.replace(rt, config=config, baselines=baselines, fetcher=fetcher)
        rt.outbox.apply(config)
        self.config, self.baselines = config, baselines
        plan = reload_plan(old, config)
        assert self._scheduler is not None
        self._scheduler.config = config.scheduler
        self._scheduler.apply(plan, _due(rt.store, [*plan.add, *plan.change]))
        self.metrics.track((f.name for f in active_feeds(config)), baselines)
        if config.http.listen != old.http.listen:
            await self._move_web(config)
        log_event(
            logger,
            "config.reload",
            status="applied",
            count=len(active_feeds(config)),
            path=str(config.path),
        )

    async def _move_web(self, config: Config) -> None:
        """Serve on the new ``[http] listen``; when it cannot be bound, keep the old one."""
        try:
            await self.web.move(config.http.listen_address)
        except ClaimwatchError as exc:
            log_event(
                logger,
                "web.listen",
                level=logging.ERROR,
                status="failed",
                path=str(config.path),
                error=str(exc),
            )

    async def _close_after_cycles(self, fetcher: Fetcher) -> None:
        """Close a replaced HTTP client once the cycles that may use it are done."""
        assert self._scheduler is not None
        running = set(self._scheduler.in_flight)
        if running:
            await asyncio.wait(running)
        await fetcher.aclose()

    async def _settle_background(self) -> None:
        if self._background:
            await asyncio.wait(set(self._background), timeout=self.grace)
        for task in set(self._background):
            task.cancel()
