"""What the defences against hostile feeds and files cost, and what they bound.

    python -m bench.hostile            # prints a Markdown table
    python -m bench.hostile --quick    # smaller inputs (CI)

- body check: ``feedbody.prepare`` (decoding as feedparser does, the entity bound) on a
  UTF-8 feed, against ``entries.parse`` of the same feed, which includes it;
- entity bomb: a feed of one 10 KB entity referred to 60,000 times (310 KB that expanded to
  600 MB of text in feedparser's fallback parser), parsed in a child process: its time and
  the child's peak resident memory;
- alias bomb: a baseline of about 550 bytes of nine-fold aliases nine levels deep and one invalid
  value, loaded: how long until it is refused;
- slow host: four responses that never come hold all four connections to one host; how long
  a fifth request to that host waits (``total_timeout`` 8 s, so a quarter is 2 s).
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from claimwatch.baselines import load_baseline
from claimwatch.entries import parse
from claimwatch.errors import BaselineError, FetchError
from claimwatch.feedbody import prepare
from claimwatch.fetcher import Fetcher
from tests.bombs import alias_bomb, entity_bomb
from tests.servers import FeedServer, loopback_http_config

CHILD = """
import resource, sys, time
from claimwatch.entries import parse
from claimwatch.errors import FeedError
body = sys.stdin.buffer.read()
started = time.perf_counter()
try:
    parse(body, feed="bomb", url="http://bomb.test/feed.xml")
    outcome = "parsed"
except FeedError as exc:
    outcome = str(exc)
print(time.perf_counter() - started)
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
print(outcome)
"""


def feed(items: int) -> bytes:
    """An RSS feed of ``items`` entries, some of their text Cyrillic."""
    body = "".join(
        f"<item><guid>n{i}</guid><title>Погода {i}: «дождь» в Сильвании</title>"
        f"<description>Rain in Sylvania, day {i}.</description></item>"
        for i in range(items)
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel>{body}</channel></rss>'.encode()


def body_check(items: int) -> tuple[str, str]:
    data = feed(items)
    headers = {"content-type": "application/rss+xml"}
    started = time.perf_counter()
    prepare(data, headers, url="http://bench.test/")
    checked = time.perf_counter() - started
    started = time.perf_counter()
    parse(data, feed="bench", url="http://bench.test/")
    parsed = time.perf_counter() - started
    size = len(data) / 1e6
    return f"{checked * 1000:.1f} ms for {size:.2f} MB", f"{checked / parsed:.1%} of parsing"


def bomb(references: int) -> tuple[str, str]:
    body = entity_bomb(value_size=10_000, references=references).encode()
    result = subprocess.run(
        [sys.executable, "-c", CHILD], input=body, capture_output=True, timeout=600, check=True
    )
    seconds, peak_kb, outcome = result.stdout.decode().splitlines()[:3]
    expands = 10_000 * references / 1e6
    what = f"{len(body) / 1e3:.0f} KB standing for {expands:.0f} MB: {outcome[:60]}..."
    return what, f"{float(seconds) * 1000:.1f} ms, peak RSS {int(peak_kb) / 1024:.0f} MB"


def aliases() -> tuple[str, str]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bomb.yaml"
        path.write_text(alias_bomb(), encoding="utf-8")
        started = time.perf_counter()
        try:
            load_baseline(path)
        except BaselineError as exc:
            refused = str(exc).split(": ", 1)[1]
        took = time.perf_counter() - started
    return f"{len(alias_bomb())} bytes: {refused}", f"{took * 1000:.2f} ms"


async def slow_host() -> tuple[str, str]:
    with FeedServer() as server:
        for n in range(4):
            server.route(f"/slow{n}.xml", b"", delay=600)
        server.route("/fast.xml", b"<rss/>")
        http = loopback_http_config(max_per_host=4, total_timeout=8.0, read_timeout=8.0)
        async with Fetcher(http) as client:
            slow = [asyncio.create_task(client.get(server.url(f"/slow{n}.xml"))) for n in range(4)]
            while server.peak_in_flight < 4:  # noqa: ASYNC110 (the server is a thread)
                await asyncio.sleep(0.01)
            started = time.perf_counter()
            await client.get(server.url("/fast.xml"))
            waited = time.perf_counter() - started
            for task in slow:
                task.cancel()
            results = await asyncio.gather(*slow, return_exceptions=True)
    cut = sum(isinstance(r, FetchError) for r in results)
    return f"4 slow responses hold the host; {cut} cut", f"the 5th request waited {waited:.2f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller inputs")
    args = parser.parse_args()
    rows = [
        ("body check", *body_check(500 if args.quick else 5_000)),
        ("entity bomb", *bomb(6_000 if args.quick else 60_000)),
        ("alias bomb", *aliases()),
        ("slow host", *asyncio.run(slow_host())),
    ]
    print("| case | input | figure |\n|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\n(this process: peak RSS {peak:.0f} MB)")


if __name__ == "__main__":
    main()
