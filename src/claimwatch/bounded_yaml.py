"""Read one YAML document within bounds, keeping its node tree for error lines.

YAML aliases share one node between several places, so a few hundred bytes can stand for
billions of paths ("a billion laughs"): whatever then walks the data path by path (pydantic,
an error locator) never ends. Here a document is refused, as a ``yaml.MarkedYAMLError``
that names the line, when it

- is longer than MAX_CHARS characters;
- uses more than MAX_ALIASES aliases (baselines need none; a few are allowed for shared lists);
- nests deeper than MAX_DEPTH levels, or an alias refers to a node that contains it;
- would have more than MAX_NODES nodes with every alias expanded.

What passes can be walked path by path at a cost bounded by MAX_NODES.
"""

from __future__ import annotations

from typing import Any

import yaml

MAX_CHARS = 1_000_000
MAX_ALIASES = 20
MAX_DEPTH = 64
MAX_NODES = 100_000

# libyaml's safe loader where PyYAML was built with it (its wheels are): the same documents
# and marks, read some ten times faster than in pure Python.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class LimitError(yaml.MarkedYAMLError):
    """The document is over one of the bounds; ``problem`` says which, ``problem_mark`` where."""

    def __init__(self, problem: str, mark: Any = None) -> None:  # PyYAML's or libyaml's Mark
        super().__init__(problem=problem, problem_mark=mark)


def compose(text: str) -> yaml.Node | None:
    """The node tree of the single document in ``text`` (None when empty), within bounds."""
    loader = _checked_loader(text)
    try:
        return _checked_node(loader)
    finally:
        loader.dispose()


def read(text: str) -> tuple[yaml.Node | None, Any]:
    """(node tree, Python data) of the single document in ``text``, within bounds.

    Raises yaml.YAMLError (LimitError past a bound), or ValueError/OverflowError for a
    scalar that YAML types but cannot build (``2022-13-45``), as ``yaml.load`` does.
    """
    loader = _checked_loader(text)
    try:
        node = _checked_node(loader)
        return node, None if node is None else loader.construct_document(node)
    finally:
        loader.dispose()


def _checked_loader(text: str) -> Any:
    """A loader for ``text`` once its length and its aliases are within bounds."""
    if len(text) > MAX_CHARS:
        raise LimitError(f"the document has {len(text):,} characters (at most {MAX_CHARS:,})")
    _count_aliases(text)
    return _LOADER(text)


def _checked_node(loader: Any) -> yaml.Node | None:
    try:
        node: yaml.Node | None = loader.get_single_node()
    except RecursionError:  # the pure-Python composer; libyaml stops at depth 1000
        raise LimitError(f"nested more than {MAX_DEPTH} levels deep") from None
    if node is not None:
        _Expansion().size(node, 0)
    return node


def _count_aliases(text: str) -> None:
    """Refuse the document at its alias number MAX_ALIASES + 1 (events only: cheap)."""
    seen = 0
    for event in yaml.parse(text, Loader=_LOADER):
        if isinstance(event, yaml.AliasEvent):
            seen += 1
            if seen > MAX_ALIASES:
                message = f"more than {MAX_ALIASES} aliases (*{event.anchor} is one too many)"
                raise LimitError(message, event.start_mark)


class _Expansion:
    """Counts the nodes of the tree with every alias expanded, each shared node once."""

    def __init__(self) -> None:
        self.sizes: dict[int, int] = {}  # id(node) -> nodes under it, itself included
        self.heights: dict[int, int] = {}
        self.open: set[int] = set()  # nodes being counted: an alias to one is a cycle

    def size(self, node: yaml.Node, depth: int) -> int:
        key = id(node)
        if key in self.open:
            raise LimitError("an alias refers to a node that contains it", node.start_mark)
        if depth + self.heights.get(key, 0) > MAX_DEPTH:
            raise LimitError(f"nested more than {MAX_DEPTH} levels deep", node.start_mark)
        if key in self.sizes:
            return self.sizes[key]
        self.open.add(key)
        total, height = 1, 0
        for child in _children(node):
            total += self.size(child, depth + 1)
            height = max(height, self.heights[id(child)] + 1)
            if total > MAX_NODES:
                message = f"more than {MAX_NODES:,} values once its aliases are expanded"
                raise LimitError(message, node.start_mark)
        self.open.discard(key)
        self.sizes[key], self.heights[key] = total, height
        return total


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []
