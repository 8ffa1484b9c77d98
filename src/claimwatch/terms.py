"""Term patterns as users write them in baselines, compiled once into regexes.

A *term* is a word or phrase matched case-insensitively on word boundaries; a ``*`` ending a
word matches any continuation (``peacekeep*`` finds "peacekeepers", ``open* fire`` finds
"opening fire"), and the words of a phrase may be separated by spaces or hyphens (a hyphen in
a term also matches no gap: ``anti-terror*`` finds "antiterrorist"). A *pattern* joins terms:
``|`` means any of them, `` + `` means every group must occur in the same text, e.g.
``"arrest*|detain* + journalist*|activist*"``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

_WORD_GAP = r"[\s\-‐–—]+"
_HYPHEN = r"[\s\-‐–—]?"
_FORBIDDEN = re.compile(r"[()\[\]{}?\\^$]|\*(?=[\w*])")
_START = r"(?<!\w)"


def term_regex(term: str) -> str:
    """The regex source of one term, ending on a word boundary; the boundary before it is
    left to the group, which shares one among all its alternatives."""
    parts = []
    for word in term.split():
        pieces = [re.escape(p) for p in re.split(r"-", word.rstrip("*")) if p]
        body = _HYPHEN.join(pieces)  # "anti-terror" also finds "antiterror", "anti terror"
        parts.append(body + (r"\w*" if word.endswith("*") else r"(?!\w)"))
    return _WORD_GAP.join(parts)


@dataclass(frozen=True, slots=True)
class Pattern:
    """Groups of alternative terms; a text matches when every group has a hit."""

    source: str
    groups: tuple[re.Pattern[str], ...]

    def spans(self, text: str) -> list[tuple[int, int]] | None:
        """The first hit of every group, or None when some group has none."""
        found = []
        for group in self.groups:
            hit = group.search(text)
            if hit is None:
                return None
            found.append(hit.span())
        return found

    def matches(self, text: str) -> bool:
        return all(group.search(text) for group in self.groups)

    def group_spans(self, text: str, index: int) -> list[tuple[int, int]]:
        """Every hit of one group, for attaching figures to the nearest term."""
        return [m.span() for m in self.groups[index].finditer(text)]


@lru_cache(maxsize=4096)
def compile_pattern(source: str) -> Pattern:
    """Compile ``"a|b* + c"``; raise ValueError for an empty pattern or term."""
    groups = []
    for group in source.split(" + "):
        terms = [t.strip() for t in group.split("|")]
        if not group.strip() or any(not t or t == "*" for t in terms):
            raise ValueError(f"empty term in pattern {source!r}")
        bad = _FORBIDDEN.search(group)
        if bad:
            raise ValueError(
                f"pattern {source!r}: {bad.group()!r} is not term syntax; list alternatives "
                "with '|' and join groups with ' + '"
            )
        alternatives = sorted(terms, key=len, reverse=True)
        regex = _START + "(?:" + "|".join(term_regex(t) for t in alternatives) + ")"
        groups.append(re.compile(regex, re.IGNORECASE))
    return Pattern(source=source, groups=tuple(groups))


@dataclass(frozen=True, slots=True)
class PatternSet:
    """Several patterns; a text matches when any of them does."""

    patterns: tuple[Pattern, ...]

    @classmethod
    def of(cls, sources: tuple[str, ...] | list[str]) -> PatternSet:
        return cls(tuple(compile_pattern(s) for s in sources))

    def __bool__(self) -> bool:
        return bool(self.patterns)

    def first(self, text: str, min_groups: int = 1) -> tuple[Pattern, list[tuple[int, int]]] | None:
        """The first pattern (of at least ``min_groups`` groups) that matches, and its spans."""
        for pattern in self.patterns:
            if len(pattern.groups) < min_groups:
                continue
            spans = pattern.spans(text)
            if spans is not None:
                return pattern, spans
        return None

    def matches(self, text: str) -> bool:
        return any(p.matches(text) for p in self.patterns)

    def count(self, text: str) -> int:
        """How many hits the first group of every pattern has (for subject strength)."""
        return sum(len(p.groups[0].findall(text)) for p in self.patterns)
