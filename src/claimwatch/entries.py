"""Feed bytes -> normalised Entry records (stable id, canonical URL, UTC date, plain text).

feedparser reads RSS 0.9x/1.0/2.0 and Atom. The body is always handed over as a
``BytesIO``: feedparser treats a ``bytes`` argument that names an existing file as a path.
Before that, ``feedbody.prepare`` refuses entity bombs and repairs provably UTF-8 bodies.
A malformed feed (``bozo``) that still yields entries is accepted with a warning.

Normalisation rules:

- id: the entry's guid/id, else its canonical link, else ``sha256:`` of title and text;
  the first entry wins when a feed repeats an id;
- url: the link resolved against the feed's URL and canonicalised; only http(s) is kept;
- published: ``published`` else ``updated``, in UTC; a date more than a day after ``now``
  is a publisher's error (or a placeholder) and becomes None rather than a bogus order;
- title, summary, content: plain text (HTML converted, paragraphs kept);
- entries with no link, no title and no text are skipped.
"""

from __future__ import annotations

import calendar
import hashlib
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urljoin, urlsplit

import feedparser

from claimwatch.errors import FeedError
from claimwatch.extract import html_to_text, tidy
from claimwatch.feedbody import prepare
from claimwatch.urls import canonicalize

FUTURE_TOLERANCE = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Entry:
    """One item of a feed, normalised."""

    feed: str
    entry_id: str  # guid, else canonical link, else content hash
    url: str | None  # canonical URL
    title: str
    published: datetime | None  # UTC
    summary: str  # plain text
    content: str = ""  # plain text of the full content when the feed carries it

    @property
    def text(self) -> str:
        """The entry's own best text: its content, else its summary."""
        return self.content or self.summary


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    entries: tuple[Entry, ...]
    ttl: float | None = None  # RSS <ttl>, seconds
    warning: str | None = None  # bozo exception text when entries were still usable
    title: str = ""  # the feed's own title, plain text


def parse(
    body: bytes,
    *,
    feed: str,
    url: str,
    headers: Mapping[str, str] | None = None,
    now: datetime | None = None,
) -> ParsedFeed:
    """Parse a feed body fetched from ``url``; FeedError (naming ``url``) if it has no entries
    and is malformed or not a feed at all."""
    sent, base = _response_headers(url, headers, xml_base=b"xml:base" in body)
    try:
        body, sent = prepare(body, sent, url=url)
        parsed = feedparser.parse(
            io.BytesIO(body),
            response_headers=sent,
            # Markup becomes plain text here, so feedparser's sanitizer and its rewriting of
            # links inside content would be work thrown away (a third of its time).
            sanitize_html=False,
            resolve_relative_uris=False,
        )
    except FeedError:
        raise
    except Exception as exc:  # feedparser failing on hostile bytes is the feed's failure
        raise FeedError(f"not a usable feed: {type(exc).__name__}: {exc}", subject=url) from None
    problem = _bozo_text(parsed) if parsed.get("bozo") else None
    if not parsed.entries and (problem or not parsed.get("version")):
        raise FeedError(f"not a usable feed: {problem or 'unknown format'}", subject=url)
    moment = now or datetime.now(UTC)
    built = (_entry(item, feed, base, moment) for item in parsed.entries)
    return ParsedFeed(
        entries=_first_per_id(e for e in built if e is not None),
        ttl=_ttl(parsed.feed),
        warning=problem,
        title=_one_line(_text(parsed.feed, "title")),
    )


def _response_headers(
    url: str, headers: Mapping[str, str] | None, *, xml_base: bool
) -> tuple[dict[str, str], str]:
    """The headers feedparser is given, and the base of the feed's relative links.

    Given a base URL, feedparser joins it with itself at every element (13 to 25% of its
    time on the benchmark's feeds) to resolve links that ``_link`` resolves here anyway; so
    it gets one only when the feed sets ``xml:base`` (nested relative bases need it).
    Without it, a relative permalink guid stays as the feed wrote it rather than joined to
    the feed's URL.
    """
    lowered = {k.lower(): v for k, v in (headers or {}).items()}
    lowered.setdefault("content-type", "application/xml")  # the XML declaration then decides
    location = lowered.pop("content-location", "").strip()
    try:
        base = urljoin(url, location) if location else url
    except ValueError:  # a malformed Content-Location: the feed's own URL will do
        base = url
    if xml_base:
        lowered["content-location"] = base
    return lowered, base


def _bozo_text(parsed: Any) -> str:
    exc = parsed.get("bozo_exception")
    return f"{type(exc).__name__}: {exc}" if exc is not None else "malformed feed"


def _entry(item: Any, feed: str, base: str, now: datetime) -> Entry | None:
    url = _link(item, base)
    title = _one_line(_text(item, "title"))
    summary = _text(item, "summary")
    content = _content(item)
    if not (url or title or summary or content):
        return None
    return Entry(
        feed=feed,
        entry_id=_entry_id(item, url, title, content or summary),
        url=url,
        title=title,
        published=_published(item, now),
        summary=summary,
        content=content,
    )


def _text(item: Any, key: str) -> str:
    value = item.get(key) or ""
    detail = item.get(f"{key}_detail") or {}
    return _plain(str(value), str(detail.get("type", "text/html")))


def _plain(value: str, media_type: str) -> str:
    return html_to_text(value) if "html" in media_type else tidy(value)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _content(item: Any) -> str:
    pieces = item.get("content") or ()
    parts = (_plain(str(c.get("value", "")), str(c.get("type", "text/html"))) for c in pieces)
    unique = dict.fromkeys(p for p in parts if p)
    return "\n\n".join(unique)


def _link(item: Any, base: str) -> str | None:
    raw = str(item.get("link") or "").strip()
    if not raw:
        return None
    try:
        absolute = urljoin(base, raw)
        if urlsplit(absolute).scheme.lower() not in ("http", "https"):
            return None
        return canonicalize(absolute)
    except ValueError:  # not a URL urllib can split ("https://[e.com/a": an unclosed IPv6 host)
        return None


def _entry_id(item: Any, url: str | None, title: str, text: str) -> str:
    guid = str(item.get("id") or "").strip()
    if guid:
        return guid
    if url:
        return url
    digest = hashlib.sha256(f"{title}\n{text}".encode()).hexdigest()
    return f"sha256:{digest}"


def _published(item: Any, now: datetime) -> datetime | None:
    # dict.get: feedparser's own get() maps a missing "updated_parsed" to "published_parsed"
    # with a DeprecationWarning, which is noise (and an error under -W error).
    stamp = item.get("published_parsed") or dict.get(item, "updated_parsed")
    if stamp is None:
        return None
    try:
        when = datetime.fromtimestamp(calendar.timegm(stamp), UTC)
    except (OverflowError, ValueError, OSError):
        return None
    return None if when > now + FUTURE_TOLERANCE else when


def _ttl(feed_info: Any) -> float | None:
    raw = str(feed_info.get("ttl") or "").strip()
    if not (raw.isascii() and raw.isdigit()) or not raw.strip("0"):
        return None
    return float(raw) * 60.0


def _first_per_id(entries: Iterable[Entry]) -> tuple[Entry, ...]:
    kept: dict[str, Entry] = {}
    for entry in entries:
        kept.setdefault(entry.entry_id, entry)
    return tuple(kept.values())
