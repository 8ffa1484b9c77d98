"""Saved coverage on disk -> entries, for ``claimwatch replay``.

Accepted files (a folder is searched recursively for them):

- ``*.xml``, ``*.rss``, ``*.atom``: a saved RSS/Atom feed, read by ``entries.parse``; the
  feed's title (else the file name) stands for the feed;
- ``*.html``, ``*.htm``, ``*.xhtml``: a saved article page: text by ``extract.article_text``;
  title and source (site name) by trafilatura's metadata extraction; date from
  ``article:published_time``-style meta tags, else htmldate's reading of the head, the
  JSON-LD and the link; link from ``<link rel="canonical">`` or ``og:url``;
- ``*.txt``: first non-empty line the title, the rest the text; undated;
- ``*.jsonl``, ``*.json``: one article per JSON object (one per line, or a JSON array):
  ``title``; ``text`` (or ``content``, ``body``, ``summary``); ``url`` (or ``link``);
  ``published`` (or ``date``, ``published_at``; ISO 8601, UTC when no offset); ``id`` (or
  ``guid``); ``source`` (or ``feed``, ``outlet``).

An article without a link or id is identified by a hash of its title and text, so a file
replayed again, renamed or moved, is recognised. A file that cannot be read is a ``Problem``
naming it; the other files go on.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

from lxml import etree

from claimwatch.entries import Entry, parse
from claimwatch.errors import FeedError
from claimwatch.extract import article_text, decode_html, html_to_text, tidy
from claimwatch.urls import canonicalize

FEED_SUFFIXES = (".xml", ".rss", ".atom")
HTML_SUFFIXES = (".html", ".htm", ".xhtml")
TEXT_SUFFIXES = (".txt",)
JSON_SUFFIXES = (".jsonl", ".json")
SUFFIXES = FEED_SUFFIXES + HTML_SUFFIXES + TEXT_SUFFIXES + JSON_SUFFIXES
DEFAULT_SOURCE = "replay"  # the feed name of articles that do not say where they are from

DATE_META = (
    "article:published_time", "og:published_time", "datepublished", "date", "pubdate",
    "publishdate", "dc.date", "dc.date.issued", "dcterms.created", "dcterms.issued",
    "sailthru.date", "parsely-pub-date",
)  # fmt: skip
TEXT_FIELDS = ("text", "content", "body", "summary")
_STAMP = "%Y-%m-%dT%H:%M:%S%z"
_JSON_LD = "[@type='application/ld+json']"
_TAG = re.compile(r"<[A-Za-z/!]")


@dataclass(frozen=True, slots=True)
class Item:
    """One article read from a file; ``position`` keeps the file's own order."""

    entry: Entry
    path: Path
    position: int


@dataclass(frozen=True, slots=True)
class Problem:
    """A file, or a line of one, that could not be used."""

    path: Path
    error: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else str(self.path)
        return f"{where}: {self.error}"


@dataclass(frozen=True, slots=True)
class Collected:
    items: tuple[Item, ...]
    files: int  # files that yielded at least one article
    problems: tuple[Problem, ...]


class _Unusable(Exception):
    """A whole file cannot be used (message only; the caller knows the file)."""


def collect(paths: Sequence[Path], *, now: datetime | None = None) -> Collected:
    """Every article of ``paths`` (files, or folders searched recursively)."""
    moment = now or datetime.now(UTC)
    items: list[Item] = []
    problems: list[Problem] = []
    files = 0
    for path in find(paths, problems):
        try:
            found, bad = read(path, moment)
        except _Unusable as exc:
            problems.append(Problem(path, str(exc)))
            continue
        problems.extend(bad)
        files += 1 if found else 0
        if not found and not bad:
            problems.append(Problem(path, "no articles in it"))
        items.extend(Item(entry, path, n) for n, entry in enumerate(found))
    return Collected(tuple(items), files, tuple(problems))


def find(paths: Sequence[Path], problems: list[Problem]) -> Iterator[Path]:
    """The accepted files of ``paths``; a missing path or a file of another kind is a
    problem (a folder's other files are skipped silently)."""
    for path in paths:
        if path.is_dir():
            yield from sorted(
                p for p in path.rglob("*") if p.suffix.lower() in SUFFIXES and p.is_file()
            )
        elif not path.exists():
            problems.append(Problem(path, "no such file or folder"))
        elif path.suffix.lower() not in SUFFIXES:
            problems.append(Problem(path, f"not a replayable file (one of {', '.join(SUFFIXES)})"))
        else:
            yield path


def read(path: Path, now: datetime) -> tuple[list[Entry], list[Problem]]:
    """The entries of one file and the problems of its lines (JSON Lines only)."""
    try:
        body = path.read_bytes()
    except OSError as exc:
        raise _Unusable(f"cannot read: {exc.strerror or exc}") from None
    suffix = path.suffix.lower()
    if suffix in FEED_SUFFIXES:
        return feed_entries(body, path, now), []
    if suffix in HTML_SUFFIXES:
        return [page_entry(decode_html(body), path)], []
    text = _utf8(body)
    if suffix in TEXT_SUFFIXES:
        return [text_entry(text)], []
    return json_entries(text, path)


def _utf8(body: bytes) -> str:
    try:
        return body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _Unusable(f"not UTF-8 text (byte {exc.start})") from None


def feed_entries(body: bytes, path: Path, now: datetime) -> list[Entry]:
    try:
        # No base URL: ids and links must not depend on where the file lies (a relative
        # link is dropped, as in any feed whose links lead nowhere).
        parsed = parse(body, feed=path.stem, url="", now=now)
    except FeedError as exc:
        raise _Unusable(exc.message) from None
    name = parsed.title or path.stem
    return [_renamed(entry, name) for entry in parsed.entries]


def _renamed(entry: Entry, feed: str) -> Entry:
    return Entry(
        feed, entry.entry_id, entry.url, entry.title, entry.published, entry.summary, entry.content
    )


def page_entry(html: str, path: Path) -> Entry:
    """A saved article page; its metadata give the title, date, link and source when present.

    trafilatura reads the title (JSON-LD headline, ``og:title``, the one ``<h1>``, ``<title>``
    without the site's name) and the site name (``og:site_name``, the JSON-LD publisher, else
    the link's host). Its link is not used: it sorts the query, which the article's identity
    keeps as written (``urls.canonicalize``).
    """
    import trafilatura  # a fifth of a second to import; only replay reads pages

    parser = etree.HTMLParser(encoding="utf-8", no_network=True)
    root = etree.fromstring(html.encode("utf-8", "replace"), parser)
    if root is None:
        raise _Unusable("not an HTML page")
    meta = _meta(root)
    found = trafilatura.extract_metadata(html, extensive=False)  # its date is not used
    title = " ".join(str(found.title or "").split())
    text = article_text(html) or html_to_text(html)
    if not (title or text):
        raise _Unusable("no title and no text")
    canonical = next(
        (str(e.get("href")) for e in root.iter("link") if e.get("rel", "").lower() == "canonical"),
        meta.get("og:url"),
    )
    stamp = next((meta[name] for name in DATE_META if meta.get(name)), None)
    stamp = stamp or _structured_date(root, canonical)
    return article_entry(
        title=title,
        text=text,
        url=canonical,
        published=parse_date(stamp) if stamp else None,
        source=str(found.sitename or DEFAULT_SOURCE),
    )


def _structured_date(root: Any, link: str | None) -> str | None:
    """htmldate's reading of the head's meta tags, the JSON-LD and the date in the link.

    Not of the body's ``<time>`` and date-like elements: looking for the original date, it
    takes the oldest, and a sidebar of dated older stories made a page months older.
    """
    from htmldate import find_date

    head = root.find("head")
    kept = [*(head if head is not None else ()), *root.iterfind(f"body//script{_JSON_LD}")]
    markup = "".join(etree.tostring(element, encoding="unicode") for element in kept)
    return find_date(
        f"<html><head>{markup}</head><body></body></html>",
        extensive_search=False,  # never a date merely mentioned in the text
        original_date=True,
        outputformat=_STAMP,
        url=link,
        deferred_url_extractor=True,  # the link's date has no time: the head's comes first
    )


def _meta(root: Any) -> dict[str, str]:
    """``<meta>`` contents by lowercased property, name or itemprop (the first of each)."""
    found: dict[str, str] = {}
    for element in root.iter("meta"):
        key = element.get("property") or element.get("name") or element.get("itemprop")
        content = element.get("content")
        if key and content and content.strip():
            found.setdefault(key.strip().lower(), content.strip())
    for element in root.iter("time"):  # <time itemprop="datePublished" datetime="...">
        if (element.get("itemprop") or "").lower() == "datepublished" and element.get("datetime"):
            found.setdefault("datepublished", str(element.get("datetime")))
    return found


def text_entry(text: str) -> Entry:
    """A plain text article: the first non-empty line is its title."""
    lines = text.strip().splitlines()
    if not lines:
        raise _Unusable("empty file")
    return article_entry(title=lines[0].strip(), text=tidy("\n".join(lines[1:])))


def json_entries(text: str, path: Path) -> tuple[list[Entry], list[Problem]]:
    """A JSON array of articles, or JSON Lines; a bad record is a problem of its line."""
    entries: list[Entry] = []
    problems: list[Problem] = []
    for line, record in _records(text, path):
        try:
            entries.append(record_entry(record))
        except _Unusable as exc:
            problems.append(Problem(path, str(exc), line))
    return entries, problems


def _records(text: str, path: Path) -> list[tuple[int | None, object]]:
    """(line number, decoded JSON or the line's JSON error) per record."""
    if path.suffix.lower() == ".json" and text.lstrip().startswith("["):
        try:
            return [(None, record) for record in json.loads(text)]
        except json.JSONDecodeError as exc:
            raise _Unusable(f"not JSON: {exc}") from None
    records: list[tuple[int | None, object]] = []
    for number, line in enumerate(text.splitlines(), 1):
        if line.strip():
            try:
                records.append((number, json.loads(line)))
            except json.JSONDecodeError as exc:
                records.append((number, _JsonError(f"not JSON: {exc}")))
    return records


class _JsonError(str):
    """A line that is not JSON, kept in place of its record."""

    __slots__ = ()


def record_entry(record: object) -> Entry:
    if isinstance(record, _JsonError):
        raise _Unusable(record)
    if not isinstance(record, Mapping):
        raise _Unusable("not a JSON object")
    text = _field(record, TEXT_FIELDS)
    stamp = _field(record, ("published", "date", "published_at"))
    published = parse_date(stamp) if stamp else None
    if stamp and published is None:
        raise _Unusable(f"published: not an ISO 8601 date: {stamp!r}")
    return article_entry(
        title=" ".join(_field(record, ("title",)).split()),
        text=html_to_text(text) if _TAG.search(text) else tidy(text),
        url=_field(record, ("url", "link")) or None,
        published=published,
        source=_field(record, ("source", "feed", "outlet")) or DEFAULT_SOURCE,
        entry_id=_field(record, ("id", "guid")) or None,
    )


def _field(record: Mapping[str, Any], names: Sequence[str]) -> str:
    """The first non-empty of ``names``; a non-string value is the record's error."""
    for name in names:
        value = record.get(name)
        if value is None or value == "":
            continue
        if not isinstance(value, str):
            raise _Unusable(f"{name}: must be a string, not {type(value).__name__}")
        return value
    return ""


def article_entry(
    *,
    title: str,
    text: str,
    url: str | None = None,
    published: datetime | None = None,
    source: str = DEFAULT_SOURCE,
    entry_id: str | None = None,
) -> Entry:
    """An entry for an article read from a file; its id: given, else its link, else a hash."""
    if not (title or text):
        raise _Unusable("no title and no text")
    link = _http(url)
    if entry_id is None:
        entry_id = link or "sha256:" + hashlib.sha256(f"{title}\n{text}".encode()).hexdigest()
    return Entry(source, entry_id, link, title, published, summary="", content=text)


def _http(url: str | None) -> str | None:
    if not url or not url.strip().lower().startswith(("http://", "https://")):
        return None
    return canonicalize(url.strip())


def parse_date(text: str) -> datetime | None:
    """ISO 8601 (a date alone is midnight) or RFC 2822, in UTC; None when neither."""
    text = text.strip()
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        try:
            moment = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)
