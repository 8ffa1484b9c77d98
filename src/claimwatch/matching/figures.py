"""Quantities a sentence asserts, with the interval each one claims ("about 2,500" = 2250..2750).

``numerals`` reads the numbers and ``labels`` drops the ones that name rather than count (dates,
times, article numbers, phone numbers, links). This module drops years, joins ranges
("2,000-3,000", "between 2 and 3 thousand"), reads qualifiers ("about", "more than", "не менее",
"or more"), units (percent, currency, durations, ages, measures) and marks parts of a larger
total ("164 people, including 103 in the city").
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from claimwatch.matching.labels import drop_labels
from claimwatch.matching.numerals import INF, Numeral, find_numerals
from claimwatch.matching.shares import read_shares


def _words(text: str, sep: str | None = None) -> tuple[str, ...]:
    """A word list written as one string (keeps the long vocabularies readable)."""
    return tuple(text.split(sep))


Approx = Literal["exact", "about", "at_least", "more_than", "at_most", "less_than", "range"]


@dataclass(frozen=True, slots=True)
class Figure:
    """A quantity: ``sentence[start:end] == text``; ``low..high`` is what the text asserts."""

    value: float
    low: float
    high: float
    approx: Approx
    start: int
    end: int
    text: str
    is_part: bool = False  # "including 103": one part of a total named before it
    unit: str | None = None  # "percent", "currency", "duration", "age", "measure" or None
    vague: bool = False  # "hundreds", "тысячи": a wide interval, not a count
    whole: bool = False  # "four of the 40 wagons": counts its own noun, not what follows
    sizes: bool = False  # "a 120-wagon train": describes a thing, counts nothing that happened


# ---- qualifiers ---------------------------------------------------------------------------

_BEFORE = {  # phrase before the number -> kind ("nearly" is "about" with the top at the value)
    **dict.fromkeys(
        _words(
            "about|around|approximately|approx.|roughly|some|an estimated|estimated|circa|"
            "close to|as many as|~|около|примерно|приблизительно|порядка",
            "|",
        ),
        "about",
    ),
    **dict.fromkeys(_words("nearly|almost|почти", "|"), "nearly"),
    **dict.fromkeys(
        _words(
            "more than|over|upwards of|in excess of|above|just over|well over|более|больше|"
            "свыше|более чем|сверх",
            "|",
        ),
        "more_than",
    ),
    **dict.fromkeys(
        _words(
            "at least|no fewer than|no less than|not less than|a minimum of|не менее|не меньше|"
            "как минимум|по меньшей мере|по крайней мере|минимум",
            "|",
        ),
        "at_least",
    ),
    **dict.fromkeys(
        _words(
            "up to|at most|no more than|not more than|a maximum of|до|не более|не больше|максимум",
            "|",
        ),
        "at_most",
    ),
    **dict.fromkeys(
        _words("fewer than|less than|under|below|just under|менее|меньше", "|"), "less_than"
    ),
}
_QUALIFIER = re.compile(
    r"(?<!\w)(?P<q>"
    + "|".join(re.escape(p).replace(r"\ ", r"\s+") for p in sorted(_BEFORE, key=len, reverse=True))
    + r")\s*$",
    re.IGNORECASE,
)
_AFTER = re.compile(  # qualifier after the number -> kind
    r"(?:\s+or\s+(?P<at_least>more)(?!\s+than)|\s+or\s+(?P<about>so)"
    r"|\s+or\s+(?P<at_most>fewer|less)(?!\s+than)"
    r"|\s*-\s*(?P<odd>odd)|(?P<plus>\+|-plus)|\s+с\s+(?P<more>лишним|небольшим))(?![\w+0-9])",
    re.IGNORECASE,
)
_AFTER_KIND = {"odd": "about", "plus": "more_than", "more": "more_than"}

# ---- ranges, parts, units -----------------------------------------------------------------

_RANGE_DASH = re.compile(r"\s*[-–—]\s*")
_RANGE_WORD = re.compile(r"\s+(?:to|or|до|или)\s+", re.IGNORECASE)
_RANGE_AND = re.compile(r"\s+(?:and|и)\s+", re.IGNORECASE)
_RANGE_OPEN = re.compile(r"(?<!\w)(?P<w>between|между|от)\s+$", re.IGNORECASE)
_CHANGE = re.compile(  # "rose from 164 to 225", "выросло с 164 до 225": two figures, not a range
    r"(?:(?:rose|risen|rising|increased?|increasing|grew|grown|climbed|jumped|soared|fell|"
    r"fallen|dropped|decreased?|declined|revised|raised|lowered|updated|changed|went|moved)"
    r"\s+(?:\w+\s+){0,2}?from|(?<!\w)с)\s+$",
    re.IGNORECASE,
)
_PART = re.compile(
    r"(?<!\w)(?:including|included|of\s+whom|of\s+them|of\s+those|among\s+them|among\s+whom|"
    r"among\s+those|of\s+which|в\s+том\s+числе|в\s+т\.\s?ч\.|из\s+них|из\s+которых|среди\s+них|"
    r"среди\s+которых)\s*[,:—–-]?\s*$",
    re.IGNORECASE,
)
_PART_LIST = re.compile(r"^[^;:()—.]{0,40}?(?:,|\s(?:and|и))\s*$")
_UNITS = [
    ("percent", re.compile(r"\s?%|\s*(?:percent|per\s+cent|pct|процент\w*)\b", re.I)),
    (
        "currency",
        re.compile(
            r"[\s-]*(?:of\s+)?(?:tenge|rubles?|roubles?|(?:US\s+)?dollars?|euros?|рубл\w*|руб\b\.?|тенге|"
            r"доллар\w*|евро|USD|KZT|RUB|EUR|GBP)\b",
            re.I,
        ),
    ),
    ("age", re.compile(r"(?:-|\s+)years?(?:-|\s+)old\b", re.I)),
    (
        "duration",
        re.compile(
            r"(?:\s+|-)(?:days?|weeks?|months?|years?|hours?|minutes?|seconds?|decades?|"
            r"centur(?:y|ies)|дн(?:я|ей)|день|суток|сутки|недел\w*|месяц\w*|лет|год(?:а|у)?|"
            r"час(?:а|ов)?|минут\w*)\b",
            re.I,
        ),
    ),
    (
        "measure",
        re.compile(
            r"\s*-?(?:km|kilomet(?:er|re)s?|miles?|met(?:er|re)s?|tonnes?|tons?|kg|"
            r"kilograms?|hectares?|acres?|square|feet|foot|ft|inch(?:es)?|yards?|knots?|mph|"
            r"gallons?|lit(?:er|re)s?|barrels?|bbl|pounds?|lbs?|nautical|км|тонн\w*|метр\w*|"
            r"килограмм\w*|гектар\w*|фут\w*|узл\w*|литр\w*|баррел\w*)\b",
            re.I,
        ),
    ),
]
_UNIT_BEFORE = [
    ("currency", re.compile(r"(?<!\w)(?:USD|KZT|RUB|EUR)\s*$")),
    ("age", re.compile(r"(?<!\w)(?:aged|age\s+of|возрасте)\s+$", re.I)),
]
# Russian "до" after a number or a verb of change means "to" ("выросло до 225"), not "up to".
_DO_MEANS_TO = re.compile(
    r"(?:[0-9]\S*|(?:вы|воз)рос\w*|увелич\w*|сократ\w*|сниз\w*|подня\w*|дошл\w*|дош[её]л)"
    r"\s+(?:\S+\s+)?до\s*$",
    re.IGNORECASE,
)
_NEXT_WORD = re.compile(r"\s*([^\W\d_]+)")
_YEAR_FOLLOWERS = frozenset(
    _words("the a an and or but when as to in on at of for with by год года году г гг")
)
WINDOW = 40  # characters looked at before a number for qualifiers and cues


def find_figures(sentence: str) -> list[Figure]:
    """Every quantity ``sentence`` asserts, in order."""
    return list(_find(sentence))


@lru_cache(maxsize=4096)
def _find(sentence: str) -> tuple[Figure, ...]:
    numerals = drop_labels(sentence, find_numerals(sentence))
    figures: list[Figure] = []
    index = 0
    while index < len(numerals):
        floor = figures[-1].end if figures else 0
        ranged = _range(sentence, numerals, index, floor)
        figure = ranged or _single(sentence, numerals[index], floor)
        index += 2 if ranged else 1
        if figure is not None:
            figures.append(_with_part(sentence, figure, figures[-1] if figures else None))
    return tuple(read_shares(sentence, figures))


def _before(sentence: str, pos: int) -> str:
    return sentence[max(0, pos - WINDOW) : pos]


def _range(sentence: str, numerals: list[Numeral], index: int, floor: int) -> Figure | None:
    """ "2,000-3,000", "2,000 to 3,000", "between 2 and 3 thousand", "от 2 до 3 тыс."."""
    if index + 1 >= len(numerals):
        return None
    first, second = numerals[index], numerals[index + 1]
    if first.vague or second.vague or first.bare_year or second.bare_year:
        return None
    gap = sentence[first.end : second.start]
    before = sentence[max(floor, first.start - WINDOW) : first.start]
    opener = _RANGE_OPEN.search(before)
    word = opener.group("w").lower() if opener else ""
    joined = (
        _RANGE_DASH.fullmatch(gap)
        or (_RANGE_WORD.fullmatch(gap) and (word == "от" or "до" not in gap.lower()))
        or (_RANGE_AND.fullmatch(gap) and word in ("between", "между"))
    )
    if not joined or _CHANGE.search(before):
        return None
    low = first.value
    if second.scale > 1 and first.scale == 1 and low * second.scale <= second.value:
        low *= second.scale  # "2-3 million": the multiplier applies to both ends
    if low >= second.value:
        return None
    start = first.start - len(opener.group()) if opener else first.start
    mid = (low + second.value) / 2
    return _figure(sentence, (mid, low, second.value, "range"), start, second.end, first)


def _single(sentence: str, numeral: Numeral, floor: int = 0) -> Figure | None:
    """One number with its qualifier; the qualifier may not reach back before ``floor``."""
    lead = _lead(sentence, numeral, floor)
    trail = None if lead else _AFTER.match(sentence, numeral.end)
    kind = _BEFORE[" ".join(lead.group("q").lower().split())] if lead else "exact"
    if trail:
        kind = trail.lastgroup or "exact"
        kind = _AFTER_KIND.get(kind, kind)
    if numeral.bare_year and (kind == "exact" or _reads_as_year(sentence, numeral.end)):
        return None
    start = lead.start("q") if lead else numeral.start
    end = trail.end() if trail else numeral.end
    return _figure(sentence, _interval(numeral, kind), start, end, numeral)


def _lead(sentence: str, numeral: Numeral, floor: int) -> re.Match[str] | None:
    """The qualifier right before the number ("about", "не менее"), if any."""
    lead = _QUALIFIER.search(sentence, max(floor, numeral.start - WINDOW), numeral.start)
    is_do = lead is not None and lead.group("q").lower() == "до"
    if is_do and _DO_MEANS_TO.search(sentence, max(0, numeral.start - WINDOW), numeral.start):
        return None  # "выросло до 225", "с 164 до 225": "to", not "up to"
    return lead


def _reads_as_year(sentence: str, end: int) -> bool:
    """ "about 2000 troops" is a count; "around 2015, the" or "since about 2015" is a year."""
    nxt = _NEXT_WORD.match(sentence, end)
    if nxt is None:
        return True
    word = nxt.group(1)
    return not word[0].islower() or word in _YEAR_FOLLOWERS


_Interval = tuple[float, float, float, Approx]


def _interval(n: Numeral, kind: str) -> _Interval:
    """(value, low, high, approx) for a number read with a qualifier kind."""
    v, lo, hi = n.value, n.low, n.high
    if n.vague:
        table: dict[str, _Interval] = {
            "more_than": (v, lo, INF, "more_than"),
            "at_least": (v, lo, INF, "at_least"),
            "at_most": (v, 0.0, hi, "at_most"),
            "less_than": (v, 0.0, hi, "less_than"),
        }
        return table.get(kind, (v, lo, hi, "about"))
    width = _about_width(v)
    intervals: dict[str, _Interval] = {
        "exact": (v, v, v, "exact"),
        "about": (v, v * (1 - width), v * (1 + width), "about"),
        "nearly": (v, v * (1 - width), v, "about"),
        "more_than": (v, v, INF, "more_than"),
        "at_least": (v, v, INF, "at_least"),
        "at_most": (v, 0.0, v, "at_most"),
        "less_than": (v, 0.0, v, "less_than"),
    }
    return intervals[kind]


def _about_width(value: float) -> float:
    """How far "about N" reaches: a tenth around a round number ("about 2,500", "around
    300 metres"), a fiftieth around one written to the unit ("about 984 feet", "some 2,030")."""
    if value < 100 or value % 50 == 0:
        return 0.1
    return 0.02


def _figure(
    sentence: str, interval: _Interval, start: int, end: int, numeral: Numeral | None = None
) -> Figure:
    """The Figure for ``sentence[start:end]``, with its unit read from the words around it."""
    end, unit = _unit(sentence, start, end, numeral)
    value, low, high, approx = interval
    vague = bool(numeral and numeral.vague)
    return Figure(value, low, high, approx, start, end, sentence[start:end], False, unit, vague)


def _unit(sentence: str, start: int, end: int, numeral: Numeral | None) -> tuple[int, str | None]:
    """The unit, and the end of the span (a "%" sign joins the figure's text)."""
    if numeral is not None and numeral.currency:
        return end, "currency"
    for name, pattern in _UNITS:
        m = pattern.match(sentence, end)
        if m:
            return (m.end() if m.group().strip() == "%" else end), name
    before = _before(sentence, start)
    for name, pattern in _UNIT_BEFORE:
        if pattern.search(before):
            return end, name
    return end, None


_BREAKDOWN = re.compile(r"(?:\s(?:--|[-–—])\s|[:;(])\s*(?:\w+\s+){0,2}$")


def _with_part(sentence: str, figure: Figure, previous: Figure | None) -> Figure:
    """Mark "including 103", "из них 20", the list that follows ("103 ... and 20"), and a
    breakdown after a dash or colon ("two were rescued -- one was injured")."""
    if _PART.search(_before(sentence, figure.start)):
        return _as_part(figure)
    if (
        previous is not None
        and not previous.is_part
        and figure.value < previous.value
        and _BREAKDOWN.search(sentence[previous.end : figure.start])
    ):
        return _as_part(figure)
    if previous and previous.is_part and _PART_LIST.match(sentence[previous.end : figure.start]):
        return _as_part(figure)
    return figure


def _as_part(f: Figure) -> Figure:
    return dataclasses.replace(f, is_part=True)
