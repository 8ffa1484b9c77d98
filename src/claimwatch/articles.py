"""Entry -> Article: the entry's page fetched and extracted, or the entry's own text.

The page is fetched with the private-address guard on: its URL comes from a feed, not
from the operator. Any failure (transport, status, not HTML, too little text) falls back
to the entry's content or summary, with ``Article.error`` saying why; it never raises
for a bad page.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Literal

from claimwatch.entries import Entry
from claimwatch.errors import BlockedAddressError, FetchError
from claimwatch.extract import article_text, decode_html
from claimwatch.fetcher import Fetcher, Response

PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.1"
_HTML_TYPES = ("text/html", "application/xhtml+xml", "text/plain", "")

Extractor = Callable[[str, str], Awaitable[str | None]]  # (html, url) -> article text or None


@dataclass(frozen=True, slots=True)
class Article:
    entry: Entry
    text: str
    source: Literal["page", "entry"]
    error: str | None = None  # why the page was not used, when it was asked for
    page_url: str | None = None  # the page's final URL, when its text was used
    refused: bool = False  # the link led to an address the config does not allow


async def read(
    fetcher: Fetcher, entry: Entry, *, fetch_page: bool, extract: Extractor | None = None
) -> Article:
    """The best text for ``entry``: its page's article text when asked for and usable.

    ``extract`` turns (html, url) into article text; by default ``extract.article_text`` in
    a thread (the pipeline passes its process pool's). It may raise FetchError.
    """
    if not fetch_page:
        return Article(entry, entry.text, "entry")
    if not entry.url:
        return Article(entry, entry.text, "entry", error="entry has no link")
    try:
        response = await fetcher.get(entry.url, headers={"Accept": PAGE_ACCEPT}, guard_private=True)
    except FetchError as exc:
        refused = isinstance(exc, BlockedAddressError)
        return Article(entry, entry.text, "entry", error=str(exc), refused=refused)
    problem = _unusable(response)
    if problem is not None:
        return Article(entry, entry.text, "entry", error=problem)
    html = decode_html(response.body, response.headers.get("content-type"))
    try:
        text = await (extract or _in_thread)(html, response.url)
    except FetchError as exc:
        return Article(entry, entry.text, "entry", error=str(exc))
    if text is None:
        return Article(entry, entry.text, "entry", error=f"{response.url}: too little text")
    return Article(entry, text, "page", page_url=response.url)


async def _in_thread(html: str, url: str) -> str | None:
    # Extraction is CPU work (lxml); keep the event loop free for other feeds.
    return await asyncio.to_thread(article_text, html, url)


def _unusable(response: Response) -> str | None:
    if not 200 <= response.status < 300:
        return f"{response.url}: HTTP {response.status}"
    media_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type not in _HTML_TYPES:
        return f"{response.url}: not an HTML page ({media_type})"
    return None
