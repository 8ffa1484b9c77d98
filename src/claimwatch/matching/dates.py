"""Calendar dates written in a sentence ("6 January", "Jan. 6", "January 6, 2022", "6 января")."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

_MONTHS = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "sept": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
    "январ": 1,
    "феврал": 2,
    "март": 3,
    "апрел": 4,
    "ма": 5,
    "июн": 6,
    "июл": 7,
    "август": 8,
    "сентябр": 9,
    "октябр": 10,
    "ноябр": 11,
    "декабр": 12,
}
_EN_MONTH = (
    r"(?P<m>jan(?:uary|\.)?|feb(?:ruary|\.)?|mar(?:ch|\.)?|apr(?:il|\.)?|may|june?|july?|"
    r"aug(?:ust|\.)?|sep(?:t(?:ember)?)?\.?|oct(?:ober|\.)?|nov(?:ember|\.)?|dec(?:ember|\.)?)"
)
_RU_MONTH = r"(?P<r>январ|феврал|март|апрел|ма|июн|июл|август|сентябр|октябр|ноябр|декабр)[а-я]*"
_DAY = r"(?P<d>[0-3]?\d)(?:st|nd|rd|th)?"
_DAY2 = r"(?P<d2>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?:,?\s+(?P<y>(?:19|20)\d\d))?"
_YEAR2 = r"(?:,?\s+(?P<y2>(?:19|20)\d\d))?"
_DATE = re.compile(
    rf"(?<!\w)(?:{_DAY}\s+(?:of\s+)?{_EN_MONTH}{_YEAR}|"
    rf"{_EN_MONTH.replace('?P<m>', '?P<m2>')}\s+{_DAY2}{_YEAR2}|"
    rf"(?P<rd>[0-3]?\d)\s+{_RU_MONTH}(?:\s+(?P<ry>(?:19|20)\d\d))?)(?!\w)",
    re.IGNORECASE,
)
_NUMERIC = re.compile(r"(?<![\d.])(?P<d>[0-3]?\d)\.(?P<m>[01]?\d)\.(?P<y>(?:19|20)\d\d)(?![\d.])")


@dataclass(frozen=True, slots=True)
class DateMention:
    date: dt.date
    start: int
    end: int
    text: str


def _month(name: str) -> int | None:
    key = name.lower().rstrip(".")
    for prefix, number in _MONTHS.items():
        if key.startswith(prefix) and (len(prefix) >= 3 or key == prefix or key.startswith("ма")):
            return number
    return None


def _build(day: str, month: int | None, year: str | None, default_year: int) -> dt.date | None:
    if month is None:
        return None
    try:
        return dt.date(int(year) if year else default_year, month, int(day))
    except ValueError:
        return None


_LISTED_DAY = re.compile(r"(?<![\w.,])([0-3]?\d)(?:st|nd|rd|th)?\s*(?:and|or|to|-|–|,)\s*$")
_DATELINE = re.compile(
    r"^\s*(?:[\w .,'’-]{0,40}?\s[-–—]\s|[A-Z][\w .'’-]{0,30}\s\([^()]{3,30}\):\s)"
)


def _listed_before(sentence: str, start: int, date: dt.date) -> list[DateMention]:
    """ "2 and 3 January", "5-7 January": the first day of a list shares the month."""
    m = _LISTED_DAY.search(sentence, 0, start)
    if m is None or m.end() != start:
        return []
    try:
        first = date.replace(day=int(m.group(1)))
    except ValueError:
        return []
    return [DateMention(first, m.start(1), m.end(1), m.group(1))]


def is_dateline(sentence: str, mention: DateMention) -> bool:
    """ "ALMATY, Jan 26 - ...": the date the report was filed, not of the events in it."""
    line = _DATELINE.match(sentence)
    return line is not None and mention.end <= line.end()


def find_dates(sentence: str, default_year: int) -> list[DateMention]:
    """Every day-and-month date in ``sentence``; a missing year is ``default_year``."""
    found = []
    for m in _DATE.finditer(sentence):
        if m.group("d"):
            date = _build(m.group("d"), _month(m.group("m")), m.group("y"), default_year)
        elif m.group("d2"):
            date = _build(m.group("d2"), _month(m.group("m2")), m.group("y2"), default_year)
        else:
            date = _build(m.group("rd"), _month(m.group("r")), m.group("ry"), default_year)
        if date is not None:
            found.append(DateMention(date, m.start(), m.end(), m.group()))
            found.extend(_listed_before(sentence, m.start(), date))
    for m in _NUMERIC.finditer(sentence):
        date = _build(m.group("d"), int(m.group("m")), m.group("y"), default_year)
        if date is not None:
            found.append(DateMention(date, m.start(), m.end(), m.group()))
    return sorted(found, key=lambda d: d.start)


_YEAR_MENTION = re.compile(
    r"(?<![\w$€£])(?:in|of|during|from|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
    r"|в|во|(?:январ|феврал|март|апрел|ма|июн|июл|август|сентябр|октябр|ноябр|декабр)[а-я]*)"
    r"\s+((?:19|20)\d\d)(?!\w)|((?:19|20)\d\d)['’]s\b",
    re.IGNORECASE,
)
_ANY_YEAR = re.compile(r"(?<![\w.,])((?:19|20)\d\d)(?![\w.,]\d)")


_DATED_YEAR = re.compile(
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+"
    r"((?:19|20)\d\d)\b",
    re.IGNORECASE,
)


def about_an_earlier_year(sentence: str, year: int) -> bool:
    """True when the sentence is set in a year before ``year`` and names none since.

    Coverage recalls older events in the same places ("in 2011, police fired on ..."); those
    sentences are history, not news about the baseline's story.
    """
    named = [int(a or b) for a, b in _YEAR_MENTION.findall(sentence)]
    named += [int(y) for y in _DATED_YEAR.findall(sentence)]
    if not named or min(named) >= year:
        return False
    return all(int(y) < year for y in _ANY_YEAR.findall(sentence))


OPENING_CHARS = 400  # the headline and first lines, where a look back names its year


def only_earlier_years(text: str, year: int) -> bool:
    """True when ``text`` opens in an earlier year and names none since: a look back at
    older events (an anniversary piece), not coverage of the baseline's story. An old year
    named only in passing further down ("the 1851 law") makes no look back."""
    opening = text[:OPENING_CHARS]
    setting = [int(a or b) for a, b in _YEAR_MENTION.findall(opening)]
    setting += [int(y) for y in _DATED_YEAR.findall(opening)]
    every = [int(y) for y in _ANY_YEAR.findall(text)]
    return bool(setting) and max(every) < year
