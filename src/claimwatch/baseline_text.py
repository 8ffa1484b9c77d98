"""Edits to a baseline file's text that keep everything else as written.

A baseline is a file people write: comments, order, quoting and line breaks carry meaning to
them, and a proposed edit shows as a diff they read and apply. So the file is never dumped
again from data: the YAML node tree locates the one scalar to change (its characters, from
the parser's marks), and only those characters are replaced, or one line is added.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable
from dataclasses import dataclass

import yaml


@dataclass(frozen=True, slots=True)
class Scalar:
    """One string scalar of the file: its value and where it is written."""

    value: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Splice:
    """Replace ``text[start:end]`` with ``new`` (an insertion when start == end)."""

    start: int
    end: int
    new: str


def tree(text: str) -> yaml.Node | None:
    """The node tree; the pure-Python reader, whose marks count characters."""
    return yaml.compose(text, Loader=yaml.SafeLoader)


def _get(node: yaml.Node | None, key: str) -> yaml.Node | None:
    if not isinstance(node, yaml.MappingNode):
        return None
    for k, v in node.value:
        if isinstance(k, yaml.ScalarNode) and k.value == key and isinstance(v, yaml.Node):
            return v
    return None


def _scalar(node: yaml.Node) -> Scalar | None:
    if isinstance(node, yaml.ScalarNode) and isinstance(node.value, str):
        return Scalar(node.value, node.start_mark.index, node.end_mark.index)
    return None


def _patterns(node: yaml.Node | None) -> list[Scalar]:
    """A pattern field's scalars: the one pattern, or each of a list's."""
    if node is None:
        return []
    items = node.value if isinstance(node, yaml.SequenceNode) else [node]
    return [s for s in (_scalar(i) for i in items) if s is not None]


def claim_about(root: yaml.Node | None, claim_id: str) -> list[Scalar]:
    """The scalars of a claim's own ``about`` (none when it leaves them to its frame)."""
    claims = _get(root, "claims")
    if not isinstance(claims, yaml.SequenceNode):
        return []
    for claim in claims.value:
        id_node = _get(claim, "id")
        if isinstance(id_node, yaml.ScalarNode) and id_node.value == claim_id:
            return _patterns(_get(claim, "about"))
    return []


def entity_names(root: yaml.Node | None, kind: str) -> list[Scalar]:
    """The scalars of one kind under ``entities``."""
    return _patterns(_get(_get(root, "entities"), kind))


def add_entity(text: str, root: yaml.Node | None, kind: str, name: str) -> Splice | None:
    """The splice adding ``name`` to ``kind``: the kind's (last) pattern gains ``|name``, or
    a new ``kind: name`` line follows the last entity when the kind is new."""
    names = entity_names(root, kind)
    if names:
        last = names[-1]
        return Splice(last.start, last.end, quote(f"{last.value}|{name}"))
    entities = _get(root, "entities")
    if not isinstance(entities, yaml.MappingNode) or entities.flow_style or not entities.value:
        return None
    first_key, _ = entities.value[0]
    _, last_value = entities.value[-1]
    if not isinstance(last_value, yaml.ScalarNode):
        return None  # a list ends where the next key starts: no clean line to follow
    end_of_line = text.find("\n", last_value.end_mark.index)
    at = len(text) if end_of_line < 0 else end_of_line
    indent = " " * first_key.start_mark.column
    return Splice(at, at, f"\n{indent}{kind}: {quote(name)}")


def quote(value: str) -> str:
    """A double-quoted YAML scalar holding ``value`` (JSON's escapes are YAML's)."""
    written = json.dumps(value, ensure_ascii=False)
    if yaml.safe_load(written) == value:
        return written
    return json.dumps(value)  # characters YAML does not print raw, escaped


def apply(text: str, splices: Iterable[Splice]) -> str:
    """``text`` with every splice made; they must not overlap."""
    ordered = sorted(splices, key=lambda s: (s.start, s.end))
    for before, after in itertools.pairwise(ordered):
        if after.start < before.end:
            raise ValueError("overlapping edits")
    for splice in reversed(ordered):
        text = text[: splice.start] + splice.new + text[splice.end :]
    return text
