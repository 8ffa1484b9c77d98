"""A config mistake told in the config's own words: TOML types rather than Python ones, and
for a misspelt key or table the nearest name that exists.

pydantic finds the mistake and its key path; this says it the way an operator reads the file::

    claimwatch.toml:12: alerts.email.port: expected an integer, got the string "587"
        (write 587 without quotes)
    claimwatch.toml:3: alert.log: unknown table [alert.log]: did you mean [alerts.log]?
    claimwatch.toml:8: feeds[0].intervall: unknown key 'intervall': did you mean 'interval'?

The known names come from the config's models, so a key or table added there is suggested
without a word here.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import tomllib
from collections.abc import Iterator
from typing import Any, get_args, get_origin

from pydantic import BaseModel

from claimwatch.errors import Problem

_EXPECTED = {
    "int_type": "an integer",
    "float_type": "a number",
    "bool_type": "a boolean (true or false)",
    "string_type": "a string",
    "tuple_type": "an array",
    "list_type": "an array",
    "model_type": "a table",
    "dict_type": "a table",
}
_SCALARS: dict[str, type | tuple[type, ...]] = {
    "int_type": int,
    "float_type": (int, float),
    "bool_type": bool,
}
_HEADER = re.compile(r"^\s*(\[\[?)([^\[\]]+)\]\]?\s*(?:#.*)?$")
SIMILAR = 0.6  # difflib's ratio below which a name is not offered as the one meant


def type_message(error: Any) -> str | None:
    """``expected an integer, got the string "587" (write 587 without quotes)`` for a value of
    the wrong TOML type; None for any other kind of error."""
    expected = _EXPECTED.get(error["type"])
    if expected is None:
        return None
    value = error["input"]
    message = f"expected {expected}, got {_shown(value, scalar=error['type'] in _SCALARS)}"
    if isinstance(value, str) and _unquoted_fits(value, _SCALARS.get(error["type"])):
        message += f" (write {value.strip()} without quotes)"
    return message


def _shown(value: object, *, scalar: bool) -> str:
    """The value as TOML calls it; a string only where a number or boolean was expected (a
    string elsewhere may be a secret, such as an Apprise URL with its token)."""
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, int | float):
        return f"the {'integer' if isinstance(value, int) else 'float'} {value!r}"
    if isinstance(value, str):
        short = value if len(value) <= 40 else value[:37] + "..."
        return f'the string "{short}"' if scalar else "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, dt.date | dt.time):
        return "a date or time"
    return type(value).__name__


def _unquoted_fits(value: str, wanted: type | tuple[type, ...] | None) -> bool:
    """Would the string, written without its quotes, be a TOML value of the wanted type?"""
    if wanted is None or not value.strip() or any(c in value for c in "\r\n#="):
        return False
    try:
        parsed = tomllib.loads(f"v = {value.strip()}")["v"]
    except tomllib.TOMLDecodeError:
        return False
    return isinstance(parsed, wanted) and (wanted is bool or not isinstance(parsed, bool))


def nearest(name: str, known: list[str]) -> str | None:
    """The known name most like ``name`` (difflib), or None when none is close."""
    matches = difflib.get_close_matches(name, known, n=1, cutoff=SIMILAR)
    return matches[0] if matches else None


def _nearest_table(name: str, known: list[str]) -> str | None:
    """Like ``nearest``, part by part: ``alert.log`` is ``alerts.log``, but ``alerts.pigeon``
    is no ``alerts.apprise`` for all that the two share ``alerts.``."""
    parts = name.split(".")
    fits = [
        candidate
        for candidate in known
        if len(other := candidate.split(".")) == len(parts)
        and all(a == b or nearest(a, [b]) for a, b in zip(parts, other, strict=True))
    ]
    return nearest(name, fits)


def unknown_key_message(loc: tuple[Any, ...], root: type[BaseModel]) -> str:
    """``unknown key 'intervall': did you mean 'interval'?`` for the key at ``loc``."""
    parent = model_at(root, loc[:-1])
    return unknown_name("key", str(loc[-1]), list(parent.model_fields) if parent else [])


def error_message(error: Any, root: type[BaseModel]) -> str:
    """One validation error of a TOML value as people read it: an unknown key with the
    nearest known one, a wrong type in TOML's words, else the validator's own message."""
    if error["type"] == "extra_forbidden":
        return unknown_key_message(tuple(error["loc"]), root)
    return (type_message(error) or str(error["msg"])).removeprefix("Value error, ")


def unknown_name(what: str, name: str, known: list[str]) -> str:
    """``unknown key 'intervall': did you mean 'interval'?``, the suggestion when one is close."""
    best = nearest(name, known)
    return f"unknown {what} {name!r}" + (f": did you mean {best!r}?" if best else "")


def unknown_tables(loc: tuple[Any, ...], text: str, root: type[BaseModel]) -> list[Problem]:
    """One problem per table header the text writes for the unknown key at ``loc``
    (``[alert.log]`` and ``[alert.email]`` for ``alert``), each on its header's line; empty
    when the key was not written as a table header."""
    path = tuple(str(part) for part in loc if not isinstance(part, int))
    tables = dict(known_tables(root))
    problems: list[Problem] = []
    seen: set[str] = set()
    for line, name, array in table_headers(text):
        if name.split(".")[: len(path)] != list(path) or name in seen:
            continue
        seen.add(name)
        best = _nearest_table(name, list(tables))
        message = f"unknown table {_header(name, array)}" + (
            f": did you mean {_header(best, tables[best])}?"
            if best
            else f" (known tables: {', '.join(_header(n, a) for n, a in _leaves(root))})"
        )
        problems.append(Problem(name, message, line))
    return problems


def table_headers(text: str) -> Iterator[tuple[int, str, bool]]:
    """(line, dotted name, is an array of tables) of every table header in TOML text."""
    for number, line in enumerate(text.splitlines(), start=1):
        match = _HEADER.match(line)
        if match:
            parts = (part.strip().strip("\"'") for part in match.group(2).split("."))
            yield number, ".".join(parts), match.group(1) == "[["


def known_tables(root: type[BaseModel], prefix: str = "") -> Iterator[tuple[str, bool]]:
    """(dotted name, is an array of tables) of every table the config's models define."""
    for key, field in root.model_fields.items():
        model = _model_in(field.annotation)
        if model is not None:
            name = f"{prefix}{key}"
            yield name, get_origin(field.annotation) is tuple
            yield from known_tables(model, f"{name}.")


def _leaves(root: type[BaseModel]) -> Iterator[tuple[str, bool]]:
    """The tables that hold keys of their own ([alerts.log], not [alerts])."""
    for name, array in known_tables(root):
        model = model_at(root, tuple(name.split(".")))
        if model is not None and any(
            _model_in(f.annotation) is None for f in model.model_fields.values()
        ):
            yield name, array


def _header(name: str, array: bool) -> str:
    return f"[[{name}]]" if array else f"[{name}]"


def model_at(root: type[BaseModel], loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The model validating the table at ``loc`` (array indexes skipped), if any."""
    model = root
    for part in (p for p in loc if not isinstance(p, int)):
        field = model.model_fields.get(str(part))
        found = _model_in(field.annotation) if field is not None else None
        if found is None:
            return None
        model = found
    return model


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The model inside ``X``, ``X | None`` or ``tuple[X, ...]``."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for argument in get_args(annotation):
        found = _model_in(argument)
        if found is not None:
            return found
    return None
