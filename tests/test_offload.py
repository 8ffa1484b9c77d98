"""The parser processes: same results as in-process, failures as data, no orphans."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pytest

from claimwatch import entries
from claimwatch.errors import FeedError
from claimwatch.offload import Offload, default_workers

ROOT = Path(__file__).resolve().parent.parent
FEED = (ROOT / "tests" / "data" / "feeds" / "rss2.xml").read_bytes()
URL = "https://example.com/feed.xml"
ARTICLE = "<html><body><article>" + "<p>A sentence of the story.</p>" * 20 + "</article>"


@pytest.fixture(params=[0, 1], ids=["thread", "process"])
async def offload(request: pytest.FixtureRequest) -> AsyncIterator[Offload]:
    pool = Offload(workers=request.param)
    yield pool
    pool.close()


async def test_parsing_matches_the_inline_parser(offload: Offload) -> None:
    parsed = await offload.parse_feed(FEED, feed="f", url=URL, headers={})
    inline = entries.parse(FEED, feed="f", url=URL, headers={})
    assert [e.entry_id for e in parsed.entries] == [e.entry_id for e in inline.entries]
    assert [e.summary for e in parsed.entries] == [e.summary for e in inline.entries]


async def test_an_unusable_feed_is_a_feed_error_naming_the_url(offload: Offload) -> None:
    with pytest.raises(FeedError, match=r"example\.com/feed\.xml: not a usable feed"):
        await offload.parse_feed(b"<html>no feed</html", feed="f", url=URL)


async def test_article_text(offload: Offload) -> None:
    text = await offload.article_text(ARTICLE, "https://example.com/a")
    assert text is not None and text.startswith("A sentence of the story.")


async def test_a_dead_worker_fails_one_call_and_the_pool_is_replaced() -> None:
    pool = Offload(workers=1)
    try:
        with pytest.raises(BrokenProcessPool):
            await pool._run(os._exit, 3)
        parsed = await pool.parse_feed(FEED, feed="f", url=URL)
        assert parsed.entries
    finally:
        pool.close()


def test_one_worker_per_core_none_on_one_core(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "cpu_count", lambda: 1)
    assert default_workers() == 0
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    assert default_workers() == 2
    monkeypatch.setattr(os, "cpu_count", lambda: 64)
    assert default_workers() == 4


KILLED_PARENT = """
import asyncio, os, signal
from multiprocessing import forkserver
from claimwatch.offload import Offload

async def main():
    pool = Offload(workers=2)
    await pool.article_text("<p>x</p>", "https://example.com/")
    server = forkserver._forkserver._forkserver_pid
    print(" ".join(str(p) for p in [server, *pool._pool._processes]), flush=True)
    os.kill(os.getpid(), signal.SIGKILL)

asyncio.run(main())
"""


def test_workers_exit_when_their_parent_is_killed() -> None:
    child = subprocess.run(
        [sys.executable, "-c", KILLED_PARENT], capture_output=True, text=True, timeout=60
    )
    left = [int(p) for p in child.stdout.split()]  # the fork server and the workers
    assert len(left) >= 2
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_running(p) for p in left):
        time.sleep(0.1)
    assert not any(_running(p) for p in left)


def _stat(pid: int) -> list[str]:
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        return stat.read().rsplit(")", 1)[1].split()


def _running(pid: int) -> bool:
    try:
        return _stat(pid)[0] != "Z"
    except FileNotFoundError:
        return False


LOGGING_PARENT = """
import asyncio, logging
from claimwatch.logs import setup_logging
from claimwatch.offload import Offload

async def main():
    setup_logging(0, "json")
    pool = Offload(workers=1)
    try:
        await pool._run(logging.getLogger("trafilatura.core").warning, "a parser's warning")
        await pool._run(logging.getLogger("claimwatch.extract").debug, "below the level")
    finally:
        pool.close()

asyncio.run(main())
"""


def test_workers_log_as_their_parent_does() -> None:
    """A parser's warning in a worker comes out in the parent's format and at its level."""
    child = subprocess.run(
        [sys.executable, "-c", LOGGING_PARENT], capture_output=True, text=True, timeout=60
    )
    assert child.returncode == 0, child.stderr
    lines = [json.loads(line) for line in child.stderr.splitlines()]
    assert [(line["level"], line["logger"], line["message"]) for line in lines] == [
        ("warning", "trafilatura.core", "a parser's warning")
    ]
