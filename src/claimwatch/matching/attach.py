"""Which figure counts which thing: attach figures to the counted terms near them.

News puts the counted noun right after the number ("2,030 troops", "225 people died") or
names the tally just before it ("the death toll rose to 225", "detained 9,900 people").
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from claimwatch.matching.figures import Figure
from claimwatch.terms import PatternSet

_TOKEN = re.compile(r"\w+(?:[-'’]\w+)*")
_CLAUSE_BREAK = re.compile(r"[;:()\[\]]|\s(?:[-–—]|--)\s")
_GENERIC_COUNT = re.compile(
    r"^\s*(?:\w+\s+){0,2}?(?:people|persons|individuals|others|more)\b", re.I
)
# A figure that opens its own clause ("... and 31 were rescued") counts no term before it.
_OWN_PREDICATE = re.compile(
    r"\s+(?:were|was|are|is|have|has|had|remain|remains|remained|will|would|could|may|"
    r"были|был|была|было|остаются)\b",
    re.IGNORECASE,
)
MAX_AFTER_TOKENS = 4
MAX_BEFORE_TOKENS = 5


def _tokens(text: str) -> int:
    return len(_TOKEN.findall(text))


def _term_spans(terms: PatternSet, text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for pattern in terms.patterns:
        for index in range(pattern.group_count):
            spans.extend(pattern.group_spans(text, index))
    return sorted(spans)


def counts_term(
    sentence: str,
    figure: Figure,
    figures: Sequence[Figure],
    terms: PatternSet,
    members: PatternSet | None = None,
) -> tuple[int, int] | None:
    """The span of the term ``figure`` counts in ``sentence``, or None.

    ``members`` are the words for who is counted: "6 construction workers are still missing"
    counts "missing" through "construction workers".
    """
    spans = _term_spans(terms, sentence)
    if not spans:
        return None
    wholes = [f for f in figures if not f.is_part and not f.whole]
    later = [f.start for f in wholes if f.start > figure.start]
    earlier = [f.end for f in wholes if f.end < figure.start]
    stop = min(later, default=len(sentence))
    begin = max(earlier, default=0)
    if figure.whole:
        stop = _noun_end(sentence, figure.end, stop)  # "the 40 derailed wagons": no further
    for start, end in spans:  # the predicate after a figure first: "31 were rescued"
        if figure.end <= start < stop and _after_ok(_skip_wholes(sentence, figure, start, figures)):
            return start, end
    if _OWN_PREDICATE.match(sentence, figure.end):
        return _through_members(sentence, figure, spans, stop, members)  # "31 were rescued"
    for start, end in reversed(spans):  # then the nearest term before it: "the toll rose to 9"
        if begin <= start and end <= figure.start and _before_ok(sentence[end : figure.start]):
            return start, end
    through = _through_members(sentence, figure, spans, stop, members)
    return through or _generic_then_term(sentence, figure, spans, stop)


def _noun_end(sentence: str, start: int, stop: int) -> int:
    """The end of the noun phrase right after a whole's figure (two words at most)."""
    words = list(_TOKEN.finditer(sentence, start, stop))[:2]
    return min(stop, words[-1].end() if words else start)


def _skip_wholes(sentence: str, figure: Figure, start: int, figures: Sequence[Figure]) -> str:
    """The words between a figure and a term, without "of the 40 derailed wagons"."""
    gap = sentence[figure.end : start]
    for whole in figures:
        if whole.whole and figure.end <= whole.start and whole.end <= start:
            end = _noun_end(sentence, whole.end, start)
            gap = sentence[figure.end : whole.start].split(" of ")[0] + sentence[end:start]
    return gap


def distance(sentence: str, figure: Figure, term: tuple[int, int]) -> int:
    """Words between a figure and a term, on either side."""
    if term[0] >= figure.end:
        return _tokens(sentence[figure.end : term[0]])
    return _tokens(sentence[term[1] : figure.start])


def _through_members(
    sentence: str,
    figure: Figure,
    spans: list[tuple[int, int]],
    stop: int,
    members: PatternSet | None,
) -> tuple[int, int] | None:
    """ "six construction workers who were on the bridge are missing": the figure, its
    people's noun phrase right after it, then the counted term within a few words."""
    if not members:
        return None
    people = [s for s in _term_spans(members, sentence) if figure.end <= s[0] < stop]
    for p_start, p_end in people:
        if _tokens(sentence[figure.end : p_start]) > 2 or _CLAUSE_BREAK.search(
            sentence[figure.end : p_start]
        ):
            continue
        for start, end in spans:
            gap = sentence[p_end:start]
            if p_end <= start < stop and _tokens(gap) <= MAX_AFTER_TOKENS + 2 and ";" not in gap:
                return start, end
    return None


def _after_ok(gap: str) -> bool:
    return _tokens(gap) <= MAX_AFTER_TOKENS and not _CLAUSE_BREAK.search(gap)


def _before_ok(gap: str) -> bool:
    return _tokens(gap) <= MAX_BEFORE_TOKENS and not _CLAUSE_BREAK.search(gap) and "," not in gap


def _generic_then_term(
    sentence: str, figure: Figure, spans: list[tuple[int, int]], stop: int
) -> tuple[int, int] | None:
    """ "164 people, including 103 in the city, were killed": a generic noun, the verb later."""
    tail = sentence[figure.end : stop]
    if not _GENERIC_COUNT.match(tail):
        return None
    return next(((a, b) for a, b in spans if figure.end <= a < stop), None)


def qualified_as_part(sentence: str, figure: Figure, parts: PatternSet) -> bool:
    """ "3,000 Russian troops", "Russia's 3,000": the figure counts one member, not the whole."""
    if not parts:
        return False
    window_before = sentence[max(0, figure.start - 30) : figure.start]
    window_after = sentence[figure.end : figure.end + 25]
    near_before = " ".join(_TOKEN.findall(window_before)[-3:])
    near_after = " ".join(_TOKEN.findall(window_after)[:2])
    return parts.matches(near_before) or parts.matches(near_after)
