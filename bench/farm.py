"""A feed farm for the benchmarks: many RSS feeds and their article pages, on loopback only.

    python bench/farm.py --feeds 1000 --entries 50 --hosts 200 --latency 0.05

Feeds are spread over ``--hosts`` loopback addresses (127.0.1.1, 127.0.1.2, ...), each with
its own port, as real feeds spread over many hosts. Every response waits ``--latency``
seconds first. Feeds carry ETag and Last-Modified and answer 304 to either validator; gzip
is served to clients that ask for it. Every entry links to an article page on the same host.
About ``--on-topic`` of the entries are coverage of ``--baseline`` (see bench/newstext.py).

On start the farm prints one JSON line on stdout: ``{"control": URL, "feeds": [[name, url],
...]}``. The control URL answers:

    GET /_farm/stats          requests and bytes served so far, per kind
    GET /_farm/advance?share=0.1   that share of the feeds gains one new entry

The farm exits on SIGTERM/SIGINT, when its stdin closes, or after ``--lifetime`` seconds
(by default an hour when run by hand; no limit under ``--stdin-eof``, where the parent
decides, since a long benchmark such as bench/memory.py runs for more than an hour).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import gzip
import json
import random
import signal
import subprocess
import sys
import urllib.request
from collections import Counter, OrderedDict
from dataclasses import dataclass
from email.utils import format_datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape

from bench.newstext import NewsSource, StoryWriter, page_html
from claimwatch.baselines import load_baseline

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_BASELINE = ROOT / "baselines" / "kazakhstan-2022-01.yaml"
MAX_HEAD = 16_384
PAGE_CACHE = 4096
STANDALONE_LIFETIME = 3600.0


@dataclass(frozen=True, slots=True)
class Body:
    plain: bytes
    packed: bytes  # gzip
    etag: str
    last_modified: str


class Farm:
    """What is served: feed ``i`` shows its entries ``top[i]-entries .. top[i]-1``."""

    def __init__(self, source: NewsSource, feeds: int, entries: int, hosts: list[str]) -> None:
        self.source = source
        self.entries = entries
        self.hosts = hosts  # "127.0.1.7:41234", by host index
        self.top = [entries] * feeds
        self.generation = 0
        self.stats: Counter[str] = Counter()
        self._feeds: dict[int, tuple[int, Body]] = {}
        self._pages: OrderedDict[tuple[int, int], bytes] = OrderedDict()

    def host_of(self, feed: int) -> str:
        return self.hosts[feed % len(self.hosts)]

    def feed_url(self, feed: int) -> str:
        return f"http://{self.host_of(feed)}/feeds/{feed}.xml"

    def page_url(self, feed: int, number: int) -> str:
        return f"http://{self.host_of(feed)}/articles/{feed}/{number}.html"

    def advance(self, share: float) -> int:
        """Give ``share`` of the feeds one new entry each; return how many changed."""
        self.generation += 1
        count = round(len(self.top) * share)
        for feed in random.Random(self.generation).sample(range(len(self.top)), count):
            self.top[feed] += 1
            self.feed_body(feed)  # rendered now, not while a client waits
        return count

    def feed_body(self, feed: int) -> Body:
        top = self.top[feed]
        cached = self._feeds.get(feed)
        if cached is None or cached[0] != top:
            cached = (top, self._render_feed(feed, top))
            self._feeds[feed] = cached
        return cached[1]

    def _render_feed(self, feed: int, top: int) -> Body:
        numbers = range(top - 1, max(top - self.entries, 0) - 1, -1)
        items = [(n, self.source.item(feed, n)) for n in numbers]
        newest = items[0][1].published
        parts = [
            '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>',
            f"<title>Farm outlet {feed}</title><link>http://{self.host_of(feed)}/</link>",
            f"<description>Generated news, feed {feed}</description>",
            f"<lastBuildDate>{format_datetime(newest, usegmt=True)}</lastBuildDate>",
        ]
        for n, item in items:
            url = self.page_url(feed, n)
            summary = escape(f"<p>{escape(item.summary)}</p>")
            parts.append(
                f"<item><title>{escape(item.title)}</title><link>{url}</link>"
                f'<guid isPermaLink="false">farm-{feed}-{n}</guid>'
                f"<pubDate>{format_datetime(item.published, usegmt=True)}</pubDate>"
                f"<description>{summary}</description></item>"
            )
        parts.append("</channel></rss>\n")
        plain = "".join(parts).encode()
        return Body(
            plain,
            gzip.compress(plain, 6, mtime=0),
            f'"f{feed}-{top}"',
            format_datetime(newest, usegmt=True),
        )

    def page(self, feed: int, number: int) -> bytes | None:
        if not (0 <= feed < len(self.top) and 0 <= number < self.top[feed]):
            return None
        key = (feed, number)
        body = self._pages.get(key)
        if body is None:
            item = self.source.item(feed, number)
            body = page_html(item, self.page_url(feed, number)).encode()
            self._pages[key] = body
            if len(self._pages) > PAGE_CACHE:
                self._pages.popitem(last=False)
        return body

    def answer(self, target: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        path = urlsplit(target).path
        parts = path.strip("/").split("/")
        gz = "gzip" in headers.get("accept-encoding", "")
        if len(parts) == 2 and parts[0] == "feeds" and parts[1].endswith(".xml"):
            return self._feed(parts[1].removesuffix(".xml"), headers, gz)
        number = parts[-1].removesuffix(".html")
        if len(parts) == 3 and parts[0] == "articles" and parts[1].isdigit() and number.isdigit():
            body = self.page(int(parts[1]), int(number))
            if body is not None:
                self.stats["page"] += 1
                extra = {"Content-Type": "text/html; charset=utf-8"}
                return _maybe_gzip(200, extra, body, gz)
        if path.startswith("/_farm/"):
            return self._control(target)
        self.stats["not_found"] += 1
        return 404, {"Content-Type": "text/plain"}, b"not found\n"

    def _feed(
        self, name: str, headers: dict[str, str], gz: bool
    ) -> tuple[int, dict[str, str], bytes]:
        if not name.isdigit() or int(name) >= len(self.top):
            self.stats["not_found"] += 1
            return 404, {"Content-Type": "text/plain"}, b"not found\n"
        body = self.feed_body(int(name))
        validators = {"ETag": body.etag, "Last-Modified": body.last_modified}
        inm, ims = headers.get("if-none-match"), headers.get("if-modified-since")
        if (inm is not None and inm == body.etag) or (inm is None and ims == body.last_modified):
            self.stats["feed_304"] += 1
            return 304, validators, b""
        self.stats["feed_200"] += 1
        extra = {"Content-Type": "application/rss+xml; charset=utf-8", **validators}
        if gz:
            extra.update({"Content-Encoding": "gzip", "Vary": "Accept-Encoding"})
            return 200, extra, body.packed
        return 200, extra, body.plain

    def _control(self, target: str) -> tuple[int, dict[str, str], bytes]:
        url = urlsplit(target)
        query = parse_qs(url.query)
        if url.path == "/_farm/advance":
            changed = self.advance(float(query.get("share", ["0.1"])[0]))
            data: dict[str, object] = {"changed": changed, "generation": self.generation}
        elif url.path == "/_farm/stats":
            data = dict(self.stats)
        else:
            return 404, {"Content-Type": "text/plain"}, b"not found\n"
        return 200, {"Content-Type": "application/json"}, json.dumps(data).encode()


def _maybe_gzip(
    status: int, headers: dict[str, str], body: bytes, gz: bool
) -> tuple[int, dict[str, str], bytes]:
    if not gz:
        return status, headers, body
    return status, {**headers, "Content-Encoding": "gzip"}, gzip.compress(body, 6, mtime=0)


def _parse_head(head: bytes) -> tuple[str, str, dict[str, str]]:
    lines = head.decode("latin-1").split("\r\n")
    method, target, version = lines[0].split(" ", 2)
    headers = {}
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if sep:
            headers[name.strip().lower()] = value.strip()
    if version == "HTTP/1.0" and headers.get("connection", "").lower() != "keep-alive":
        headers["connection"] = "close"
    return method, target, headers


class Server:
    def __init__(self, farm: Farm, latency: float) -> None:
        self.farm = farm
        self.latency = latency

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                method, target, headers = _parse_head(head)
                await asyncio.sleep(self.latency)
                status, extra, body = self.farm.answer(target, headers)
                close = headers.get("connection", "").lower() == "close"
                lines = [f"HTTP/1.1 {status} {_REASONS.get(status, 'OK')}"]
                lines += [f"{k}: {v}" for k, v in extra.items()]
                lines.append(f"Content-Length: {len(body)}")
                lines.append("Connection: close" if close else "Connection: keep-alive")
                payload = ("\r\n".join(lines) + "\r\n\r\n").encode() + (
                    body if method != "HEAD" else b""
                )
                if not target.startswith("/_farm/"):
                    self.farm.stats["requests"] += 1
                    self.farm.stats["bytes"] += len(payload)
                writer.write(payload)
                await writer.drain()
                if close:
                    break
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
            pass
        except ValueError:  # a malformed request line
            pass
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()


_REASONS = {200: "OK", 304: "Not Modified", 404: "Not Found"}


async def serve(args: argparse.Namespace) -> None:
    baseline = load_baseline(args.baseline)
    start = dt.datetime.combine(
        (baseline.since or dt.date(2024, 1, 1)) + dt.timedelta(days=2), dt.time(6), dt.UTC
    )
    source = NewsSource(args.seed, args.on_topic, StoryWriter(baseline), start)
    farm = Farm(source, args.feeds, args.entries, hosts=[])
    server = Server(farm, args.latency)
    servers = []
    for index in range(args.hosts):
        address = f"127.0.{1 + index // 250}.{1 + index % 250}"
        srv = await asyncio.start_server(
            server.handle, address, 0, backlog=1024, limit=MAX_HEAD, reuse_address=True
        )
        servers.append(srv)
        farm.hosts.append(f"{address}:{srv.sockets[0].getsockname()[1]}")
    for feed in range(args.feeds):  # rendered before any client asks
        farm.feed_body(feed)
    manifest = {
        "control": f"http://{farm.hosts[0]}/_farm",
        "feeds": [[f"farm-{i:04d}", farm.feed_url(i)] for i in range(args.feeds)],
    }
    print(json.dumps(manifest), flush=True)
    await _wait_for_end(lifetime_of(args), watch_stdin=args.stdin_eof)
    for srv in servers:
        srv.close()


def lifetime_of(args: argparse.Namespace) -> float | None:
    """Seconds the farm may live; None for no limit (a parent holding its stdin decides)."""
    if args.lifetime is not None:
        return float(args.lifetime)
    return None if args.stdin_eof else STANDALONE_LIFETIME


async def _wait_for_end(lifetime: float | None, *, watch_stdin: bool) -> None:
    """Until SIGTERM/SIGINT, EOF on stdin (the parent is gone) or ``lifetime`` seconds."""
    loop = asyncio.get_running_loop()
    done = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, done.set)
    watcher = None
    if watch_stdin:
        reader = asyncio.StreamReader()
        await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)

        async def stdin_closed() -> None:
            while await reader.read(4096):
                pass
            done.set()

        watcher = asyncio.create_task(stdin_closed())
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(done.wait(), lifetime)
    if watcher is not None:
        watcher.cancel()


class FarmProcess:
    """The farm as a child process, for the benchmarks: start, read its manifest, steer it.

    Closing our end of its stdin makes it exit, so it never outlives the benchmark.
    """

    def __init__(self, *options: str) -> None:
        self.options = options
        self.process: subprocess.Popen[str] | None = None
        self.feeds: list[tuple[str, str]] = []
        self.control = ""

    def __enter__(self) -> FarmProcess:
        command = [sys.executable, "-m", "bench.farm", "--stdin-eof", *self.options]
        self.process = subprocess.Popen(
            command, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            self.__exit__(None, None, None)
            raise RuntimeError("the feed farm did not start")
        manifest = json.loads(line)
        self.feeds = [(name, url) for name, url in manifest["feeds"]]
        self.control = manifest["control"]
        return self

    def __exit__(self, *exc: object) -> None:
        if self.process is None:
            return
        if self.process.stdin is not None:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        if self.process.stdout is not None:
            self.process.stdout.close()
        self.process = None

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def _get(self, path: str) -> dict[str, int]:
        with urllib.request.urlopen(f"{self.control}/{path}", timeout=600) as answer:
            data: dict[str, int] = json.loads(answer.read())
            return data

    def stats(self) -> Counter[str]:
        return Counter(self._get("stats"))

    def advance(self, share: float) -> int:
        return self._get(f"advance?share={share}")["changed"]


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--feeds", type=int, default=1000)
    p.add_argument("--entries", type=int, default=50, help="entries per feed")
    p.add_argument("--hosts", type=int, default=200, help="loopback addresses (max 1000)")
    p.add_argument("--latency", type=float, default=0.05, help="seconds before each response")
    p.add_argument("--on-topic", type=float, default=0.02, help="share of on-topic entries")
    p.add_argument("--baseline", type=Path, default=DEFAULT_BASELINE)
    p.add_argument("--seed", type=int, default=6)
    p.add_argument(
        "--lifetime",
        type=float,
        default=None,
        help="exit after this many seconds (default: an hour, or no limit with --stdin-eof)",
    )
    p.add_argument("--stdin-eof", action="store_true", help="exit when stdin closes")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if not 1 <= args.hosts <= 1000:
        raise SystemExit("--hosts must be between 1 and 1000")
    asyncio.run(serve(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
