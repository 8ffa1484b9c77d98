"""One feed's cycle, start to finish: the only module wiring the stages to the store and outbox."""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

from claimwatch import alerts, articles, dedup, entries, feeds, health
from claimwatch.alerts import FeedKind
from claimwatch.baselines import Baseline
from claimwatch.config import Config, FeedConfig
from claimwatch.errors import FeedError, StateError
from claimwatch.feedback import Suppression
from claimwatch.fetcher import Fetcher
from claimwatch.holdback import Lessons, dismissal, log_held
from claimwatch.lease import FeedLeases, owner_id, shares_state
from claimwatch.logs import log_event
from claimwatch.matching import Document, is_relevant, match
from claimwatch.metrics import FAILED, Metrics
from claimwatch.offload import Offload
from claimwatch.outbox import DrainReport, Outbox
from claimwatch.sinks import configured_sinks
from claimwatch.store import Store
from claimwatch.store.guard import open_state
from claimwatch.why import explain

FEEDS_IN_FLIGHT = 100  # feed cycles running at once (HTTP is bounded by the fetcher anyway)
ENTRIES_IN_FLIGHT = 4  # article pages of one feed read at once

logger = logging.getLogger(__name__)

FetchMode = Literal["relevant", "all", "none"]


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Runtime:
    """Everything a feed cycle needs. The daemon swaps in a new one on reload."""

    config: Config
    baselines: tuple[Baseline, ...]
    store: Store
    fetcher: Fetcher
    outbox: Outbox
    offload: Offload = field(default_factory=lambda: Offload(workers=0))
    feed_slots: asyncio.Semaphore = field(
        default_factory=lambda: asyncio.Semaphore(FEEDS_IN_FLIGHT)
    )
    clock: Callable[[], datetime] = utcnow
    rng: random.Random = field(default_factory=random.Random)
    metrics: Metrics | None = None  # the daemon's; None: nothing is counted
    leases: FeedLeases | None = None  # the daemon's: poll a feed only while holding its lease
    lessons: Lessons = field(default_factory=Lessons)  # what verdicts teach (holdback.py)


@dataclass(frozen=True, slots=True)
class FeedReport:
    """What one cycle did, for logs, ``claimwatch once`` and tests."""

    feed: str
    outcome: feeds.Outcome | Literal["disabled", "leased"]  # leased: another daemon's turn
    entries: int = 0  # entries in the feed body
    processed: int = 0  # new or changed entries processed
    alerts: int = 0  # alerts stored
    next_attempt: datetime | None = None
    error: str | None = None
    health: FeedKind | None = None  # a feed alert this cycle raised (see health.py)


def should_fetch(mode: FetchMode, title: str, summary: str, baselines: Sequence[Baseline]) -> bool:
    """Fetch the article page? ``relevant``: only when the entry names a baseline's subject."""
    if mode == "all":
        return True
    if mode == "none":
        return False
    return is_relevant(f"{title}\n{summary}", baselines)


async def run_feed(rt: Runtime, feed: FeedConfig) -> FeedReport:
    """One feed's cycle. The data path, one stage per line:

        feeds.poll(fetcher, feed, state)        -> FeedPoll      (304/410/failure: record, stop)
        entries.parse(body)                      -> ParsedFeed    (unparsable: a failed poll)
        dedup.select(entries, processed hashes)  -> [(Entry, hash)] (new, or text changed)
        store.mark_seen(selected)                                 (seen, not yet processed)
        should_fetch(feed.fetch_articles, ...)   decides whether articles.read fetches the page
        articles.read(fetcher, entry)            -> Article
        matching.match(Document, baselines)      -> [Finding]     (baseline ``since`` applied there)
        why.explain(findings)                    -> Explanation   (an alert's why)
        alerts.build(findings, known facts)      -> [Alert]
        lessons.hold(alerts)                     -> [Suppression] (repeats of dismissed alerts)
        store.commit_entry(entry, alerts, held)                   (one transaction per entry)
        store.mark_processed(quiet entries)                       (those matching nothing, at once)
        store.save_feed_state(next_state)                         (validators saved last)
        health.assess(feed history)              -> feed_failing / feed_recovered alert, if due
        outbox.drain()                           -> every sink, retried until delivered

    With ``rt.leases`` the cycle runs only while this daemon holds the feed's lease (taken
    once a slot is free, so a busy daemon leaves feeds to the others); refused, the report's
    outcome is ``leased`` and its ``next_attempt`` says when to ask again.

    A feed's failure is data: recorded, logged once, never raised. Bugs propagate.
    """
    async with rt.feed_slots:
        leases, lease = rt.leases, rt.config.scheduler.lease
        if leases is not None and not leases.take(feed, rt.clock(), lease):
            again = leases.refused(feed, rt.clock(), lease)
            return FeedReport(feed.name, "leased", next_attempt=again)
        started = time.monotonic()
        report = await (_cycle(rt, feed) if leases is None else _leased_cycle(rt, feed, leases))
        seconds = time.monotonic() - started
        if leases is not None:
            leases.release(feed, rt.clock(), report.next_attempt, seconds, lease)
        if rt.metrics is not None:
            rt.metrics.feed_cycle(feed.name, report.outcome, seconds, rt.clock(), report.health)
    if report.alerts:
        await rt.outbox.drain()
    return report


async def _leased_cycle(rt: Runtime, feed: FeedConfig, leases: FeedLeases) -> FeedReport:
    """``_cycle``; a cycle that does not finish gives its lease back (see lease.abandon)."""
    try:
        return await _cycle(rt, feed)
    except BaseException as exc:
        leases.abandon(feed, rt.clock(), cancelled=isinstance(exc, asyncio.CancelledError))
        raise


async def _cycle(rt: Runtime, feed: FeedConfig) -> FeedReport:
    """``run_feed`` up to the drain, holding a feed slot."""
    state = rt.store.feed_state(feed.name, feed.url)
    if state.disabled_reason is not None:
        log_event(
            logger,
            "feed.skip",
            status="disabled",
            feed=feed.name,
            url=state.url,
            error=state.disabled_reason,
        )
        raised = check_health(rt, feed, state)
        return FeedReport(feed.name, "disabled", error=state.disabled_reason, health=raised)
    max_wait = rt.config.scheduler.max_retry_after
    result = await feeds.poll(rt.fetcher, feed, state, now=rt.clock(), max_retry_after=max_wait)
    if result.outcome != "fetched":
        return _finish(rt, feed, state, result)
    try:
        parsed = await rt.offload.parse_feed(
            result.body, feed=feed.name, url=result.url, headers=result.headers
        )
    except FeedError as exc:
        return _finish(rt, feed, state, feeds.failed(result, str(exc)))
    if parsed.warning:
        log_event(
            logger,
            "feed.parse",
            level=logging.DEBUG,
            status="warning",
            feed=feed.name,
            url=result.url,
            error=parsed.warning,
        )
    processed, stored = await _process_entries(rt, feed, parsed.entries)
    return _finish(rt, feed, state, result, parsed=parsed, processed=processed, alerts=stored)


async def _process_entries(
    rt: Runtime, feed: FeedConfig, found: Sequence[entries.Entry]
) -> tuple[int, int]:
    """Select the new or changed entries and process each; return (processed, alerts stored).

    Entries read from the feed alone are processed at once, in order; those that match
    nothing are then marked processed in one transaction, the others each in their own.
    Those whose page is fetched run concurrently (a few per feed), each in its own.
    """
    selected = select_new(rt.store, feed.name, found, rt.clock())
    fetching: list[tuple[entries.Entry, str]] = []
    quiet: list[tuple[entries.Entry, str]] = []
    stored = 0
    for entry, digest in selected:
        if _fetches(rt, feed, entry):
            fetching.append((entry, digest))
        else:
            added = await process_entry(rt, feed.name, entry, digest, fetch_page=False, quiet=quiet)
            stored += len(added)
    rt.store.mark_processed(quiet, rt.clock())
    slots = asyncio.Semaphore(ENTRIES_IN_FLIGHT)

    async def one(entry: entries.Entry, digest: str) -> int:
        async with slots:
            return len(await process_entry(rt, feed.name, entry, digest, fetch_page=True))

    tasks = [asyncio.ensure_future(one(entry, digest)) for entry, digest in fetching]
    try:
        counts = await asyncio.gather(*tasks)
    except BaseException:
        for task in tasks:  # a bug in one entry: stop its siblings before propagating
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise
    return len(selected), stored + sum(counts)


def select_new(
    store: Store, feed: str, found: Sequence[entries.Entry], now: datetime
) -> list[tuple[entries.Entry, str]]:
    """The entries of ``feed`` never processed or changed since, with their text hashes,
    marked seen (so a crash before processing them is noticed at the next poll)."""
    seen = store.processed_hashes(feed, (e.entry_id for e in found))
    selected = dedup.select(found, seen)
    store.mark_seen(selected, now)
    return selected


def _fetches(rt: Runtime, feed: FeedConfig, entry: entries.Entry) -> bool:
    return should_fetch(feed.fetch_articles, entry.title, entry.summary, rt.baselines)


async def process_entry(
    rt: Runtime,
    feed: str,
    entry: entries.Entry,
    digest: str,
    *,
    fetch_page: bool,
    quiet: list[tuple[entries.Entry, str]] | None = None,
) -> list[alerts.Alert]:
    """Read, match, build and store one entry (one transaction); return the alerts stored.

    ``feed`` names the feed in logs and metrics; ``fetch_page`` says whether to read the page.
    With ``quiet``, an entry that matches nothing is added to it instead, for the caller to
    mark processed together with the others (``store.mark_processed``).
    """
    article = await articles.read(
        rt.fetcher, entry, fetch_page=fetch_page, extract=rt.offload.article_text
    )
    if article.error:
        log_event(  # a feed pointing at private addresses is the operator's business
            logger,
            "article.read",
            level=logging.WARNING if article.refused else logging.DEBUG,
            status="refused" if article.refused else "fallback",
            feed=feed,
            entry_id=entry.entry_id,
            url=entry.url,
            error=article.error,
        )
    # From here to the commit nothing awaits: facts read and alerts written see the same state.
    document = Document(entry.title, article.text, entry.published)
    findings = match(document, rt.baselines)
    holding: list[Suppression] = []  # alerts held back: stored with claimwatch's dismissal
    if not findings and quiet is not None:
        quiet.append((entry, digest))
        added = []
    else:
        now = rt.clock()
        known = rt.store.known_facts(alerts.claim_keys(findings))
        why = explain(document, rt.baselines, findings)  # traced again: the fired claims only
        built = alerts.build(
            findings, article=article, detected_at=now, known_facts=known, explanation=why
        )
        holding = rt.lessons.hold(rt.store, built)
        dismissed = [dismissal(suppression, now) for suppression in holding]
        sinks = list(rt.outbox.sinks)
        added = rt.store.commit_entry(entry, digest, built, sinks, now, held=dismissed)
    if rt.metrics is not None:
        rt.metrics.entry_processed(feed, findings, added)
    logged = log_held(feed, entry, added, holding)
    held = held_claims(rt.store) if added else {}
    for alert in (a for a in added if a.alert_id not in logged):
        log_event(
            logger,
            "alert.new",
            status=held.get((alert.baseline_id, alert.claim_id), "stored"),
            alert_id=alert.alert_id,
            baseline_id=alert.baseline_id,
            claim_id=alert.claim_id,
            kind=alert.kind,
            novel=alert.novel,
            feed=feed,
            entry_id=entry.entry_id,
            url=entry.url,
        )
    log_event(
        logger,
        "entry.processed",
        level=logging.DEBUG,
        feed=feed,
        entry_id=entry.entry_id,
        url=entry.url,
        count=len(added),
    )
    return added


def held_claims(store: Store) -> dict[tuple[str, str], str]:
    """Claims muted or closed now: their new alerts were stored without deliveries (the
    store decides that inside the commit; this read is for the log line only)."""
    return {key: s.state for key, s in store.claim_states().items() if s.state != "open"}


def _finish(
    rt: Runtime,
    feed: FeedConfig,
    state: feeds.FeedState,
    result: feeds.FeedPoll,
    *,
    parsed: entries.ParsedFeed | None = None,
    processed: int = 0,
    alerts: int = 0,
) -> FeedReport:
    """Store the feed's next state (after its entries) and log the poll once."""
    jitter = rt.rng.uniform(0, rt.config.scheduler.jitter)
    ttl = parsed.ttl if parsed else None
    new = feeds.next_state(
        feed, state, result, scheduler=rt.config.scheduler, ttl=ttl, jitter=jitter
    )
    rt.store.save_feed_state(feed.name, feed.url, new)
    count = len(parsed.entries) if parsed else 0
    failed = result.outcome in FAILED
    log_event(
        logger,
        "feed.poll",
        level=logging.WARNING if failed else logging.INFO,
        status=result.outcome,
        feed=feed.name,
        url=result.url,
        http_status=result.status,
        error=result.error,
        count=count if parsed else None,
        next_attempt=new.next_attempt,
    )
    if new.url != state.url:
        log_event(
            logger, "feed.moved", level=logging.WARNING, status="moved", feed=feed.name, url=new.url
        )
    return FeedReport(
        feed.name,
        result.outcome,
        count,
        processed,
        alerts,
        new.next_attempt,
        result.error,
        check_health(rt, feed, new),
    )


def check_health(rt: Runtime, feed: FeedConfig, state: feeds.FeedState) -> FeedKind | None:
    """Store the feed alert the feed's history calls for (delivered at the next drain)."""
    now = rt.clock()
    history = rt.store.feed_history(feed.name, state)
    change = health.assess(history, now, rt.config.scheduler.failing_after)
    if change is None:
        return None
    alert = health.alert(change, feed=feed.name, url=state.url, now=now)
    if not rt.store.add_alerts([alert], list(rt.outbox.sinks)):
        return None  # stored before (a crash between the two writes): nothing new
    failing = change.kind == "feed_failing"
    log_event(
        logger,
        "feed.health",
        level=logging.WARNING if failing else logging.INFO,
        status=change.kind,
        feed=feed.name,
        url=state.url,
        alert_id=alert.alert_id,
        error=change.error or None,
    )
    return change.kind


@dataclass(frozen=True, slots=True)
class RunReport:
    feeds: tuple[FeedReport, ...]
    deliveries: DrainReport  # every drain of the run

    @property
    def failed_feeds(self) -> int:
        return sum(1 for r in self.feeds if r.outcome in FAILED)

    @property
    def all_feeds_failed(self) -> bool:
        """Feeds were polled and every poll failed (disabled feeds, and on PostgreSQL
        those another daemon polled, do not count)."""
        polled = [r for r in self.feeds if r.outcome not in ("disabled", "leased")]
        return bool(polled) and self.failed_feeds == len(polled)


def active_feeds(config: Config) -> list[FeedConfig]:
    return [feed for feed in config.feeds if feed.enabled]


FeedDone = Callable[[FeedReport], None]  # told as each feed's cycle ends (progress bars)


async def run_all(rt: Runtime, on_feed_done: FeedDone | None = None) -> RunReport:
    """Every enabled feed once, concurrently (bounded), then deliver what is due."""

    async def one(feed: FeedConfig) -> FeedReport:
        report = await run_feed(rt, feed)
        if on_feed_done is not None:
            on_feed_done(report)
        return report

    results = await asyncio.gather(
        *(one(feed) for feed in active_feeds(rt.config)), return_exceptions=True
    )
    reports: list[FeedReport] = []
    for feed, result in zip(active_feeds(rt.config), results, strict=True):
        if isinstance(result, BaseException):
            if not isinstance(result, StateError):  # the CLI reports it; it is no bug
                _log_crash(feed, result)
            raise result
        reports.append(result)
    await rt.outbox.drain()
    return RunReport(tuple(reports), rt.outbox.total)


def _log_crash(feed: FeedConfig, error: BaseException) -> None:
    log_event(
        logger,
        "feed.crash",
        level=logging.CRITICAL,
        status="bug",
        feed=feed.name,
        error=repr(error),
        exc=error,
    )


def open_runtime(
    config: Config,
    baselines: tuple[Baseline, ...],
    store: Store,
    *,
    workers: int | None = None,
    metrics: Metrics | None = None,
    owner: str | None = None,
) -> Runtime:
    """A Runtime with a new fetcher, parser processes (``workers``: see offload) and the
    configured sinks (caller closes them); ``metrics`` counts what it does. With an
    ``owner``, the outbox claims the deliveries it makes (several processes share it)."""
    outbox = Outbox(
        store,
        configured_sinks(config),
        on_outcome=metrics.delivery if metrics else None,
        owner=owner or "",
    ).apply(config)
    return Runtime(
        config, baselines, store, Fetcher(config.http), outbox, Offload(workers), metrics=metrics
    )


async def close_runtime(rt: Runtime) -> None:
    rt.offload.close()
    await rt.fetcher.aclose()
    for sink in rt.outbox.sinks.values():
        await sink.aclose()


async def run_once(
    config: Config, baselines: tuple[Baseline, ...], on_feed_done: FeedDone | None = None
) -> RunReport:
    """``claimwatch once``: open the state (as its one writer), run every feed, deliver, close."""
    store = open_state(config, purpose="claimwatch once")
    try:
        owner = owner_id() if shares_state(config) else None  # claims alongside running daemons
        rt = open_runtime(config, baselines, store, owner=owner)
        try:
            return await run_all(rt, on_feed_done)
        finally:
            await close_runtime(rt)
    finally:
        store.close()
