"""Which baselines and claims could match a text, found through an index of their terms.

A term pattern matches only when each of its ``+`` groups has a hit, and a term can hit only
where the text has a word beginning with the term's first literal word. So each term is filed
under that word (whole, or as a prefix for ``peacekeep*``, ``anti-terror`` and the like); a
text is split into words once, its words are looked up, and a pattern is a *candidate* only
when every one of its groups could hit. Candidates are a superset of the patterns that match:
the regexes still decide. The cost of a look-up grows with the words of the text, not with the
number of claims, so thousands of claims cost little more than a handful.

    index = index_for(baselines)          # built once per baselines tuple, then cached
    scan = index.scan(f"{title}\\n{text}")
    scan.baselines()                      # baselines whose ``required`` could match
    scan.claims(baseline)                 # that baseline's claims whose ``about`` could match
    scan.narrow()                         # the candidate baselines, holding only those claims
    scan.subjects()                       # baselines whose ``subject`` could match

Words are compared case-folded (with dotted and dotless i folded to "i", and "ё" to "е" as
terms match them), which is constant on every class of letters that term regexes treat as
equal. A Russian term word is filed under its stem as a prefix (terms match inflected forms).
"""

from __future__ import annotations

import dataclasses
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from claimwatch.baselines import Baseline, Claim
from claimwatch.terms import Pattern, PatternSet, russian_stems

__all__ = ["Scan", "TermIndex", "fold", "index_for"]

MAX_PREFIX = 6  # longer prefixes are filed under their first 6 letters (a wider superset)
CACHED_INDEXES = 4
REMEMBERED_WORDS = 20_000  # words whose slots an index keeps (about 2 MB); then it starts over
_WORD = re.compile(r"\w+")


def fold(text: str) -> str:
    """Case-fold so that letters ``re.IGNORECASE`` equates compare equal."""
    return text.casefold().replace("ı", "i").replace("\u0307", "").replace("ё", "е")


def term_key(term: str) -> tuple[str, bool] | None:
    """(folded first word, is_prefix) for one term, read as ``terms.term_regex`` reads it;
    None when the term starts with a non-word character (its group is never ruled out)."""
    words = term.split()
    if not words:
        return None
    first = words[0]
    pieces = [p for p in first.rstrip("*").split("-") if p]
    if not pieces:
        return None
    lead = _WORD.match(pieces[0])
    if lead is None:
        return None
    key = fold(lead.group())
    whole = lead.group() == pieces[0] and len(pieces) == 1 and not first.endswith("*")
    stems = russian_stems(pieces[0]) if whole else ()
    if stems:
        return _common_prefix([fold(s) for s in stems])[:MAX_PREFIX], True  # inflected forms
    if whole:
        return key, False  # the word must stand whole: followed by a non-word character
    return key[:MAX_PREFIX], True


def _common_prefix(words: list[str]) -> str:
    shortest = min(words, key=len)
    for i, letter in enumerate(shortest):
        if any(w[i] != letter for w in words):
            return shortest[:i]
    return shortest


@dataclass(frozen=True, slots=True)
class _Slot:
    """One group of one indexed pattern."""

    pattern: int
    group: int


@dataclass(frozen=True, slots=True)
class _Entry:
    """An indexed pattern: how many groups must hit, and which can never be ruled out."""

    groups: int
    always: frozenset[int]


class TermIndex:
    """The term index over a tuple of baselines (their subject, required and ``about``)."""

    def __init__(self, baselines: Sequence[Baseline]) -> None:
        self.baselines = tuple(baselines)
        self._entries: list[_Entry] = []
        self._exact: defaultdict[str, list[_Slot]] = defaultdict(list)
        self._prefix: defaultdict[str, list[_Slot]] = defaultdict(list)
        # per baseline: pattern ids of subject, of required, and of each claim's about
        self._subject: list[tuple[int, ...]] = []
        self._required: list[tuple[int, ...]] = []
        self._claims: list[tuple[tuple[Claim, tuple[int, ...]], ...]] = []
        for baseline in self.baselines:
            self._subject.append(self._add_set(baseline.subject))
            self._required.append(self._add_set(baseline.required))
            self._claims.append(tuple((c, self._add_set(c.about)) for c in baseline.claims))
        self._lengths = tuple(sorted({len(key) for key in self._prefix}))
        self._positions = {id(b): i for i, b in enumerate(self.baselines)}
        self._last: tuple[str, Scan] | None = None
        self._by_word: dict[str, tuple[_Slot, ...]] = {}
        self._unfiltered = frozenset(  # patterns none of whose groups can be ruled out
            n for n, e in enumerate(self._entries) if len(e.always) == e.groups
        )

    def _add_set(self, patterns: PatternSet) -> tuple[int, ...]:
        return tuple(self._add(p) for p in patterns.patterns)

    def _add(self, pattern: Pattern) -> int:
        number = len(self._entries)
        groups = pattern.source.split(" + ")
        always = set()
        for index, group in enumerate(groups):
            keys = [term_key(term) for term in group.split("|")]
            if any(k is None for k in keys):
                always.add(index)
                continue
            for key, is_prefix in {k for k in keys if k is not None}:
                (self._prefix if is_prefix else self._exact)[key].append(_Slot(number, index))
        self._entries.append(_Entry(len(groups), frozenset(always)))
        return number

    def scan(self, text: str) -> Scan:
        """Split ``text`` into words once and find the patterns that could match it.

        The last scan is kept: deciding whether to fetch an entry's page and matching its
        text often look at the very same text one after the other.
        """
        last = self._last
        if last is not None and last[0] == text:
            return last[1]
        scan = self._scan(text)
        self._last = (text, scan)
        return scan

    def _scan(self, text: str) -> Scan:
        hits: defaultdict[int, set[int]] = defaultdict(set)
        for word in _words(text):
            for slot in self._slots_of(word):
                hits[slot.pattern].add(slot.group)
        entries = self._entries
        possible = {
            number
            for number, groups in hits.items()
            if len(groups | entries[number].always) == entries[number].groups
        }
        return Scan(self, frozenset(possible | self._unfiltered))

    def _slots_of(self, word: str) -> tuple[_Slot, ...]:
        """The groups a folded word could hit, remembered: news repeats its vocabulary, and
        one look-up per word is several times cheaper than slicing it into prefixes."""
        slots = self._by_word.get(word)
        if slots is None:
            found = list(self._exact.get(word, ()))
            for length in self._lengths:
                if length > len(word):
                    break
                found.extend(self._prefix.get(word[:length], ()))
            slots = tuple(found) if found else _NO_SLOTS
            if len(self._by_word) >= REMEMBERED_WORDS:
                self._by_word.clear()
            self._by_word[word] = slots
        return slots


_NO_SLOTS: tuple[_Slot, ...] = ()


def _words(text: str) -> set[str]:
    """The folded words of ``text`` (split before folding: folding may add non-word marks)."""
    found = set(_WORD.findall(text))
    if "ı" in text or "İ" in text or "ё" in text or "Ё" in text:
        return {fold(w) for w in found}
    return {w.casefold() for w in found}


@dataclass(frozen=True, slots=True)
class Scan:
    """The candidates for one text."""

    index: TermIndex
    possible: frozenset[int]  # pattern ids that could match

    def _any(self, patterns: tuple[int, ...]) -> bool:
        return any(p in self.possible for p in patterns)

    def subjects(self) -> tuple[Baseline, ...]:
        """Baselines whose subject could be named in the text."""
        pairs = zip(self.index.baselines, self.index._subject, strict=True)
        return tuple(b for b, ids in pairs if self._any(ids))

    def baselines(self) -> tuple[Baseline, ...]:
        """Baselines whose ``required`` patterns could match (others cannot be in scope)."""
        pairs = zip(self.index.baselines, self.index._required, strict=True)
        return tuple(b for b, ids in pairs if self._any(ids))

    def claims(self, baseline: Baseline) -> tuple[Claim, ...]:
        """The claims of ``baseline`` whose ``about`` could match."""
        position = self.index._positions[id(baseline)]
        return tuple(c for c, ids in self.index._claims[position] if self._any(ids))

    def narrow(self) -> tuple[Baseline, ...]:
        """The candidate baselines, each holding only its candidate claims; matching these
        finds exactly what matching all baselines finds."""
        narrowed = []
        for baseline in self.baselines():
            claims = self.claims(baseline)
            if claims:
                narrowed.append(dataclasses.replace(baseline, claims=claims))
        return tuple(narrowed)


_cache: dict[tuple[int, ...], tuple[tuple[Baseline, ...], TermIndex]] = {}


def index_for(baselines: Sequence[Baseline]) -> TermIndex:
    """The index of ``baselines``, built on first use and kept for the same objects.

    The few most recently used indexes are kept, so that a caller passing tuples
    made on the fly (narrowed baselines) never pushes out the one in steady use.
    """
    key = tuple(id(b) for b in baselines)
    cached = _cache.pop(key, None)
    if cached is None:
        cached = (tuple(baselines), TermIndex(baselines))  # holding them keeps ids unique
        while len(_cache) >= CACHED_INDEXES:
            del _cache[next(iter(_cache))]  # the least recently used
    _cache[key] = cached
    return cached[1]
