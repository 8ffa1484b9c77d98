"""OPML subscription lists, the format feed readers import and export: read safely, write 2.0.

Reading is the standard library's expat, driven directly so that every outline keeps its line
(errors name ``file:line``) and so that hostile XML is refused rather than expanded:

- an entity declaration (internal or external: billion laughs, ``SYSTEM "file:///..."``) is
  refused outright; OPML needs none, and expat then never reads anything but the file itself;
- a file larger than MAX_BYTES, or listing more than MAX_FEEDS feeds, is refused;
- the root must be ``<opml>``; outlines are read at any depth (folders, categories).

An outline with ``xmlUrl`` is a feed; one without it is a folder when it holds outlines (or
only names itself, an empty folder) and an error otherwise. Per-feed settings come from
attributes in the claimwatch namespace (NAMESPACE, usually bound to the prefix
``claimwatch``): ``claimwatch:interval="20m"``, the keys of a ``[[feeds]]`` table; the
attributes of other readers (Miniflux, Thunderbird) are ignored.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from xml.etree import ElementTree
from xml.parsers import expat

from claimwatch.errors import Problem

NAMESPACE = "https://github.com/claimwatch/claimwatch/opml"
PREFIX = "claimwatch"
MAX_BYTES = 5_000_000
MAX_FEEDS = 10_000
_NAMED = frozenset({"text", "title"})  # attributes an empty folder may carry


@dataclass(frozen=True, slots=True)
class Outline:
    """One feed of an OPML file."""

    title: str  # ``title``, else ``text``; may be empty
    url: str  # ``xmlUrl``
    line: int
    settings: dict[str, str] = field(default_factory=dict)  # claimwatch attributes, local names
    folder: tuple[str, ...] = ()  # the titles of the outlines it sits in


@dataclass(frozen=True, slots=True)
class ExportFeed:
    """One feed to write: ``settings`` become claimwatch attributes."""

    title: str
    url: str
    settings: dict[str, str] = field(default_factory=dict)


class _Refused(Exception):
    """Raised from an expat handler: stops parsing at the current line."""


def read_opml(path: Path) -> tuple[list[Outline], list[Problem]]:
    """The feeds of the OPML file at ``path``, and its problems (each naming file and line)."""
    file = str(path)
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        return [], [Problem("", f"cannot read OPML file: {exc.strerror or exc}", file=file)]
    if len(data) > MAX_BYTES:
        message = f"larger than {MAX_BYTES:,} bytes: refused (not an OPML subscription list?)"
        return [], [Problem("", message, file=file)]
    return parse_opml(data, file)


def parse_opml(data: bytes, file: str) -> tuple[list[Outline], list[Problem]]:
    """Parse OPML bytes; ``file`` names them in problems."""
    reader = _Reader(file)
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartElementHandler = reader.start
    parser.EndElementHandler = reader.end
    parser.EntityDeclHandler = _refuse_entity
    parser.UnparsedEntityDeclHandler = _refuse_entity
    parser.ExternalEntityRefHandler = _refuse_entity
    reader.parser = parser
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        message = f"malformed XML: {expat.errors.messages[exc.code]} (column {exc.offset + 1})"
        reader.problems.append(Problem("", message, exc.lineno, file))
    except _Refused as exc:
        reader.problems.append(Problem("", str(exc), parser.CurrentLineNumber, file))
    if not reader.problems and not reader.seen_root:
        reader.problems.append(Problem("", "not an OPML file: no <opml> element", None, file))
    return reader.feeds, reader.problems


def _refuse_entity(*_: Any) -> int:
    raise _Refused("entity declarations are not allowed in OPML (refused, not expanded)")


@dataclass
class _Frame:
    """An open ``<outline>``: its attributes, its line, whether outlines sit inside it."""

    attributes: dict[str, str]
    line: int
    parent: bool = False


class _Reader:
    """expat handlers that collect the feeds and the problems of one document."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.parser: Any = None
        self.feeds: list[Outline] = []
        self.problems: list[Problem] = []
        self.seen_root = False
        self._path: list[str] = []  # open element names
        self._outlines: list[_Frame] = []
        self._prefixes = {PREFIX}

    def start(self, name: str, attributes: dict[str, str]) -> None:
        if not self._path and name != "opml":
            raise _Refused(f"not an OPML file: the root element is <{name}>, not <opml>")
        self.seen_root = True
        self._prefixes |= {
            k[6:] for k, v in attributes.items() if k[:6] == "xmlns:" and v == NAMESPACE
        }
        self._path.append(name)
        if name != "outline" or "body" not in self._path:
            return
        if self._outlines:
            self._outlines[-1].parent = True
        line = self.parser.CurrentLineNumber
        frame = _Frame(attributes, line)
        self._outlines.append(frame)
        url = _attribute(attributes, "xmlUrl")
        if url is not None:
            self._feed(frame, url.strip())

    def end(self, name: str) -> None:
        self._path.pop()
        if name != "outline" or not self._outlines or "body" not in self._path:
            return
        frame = self._outlines.pop()
        feed = _attribute(frame.attributes, "xmlUrl") is not None
        empty_folder = set(frame.attributes) <= _NAMED
        if not (feed or frame.parent or empty_folder):
            title = _title(frame.attributes)
            self._problem(
                frame.line, "xmlUrl", f"outline {title!r} is not a feed: it has no xmlUrl"
            )

    def _feed(self, frame: _Frame, url: str) -> None:
        title = _title(frame.attributes)
        title = "" if title == url else title  # rss2email 2 wrote the URL as the text
        parts = urlsplit(url)
        if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
            self._problem(frame.line, "xmlUrl", f"must be an http(s) URL, got {url!r}")
            return
        if len(self.feeds) >= MAX_FEEDS:
            raise _Refused(f"more than {MAX_FEEDS:,} feeds: refused")
        folder = tuple(_title(f.attributes) for f in self._outlines[:-1])
        settings = self._settings(frame.attributes)
        self.feeds.append(Outline(title, url, frame.line, settings, folder))

    def _settings(self, attributes: dict[str, str]) -> dict[str, str]:
        settings: dict[str, str] = {}
        for key, value in attributes.items():
            prefix, colon, local = key.partition(":")
            if colon and prefix in self._prefixes:
                settings[local] = value.strip()
        return settings

    def _problem(self, line: int, key: str, message: str) -> None:
        self.problems.append(Problem(key, message, line, self.file))


def _attribute(attributes: dict[str, str], name: str) -> str | None:
    """An OPML attribute by name; some exporters write ``xmlurl``, so case is ignored."""
    if name in attributes:
        return attributes[name]
    lowered = name.lower()
    return next((v for k, v in attributes.items() if k.lower() == lowered), None)


def _title(attributes: dict[str, str]) -> str:
    for name in ("title", "text"):
        value = " ".join((_attribute(attributes, name) or "").split())
        if value:
            return value
    return ""


def setting_values(settings: dict[str, str]) -> dict[str, Any]:
    """claimwatch attributes as the TOML values they stand for: ``true``/``false`` a boolean,
    digits an integer (seconds), anything else the string (``"20m"``, ``"relevant"``)."""
    values: dict[str, Any] = {}
    for key, text in settings.items():
        if text in ("true", "false"):
            values[key] = text == "true"
        elif text.isascii() and text.isdigit():
            values[key] = int(text)
        else:
            values[key] = text
    return values


def render_opml(feeds: Sequence[ExportFeed], *, title: str, created: datetime) -> str:
    """OPML 2.0 that feed readers import: one ``type="rss"`` outline per feed, ``text`` and
    ``title`` its title, ``xmlUrl`` its URL, and its settings as claimwatch attributes."""
    ElementTree.register_namespace(PREFIX, NAMESPACE)
    root = ElementTree.Element("opml", {"version": "2.0"})
    head = ElementTree.SubElement(root, "head")
    ElementTree.SubElement(head, "title").text = title
    ElementTree.SubElement(head, "dateCreated").text = format_datetime(created, usegmt=True)
    body = ElementTree.SubElement(root, "body")
    for feed in feeds:
        attributes = {"type": "rss", "text": feed.title, "title": feed.title, "xmlUrl": feed.url}
        attributes |= {f"{{{NAMESPACE}}}{k}": v for k, v in feed.settings.items()}
        ElementTree.SubElement(body, "outline", attributes)
    ElementTree.indent(root, space="  ")
    text = ElementTree.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{text}\n'
