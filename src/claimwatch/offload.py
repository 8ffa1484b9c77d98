"""Feed parsing and article extraction off the event loop, on worker processes.

feedparser is pure Python and trafilatura holds the GIL for most of its work, so threads
cannot put a second core to use: a cold cycle over a thousand feeds is mostly parsing. These
two stages are pure functions of bytes and strings, which makes them cheap to hand to a
process pool; everything else (HTTP, dedup, matching, the store) stays in the event loop.

- ``Offload(workers=0)`` runs both stages in a thread instead (one-core machines, tests).
- Workers come from a fork server that has already imported the parsers, so starting one is
  a fork, not a fresh interpreter; they ignore SIGINT (Ctrl-C is the parent's to handle)
  and exit by themselves within a second of their parent's death, even a SIGKILL.
- A worker that dies (killed, out of memory) fails only the call it was running: the pool is
  replaced and that feed's poll is recorded as failed like any unparsable feed.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

from claimwatch import entries
from claimwatch.errors import FeedError, FetchError
from claimwatch.extract import article_text
from claimwatch.logs import LogFormat, inherited_settings, log_event, setup_logging

MAX_WORKERS = 4
PARENT_CHECK_EVERY = 1.0  # seconds between a worker's checks that its parent still runs
_PRELOAD = ["claimwatch.entries", "claimwatch.extract", "trafilatura", "bs4"]

logger = logging.getLogger(__name__)
T = TypeVar("T")


def default_workers() -> int:
    """One worker per core (at most MAX_WORKERS); none on one core, where a pool only adds
    copies of the parsers. The event loop needs some of a core too, but much of its time
    is spent waiting on the network (bench/polling.py measured 1 and 2 workers on 2 cores:
    the same cold cycle, a warm one 15% faster with 2)."""
    cores = os.cpu_count() or 1
    return 0 if cores < 2 else min(cores, MAX_WORKERS)


class Offload:
    """The pool of parser processes (or, with ``workers=0``, a thread)."""

    def __init__(self, workers: int | None = None) -> None:
        self.workers = default_workers() if workers is None else workers
        self._pool: ProcessPoolExecutor | None = None
        self._closed = False

    async def parse_feed(
        self, body: bytes, *, feed: str, url: str, headers: Mapping[str, str] | None = None
    ) -> entries.ParsedFeed:
        """``entries.parse`` in a worker; FeedError (naming ``url``) as there."""
        try:
            result = await self._run(_parse_feed, body, feed, url, dict(headers or {}))
        except BrokenProcessPool:
            raise FeedError("the parser process died", subject=url) from None
        if isinstance(result, str):
            raise FeedError(result, subject=url)
        return result

    async def article_text(self, html: str, url: str) -> str | None:
        """``extract.article_text`` in a worker; FetchError if the worker died."""
        try:
            return await self._run(article_text, html, url)
        except BrokenProcessPool:
            raise FetchError("the extraction process died", url=url) from None

    async def _run(self, function: Callable[..., T], *args: object) -> T:
        pool = self._executor()
        if pool is None:
            return await asyncio.to_thread(function, *args)
        try:
            # Submitted from a thread: a submission may start a worker process, which waits
            # for the fork server to import the parsers (a third of a second at first use),
            # and the event loop would stall meanwhile.
            submitted = await asyncio.to_thread(pool.submit, function, *args)
            return await asyncio.wrap_future(submitted)
        except BrokenProcessPool:
            self._replace(pool)
            raise

    def _executor(self) -> ProcessPoolExecutor | None:
        if self.workers <= 0 or self._closed:
            return None
        if self._pool is None:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(_PRELOAD)
            self._pool = ProcessPoolExecutor(
                self.workers,
                mp_context=context,
                initializer=_start_worker,
                initargs=(os.getpid(), inherited_settings()),
            )
        return self._pool

    def _replace(self, broken: ProcessPoolExecutor) -> None:
        if self._pool is broken:
            log_event(logger, "offload.restart", level=logging.WARNING, status="broken")
            broken.shutdown(wait=False, cancel_futures=True)
            self._pool = None

    def close(self) -> None:
        """Stop the workers (idempotent)."""
        self._closed = True
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


def _start_worker(parent: int, logging_settings: tuple[int, LogFormat] | None) -> None:
    """Ignore SIGINT, and exit when ``parent`` is gone: a pool worker otherwise waits for
    work forever after its parent is killed (SIGKILL), and keeps the fork server alive.
    Log as the parent does: a parser's warning gets the same format and journald priority."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if logging_settings is not None:
        setup_logging(*logging_settings)
    threading.Thread(target=_exit_with, args=(parent,), daemon=True).start()


def _exit_with(parent: int) -> None:
    while _alive(parent):
        time.sleep(PARENT_CHECK_EVERY)
    os._exit(0)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"  # a zombie is dead
    except ProcessLookupError:
        return False
    except OSError:  # no /proc, or not ours to signal: assume alive
        return True


def _parse_feed(
    body: bytes, feed: str, url: str, headers: dict[str, str]
) -> entries.ParsedFeed | str:
    """Runs in a worker: the parsed feed, or FeedError's message (it does not pickle)."""
    try:
        return entries.parse(body, feed=feed, url=url, headers=headers)
    except FeedError as exc:
        return exc.message
