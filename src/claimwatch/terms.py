"""Term patterns as users write them in baselines, read once, compiled into regexes on first use.

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


class Pattern:
    """Groups of alternative terms; a text matches when every group has a hit.

    Each group's regex is compiled when a search first reaches it: a daemon's term index
    (``matching.index``) rules most claims out before their patterns run, and a pattern
    stops at its first group without a hit. A text without Cyrillic letters is searched
    with a group's other terms only (a Cyrillic term cannot hit there), so English coverage
    never compiles the Russian endings, most of the compile time of a bilingual baseline.
    """

    __slots__ = ("_groups", "_has_cyrillic", "_seen", "source")

    def __init__(self, source: str, groups: tuple[_Group, ...]) -> None:
        self.source = source
        self._groups = groups
        self._has_cyrillic = any(g.non_cyrillic != g.every for g in groups)
        self._seen: dict[str, bool] = {}  # texts' answers: a sentence meets a pattern often

    def __repr__(self) -> str:
        return f"Pattern({self.source!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Pattern) and other.source == self.source

    def __hash__(self) -> int:
        return hash(self.source)

    @property
    def group_count(self) -> int:
        return len(self._groups)

    def spans(self, text: str) -> list[tuple[int, int]] | None:
        """The first hit of every group, or None when some group has none."""
        if self._seen.get(text) is False:
            return None  # known to miss: the cheapest answer of all
        cyrillic = self._has_cyrillic and _cyrillic(text)
        found = []
        for group in self._groups:
            hit = group.regex(cyrillic).search(text)
            if hit is None:
                self._remember(text, False)
                return None
            found.append(hit.span())
        return found

    def matches(self, text: str) -> bool:
        """Whether every group has a hit; remembered for the last ``REMEMBERED_TEXTS`` texts
        (claims sharing a frame share its patterns, and each reads every sentence)."""
        seen = self._seen.get(text)
        if seen is not None:
            return seen
        cyrillic = self._has_cyrillic and _cyrillic(text)
        found = all(group.regex(cyrillic).search(text) for group in self._groups)
        self._remember(text, found)
        return found

    def _remember(self, text: str, found: bool) -> None:
        if len(self._seen) >= REMEMBERED_TEXTS:
            self._seen.clear()
        self._seen[text] = found

    def group_spans(self, text: str, index: int) -> list[tuple[int, int]]:
        """Every hit of one group, for attaching figures to the nearest term."""
        regex = self._groups[index].regex(self._has_cyrillic and _cyrillic(text))
        return [m.span() for m in regex.finditer(text)]

    def missing_group(self, text: str) -> str | None:
        """The first group (as written) without a hit in ``text``, or None: why the pattern
        does not match, for ``scan --explain``."""
        cyrillic = self._has_cyrillic and _cyrillic(text)
        for source, group in zip(self.source.split(" + "), self._groups, strict=True):
            if group.regex(cyrillic).search(text) is None:
                return source.strip()
        return None

    def first_group_count(self, text: str) -> int:
        """How many hits the first group has (for subject strength)."""
        regex = self._groups[0].regex(self._has_cyrillic and _cyrillic(text))
        return len(regex.findall(text))


class _Group:
    """One group's regex over every term, and over the terms without Cyrillic letters
    (``(?!)``, never a hit, when there are none); each compiled on first use."""

    __slots__ = ("_compiled", "every", "non_cyrillic")

    def __init__(self, every: str, non_cyrillic: str) -> None:
        self.every = every
        self.non_cyrillic = non_cyrillic
        self._compiled: dict[bool, re.Pattern[str]] = {}

    def regex(self, cyrillic: bool) -> re.Pattern[str]:
        compiled = self._compiled.get(cyrillic)
        if compiled is None:
            compiled = re.compile(self.every if cyrillic else self.non_cyrillic, re.IGNORECASE)
            self._compiled[cyrillic] = compiled
        return compiled


REMEMBERED_TEXTS = 256
_CYRILLIC_LETTER = re.compile("[\u0400-\u04ff]")
_NEVER = "(?!)"
_last_script: tuple[str, bool] = ("", False)


def _cyrillic(text: str) -> bool:
    """Whether ``text`` has a Cyrillic letter. The last answer is kept: one text meets many
    patterns in a row, and scanning a whole article for each would cost more than matching."""
    global _last_script  # a one-entry cache of an immutable str
    last = _last_script
    if last[0] is text:
        return last[1]
    found = _CYRILLIC_LETTER.search(text) is not None
    _last_script = (text, found)
    return found


@lru_cache(maxsize=4096)
def compile_pattern(source: str) -> Pattern:
    """Read ``"a|b* + c"``; raise ValueError for an empty pattern or term.

    The regex sources are built here, so every mistake is found when a baseline loads;
    compiling them waits until the pattern is first used.
    """
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
        every = _group_regex(terms)
        latin = [t for t in terms if not _CYRILLIC_LETTER.search(t)]
        if latin == terms:
            groups.append(_Group(every, every))
        else:
            groups.append(_Group(every, _group_regex(latin) if latin else _NEVER))
    return Pattern(source, tuple(groups))


def _group_regex(terms: list[str]) -> str:
    """One group's alternatives, longest first; single inflected Russian words share one
    copy of the endings (it is most of a Russian pattern's size, and of its compile time).

    Sharing changes no match: such a word's regex ends where the word ends, whichever of
    the words matched, so the words are put last, after the phrases that could be longer.
    """
    inflected = [t for t in terms if _inflected_word(t)]
    others = sorted((t for t in terms if t not in inflected), key=len, reverse=True)
    parts = [term_regex(t) for t in others]
    if inflected:
        stems = sorted({s for t in inflected for s in russian_stems(t)}, key=len, reverse=True)
        parts.append("(?:" + "|".join(_letters(s) for s in stems) + ")" + _ENDING + r"(?!\w)")
    return _START + "(?:" + "|".join(parts) + ")"


def _inflected_word(term: str) -> bool:
    return not any(c in term for c in " *-") and bool(russian_stems(term))


@dataclass(frozen=True, slots=True)
class PatternSet:
    """Several patterns; a text matches when any of them does."""

    patterns: tuple[Pattern, ...]

    @classmethod
    def of(cls, sources: tuple[str, ...] | list[str]) -> PatternSet:
        """The patterns of ``sources``; patterns of one group are joined into one (a sentence
        is then searched once for all of them, and the earliest hit is the one found)."""
        single = [s for s in sources if " + " not in s]
        joined = ["|".join(dict.fromkeys(single))] if len(single) > 1 else single
        several = [s for s in sources if " + " in s]
        return cls(tuple(compile_pattern(s) for s in dict.fromkeys([*joined, *several])))

    def __bool__(self) -> bool:
        return bool(self.patterns)

    @property
    def source(self) -> str:
        """The patterns as one term list, as a baseline writes them."""
        return "|".join(p.source for p in self.patterns)

    def first(self, text: str, min_groups: int = 1) -> tuple[Pattern, list[tuple[int, int]]] | None:
        """The first pattern (of at least ``min_groups`` groups) that matches, and its spans."""
        for pattern in self.patterns:
            if pattern.group_count < min_groups:
                continue
            spans = pattern.spans(text)
            if spans is not None:
                return pattern, spans
        return None

    def matches(self, text: str) -> bool:
        return any(p.matches(text) for p in self.patterns)

    def count(self, text: str) -> int:
        """How many hits the first group of every pattern has (for subject strength)."""
        return sum(p.first_group_count(text) for p in self.patterns)
