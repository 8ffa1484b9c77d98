"""Clock times written in news ("1:30AM", "1:27 a.m.", "at 1:29:09", "about 0127", "around
1am", "shortly before 2 am", "1:27 in the morning", "21:29", "в 1:30"), each read as the
interval of minutes after midnight it asserts.

A time's own precision sets its interval: "1:28" is that minute, "about 1:40" four minutes
either side, "around 1am" a quarter of an hour, "shortly before 2 am" the quarter before it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ClockTime:
    """``sentence[start:end] == text``; ``low..high`` in minutes after midnight."""

    minutes: float
    low: float
    high: float
    start: int
    end: int
    text: str
    precise: bool  # gives a minute that is not a round hour or half hour, or seconds


_QUALIFIER = (
    r"(?P<q>about|around|approximately|approx\.?|roughly|some|circa|nearly|almost|just after|"
    r"shortly after|soon after|just before|shortly before|moments before|before|after|by|"
    r"около|примерно|приблизительно|почти|незадолго до|вскоре после)?\s*"
)
_AMPM = (
    r"\s*(?P<{name}>a\.\s?m\.?|p\.\s?m\.?|am\b|pm\b|in the morning|at night|in the evening|"
    r"in the afternoon|утра|ночи|вечера|дня)"
)
_TIME = re.compile(
    r"(?<![\w:.])" + _QUALIFIER + r"(?:"
    r"(?P<h>[0-2]?\d)(?::|\.(?=\d\d\s*[ap]\.?\s?m\b))(?P<m>[0-5]\d)(?::(?P<s>[0-5]\d))?(?:"
    + _AMPM.format(name="ampm")
    + r")?"
    r"|(?P<h2>1[0-2]|0?[1-9])"
    + _AMPM.format(name="ampm2")
    + r"|(?:at\s+(?:about\s+|around\s+)?)(?P<mil>[01]\d|2[0-3])(?P<mm>[0-5]\d)(?![\d,])"
    r"|(?P<word>midnight|noon|полночь|полдень)"
    r")",
    re.IGNORECASE,
)
_PM = ("p", "in the evening", "in the afternoon", "вечера", "дня")
_WIDTH = {"hour": 15.0, "half": 5.0, "minute": 4.0}  # "about" around a time of that roundness


def find_times(sentence: str) -> list[ClockTime]:
    """Every clock time in ``sentence``, in order."""
    found = []
    for m in _TIME.finditer(sentence):
        minutes, precise, seconds = _minutes(m)
        if minutes is None:
            continue
        low, high = _interval(minutes, precise or seconds, (m.group("q") or "").lower())
        start = m.start("q") if m.group("q") else _first_digit(m)
        found.append(
            ClockTime(minutes, low, high, start, m.end(), sentence[start : m.end()], precise)
        )
    return found


def _first_digit(m: re.Match[str]) -> int:
    for name in ("h", "h2", "mil", "word"):
        if m.group(name):
            return m.start(name)
    return m.start()


def _minutes(m: re.Match[str]) -> tuple[float | None, bool, bool]:
    """(minutes after midnight, precise, has seconds)."""
    if m.group("word"):
        word = m.group("word").lower()
        return (0.0 if word in ("midnight", "полночь") else 720.0), False, False
    if m.group("mil"):
        hours, minutes = int(m.group("mil")), int(m.group("mm"))
        return hours * 60.0 + minutes, minutes % 30 != 0, False
    hour = int(m.group("h") or m.group("h2"))
    minute = int(m.group("m") or 0)
    if hour > 23:
        return None, False, False
    ampm = (m.group("ampm") or m.group("ampm2") or "").lower()
    if ampm and hour <= 12:
        hour = hour % 12 + (12 if ampm.startswith(_PM) else 0)
    seconds = bool(m.group("s"))
    value = hour * 60.0 + minute + (int(m.group("s")) / 60 if seconds else 0.0)
    return value, minute % 30 != 0 or seconds, seconds


def _interval(minutes: float, precise: bool, qualifier: str) -> tuple[float, float]:
    roundness = "minute" if precise else ("hour" if minutes % 60 == 0 else "half")
    if qualifier in ("shortly before", "just before", "moments before", "незадолго до"):
        return minutes - _WIDTH["hour"], minutes
    if qualifier in ("shortly after", "just after", "soon after", "вскоре после"):
        return minutes, minutes + _WIDTH["hour"]
    if qualifier == "before" or qualifier == "by":
        return minutes - 60, minutes
    if qualifier == "after":
        return minutes, minutes + 60
    if qualifier in ("nearly", "almost", "почти"):
        return minutes - _WIDTH[roundness], minutes
    if qualifier:
        width = _WIDTH[roundness]
        return minutes - width, minutes + width
    return minutes, minutes
