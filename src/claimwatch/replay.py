"""``claimwatch replay``: saved coverage through the detector as if it had just arrived.

For backtesting a baseline on past coverage and filling the status page before going live.
Articles (see archive.py) run in publication order (undated last, then by file and place in
it), through the pipeline's own ``process_entry``: the same dedup (an article processed
before, with the same text, is skipped, so a second replay adds nothing), matching, novelty
against the facts already alerted, and one store transaction per article.

Replayed alerts are stored without deliveries, so no sink ever sends them, unless
``deliver`` is set: then they are queued for every configured sink and the outbox drained.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from claimwatch.archive import Item, Problem, collect
from claimwatch.baselines import Baseline
from claimwatch.config import Config
from claimwatch.errors import InputError
from claimwatch.fetcher import Fetcher
from claimwatch.offload import Offload
from claimwatch.outbox import DrainReport, Outbox
from claimwatch.pipeline import Runtime, close_runtime, process_entry, select_new
from claimwatch.progress import track
from claimwatch.sinks import configured_sinks
from claimwatch.store import Store, open_store

ItemDone = Callable[[Item], None]  # told as each article is done (progress bars)


@dataclass(frozen=True, slots=True)
class ReplayReport:
    articles: int  # articles given
    processed: int  # new or changed ones run through the detector
    alerts: Mapping[str, int]  # alerts stored, by kind
    deliveries: DrainReport | None  # None: not delivered


def in_order(items: Iterable[Item]) -> list[Item]:
    """Publication order; undated articles last; then by file and place in the file."""
    far = datetime.max.replace(tzinfo=UTC)
    return sorted(items, key=lambda i: (i.entry.published or far, str(i.path), i.position))


def new_items(store: Store, ordered: Sequence[Item], now: datetime) -> dict[int, str]:
    """The articles never processed or changed since, as ``pipeline.select_new`` decides per
    feed (and marks seen): text hash by ``id`` of the entry; an article given twice is taken
    once (its first place in ``ordered``)."""
    by_feed: dict[str, list[Item]] = {}
    for item in ordered:
        by_feed.setdefault(item.entry.feed, []).append(item)
    return {
        id(entry): digest
        for feed, items in by_feed.items()
        for entry, digest in select_new(store, feed, [i.entry for i in items], now)
    }


async def replay(
    config: Config,
    baselines: tuple[Baseline, ...],
    store: Store,
    items: Sequence[Item],
    *,
    deliver: bool = False,
    on_item: ItemDone | None = None,
) -> ReplayReport:
    """Run ``items`` through the detector in publication order; see the module docstring."""
    ordered = in_order(items)
    sinks = configured_sinks(config) if deliver else {}
    outbox = Outbox(store, sinks).apply(config)
    rt = Runtime(config, baselines, store, Fetcher(config.http), outbox, Offload(0))
    added = Counter[str]()
    try:
        todo = new_items(store, ordered, rt.clock())
        for item in ordered:
            digest = todo.get(id(item.entry))
            if digest is not None:
                stored = await process_entry(
                    rt, item.entry.feed, item.entry, digest, fetch_page=False
                )
                added.update(a.kind for a in stored)
            if on_item is not None:
                on_item(item)
        drained = await rt.outbox.drain() if deliver else None
    finally:
        await close_runtime(rt)
    return ReplayReport(len(items), len(todo), dict(added), drained)


def replay_files(
    config: Config,
    baselines: tuple[Baseline, ...],
    paths: Sequence[Path],
    *,
    deliver: bool,
    on_problem: Callable[[Problem], None],
) -> str:
    """``claimwatch replay``: read ``paths``, replay with progress shown, return the summary.

    Each unusable file is told to ``on_problem``; InputError when nothing was usable.
    """
    collected = collect(paths)
    for problem in collected.problems:
        on_problem(problem)
    if not collected.items:
        raise InputError("no usable articles in " + ", ".join(map(str, paths)))
    store = open_store(config.state_location)
    try:
        with track(len(collected.items), "replay") as progress:
            report = asyncio.run(
                replay(
                    config,
                    baselines,
                    store,
                    collected.items,
                    deliver=deliver,
                    on_item=lambda item: progress.advance(path=str(item.path)),
                )
            )
    finally:
        store.close()
    return summary(report, collected.files)


def summary(report: ReplayReport, files: int) -> str:
    """``replay: 3 files, 12 articles (5 new), 4 alerts (3 contradiction, 1 follow_up)``."""
    total = sum(report.alerts.values())
    kinds = ", ".join(f"{n} {kind}" for kind, n in sorted(report.alerts.items()))
    text = (
        f"replay: {files} files, {report.articles} articles ({report.processed} new), "
        f"{total} alerts" + (f" ({kinds})" if kinds else "")
    )
    if report.deliveries is None:
        return text + "; stored, not delivered (--deliver sends them)"
    d = report.deliveries
    return text + f"; deliveries: {d.delivered} delivered, {d.failed} failed, {d.refused} refused"
