"""The feeds a config polls: its ``[[feeds]]`` tables, then the feeds of its OPML files, each
given the ``[feed_defaults]`` for the keys it leaves out. Called by config.py.

Feeds of OPML files are named by their ``claimwatch:name`` attribute, else by a slug of their
title (else of their host): ``"Example News"`` is ``example-news``, a second one in the same
files ``example-news-2``, in the order of the files and outlines. A name that a ``[[feeds]]``
table already uses is an error naming both places (suffixing it instead would rename the OPML
feed, and its state, whenever a table was added). A URL that is already listed (a
``[[feeds]]`` table, or an earlier outline: readers repeat a feed in each of its folders) is
not added twice.
"""

from __future__ import annotations

import re
from collections.abc import Container, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from pydantic import ValidationError

from claimwatch.config import FeedConfig, find_key_line, format_location
from claimwatch.config_messages import error_message, nearest
from claimwatch.errors import Problem
from claimwatch.opml import Outline, read_opml, setting_values

if TYPE_CHECKING:
    from claimwatch.config import Config

OWN_KEYS = frozenset({"name", "url", "title"})  # each feed's own: never a default
_PLACEHOLDER = {"name": "-", "url": "https://example.invalid/"}
_NOT_SLUG = re.compile(r"[^\w]+")


@dataclass
class FeedList:
    """What config.py takes: every feed, where OPML feeds came from, and the problems."""

    feeds: list[FeedConfig] = field(default_factory=list)
    origins: dict[str, Path] = field(default_factory=dict)  # OPML feed name -> its file
    problems: list[Problem] = field(default_factory=list)


def assemble(
    tables: Iterable[FeedConfig],
    defaults: dict[str, Any],
    opml: Iterable[Path],
    *,
    config_file: str,
    text: str,
) -> FeedList:
    """``tables`` (validated ``[[feeds]]``) with ``defaults`` (the raw ``[feed_defaults]``
    table) filled in, then the feeds of the ``opml`` files (absolute paths, in order)."""
    result = FeedList()
    given = _defaults(defaults, text, result.problems)
    for table in tables:
        missing = {k: v for k, v in given.items() if k not in table.model_fields_set}
        result.feeds.append(table.model_copy(update=missing) if missing else table)
    _OpmlFeeds(result, given, config_file, text).add_files(opml)
    return result


def _defaults(table: dict[str, Any], text: str, problems: list[Problem]) -> dict[str, Any]:
    """The validated values ``[feed_defaults]`` gives: checked as a feed's own keys are."""
    own = sorted(OWN_KEYS & table.keys())
    for key in own:
        loc = ("feed_defaults", key)
        message = f"{key} belongs to each feed: set it in its [[feeds]] table"
        problems.append(Problem(format_location(loc), message, find_key_line(text, loc)))
    if own:
        return {}
    try:
        model = FeedConfig.model_validate({**table, **_PLACEHOLDER})
    except ValidationError as exc:
        for error in exc.errors():
            where = ("feed_defaults", *error["loc"])
            message = error_message(error, FeedConfig)
            problems.append(Problem(format_location(where), message, find_key_line(text, where)))
        return {}
    return {key: getattr(model, key) for key in table}


def _unknown_attribute(key: str) -> str:
    """``unknown attribute 'claimwatch:intervall': did you mean 'claimwatch:interval'?``"""
    settings = [name for name in FeedConfig.model_fields if name not in {"url", "title"}]
    best = nearest(key, settings)
    hint = f": did you mean 'claimwatch:{best}'?" if best else ""
    return f"unknown attribute 'claimwatch:{key}'{hint}"


class _OpmlFeeds:
    """Adds the feeds of OPML files to a FeedList, naming them uniquely."""

    def __init__(self, result: FeedList, defaults: dict[str, Any], file: str, text: str) -> None:
        self.result = result
        self.defaults = defaults
        self.config_file = file
        self.text = text
        self.urls = {feed.url for feed in result.feeds}
        self.tables = {feed.name: index for index, feed in enumerate(result.feeds)}
        self.named: dict[str, tuple[Path, int]] = {}  # OPML feed name -> (file, line)

    def add_files(self, paths: Iterable[Path]) -> None:
        for index, path in enumerate(paths):
            if not path.is_file():
                loc = ("opml", index)
                line = find_key_line(self.text, ("opml",))
                message = f"cannot read OPML file {path}: " + (
                    "no such file" if not path.exists() else "not a file"
                )
                self.result.problems.append(Problem(format_location(loc), message, line))
                continue
            outlines, problems = read_opml(path)
            self.result.problems.extend(problems)
            for outline in outlines:
                self._add(path, outline)

    def _add(self, path: Path, outline: Outline) -> None:
        if outline.url in self.urls:
            return
        self.urls.add(outline.url)
        settings = setting_values(outline.settings)
        for key in sorted(OWN_KEYS & settings.keys() - {"name"}):
            message = "not a setting: the outline's xmlUrl and title say that"
            self._problem(path, outline.line, f"claimwatch:{key}", message)
            del settings[key]
        explicit = settings.pop("name", None)
        name = self._name(path, outline, explicit)
        if name is None:
            return
        data = {**self.defaults, **settings, "name": name, "url": outline.url}
        if outline.title and outline.title != name:  # an export of a feed without title
            data["title"] = outline.title
        try:
            feed = FeedConfig.model_validate(data)
        except ValidationError as exc:
            for error in exc.errors():
                key = ".".join(str(part) for part in error["loc"])
                where = "xmlUrl" if key == "url" else f"claimwatch:{key}"
                if error["type"] == "extra_forbidden":
                    message = _unknown_attribute(key)
                else:
                    message = error_message(error, FeedConfig)
                self._problem(path, outline.line, where, message)
            return
        self.result.feeds.append(feed)
        self.result.origins[name] = path
        self.named[name] = (path, outline.line)

    def _name(self, path: Path, outline: Outline, explicit: object) -> str | None:
        """The feed's name, or None after reporting why it has none."""
        if explicit is not None:
            name = str(explicit)
            if name in self.named:
                where = _place(*self.named[name])
                self._problem(path, outline.line, "claimwatch:name", f"{name!r} is also at {where}")
                return None
        else:
            name = unique_name(feed_slug(outline.title, outline.url), self.named)
        if name in self.tables:
            loc = ("feeds", self.tables[name], "name")
            table = _place(self.config_file, find_key_line(self.text, loc))
            message = (
                f"feed name {name!r} is also the name of the [[feeds]] table at {table}: "
                "rename one of them (claimwatch:name on the outline)"
            )
            self._problem(path, outline.line, "claimwatch:name", message)
            return None
        return name

    def _problem(self, path: Path, line: int, key: str, message: str) -> None:
        self.result.problems.append(Problem(key, message, line, str(path)))


def _place(file: Path | str, line: int | None) -> str:
    return f"{file}:{line}" if line else str(file)


def feed_slug(title: str, url: str) -> str:
    """A feed name from its title (lower case, words joined by ``-``), else its host."""
    slug = _NOT_SLUG.sub("-", title.casefold()).strip("-_")
    if slug:
        return slug[:60].rstrip("-_")
    host = (urlsplit(url).hostname or "feed").removeprefix("www.")
    return _NOT_SLUG.sub("-", host).strip("-") or "feed"


def unique_name(name: str, taken: Container[str]) -> str:
    """``name``, or ``name-2``, ``name-3``... whichever is not taken."""
    if name not in taken:
        return name
    number = 2
    while f"{name}-{number}" in taken:
        number += 1
    return f"{name}-{number}"


def feed_source(config: Config, feed: FeedConfig) -> str:
    """``config``, or the OPML file the feed came from (relative to the config's folder)."""
    file = config.opml_feeds.get(feed.name)
    return "config" if file is None else shown_path(file, config.path.parent)


def shown_path(file: Path, folder: Path) -> str:
    """``file`` relative to ``folder`` when it is inside it, else as it is."""
    return str(file.relative_to(folder)) if file.is_relative_to(folder) else str(file)
