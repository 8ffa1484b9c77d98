"""``claimwatch feeds``: list the feeds, import and export OPML, add a feed by its site.

- ``list``: every feed with its interval, whether it is enabled and where it comes from (the
  config's ``[[feeds]]`` or an OPML file);
- ``import FILE.opml``: the OPML's feeds become ``[[feeds]]`` tables, except those whose URL
  is already configured (said, not added twice); ``--link`` instead adds the file to
  ``opml = [...]``, so that it is read at every start and reload (a list kept in a reader);
- ``export [--out FILE]``: OPML 2.0 of every feed, with its settings as claimwatch attributes;
- ``add URL``: the feed at URL, or the one its page names (discover.py), fetched and parsed
  once, then added as a ``[[feeds]]`` table.

Edits keep the config's comments and layout, and are written only when the edited config
loads (configedit.py).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from claimwatch.atomicfile import replace_file
from claimwatch.cli import duration_text
from claimwatch.config import Config, FeedConfig, default_config_path, load_config
from claimwatch.configedit import add_feed_tables, add_opml_file, read_text, save_config
from claimwatch.durations import parse_duration
from claimwatch.errors import ConfigError, InputError
from claimwatch.exits import EXIT_INPUT, EXIT_OK
from claimwatch.feedlist import (
    OWN_KEYS,
    assemble,
    feed_slug,
    feed_source,
    shown_path,
    unique_name,
)
from claimwatch.opml import ExportFeed, render_opml


def run(args: argparse.Namespace) -> int:
    """Run ``claimwatch feeds <command>``."""
    path: Path = args.config or default_config_path()
    command = {"list": _list, "import": _import, "export": _export, "add": _add}
    handler = command.get(args.feeds_command)
    return EXIT_INPUT if handler is None else handler(args, path)


# ---- list, export ------------------------------------------------------------------------


def _list(args: argparse.Namespace, path: Path) -> int:
    config = load_config(path)
    if not config.feeds:
        print(f"no feeds in {config.path}", file=sys.stderr)
        return EXIT_OK
    print(feeds_table(config))
    return EXIT_OK


def feeds_table(config: Config) -> str:
    """One line per feed: name, interval, enabled, source, URL, in aligned columns."""
    rows = [("NAME", "INTERVAL", "ENABLED", "SOURCE", "URL")]
    for feed in config.feeds:
        enabled = "yes" if feed.enabled else "no"
        rows.append(
            (feed.name, duration_text(feed.interval), enabled, feed_source(config, feed), feed.url)
        )
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    return "\n".join(
        "  ".join([*(cell.ljust(width) for cell, width in zip(row, widths, strict=False)), row[4]])
        for row in rows
    )


def _export(args: argparse.Namespace, path: Path) -> int:
    config = load_config(path)
    text = render_opml(
        [_export_feed(feed) for feed in config.feeds],
        title="claimwatch feeds",
        created=datetime.now(UTC),
    )
    if args.out is None or args.out == "-":
        sys.stdout.write(text)
        return EXIT_OK
    replace_file(Path(args.out), text)
    print(f"exported {len(config.feeds)} feeds to {args.out}", file=sys.stderr)
    return EXIT_OK


def _export_feed(feed: FeedConfig) -> ExportFeed:
    settings = {
        "name": feed.name,
        "interval": duration_text(feed.interval),
        "fetch_articles": feed.fetch_articles,
        "enabled": "true" if feed.enabled else "false",
    }
    return ExportFeed(feed.title or feed.name, feed.url, settings)


# ---- import --------------------------------------------------------------------------------


def _import(args: argparse.Namespace, path: Path) -> int:
    config = load_config(path)
    opml: Path = args.file
    if not opml.is_file():
        raise InputError("no such file", subject=str(opml))
    read = assemble((), {}, [opml.resolve()], config_file=str(path), text="")
    if read.problems:
        raise ConfigError(str(opml), read.problems)
    if args.link:
        return _link(config, path, opml, read.feeds)
    present = {feed.url: feed.name for feed in config.feeds}
    names = {feed.name for feed in config.feeds}
    tables: list[dict[str, Any]] = []
    lines: list[str] = []
    for feed in read.feeds:
        if feed.url in present:
            lines.append(f"skipped {feed.url}: already configured as {present[feed.url]!r}")
            continue
        name = unique_name(feed.name, names)
        names.add(name)
        tables.append(_table(feed, name))
        lines.append(f"added {name}: {feed.url}")
    if tables:
        save_config(path, add_feed_tables(read_text(path), tables))
    print("\n".join(lines))
    skipped = len(read.feeds) - len(tables)
    written = f"written to {config.path}" if tables else f"{config.path} unchanged"
    print(f"imported {opml}: {len(tables)} added, {skipped} skipped; {written}", file=sys.stderr)
    return EXIT_OK


def _table(feed: FeedConfig, name: str) -> dict[str, Any]:
    """The ``[[feeds]]`` table of an OPML feed: name, URL, title, and what the OPML set."""
    table: dict[str, Any] = {"name": name, "url": feed.url}
    if feed.title:
        table["title"] = feed.title
    for key in sorted(feed.model_fields_set - OWN_KEYS):
        value = getattr(feed, key)
        table[key] = duration_text(value) if key == "interval" else value
    return table


def _link(config: Config, path: Path, opml: Path, feeds: list[FeedConfig]) -> int:
    target = opml.resolve()
    if target in config.opml:
        raise InputError(f"already in opml = [...] of {config.path}", subject=str(opml))
    entry = shown_path(target, config.path.parent)
    new = save_config(path, add_opml_file(read_text(path), entry))
    added = [name for name, file in new.opml_feeds.items() if file == target]
    skipped = len(feeds) - len(added)
    print(
        f"linked {opml}: {len(added)} feeds added, {skipped} already configured (same URL); "
        f"written to {config.path}",
        file=sys.stderr,
    )
    return EXIT_OK


# ---- add -----------------------------------------------------------------------------------


def _add(args: argparse.Namespace, path: Path) -> int:
    config = load_config(path)
    address = args.url.strip()
    if urlsplit(address).scheme.lower() not in ("http", "https"):
        raise InputError("must be an http(s) URL", subject=address)
    names = {feed.name for feed in config.feeds}
    if args.name is not None and args.name in names:
        raise InputError(f"a feed named {args.name!r} exists already", subject=str(config.path))
    interval = _interval(args.interval)
    from claimwatch.discover import find_feed  # the HTTP client, only when needed

    found = asyncio.run(find_feed(address, config.http))
    if found.page is not None:
        print(f"{found.page} names the feed {found.url}", file=sys.stderr)
    for other in found.others:
        print(f"  also named there: {other.url} ({other.media_type})", file=sys.stderr)
    existing = next((f for f in config.feeds if f.url in (found.url, address)), None)
    if existing is not None:
        raise InputError(f"already configured as {existing.name!r}", subject=found.url)
    name = args.name or unique_name(feed_slug(found.title, found.url), names)
    table: dict[str, Any] = {"name": name, "url": found.url}
    if found.title:
        table["title"] = found.title
    if interval is not None:
        table["interval"] = interval
    save_config(path, add_feed_tables(read_text(path), [table]))
    title = repr(found.title) if found.title else "(untitled)"
    print(f"feed {title}: {found.entries} entries")
    print(f"added {name}: {found.url}; written to {config.path}", file=sys.stderr)
    return EXIT_OK


def _interval(text: str | None) -> int | str | None:
    """``--interval`` as the TOML value to write; refused now if it is no duration."""
    if text is None:
        return None
    try:
        parse_duration(text)
    except ValueError as exc:
        raise InputError(str(exc), subject="--interval") from None
    return int(text) if text.isdigit() else text
