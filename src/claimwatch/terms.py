"""Term patterns as users write them in baselines, compiled once into regexes.

A *term* is a word or phrase matched case-insensitively on word boundaries; a ``*`` ending a
word matches any continuation (``peacekeep*`` finds "peacekeepers", ``open* fire`` finds
"opening fire"), and the words of a phrase may be separated by spaces or hyphens (a hyphen in
a term also matches no gap: ``anti-terror*`` finds "antiterrorist"). A *pattern* joins terms:
``|`` means any of them, `` + `` means every group must occur in the same text, e.g.
``"arrest*|detain* + journalist*|activist*"``.

Russian words take their inflected forms: a Cyrillic word without ``*`` is reduced to its stem
(Snowball's Russian stemmer) and matches that stem followed by any Russian case, number,
tense, participle or reflexive ending, so ``миротворцы`` finds "миротворцев" and
``задержаны`` finds "задержанных" and "задержали". Endings are a closed list, so a stem does
not reach derived words ("мир" does not find "мирный"). Changes inside the stem (погиб /
погибли / погибших, ушли / уйдут) need ``*`` or alternatives. Words of three letters or fewer
and acronyms ("ОДКБ") match as written; "е" and "ё" match each other.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer  # type: ignore[import-untyped]

_WORD_GAP = r"[\s\-‐–—]+"
_HYPHEN = r"[\s\-‐–—]?"
_FORBIDDEN = re.compile(r"[()\[\]{}?\\^$]|\*(?=[\w*])")
_START = r"(?<!\w)"


def _letters(text: str) -> str:
    """``re.escape`` with "е" and "ё" equal (Russian print often drops the dots)."""
    return re.sub("[её]", "[её]", re.escape(text), flags=re.IGNORECASE)


def _alternatives(words: str) -> str:
    return "|".join(_letters(w) for w in sorted(set(words.split()), key=len, reverse=True))


# Russian inflectional endings after a stem: nouns, adjectives (after a participle suffix or
# not), verbs, gerunds; an optional soft sign or "и" before them, "ся"/"сь" after them.
_NOUN_ENDINGS = "а я о е ы и у ю ь й ей ой ев ов ам ям ом ем ах ях ами ями ью ье ья ьи"
_ADJ_ENDINGS = "ый ий ой ая яя ое ее ые ие ого его ому ему ым им ом ем ую юю ою ею ых их ыми ими"
_PARTICIPLES = "ем им ом нн енн вш ш ющ ущ ащ ящ ивш ывш ующ юющ т"
_VERB_ENDINGS = (
    "ть ти чь л ла ло ли ю у ешь ет ем ете ут ют ишь ит им ите ат ят йте ила ыла или ыли ил ыл "
    "ило ыло ен ена ено ены ан ана ано аны на но ны та то ты ует уют уя ую в вши ив ивши ыв ывши"
)
_ENDING = (
    f"(?:[иь]?(?:(?:{_alternatives(_PARTICIPLES)})?(?:{_alternatives(_ADJ_ENDINGS)})"
    f"|{_alternatives(_VERB_ENDINGS)}|{_alternatives(_NOUN_ENDINGS)}))?(?:ся|сь)?"
)
_CYRILLIC_WORD = re.compile(r"[а-яё]+", re.IGNORECASE)
_VOWEL_END = re.compile(r"[аяоеёыиуюьй]$")
MIN_STEM = 5  # shorter Snowball stems are too greedy ("отмена" -> "отм", "начался" -> "нача")
_STEMMER = snowballstemmer.stemmer("russian")


def russian_stems(word: str) -> tuple[str, ...]:
    """The stems an inflected Russian ``word`` is matched by (empty: match it as written)."""
    if len(word) <= 3 or word.isupper() or not _CYRILLIC_WORD.fullmatch(word):
        return ()
    lower = word.lower().replace("ё", "е")
    stem: str = _STEMMER.stemWord(lower)
    trimmed = lower[:-1] if _VOWEL_END.search(lower) and len(lower) > MIN_STEM - 1 else lower
    found = [stem] if len(stem) >= MIN_STEM else []
    return tuple(dict.fromkeys([*found, trimmed]))


def _piece(piece: str, last: bool) -> str:
    stems = russian_stems(piece) if last else ()
    if not stems:
        return _letters(piece)
    return "(?:" + "|".join(_letters(s) for s in stems) + ")" + _ENDING


def term_regex(term: str) -> str:
    """The regex source of one term, ending on a word boundary; the boundary before it is
    left to the group, which shares one among all its alternatives."""
    parts = []
    for word in term.split():
        wild = word.endswith("*")
        raw = [p for p in re.split(r"-", word.rstrip("*")) if p]
        pieces = [_piece(p, i == len(raw) - 1 and not wild) for i, p in enumerate(raw)]
        body = _HYPHEN.join(pieces)  # "anti-terror" also finds "antiterror", "anti terror"
        parts.append(body + (r"\w*" if wild else r"(?!\w)"))
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
