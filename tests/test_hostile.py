"""Hostile and broken feeds and pages, each served by a real loopback server, through the pipeline.

Every case runs the hostile feed next to a healthy one (``run_all``) and checks that:

- the hostile feed's cycle ends within a hard bound (the whole run is under ``asyncio.timeout``);
- its failure is logged once, with its URL and the reason;
- the healthy feed is still polled, and its alert stored and delivered;
- article pages on private, loopback or link-local addresses are never requested (unless the
  config allows them), whatever the link's text, and at every redirect hop.

Fetch-level limits are unit-tested in test_fetcher.py; here they are seen from the pipeline.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import logging
import socket
import socketserver
import threading
import tracemalloc
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import pytest

from claimwatch import pipeline
from claimwatch.baselines import load_baselines
from claimwatch.config import Config, config_from_mapping
from claimwatch.fetcher import Fetcher
from claimwatch.netguard import IPAddress, blocked_reason
from claimwatch.outbox import Outbox
from claimwatch.pipeline import FeedReport, Runtime, run_all
from claimwatch.sinks import configured_sinks
from claimwatch.sinks.email_render import Envelope, alert_message
from claimwatch.store import open_store
from claimwatch.urls import canonicalize
from tests.e2e.helpers import ARTICLE, BASELINE
from tests.servers import HTML_TYPE, FeedServer, article_page, gzip_bomb

BOUND = 20.0  # seconds: no case may take longer, whatever the server does
TOTAL_TIMEOUT = 1.0  # the fetcher's budget per URL in these tests
MAX_BYTES = 1_000_000
RELEVANT_TEXT = "The bridge in Freedonia was closed on Tuesday."
Item = tuple[str, str, str, str | None]  # guid, title, text, link


def rss(items: Sequence[Item], *, encoding: str | None = None) -> str:
    """An RSS 2.0 document; a link of None leaves the item without one."""
    body = "".join(
        f"<item><guid>{escape(guid)}</guid><title>{escape(title)}</title>"
        + (f"<link>{escape(link)}</link>" if link else "")
        + f"<description>{escape(text)}</description>"
        "<pubDate>Wed, 12 Jan 2022 10:00:00 GMT</pubDate></item>"
        for guid, title, text, link in items
    )
    declaration = f' encoding="{encoding}"' if encoding else ""
    return (
        f'<?xml version="1.0"{declaration}?><rss version="2.0"><channel><title>T</title>'
        f"{body}</channel></rss>"
    )


def good_feed(server: FeedServer) -> None:
    """The healthy neighbour: one relevant entry, processed from its own text."""
    link = server.url("/articles/good")
    server.route("/good.xml", rss([("good-1", "Freedonia bridge closed", RELEVANT_TEXT, link)]))


def make_config(tmp_path: Path, server: FeedServer, *, fetch: str = "none", **http: Any) -> Config:
    (tmp_path / "baseline.yaml").write_text(BASELINE, encoding="utf-8")
    feeds = [
        {"name": "bad", "url": server.url("/bad.xml"), "fetch_articles": fetch},
        {"name": "good", "url": server.url("/good.xml"), "fetch_articles": "none"},
    ]
    settings = {
        "connect_timeout": 1,
        "read_timeout": 1,
        "total_timeout": TOTAL_TIMEOUT,
        "max_bytes": MAX_BYTES,
        **http,
    }
    data = {
        "state": "state.db",
        "baselines": ["baseline.yaml"],
        "http": settings,
        "scheduler": {"jitter": 0},
        "alerts": {"log": {"path": "alerts.jsonl"}},
        "feeds": feeds,
    }
    return config_from_mapping(data, path=tmp_path / "claimwatch.toml")


@asynccontextmanager
async def runtime(config: Config, fetcher: Fetcher | None = None) -> AsyncIterator[Runtime]:
    store = open_store(config.state)
    client = fetcher or Fetcher(config.http)
    rt = Runtime(
        config,
        load_baselines(config.baselines),
        store,
        client,
        Outbox(store, configured_sinks(config)),
    )
    try:
        yield rt
    finally:
        await pipeline.close_runtime(rt)
        store.close()


def events(caplog: pytest.LogCaptureFixture, name: str, **match: Any) -> list[dict[str, Any]]:
    """The fields of every ``name`` event whose fields include ``match``."""
    found = []
    for record in caplog.records:
        fields = getattr(record, "claimwatch_fields", None)
        if record.getMessage() != name or fields is None:
            continue
        if all(fields.get(k) == v for k, v in match.items()):
            found.append({**fields, "level": record.levelno})
    return found


def alert_lines(config: Config) -> list[dict[str, Any]]:
    path = config.alert_log_path
    assert path is not None
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


async def run_bounded(rt: Runtime) -> dict[str, FeedReport]:
    async with asyncio.timeout(BOUND):
        report = await run_all(rt)
    return {r.feed: r for r in report.feeds}


def assert_good_feed_went_on(reports: dict[str, FeedReport], config: Config) -> None:
    good = reports["good"]
    assert (good.outcome, good.processed, good.alerts) == ("fetched", 1, 1)
    assert [line["feed"] for line in alert_lines(config)].count("good") == 1


# -- a server that resets every connection -----------------------------------------------------


class ResetServer:
    """Accepts, reads the request line, then resets the connection (RST, not FIN)."""

    def __init__(self) -> None:
        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                self.request.recv(1024)
                linger = (1).to_bytes(4, "little") + (0).to_bytes(4, "little")
                self.request.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger)
                self.request.close()  # with linger 0: RST

        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,))

    def url(self, path: str) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}{path}"

    def __enter__(self) -> ResetServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)


# -- feeds that fail ---------------------------------------------------------------------------

FIFTY_MB = 50 * 1024 * 1024
Setup = Callable[[FeedServer], None]


def _status(status: int, retry_after: str | None = None) -> Setup:
    headers = {"Retry-After": retry_after} if retry_after else {}
    return lambda s: s.route("/bad.xml", "busy", status=status, headers=headers)


FAILING_FEEDS: list[tuple[str, Setup, str]] = [
    ("hang", lambda s: s.route("/bad.xml", rss([]), delay=600), "no complete response within 1s"),
    (
        "trickle-1-byte-per-second",
        lambda s: s.route("/bad.xml", rss([]), trickle=1.0, chunk_size=1),
        "no complete response within 1s",
    ),
    ("http-500", _status(500), "HTTP 500"),
    ("http-502", _status(502), "HTTP 502"),
    ("http-503", _status(503), "HTTP 503"),
    ("http-503-retry-after", _status(503, "7200"), "HTTP 503"),
    ("http-429", _status(429), "HTTP 429"),
    ("http-429-retry-after-date", _status(429, "Wed, 21 Oct 2037 07:28:00 GMT"), "HTTP 429"),
    (
        "redirect-loop",
        lambda s: (s.redirect("/bad.xml", "/bad2.xml"), s.redirect("/bad2.xml", "/bad.xml")),
        "redirect loop",
    ),
    (
        "redirect-to-file",
        lambda s: s.redirect("/bad.xml", "file:///etc/passwd", status=302),
        "scheme 'file' is not allowed",
    ),
    (
        "redirect-to-ftp",
        lambda s: s.redirect("/bad.xml", "ftp://127.0.0.1/feed.xml", status=307),
        "scheme 'ftp' is not allowed",
    ),
    (
        "50-MB-declared",
        lambda s: s.route("/bad.xml", bytes(FIFTY_MB)),
        f"exceeds the {MAX_BYTES}-byte limit",
    ),
    (
        "50-MB-streamed",
        lambda s: s.route("/bad.xml", bytes(FIFTY_MB), send_length=False),
        f"exceeds the {MAX_BYTES}-byte limit",
    ),
    (
        "gzip-bomb",
        lambda s: s.route("/bad.xml", gzip_bomb(FIFTY_MB), headers={"Content-Encoding": "gzip"}),
        "decoded body exceeds",
    ),
    (
        "html-not-a-feed",
        lambda s: s.route("/bad.xml", article_page(), content_type=HTML_TYPE),
        "not a usable feed",
    ),
    ("empty-body", lambda s: s.route("/bad.xml", b""), "not a usable feed"),
    ("binary-garbage", lambda s: s.route("/bad.xml", bytes(range(256)) * 4), "not a usable feed"),
    ("not-found", lambda s: s.route("/bad.xml", "no", status=404), "HTTP 404"),
]


@pytest.mark.parametrize(
    ("setup", "reason"), [c[1:] for c in FAILING_FEEDS], ids=[c[0] for c in FAILING_FEEDS]
)
async def test_a_failing_feed_is_bounded_logged_once_and_others_go_on(
    tmp_path: Path,
    feed_server: FeedServer,
    caplog: pytest.LogCaptureFixture,
    setup: Setup,
    reason: str,
) -> None:
    good_feed(feed_server)
    setup(feed_server)
    config = make_config(tmp_path, feed_server)
    async with runtime(config) as rt:
        with caplog.at_level(logging.INFO, logger="claimwatch"):
            reports = await run_bounded(rt)
        state = rt.store.feed_state("bad", config.feed("bad").url)
    bad = reports["bad"]
    assert bad.outcome == "failed" and reason in str(bad.error)
    (poll,) = events(caplog, "feed.poll", feed="bad")
    assert poll["level"] == logging.WARNING
    assert poll["url"] == feed_server.url("/bad.xml") and reason in poll["error"]
    assert state.consecutive_failures == 1 and reason in str(state.last_error)
    assert_good_feed_went_on(reports, config)


@pytest.mark.parametrize(
    ("retry_after", "at_least"),
    [(None, 900.0), ("7200", 7200.0), ("Wed, 21 Oct 2037 07:28:00 GMT", 86400.0)],
    ids=["backoff-interval", "seconds", "far-date-clamped"],
)
async def test_throttled_feed_waits_for_retry_after_clamped(
    tmp_path: Path, feed_server: FeedServer, retry_after: str | None, at_least: float
) -> None:
    good_feed(feed_server)
    _status(429, retry_after)(feed_server)
    config = make_config(tmp_path, feed_server)
    before = datetime.now(UTC)
    async with runtime(config) as rt:
        reports = await run_bounded(rt)
    due = reports["bad"].next_attempt
    assert due is not None
    waited = (due - before).total_seconds()
    assert at_least <= waited <= max(at_least, config.scheduler.max_retry_after) + 60


async def test_a_connection_reset_is_a_logged_failure(
    tmp_path: Path, feed_server: FeedServer, caplog: pytest.LogCaptureFixture
) -> None:
    good_feed(feed_server)
    with ResetServer() as resetter:
        feed_server.redirect("/bad.xml", resetter.url("/feed.xml"), status=302)
        config = make_config(tmp_path, feed_server)
        async with runtime(config) as rt:
            with caplog.at_level(logging.INFO, logger="claimwatch"):
                reports = await run_bounded(rt)
    assert reports["bad"].outcome == "failed"
    (poll,) = events(caplog, "feed.poll", feed="bad")
    assert poll["error"].startswith(resetter.url("/feed.xml"))
    assert "ReadError" in poll["error"] or "RemoteProtocolError" in poll["error"]
    assert_good_feed_went_on(reports, config)


@pytest.mark.parametrize(
    "setup",
    [
        lambda s: s.route("/bad.xml", bytes(FIFTY_MB), send_length=False),
        lambda s: s.route("/bad.xml", gzip_bomb(FIFTY_MB), headers={"Content-Encoding": "gzip"}),
    ],
    ids=["50-MB-streamed", "gzip-bomb"],
)
async def test_oversized_feeds_stay_within_bounded_memory(
    tmp_path: Path, feed_server: FeedServer, setup: Setup
) -> None:
    good_feed(feed_server)
    setup(feed_server)
    config = make_config(tmp_path, feed_server)
    async with runtime(config) as rt:
        tracemalloc.start()
        try:
            reports = await run_bounded(rt)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert reports["bad"].outcome == "failed"
    assert peak < 8 * MAX_BYTES  # of 50 MB sent: the cap plus a few chunks


# -- feeds that parse, however odd -------------------------------------------------------------


async def fetch_odd_feed(
    tmp_path: Path,
    server: FeedServer,
    body: bytes | str,
    *,
    http: dict[str, Any] | None = None,
    **route: Any,
) -> tuple[FeedReport, Config]:
    """Serve ``body`` as the bad feed and run both feeds once."""
    good_feed(server)
    server.route("/bad.xml", body, **route)
    config = make_config(tmp_path, server, **(http or {}))
    async with runtime(config) as rt:
        reports = await run_bounded(rt)
    assert_good_feed_went_on(reports, config)
    return reports["bad"], config


def stored_entries(config: Config) -> list[tuple[Any, ...]]:
    import sqlite3

    with sqlite3.connect(config.state) as db:
        return db.execute(
            "SELECT entry_id, url, title, published, processed_at IS NOT NULL FROM entries "
            "WHERE feed = 'bad' ORDER BY rowid"
        ).fetchall()


async def test_wrong_charset_declared_still_yields_entries(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    body = rss([("w1", "Новости Freedonia", "Мост закрыт", None)]).encode("cp1251")
    bad, config = await fetch_odd_feed(
        tmp_path, feed_server, body, content_type="application/rss+xml; charset=utf-8"
    )
    assert (bad.outcome, bad.processed) == ("fetched", 1)
    ((_, _, title, _, processed),) = stored_entries(config)
    assert "Freedonia" in title and processed


async def test_mixed_encodings_keep_the_utf8_text(tmp_path: Path, feed_server: FeedServer) -> None:
    """One stray Latin-1 byte must not turn a whole UTF-8 feed into mojibake."""
    text = rss([("m1", "Café in Freedonia", "x", None), ("m2", "Naïve ČSTO", "y", None)])
    body = text.encode("utf-8").replace("Naïve".encode(), "Naïve".encode("latin-1"))
    bad, config = await fetch_odd_feed(tmp_path, feed_server, body)
    assert (bad.outcome, bad.processed) == ("fetched", 2)
    titles = [row[2] for row in stored_entries(config)]
    assert titles == ["Café in Freedonia", "Na\ufffdve ČSTO"]


async def test_legacy_single_byte_feed_is_still_read(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    body = rss([("l1", "Café in Freedonia", "x", None)]).encode("latin-1")
    bad, config = await fetch_odd_feed(tmp_path, feed_server, body)
    assert bad.outcome == "fetched"
    assert [row[2] for row in stored_entries(config)] == ["Café in Freedonia"]


async def test_entries_without_link_date_or_id(tmp_path: Path, feed_server: FeedServer) -> None:
    body = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>'
        "<item><title>Only a title</title></item>"
        "<item><description>Only a description</description></item>"
        f"<item><link>{feed_server.url('/only-a-link')}</link></item>"
        "<item></item><item><title> </title><link>javascript:alert(1)</link></item>"
        "</channel></rss>"
    )
    bad, config = await fetch_odd_feed(tmp_path, feed_server, body)
    assert (bad.outcome, bad.entries, bad.processed) == ("fetched", 3, 3)
    rows = sorted(stored_entries(config), key=lambda r: r[1] or "")  # storage order is free
    assert [r[0].startswith("sha256:") for r in rows] == [True, True, False]
    assert [r[1] for r in rows] == [None, None, feed_server.url("/only-a-link")]
    assert all(r[3] is None and r[4] for r in rows)


async def test_one_guid_repeated_with_different_content(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    link = feed_server.url("/articles/dup")
    first = ("dup", "Freedonia bridge closed", RELEVANT_TEXT, link)
    other = ("dup", "Freedonia bridge shut", "The Freedonia bridge was shut for good.", link)
    bad, config = await fetch_odd_feed(tmp_path, feed_server, rss([first, other, first]))
    assert (bad.entries, bad.processed, bad.alerts) == (1, 1, 1)
    assert [row[2] for row in stored_entries(config)] == ["Freedonia bridge closed"]
    # Served the other way round: the entry changed, is read again, and its alert (same
    # article, claim and kind) is not stored twice.
    feed_server.route("/bad.xml", rss([other, first]))
    async with runtime(config) as again:
        reports = await run_bounded(again)
    assert (reports["bad"].processed, reports["bad"].alerts) == (1, 0)
    lines = [line for line in alert_lines(config) if line["feed"] == "bad"]
    assert len(lines) == 1 and lines[0]["article_title"] == "Freedonia bridge closed"


async def test_script_and_header_injection_in_titles_stay_inert(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    title = "<script>alert(1)</script>Freedonia bridge closed\r\nBcc: victim@example.com"
    link = feed_server.url("/a?x=1%0d%0aSet-Cookie:%20a=b")
    bad, config = await fetch_odd_feed(
        tmp_path, feed_server, rss([("s1", title, RELEVANT_TEXT, link)])
    )
    assert bad.alerts == 1
    assert len(alert_lines(config)) == 2  # one line per alert: no line break smuggled in
    (alert,) = [line for line in alert_lines(config) if line["feed"] == "bad"]
    assert "\r" not in alert["article_title"] and "\n" not in alert["article_title"]
    # The email for it: one subject line, no injected header, nothing executable in the HTML.
    store = open_store(config.state)
    try:
        stored = next(s.alert for s in store.recent_alerts(5) if s.alert.feed == "bad")
    finally:
        store.close()
    message = alert_message(stored, Envelope("cw@example.org", ("desk@example.org",)))
    assert message["Bcc"] is None and message["Set-Cookie"] is None
    assert "\n" not in str(message["Subject"]) and "\r" not in str(message["Subject"])
    html_part = message.get_body(("html",))
    assert html_part is not None
    assert "<script>" not in html_part.get_content()


async def test_twenty_thousand_entries_are_processed_once(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    items = [(f"n{i}", f"Weather {i}", f"Rain in Sylvania, day {i}.", None) for i in range(20_000)]
    body = rss(items)
    bad, config = await fetch_odd_feed(
        tmp_path, feed_server, body, http={"max_bytes": 2 * len(body)}
    )
    assert (bad.outcome, bad.entries, bad.processed, bad.alerts) == ("fetched", 20_000, 20_000, 0)
    assert len(stored_entries(config)) == 20_000


# -- article pages -----------------------------------------------------------------------------


async def read_page(
    tmp_path: Path,
    server: FeedServer,
    caplog: pytest.LogCaptureFixture,
    link: str,
    *,
    fetcher: Callable[[Config], Fetcher] | None = None,
    **http: Any,
) -> tuple[FeedReport, list[dict[str, Any]], Config]:
    """One relevant entry linking to ``link``, with fetch_articles = "all"."""
    good_feed(server)
    server.route("/bad.xml", rss([("p1", "Freedonia bridge closed", RELEVANT_TEXT, link)]))
    config = make_config(tmp_path, server, fetch="all", **http)
    async with runtime(config, fetcher(config) if fetcher else None) as rt:
        with caplog.at_level(logging.DEBUG, logger="claimwatch"):
            reports = await run_bounded(rt)
    alerted = sorted(line["feed"] for line in alert_lines(config))
    assert alerted == ["bad", "good"]  # from the entry's own text when the page is unusable
    return reports["bad"], events(caplog, "article.read", feed="bad"), config


PAGE_CASES: list[tuple[str, Setup, str]] = [
    ("hang", lambda s: s.route("/page", article_page(), delay=600), "no complete response"),
    (
        "trickle",
        lambda s: s.route("/page", article_page(), trickle=1.0, chunk_size=1),
        "no complete response",
    ),
    ("http-500", lambda s: s.route("/page", "oops", status=500), "HTTP 500"),
    (
        "redirect-loop",
        lambda s: (s.redirect("/page", "/page2"), s.redirect("/page2", "/page")),
        "redirect loop",
    ),
    (
        "redirect-to-file",
        lambda s: s.redirect("/page", "file:///etc/passwd", status=302),
        "scheme 'file'",
    ),
    ("50-MB", lambda s: s.route("/page", bytes(FIFTY_MB), send_length=False), "byte limit"),
    (
        "gzip-bomb",
        lambda s: s.route("/page", gzip_bomb(FIFTY_MB), headers={"Content-Encoding": "gzip"}),
        "decoded body exceeds",
    ),
    (
        "not-html",
        lambda s: s.route("/page", b"%PDF-1.4", content_type="application/pdf"),
        "not an HTML page",
    ),
    ("empty", lambda s: s.route("/page", b"", content_type=HTML_TYPE), "too little text"),
]


@pytest.mark.parametrize(
    ("setup", "reason"), [c[1:] for c in PAGE_CASES], ids=[c[0] for c in PAGE_CASES]
)
async def test_a_broken_page_falls_back_to_the_entry_text(
    tmp_path: Path,
    feed_server: FeedServer,
    caplog: pytest.LogCaptureFixture,
    setup: Setup,
    reason: str,
) -> None:
    setup(feed_server)
    bad, reads, _ = await read_page(
        tmp_path, feed_server, caplog, feed_server.url("/page"), allow_private_addresses=True
    )
    assert (bad.outcome, bad.alerts) == ("fetched", 1)
    (read,) = reads
    assert read["url"] == feed_server.url("/page") and reason in read["error"]


async def test_a_page_in_a_wrong_charset_is_still_read(
    tmp_path: Path, feed_server: FeedServer, caplog: pytest.LogCaptureFixture
) -> None:
    page = ARTICLE.encode("utf-8") + "<p>Мост закрыт</p>".encode("cp1251")
    feed_server.route("/page", page, content_type="text/html; charset=utf-8")
    bad, reads, _ = await read_page(
        tmp_path, feed_server, caplog, feed_server.url("/page"), allow_private_addresses=True
    )
    assert bad.alerts == 1 and reads == []  # read from the page, no fallback
    assert feed_server.requests_for("/page")


PRIVATE_LINKS = [
    ("loopback", "http://127.0.0.1:{port}/page", "loopback"),
    ("localhost-name", "http://localhost:{port}/page", "loopback"),
    ("ipv6-loopback", "http://[::1]:{port}/page", "loopback"),
    ("ipv4-mapped-loopback", "http://[::ffff:127.0.0.1]:{port}/page", "loopback"),
    ("unspecified", "http://0.0.0.0:{port}/page", "unspecified"),
    ("ten-slash-eight", "http://10.0.0.1/page", "private"),
    ("ten-slash-eight-high", "http://10.255.255.254:8080/page", "private"),
    ("192-168", "http://192.168.1.1/page", "private"),
    ("172-16", "http://172.16.0.1/page", "private"),
    ("cloud-metadata", "http://169.254.169.254/latest/meta-data/", "link-local"),
    ("ipv6-link-local", "http://[fe80::1]/page", "link-local"),
    ("carrier-grade-nat", "http://100.64.0.1/page", "non-global"),
    ("nat64-metadata", "http://[64:ff9b::a9fe:a9fe]/page", "link-local"),
    ("decimal-loopback", "http://2130706433:{port}/page", "loopback"),
]


@pytest.mark.parametrize(
    ("template", "reason"), [c[1:] for c in PRIVATE_LINKS], ids=[c[0] for c in PRIVATE_LINKS]
)
async def test_pages_on_private_addresses_are_refused(
    tmp_path: Path,
    feed_server: FeedServer,
    caplog: pytest.LogCaptureFixture,
    template: str,
    reason: str,
) -> None:
    link = template.format(port=feed_server.port)
    feed_server.route("/page", ARTICLE, content_type=HTML_TYPE)
    bad, reads, _ = await read_page(tmp_path, feed_server, caplog, link)
    assert (bad.outcome, bad.alerts) == ("fetched", 1)  # the feed itself (loopback) is fine
    (read,) = reads
    assert read["url"] == canonicalize(link)
    assert "refusing to connect" in read["error"] and reason in read["error"]
    assert (read["status"], read["level"]) == (
        "refused",
        logging.WARNING,
    )  # the operator's business
    assert feed_server.requests_for("/page") == []


@pytest.mark.parametrize(
    "link", ["file:///etc/passwd", "ftp://127.0.0.1/x", "gopher://10.0.0.1/", "javascript:x()"]
)
async def test_links_to_other_schemes_are_never_fetched(
    tmp_path: Path, feed_server: FeedServer, caplog: pytest.LogCaptureFixture, link: str
) -> None:
    _, reads, config = await read_page(
        tmp_path, feed_server, caplog, link, allow_private_addresses=True
    )
    (read,) = reads
    assert read["error"] == "entry has no link" and "url" not in read
    ((_, url, _, _, _),) = stored_entries(config)
    assert url is None  # dropped when the entry was read: it never reaches the fetcher
    assert [r.path for r in feed_server.requests if "page" in r.path] == []


async def test_private_pages_are_read_when_the_config_allows(
    tmp_path: Path, feed_server: FeedServer, caplog: pytest.LogCaptureFixture
) -> None:
    feed_server.route("/page", ARTICLE, content_type=HTML_TYPE)
    _, reads, _ = await read_page(
        tmp_path, feed_server, caplog, feed_server.url("/page"), allow_private_addresses=True
    )
    assert reads == [] and len(feed_server.requests_for("/page")) == 1


def only_127_0_0_1(address: IPAddress) -> str | None:
    """The default policy, but the test server's own address counts as public."""
    return None if address == ipaddress.ip_address("127.0.0.1") else blocked_reason(address)


@pytest.mark.parametrize(
    ("target", "reason"),
    [
        ("http://127.0.0.2:{port}/internal", "loopback"),
        ("http://169.254.169.254/latest/meta-data/", "link-local"),
        ("http://10.1.2.3/admin", "private"),
    ],
)
async def test_every_redirect_hop_of_a_page_is_checked(
    tmp_path: Path,
    feed_server: FeedServer,
    caplog: pytest.LogCaptureFixture,
    target: str,
    reason: str,
) -> None:
    hop = target.format(port=feed_server.port)
    feed_server.redirect("/page", "/page2", status=301)
    feed_server.redirect("/page2", hop, status=302)
    _, reads, _ = await read_page(
        tmp_path,
        feed_server,
        caplog,
        feed_server.url("/page"),
        fetcher=lambda config: Fetcher(config.http, address_policy=only_127_0_0_1),
    )
    (read,) = reads
    assert read["url"] == feed_server.url("/page")
    assert hop in read["error"] and reason in read["error"]
    assert [r.path for r in feed_server.requests if "page" in r.path] == ["/page", "/page2"]


async def test_a_name_resolving_to_a_private_address_is_refused(
    tmp_path: Path, feed_server: FeedServer, caplog: pytest.LogCaptureFixture
) -> None:
    """The check is on the resolved address, not the URL's text."""

    async def resolver(host: str, port: int) -> list[str]:
        return {"news.example": ["127.0.0.1"], "cdn.example": ["93.184.216.34", "10.9.8.7"]}[host]

    feed_server.route("/page", ARTICLE, content_type=HTML_TYPE)
    feed_server.redirect("/hop", f"http://cdn.example:{feed_server.port}/page", status=302)
    _, reads, _ = await read_page(
        tmp_path,
        feed_server,
        caplog,
        f"http://news.example:{feed_server.port}/hop",
        fetcher=lambda config: Fetcher(
            config.http, address_policy=only_127_0_0_1, resolver=resolver
        ),
    )
    (read,) = reads
    assert "cdn.example (10.9.8.7)" in read["error"] and "private" in read["error"]
    assert feed_server.requests_for("/page") == []
