"""archive: the metadata of saved article pages, as news sites write them (JSON-LD,
OpenGraph, article:published_time, <time> elements, dated links), read from real files."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from claimwatch.archive import DEFAULT_SOURCE, collect, page_entry
from claimwatch.entries import Entry

NOW = datetime(2024, 6, 1, tzinfo=UTC)
STORY = "".join(
    f"<p>Paragraph {n}: the city said on Wednesday that the bridge over the river would stay "
    "closed to all traffic until the end of the month, after inspectors found cracks in two "
    "of its piers.</p>\n"
    for n in range(4)
)
SIDEBAR = (
    '<aside class="most-read"><h2>Most read</h2><ul>'
    '<li><a href="/2023/10/01/ferry">Ferry timetable changes</a> '
    '<time datetime="2023-10-01T10:00:00Z">1 October 2023</time></li>'
    '<li><a href="/2023/11/02/market">Market reopens</a> '
    '<time datetime="2023-11-02T10:00:00Z">2 November 2023</time></li></ul></aside>'
)
JSON_LD = """<script type="application/ld+json">
{"@context": "https://schema.org", "@graph": [
  {"@type": "WebSite", "name": "City Gazette", "url": "https://gazette.example/"},
  {"@type": "NewsArticle", "headline": "Bridge closed to traffic after inspection",
   "datePublished": "2024-03-06T18:45:00+03:00", "dateModified": "2024-03-07T09:10:00+03:00",
   "author": {"@type": "Person", "name": "Anna Petrova"},
   "publisher": {"@type": "Organization", "name": "City Gazette"}}]}
</script>"""


def saved_page(head: str, body: str = "", *, title: str = "Bridge closed | City Gazette") -> str:
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">\n<title>{title}</title>\n'
        f'{head}\n<link rel="stylesheet" href="/static/site.css"></head>\n<body>\n'
        '<nav><a href="/">Home</a> <a href="/city">City</a></nav>\n'
        f"<main><article>{body}\n{STORY}</article>{SIDEBAR}</main>\n"
        "<footer>City Gazette, 2024</footer></body></html>\n"
    )


def read(tmp_path: Path, html: str) -> Entry:
    path = tmp_path / "page.html"
    path.write_text(html, encoding="utf-8")
    collected = collect([path], now=NOW)
    assert collected.problems == ()
    (item,) = collected.items
    return item.entry


def test_json_ld_gives_headline_date_and_publisher(tmp_path: Path) -> None:
    entry = read(tmp_path, saved_page(JSON_LD))
    assert entry.title == "Bridge closed to traffic after inspection"
    assert entry.published == datetime(2024, 3, 6, 15, 45, tzinfo=UTC)
    assert entry.feed == "City Gazette"
    assert "cracks in two of its piers" in entry.content


def test_json_ld_in_the_body_counts_too(tmp_path: Path) -> None:
    entry = read(tmp_path, saved_page("", JSON_LD))
    assert entry.published == datetime(2024, 3, 6, 15, 45, tzinfo=UTC)


def test_opengraph_and_article_published_time(tmp_path: Path) -> None:
    head = """
<meta property="og:type" content="article">
<meta property="og:title" content="Bridge closed to traffic until the end of the month">
<meta property="og:site_name" content="City Gazette">
<meta property="og:url" content="https://gazette.example/news/bridge?id=7&amp;section=city">
<meta property="article:published_time" content="2024-03-06T18:45:00+03:00">
<meta property="article:modified_time" content="2024-03-07T09:10:00+03:00">"""
    entry = read(tmp_path, saved_page(head, "<h1>Bridge closed</h1><h1>Live updates</h1>"))
    assert entry.title == "Bridge closed to traffic until the end of the month"
    assert entry.published == datetime(2024, 3, 6, 15, 45, tzinfo=UTC)  # not the update
    assert entry.feed == "City Gazette"
    # the link as the page writes it: query order kept, as for the same article in a feed
    assert entry.url == entry.entry_id == "https://gazette.example/news/bridge?id=7&section=city"


def test_the_exact_stamp_of_a_time_element_beats_the_dated_sidebar(tmp_path: Path) -> None:
    byline = (
        '<p class="byline">By Anna Petrova, <time itemprop="datePublished" '
        'datetime="2024-03-06T18:45:00+03:00">6 March 2024</time></p>'
    )
    entry = read(tmp_path, saved_page("", byline))
    assert entry.published == datetime(2024, 3, 6, 15, 45, tzinfo=UTC)


def test_a_page_dated_only_by_its_link(tmp_path: Path) -> None:
    head = '<link rel="canonical" href="https://gazette.example/2024/03/06/bridge-closed/">'
    entry = read(tmp_path, saved_page(head, "<h1>Bridge closed to traffic</h1>"))
    assert entry.published == datetime(2024, 3, 6, tzinfo=UTC)
    assert entry.url == "https://gazette.example/2024/03/06/bridge-closed/"
    assert entry.title == "Bridge closed to traffic"  # the page's one <h1>
    assert entry.feed == "gazette.example"  # no site name: the link's host


def test_dates_in_the_text_or_a_sidebar_do_not_date_a_page(tmp_path: Path) -> None:
    body = "<p>The bridge was last repaired on 12 May 2019 and inspected on 3 March 2024.</p>"
    entry = read(tmp_path, saved_page("", body))
    assert entry.published is None
    assert entry.feed == DEFAULT_SOURCE
    assert entry.title == "Bridge closed"  # <title> without the site's name


@pytest.mark.parametrize(
    ("meta", "expected"),
    [
        ('<meta name="date" content="Wed, 06 Mar 2024 15:45:00 GMT">', (2024, 3, 6, 15, 45)),
        ('<meta name="parsely-pub-date" content="2024-03-06T15:45:00Z">', (2024, 3, 6, 15, 45)),
        ('<meta name="DC.date.issued" content="2024-03-06">', (2024, 3, 6)),
        ('<meta itemprop="datePublished" content="2024-03-06T18:45+03:00">', (2024, 3, 6, 15, 45)),
    ],
)
def test_the_usual_meta_tags(meta: str, expected: tuple[int, ...]) -> None:
    entry = page_entry(saved_page(meta), Path("page.html"))
    assert entry.published == datetime(*expected, tzinfo=UTC)
