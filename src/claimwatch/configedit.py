"""Changing the config file for ``claimwatch feeds add`` and ``feeds import``.

tomlkit edits the document in place, so the operator's comments, order and layout stay as
they were: new ``[[feeds]]`` tables go after the last one (or at the end), an OPML file joins
the ``opml`` list (created among the top-level keys). The edited text is validated as
``load_config`` validates a file, as if it were already in place (relative paths resolve
against the config's folder), and only a config that loads replaces the old one: written to
a temporary file beside it, flushed, then renamed over it, keeping its permissions.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import tomlkit
from tomlkit.items import AoT, Array, Table

from claimwatch.atomicfile import replace_file
from claimwatch.config import Config, config_from_mapping
from claimwatch.errors import ConfigError, InputError


def read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        message = f"cannot read config: {getattr(exc, 'strerror', None) or exc}"
        raise InputError(message, subject=str(path)) from None


def add_feed_tables(text: str, tables: Sequence[Mapping[str, Any]]) -> str:
    """``text`` with one ``[[feeds]]`` table per mapping, after the existing feeds."""
    text, crlf = _unix(text)
    before = _data(text)
    document = tomlkit.parse(text)
    feeds = document.get("feeds")
    if tomlkit.dumps(document) != text:  # tomlkit would move parts (tables split up): append
        edited = text + ("\n" if text.strip() else "") + tomlkit.dumps({"feeds": list(tables)})
    elif isinstance(feeds, Array):  # ``feeds = [{...}]``: rare, but valid TOML
        for values in tables:
            inline = tomlkit.inline_table()
            inline.update(values)
            feeds.append(inline)
        edited = tomlkit.dumps(document)
    else:
        if feeds is None:
            feeds = tomlkit.aot()
            document.append("feeds", feeds)
        assert isinstance(feeds, AoT)
        for values in tables:
            feeds.append(_table(values))
        edited = tomlkit.dumps(document)
    _check(edited, {**before, "feeds": [*before.get("feeds", []), *map(dict, tables)]})
    return _restore(edited, crlf)


def _table(values: Mapping[str, Any]) -> Table:
    table = tomlkit.table()
    for key, value in values.items():
        table.add(key, value)
    table.add(tomlkit.nl())  # a blank line before whatever follows
    return table


def add_opml_file(text: str, entry: str) -> str:
    """``text`` with ``entry`` appended to the top-level ``opml`` list (made if missing)."""
    text, crlf = _unix(text)
    before = _data(text)
    document = tomlkit.parse(text)
    if tomlkit.dumps(document) != text:
        raise InputError(
            f"cannot add to opml here without moving parts of the config: add {entry!r} "
            "to opml = [...] yourself"
        )
    listed = document.get("opml")
    if listed is None:
        document.add("opml", [entry])  # tomlkit puts a key before the first table
    elif isinstance(listed, Array):
        listed.append(entry)
    else:
        raise InputError("opml is not a list of files: fix it first")
    edited = tomlkit.dumps(document)
    _check(edited, {**before, "opml": [*before.get("opml", []), entry]})
    return _restore(edited, crlf)


def _unix(text: str) -> tuple[str, bool]:
    """The text with ``\n`` line ends and a final one; whether it had ``\r\n``."""
    crlf = "\r\n" in text
    text = text.replace("\r\n", "\n") if crlf else text
    return (text + "\n" if text and not text.endswith("\n") else text), crlf


def _restore(text: str, crlf: bool) -> str:
    return text.replace("\n", "\r\n") if crlf else text


def _data(text: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"invalid TOML: {exc}") from None


def _check(edited: str, expected: dict[str, Any]) -> None:
    """The edit changed nothing but what it meant to (a guard against the editor's bugs)."""
    try:
        same = tomllib.loads(edited) == expected
    except tomllib.TOMLDecodeError:
        same = False
    if not same:
        raise InputError("could not edit the config without changing more than meant to")


def save_config(path: Path, text: str) -> Config:
    """Replace the config at ``path`` with ``text`` if it loads; the loaded config."""
    try:
        data = tomllib.loads(text)
        config = config_from_mapping(data, path=path, text=text)
    except (tomllib.TOMLDecodeError, ConfigError) as exc:
        raise InputError(
            f"left unchanged: the edited config would not load:\n{exc}", subject=str(path)
        ) from None
    replace_file(path, text)
    return config
