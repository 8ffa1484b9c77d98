"""entries.parse: the fixture feeds beside their expected entries, plus edge cases."""

from __future__ import annotations

import re
import runpy
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from claimwatch.entries import Entry, ParsedFeed, parse
from claimwatch.errors import FeedError

FEEDS = Path(__file__).parent / "data" / "feeds"
NOW = datetime(2024, 3, 1, tzinfo=UTC)


def rss(items: str, *, channel: str = "") -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>T</title>'
        f"{channel}{items}</channel></rss>"
    ).encode()


@pytest.mark.parametrize("fixture", sorted(FEEDS.glob("*.xml")), ids=lambda p: p.stem)
def test_fixture_feeds(fixture: Path) -> None:
    expected = runpy.run_path(str(fixture.with_suffix(".py")))
    parsed = parse(fixture.read_bytes(), feed=fixture.stem, url=expected["URL"], now=NOW)
    assert parsed == expected["EXPECTED"]


def test_every_fixture_has_expectations() -> None:
    feeds = {p.stem for p in FEEDS.glob("*.xml")}
    assert feeds == {p.stem for p in FEEDS.glob("*.py")}
    assert {"rss2", "atom", "rss1"} <= feeds


def test_bytes_naming_a_file_are_not_read_as_a_path(tmp_path: Path) -> None:
    secret = tmp_path / "feed.xml"
    secret.write_bytes(rss("<item><title>from disk</title></item>"))
    with pytest.raises(FeedError):
        parse(str(secret).encode(), feed="f", url="https://example.com/feed")


def test_malformed_feed_with_entries_is_kept_with_a_warning() -> None:
    body = rss("<item><title>Still readable</title><link>https://e.com/a</link></item>")
    broken = body.replace(b"</channel></rss>", b"<item><title>cut off")
    parsed = parse(broken, feed="f", url="https://e.com/feed", now=NOW)
    assert parsed.warning
    assert parsed.entries[0].title == "Still readable"


@pytest.mark.parametrize(
    "body",
    [b"", b"<html><body><p>Not a feed</p></body></html>", b"\x00\xff garbage", b"<rss><chan"],
)
def test_not_a_feed_raises_feed_error_naming_the_url(body: bytes) -> None:
    with pytest.raises(FeedError, match=re.escape("https://e.com/feed")):
        parse(body, feed="f", url="https://e.com/feed")


def test_valid_empty_feed_has_no_entries() -> None:
    assert parse(rss(""), feed="f", url="https://e.com/feed") == ParsedFeed((), title="T")


def test_headers_decide_the_charset() -> None:
    body = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Т</title>'
        "<item><title>Новости дня</title><guid>n1</guid></item></channel></rss>"
    ).encode("cp1251")
    headers = {"Content-Type": "application/rss+xml; charset=windows-1251"}
    parsed = parse(body, feed="f", url="https://e.com/feed", headers=headers)
    assert parsed.entries[0].title == "Новости дня"
    assert parsed.warning is None


def one(item: str) -> Entry:
    parsed = parse(rss(item), feed="f", url="https://e.com/news/feed.xml", now=NOW)
    assert len(parsed.entries) == 1
    return parsed.entries[0]


def test_relative_link_and_non_http_links() -> None:
    assert one("<item><link>../a?utm_term=x</link></item>").url == "https://e.com/a"
    assert one("<item><title>t</title><link>javascript:alert(1)</link></item>").url is None


def test_content_location_is_the_base_of_relative_links() -> None:
    body = rss("<item><title>t</title><link>b/2</link><guid>/perma/4</guid></item>")
    moved = parse(
        body, feed="f", url="https://e.com/feeds/x.xml", headers={"Content-Location": "/m/"}
    )
    assert moved.entries[0].url == "https://e.com/m/b/2"
    assert moved.entries[0].entry_id == "/perma/4"  # an id is kept as the feed wrote it
    broken = parse(
        body, feed="f", url="https://e.com/feeds/x.xml", headers={"Content-Location": "http://["}
    )
    assert broken.entries[0].url == "https://e.com/feeds/b/2"


def test_nested_xml_base_applies() -> None:
    body = (
        b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom" xml:base="/blog/">'
        b"<title>t</title><id>urn:f</id><updated>2024-01-01T00:00:00Z</updated>"
        b'<entry xml:base="posts/"><title>a</title><id>urn:a</id><link href="one.html"/>'
        b"<updated>2024-01-01T00:00:00Z</updated></entry></feed>"
    )
    parsed = parse(body, feed="f", url="https://e.com/feeds/x.xml", now=NOW)
    assert parsed.entries[0].url == "https://e.com/blog/posts/one.html"


def test_id_falls_back_to_link_then_hash() -> None:
    guid = one('<item><guid isPermaLink="false"> g-1 </guid><link>/x</link></item>')
    assert guid.entry_id == "g-1"
    assert one("<item><link>/x#frag</link></item>").entry_id == "https://e.com/x"
    a = one("<item><title>Same</title><description>text</description></item>")
    b = one("<item><title>Same</title><description>text</description></item>")
    c = one("<item><title>Same</title><description>other</description></item>")
    assert a.entry_id == b.entry_id != c.entry_id
    assert a.entry_id.startswith("sha256:")


@pytest.mark.parametrize(
    ("offset", "kept"),
    [(timedelta(hours=-5), True), (timedelta(hours=23), True), (timedelta(days=2), False)],
)
def test_future_dates_beyond_a_day_are_dropped(offset: timedelta, kept: bool) -> None:
    when = (NOW + offset).strftime("%a, %d %b %Y %H:%M:%S GMT")
    entry = one(f"<item><title>t</title><pubDate>{when}</pubDate></item>")
    assert entry.published == ((NOW + offset) if kept else None)


def test_updated_is_used_when_published_is_missing() -> None:
    body = b"""<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>A</title>
      <entry><id>x</id><title>t</title><updated>2024-01-02T03:04:05+02:00</updated></entry></feed>"""
    parsed = parse(body, feed="f", url="https://e.com/atom", now=NOW)
    assert parsed.entries[0].published == datetime(2024, 1, 2, 1, 4, 5, tzinfo=UTC)


@pytest.mark.parametrize(("ttl", "seconds"), [("60", 3600.0), ("0", None), ("soon", None)])
def test_ttl_in_seconds(ttl: str, seconds: float | None) -> None:
    body = rss("<item><title>t</title></item>", channel=f"<ttl>{ttl}</ttl>")
    assert parse(body, feed="f", url="https://e.com/feed").ttl == seconds


def test_entries_without_link_title_or_text_are_skipped() -> None:
    body = rss("<item><title> </title><description><![CDATA[<p> </p>]]></description></item>")
    assert parse(body, feed="f", url="https://e.com/feed").entries == ()


def test_plain_text_title_is_not_parsed_as_html() -> None:
    entry = one("<item><title>Prices &lt;up&gt; 3 &lt; 4 &amp; more</title></item>")
    assert entry.title == "Prices <up> 3 < 4 & more"


@pytest.mark.parametrize("link", ["https://[e.com/a?utm_source=x", "http://]x/", "https://[::1/"])
def test_a_link_urllib_cannot_split_is_no_link(link: str) -> None:
    entry = one(f"<item><title>Title</title><link>{link}</link></item>")
    assert (entry.title, entry.url) == ("Title", None)
