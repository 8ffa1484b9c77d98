"""From an address to a feed, as feed readers subscribe: the URL is a feed, or a page that
names its feeds with ``<link rel="alternate" type="application/rss+xml" href="...">``.

The address is fetched as a feed is polled (the operator's URL: its first hop may go
anywhere, its redirects only to public addresses or the first hop's kind of network). A feed
the page names on the page's own host is fetched the same way; one on another host must be
public (the page is not the operator's word), unless ``allow_private_addresses``. The feed is
parsed once, as a poll would parse it, before anyone adds it.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

from claimwatch.config import HttpConfig
from claimwatch.entries import ParsedFeed, parse
from claimwatch.errors import FeedError, InputError
from claimwatch.extract import decode_html
from claimwatch.feeds import FEED_ACCEPT
from claimwatch.fetcher import Fetcher, Response

FEED_TYPES = (
    "application/rss+xml",
    "application/atom+xml",
    "application/rdf+xml",
    "application/feed+json",
)
UNREADABLE_TYPES = frozenset({"application/feed+json"})  # JSON Feed: feedparser 6 cannot read it
_PAGE_ACCEPT = f"text/html;q=0.9, {FEED_ACCEPT}"
_HTML_TYPES = ("text/html", "application/xhtml+xml")


@dataclass(frozen=True, slots=True)
class FeedLink:
    """A ``<link rel="alternate">`` of a page, its href made absolute."""

    url: str
    media_type: str
    title: str


@dataclass(frozen=True, slots=True)
class FoundFeed:
    """A feed ready to add: where it is, what it is called, what else the page offered."""

    url: str
    title: str
    entries: int
    page: str | None = None  # the page that named it, when the address was not the feed
    others: tuple[FeedLink, ...] = ()


async def find_feed(address: str, http: HttpConfig) -> FoundFeed:
    """The feed at ``address`` or named by the page there; InputError when there is none.
    Transport failures raise FetchError naming the URL."""
    async with Fetcher(http) as fetcher:
        response = await _get(fetcher, address, guard_private=False)
        if not _is_html(response):
            parsed = _parse(response, address)
            return FoundFeed(
                response.permanent_redirect or address, parsed.title, len(parsed.entries)
            )
        links = feed_links(response.body, response.url, response.headers.get("content-type"))
        readable = [link for link in links if link.media_type not in UNREADABLE_TYPES]
        if not readable:
            raise InputError(_no_feed(links), subject=address)
        chosen = readable[0]
        elsewhere = urlsplit(chosen.url).hostname != urlsplit(response.url).hostname
        feed = await _get(fetcher, chosen.url, guard_private=elsewhere)
        parsed = _parse(feed, chosen.url)
        others = tuple(link for link in links if link != chosen)
        url = feed.permanent_redirect or chosen.url
        return FoundFeed(url, parsed.title, len(parsed.entries), response.url, others)


async def _get(fetcher: Fetcher, url: str, *, guard_private: bool) -> Response:
    headers = {"Accept": _PAGE_ACCEPT}
    response = await fetcher.get(
        url, headers=headers, guard_private=guard_private, guard_redirects=not guard_private
    )
    if response.status != 200:
        raise InputError(f"answered HTTP {response.status}", subject=response.url)
    return response


def _is_html(response: Response) -> bool:
    """A page to look for feed links in; a feed served as text/html is still a feed."""
    start = response.body[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if start.startswith(b"<?xml") and any(tag in start for tag in (b"<rss", b"<feed", b"<rdf")):
        return False
    media_type = response.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media_type:
        return media_type in _HTML_TYPES
    return start.startswith((b"<!doctype html", b"<html"))


def _parse(response: Response, url: str) -> ParsedFeed:
    try:
        return parse(response.body, feed="feeds add", url=url, headers=response.headers)
    except FeedError as exc:
        raise InputError(
            f"neither a feed nor a web page that names one ({exc.message})", subject=url
        ) from None


def _no_feed(links: list[FeedLink]) -> str:
    if links:
        return "the page names only JSON Feeds, which claimwatch cannot read: " + ", ".join(
            link.url for link in links
        )
    return (
        'the page names no feed (no <link rel="alternate" type="application/rss+xml" or '
        '"application/atom+xml">): give the feed\'s own URL'
    )


def feed_links(body: bytes, page_url: str, content_type: str | None = None) -> list[FeedLink]:
    """The feeds a page names, in its order, hrefs resolved against its ``<base>`` or URL."""
    from bs4 import BeautifulSoup, XMLParsedAsHTMLWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        soup = BeautifulSoup(decode_html(body, content_type), "html.parser")
    base_tag = soup.find("base", href=True)
    base = urljoin(page_url, str(base_tag["href"])) if base_tag is not None else page_url
    found: dict[str, FeedLink] = {}
    for tag in soup.find_all("link", href=True):
        rel: Any = tag.get("rel") or []
        rels = {str(r).lower() for r in (rel if isinstance(rel, list) else str(rel).split())}
        media_type = str(tag.get("type", "")).split(";", 1)[0].strip().lower()
        if "alternate" not in rels or media_type not in FEED_TYPES:
            continue
        try:
            url = urljoin(base, str(tag["href"]).strip())
        except ValueError:  # an href urllib cannot split
            continue
        if urlsplit(url).scheme in ("http", "https") and url not in found:
            found[url] = FeedLink(url, media_type, " ".join(str(tag.get("title", "")).split()))
    return list(found.values())
