"""Numbers that label rather than count: dates, times, article numbers, phone numbers, links.

"January 6", "21:29", "Articles 2 and 4", "+7 727 ...", "https://.../2022/164" hold numbers
that no judge should read as a quantity; ``drop_labels`` removes them from what
``numerals.find_numerals`` found.
"""

from __future__ import annotations

import re

from claimwatch.matching.numerals import Numeral

WINDOW = 40  # characters looked at before a number


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


_EN_MONTHS = [
    *_words(
        "January February March April May June July August September October November December"
    ),
    *_words("Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec"),
]
_MONTH = "|".join(sorted([*_EN_MONTHS, *(m.upper() for m in _EN_MONTHS)], key=len, reverse=True))
_RU_MONTH = "января|февраля|марта|апреля|мая|июня|июля|августа|сентября|октября|ноября|декабря"
_DAY = r"[0-9]{1,2}(?:st|nd|rd|th)?"
_RU_DAY = r"[0-9]{1,2}(?:-?го)?"
_DAY_JOIN = r"(?:\s*[-–,]\s*|\s+(?:and|or|и|или)\s+)"  # "6-7", "6, 7 and 8", "6 и 7"
_DESIGNATOR = (  # Article 4, Articles 2 and 4, No. 3, статья 272, часть 2, № 5
    r"(?:\b(?i:articles?|art\.|sections?|paragraphs?|clauses?|chapters?|resolutions?|decrees?|"
    r"nos?\.|part|item|annex|protocol|amendments?|flight|route|highway|page|pp?\.|vol\.|room|"
    r"gate|terminal|platform|unit|статья|статьи|статье|статьей|ст\.|пункт\w*|п\.|часть|части|"
    r"ч\.)|№|#)"
)
# Patterns that start at a number and make it no quantity; matched where a number starts.
_AT_NUMBER = re.compile(
    "|".join(
        [
            r"[0-9]{3}-[0-9]{2,3}-[0-9]{2,4}(?![0-9])",  # phone 555-12-34
            r"[0-9]{2,5}\)\s*[0-9]{2,4}[ -][0-9]{2,4}",  # phone (727) 123-4567
            r"[0-9]{1,2}[./][0-9]{1,2}[./](?:19|20)?[0-9]{2}(?![0-9])",  # 06.01.2022
            r"(?:19|20)[0-9]{2}-[0-9]{2}-[0-9]{2}(?![0-9])",  # 2022-01-06
            r"[0-9]{1,2}:[0-9]{2}",  # 21:29
            r"0[0-9][0-5][0-9](?![0-9])",  # 0127: a clock time written as a ship's log writes it
            r"[0-9]{1,2}(?:[.:][0-9]{2})?\s*(?:[ap]\.m\.|[ap]m\b|o['’]clock)",  # 10 a.m.
            r"(?:19|20)[0-9]{2}\s*[-–—/]\s*(?:(?:19|20)[0-9]{2}|[0-9]{2})(?![0-9])",  # 2021-22
            rf"{_DAY}(?:{_DAY_JOIN}{_DAY})*\s+(?:of\s+)?(?:{_MONTH})\b",  # 6 January, 4 and 5 Jan
            rf"{_RU_DAY}(?:{_DAY_JOIN}{_RU_DAY})*\s+(?:{_RU_MONTH})",  # 6 января, 6-го и 7-го
        ]
    )
)
# A month name just before a day number: "Jan. 6", "January 6-7", "January 6 and 7".
_AFTER_MONTH = re.compile(rf"\b(?:{_MONTH})\.?\s+(?:{_DAY}{_DAY_JOIN})*$")
# References just before a number: "Article 4", "the 4 of Articles 2 and 4", "+7 727 ...".
_AFTER_REFERENCE = re.compile(
    "(?:"
    + "|".join(
        [
            rf"{_DESIGNATOR}\s*(?:[0-9]{{1,4}}[a-zа-я]?(?:\s*,\s*|\s+(?:and|or|to|и|или)\s+|"
            r"\s*[-–]\s*))*",
            r"\+[0-9 ().-]*",  # +7 727 123 4567
            r"\([0-9]{2,5}\)\s*(?:[0-9]{2,4}[ -])*",  # (727) 123-4567
        ]
    )
    + ")$"
)
_DAY_NUMBER = re.compile(r"[0-9]{1,2}")
_LINKY = re.compile(r"\S*(?:://|www\.|@)\S*")  # URLs and e-mail addresses


def drop_labels(sentence: str, numerals: list[Numeral]) -> list[Numeral]:
    """Drop numbers that are parts of dates, times, references, phone numbers and links."""
    blocked = [m.span() for m in _LINKY.finditer(sentence)] if _has_link(sentence) else []
    kept = []
    for n in numerals:
        if any(start < n.end and n.start < end for start, end in blocked):
            continue
        at = _AT_NUMBER.match(sentence, n.start) if sentence[n.start].isdigit() else None
        if at:
            blocked.append(at.span())
        elif not _after_reference(sentence, n):
            kept.append(n)
    return kept


def _has_link(sentence: str) -> bool:
    return "://" in sentence or "www." in sentence or "@" in sentence


def _after_reference(sentence: str, n: Numeral) -> bool:
    """ "Jan. 6", "Article 4", "Articles 2 and 4", "+7 727 ...": the number names, not counts."""
    if not sentence[n.start].isdigit():
        return False
    lo = max(0, n.start - WINDOW)
    if _AFTER_REFERENCE.search(sentence, lo, n.start):
        return True
    is_day = _DAY_NUMBER.fullmatch(sentence, n.start, n.end) is not None
    return is_day and _AFTER_MONTH.search(sentence, lo, n.start) is not None
