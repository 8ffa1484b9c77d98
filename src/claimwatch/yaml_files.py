"""YAML input files (baselines, frames): read them keeping line marks, and turn validation
errors into problems located at ``file:line`` with a readable key path.

Paths name list items by their ``id`` where they have one (``claims[six-missing].value``),
so a user finds the claim without counting.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from claimwatch import bounded_yaml
from claimwatch.config_messages import unknown_key_message
from claimwatch.errors import BaselineError, Problem

YAML_SUFFIXES = (".yaml", ".yml")  # the files a baselines or frames folder holds
UNION_TAGS = frozenset(
    ("quantity", "unquantified", "state", "assertion", "date", "time", "absence")
)


def read_yaml(path: Path, *, what: str = "baseline") -> tuple[Any, yaml.Node | None]:
    """The document and its node tree (for line numbers); BaselineError when unreadable."""
    file = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise BaselineError(file, [Problem("", f"cannot read {what}: {exc}")]) from exc
    try:
        node, data = bounded_yaml.read(text)  # aliases and size bounded: no "billion laughs"
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise BaselineError(
            file, [Problem("", f"invalid YAML: {_yaml_message(exc)}", line)]
        ) from exc
    except (ValueError, OverflowError) as exc:  # a scalar YAML types but cannot build
        raise BaselineError(file, [_unbuildable(text, exc)]) from None
    duplicates = list(_duplicate_keys(node, ""))
    if duplicates:
        raise BaselineError(file, duplicates)
    return data, node


def _duplicate_keys(node: yaml.Node | None, path: str) -> Iterator[Problem]:
    """A key written twice in one mapping: YAML keeps the last silently, so the first one's
    words would be lost without a word."""
    if isinstance(node, yaml.SequenceNode):
        for index, child in enumerate(node.value):
            yield from _duplicate_keys(child, f"{path}[{index}]")
    if not isinstance(node, yaml.MappingNode):
        return
    seen: set[str] = set()
    for key, value in node.value:
        name = str(getattr(key, "value", "?"))
        where = f"{path}.{name}" if path else name
        if name in seen:
            yield Problem(
                where, "duplicate key (YAML would keep only the last)", key.start_mark.line + 1
            )
        seen.add(name)
        yield from _duplicate_keys(value, where)


def locate_problems(
    exc: ValidationError, data: Any, node: yaml.Node | None, root: type[BaseModel] | None = None
) -> list[Problem]:
    """Every root cause of a validation error, with its key path and line."""
    return [_problem(err, data, node, root) for err in _root_causes(exc.errors())]


def located(loc: tuple[Any, ...], message: str, data: Any, node: yaml.Node | None) -> Problem:
    """A problem at the key path ``loc`` (as pydantic writes them) of the document."""
    return Problem(named_location(loc, data), message, node_line(node, loc))


def _unbuildable(text: str, error: Exception) -> Problem:
    """Locate the scalar PyYAML typed but could not build (``date: 2022-13-45``)."""
    found = _bad_scalar(bounded_yaml.compose(text), ())
    if found is None:
        return Problem("", f"invalid value: {error}")
    loc, line = found
    where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc).lstrip(".")
    return Problem(where, f"invalid value: {error}", line)


def _bad_scalar(node: yaml.Node | None, loc: tuple[Any, ...]) -> tuple[tuple[Any, ...], int] | None:
    if isinstance(node, yaml.ScalarNode):
        try:
            yaml.SafeLoader("").construct_object(node)
        except (ValueError, OverflowError):
            return loc, node.start_mark.line + 1
        return None
    children: list[tuple[Any, yaml.Node]] = []
    if isinstance(node, yaml.MappingNode):
        children = [(getattr(key, "value", "?"), value) for key, value in node.value]
    elif isinstance(node, yaml.SequenceNode):
        children = list(enumerate(node.value))
    for part, child in children:
        found = _bad_scalar(child, (*loc, part))
        if found is not None:
            return found
    return None


def _root_causes(errors: list[Any]) -> list[Any]:
    """Drop "too short" errors of a list whose items failed: the items' errors say why."""
    locations = [tuple(e["loc"]) for e in errors]
    return [
        e
        for e in errors
        if e["type"] != "too_short"
        or not any(
            len(o) > len(e["loc"]) and o[: len(e["loc"])] == tuple(e["loc"]) for o in locations
        )
    ]


def _yaml_message(exc: yaml.YAMLError) -> str:
    problem = getattr(exc, "problem", None)
    return str(problem) if problem else str(exc).splitlines()[0]


def _problem(
    error: Any, data: Any, node: yaml.Node | None, root: type[BaseModel] | None
) -> Problem:
    loc = tuple(error["loc"])
    message = str(error["msg"]).removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        message = unknown_key_message(loc, root) if root is not None else "unknown key"
    elif error["type"] == "missing":
        message = "required field is missing"
    elif error["type"] == "too_short":
        message = "must not be empty"
    return located(loc, message, data, node)


def named_location(loc: tuple[Any, ...], data: Any) -> str:
    """``("claims", 3, "expect", 0, "quantity", "value")`` -> ``claims[<id>].expect[0].value``."""
    out, cursor = "", data
    for index, part in enumerate(loc):
        in_expect = index >= 2 and loc[index - 2] == "expect" and isinstance(loc[index - 1], int)
        if isinstance(part, int):
            item = cursor[part] if isinstance(cursor, list) and part < len(cursor) else None
            label = (
                item.get("id")
                if isinstance(item, dict) and isinstance(item.get("id"), str)
                else part
            )
            out += f"[{label}]"
            cursor = item
        elif in_expect and part in UNION_TAGS and not (isinstance(cursor, dict) and part in cursor):
            continue  # pydantic's union tag, not a key the user wrote
        elif isinstance(part, str) and part.startswith(("str", "tuple[", "list[")):
            continue  # pydantic's member tag of a str-or-list union
        else:
            out += f".{part}" if out else str(part)
            cursor = cursor.get(part) if isinstance(cursor, dict) else None
    return out


def node_line(node: yaml.Node | None, loc: tuple[Any, ...]) -> int | None:
    """Walk the composed YAML tree to the deepest node of ``loc`` and return its line."""
    line = node.start_mark.line + 1 if node is not None else None
    for part in loc:
        child = _child(node, part)
        if child is None:
            break
        node, line = child, child.start_mark.line + 1
    return line


def _child(node: yaml.Node | None, part: Any) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.value == str(part):
                return value if not isinstance(value, yaml.ScalarNode) else key
        return None
    if isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
        child: yaml.Node = node.value[part]
        return child
    return None
