"""Read the numbers written in a sentence: digits, number words, and vague counts.

This module only reads numbers ("2,030", "1.5 million", "forty-five", "две тысячи",
"hundreds"); ``labels`` drops those that name rather than count (dates, article numbers) and
``figures`` reads the qualifiers and ranges around the rest.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass


def _words(text: str, sep: str | None = None) -> tuple[str, ...]:
    """A word list written as one string (keeps the long vocabularies readable)."""
    return tuple(text.split(sep))


INF = float("inf")


@dataclass(frozen=True, slots=True)
class Numeral:
    """One number as written: ``sentence[start:end]``; ``low``/``high`` bound a vague count."""

    value: float
    start: int
    end: int
    low: float
    high: float
    vague: bool = False
    scale: float = 1.0  # the multiplier word applied ("million" -> 1e6), for "2-3 million"
    bare_year: bool = False  # four digits 1900-2099 with nothing attached: read as a year
    currency: bool = False  # a currency sign is part of the span ("$1.5bn")


# ---- digits -------------------------------------------------------------------------------

_SCALES = {
    "hundred": 1e2,
    "thousand": 1e3,
    "million": 1e6,
    "mln": 1e6,
    "mn": 1e6,
    "billion": 1e9,
    "bn": 1e9,
    "trillion": 1e12,
    "тыс": 1e3,
    "тысяча": 1e3,
    "тысячи": 1e3,
    "тысяч": 1e3,
    "тысячу": 1e3,
    "млн": 1e6,
    "миллион": 1e6,
    "миллиона": 1e6,
    "миллионов": 1e6,
    "млрд": 1e9,
    "миллиард": 1e9,
    "миллиарда": 1e9,
    "миллиардов": 1e9,
}
_MULTIPLIER = "|".join(sorted(_SCALES, key=len, reverse=True))
_DIGITS = re.compile(
    r"(?<![\w.,:/])(?<![^\W\d_]-)"  # not inside a word, a number, a time, "COVID-19"
    r"(?P<cur>(?:US\$|\$|€|£|₸)\s?)?"
    r"(?P<num>[0-9]{1,3}(?:,[0-9]{3})+(?![0-9])(?:\.[0-9]{1,6})?"  # 2,030  1,234.5
    r"|[0-9]{1,3}(?:\.[0-9]{3})+(?![0-9])(?:,[0-9]{1,6})?"  # 2.030 (checked below)
    r"|[0-9]{1,3}(?:[\u00a0\u202f\u2009 ][0-9]{3})+(?![0-9])(?:,[0-9]{1,6})?"  # 2 030
    r"|[0-9]{1,15}(?:[.,][0-9]{1,6})?)"  # 164  2.5  2,5
    r"(?![.,]?[0-9])"
    r"(?P<glued>[^\W\d_]+)?"  # 10k, 5bn, 1st, 1990s, 5G
    rf"(?:[ \u00a0]?(?P<mult>(?i:{_MULTIPLIER}))(?P<dot>\.)?(?!\w))?",
)
_GLUED = {"k": 1e3, "K": 1e3, "bn": 1e9, "mn": 1e6, "mln": 1e6, "m": 1e6, "M": 1e6, "b": 1e9}
_CURRENCY_ONLY = {"m", "M", "b"}  # "$3m" is money; "3m" alone may be metres
_CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)
_ANY_DIGIT = re.compile(r"[0-9]")
_RU_ORDINAL = re.compile(r"-(?:й|я|е|го|му|м|х|ми|ый|ой|ий|ая|ое|ые|ых)(?!\w)")
_ABBREVIATED = frozenset(["тыс", "млн", "млрд"])
_BARE_YEAR = re.compile(r"(?:19|20)[0-9]{2}")
_DOT_THOUSANDS = re.compile(r"[0-9]{1,3}(?:\.[0-9]{3})+")
_COMMA_THOUSANDS = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?")
_GROUP_SPACE = re.compile(r"[\u00a0\u202f\u2009 ]")


def _number_value(num: str, decimal_comma: bool, scaled: bool) -> float | None:
    """The value of the digits, or None when the separators make no sense."""
    if _DOT_THOUSANDS.fullmatch(num) and not scaled and num[0] != "0":
        return float(num.replace(".", ""))  # "2.030": dot as thousands separator
    if _COMMA_THOUSANDS.fullmatch(num):
        return float(num.replace(",", ""))
    body = _GROUP_SPACE.sub("", num)
    if "," in body:
        if not decimal_comma:
            return None  # "1,5" in English text: a list, not a number
        body = body.replace(".", "").replace(",", ".")
    return float(body)


def _digit_numeral(sentence: str, m: re.Match[str]) -> Numeral | None:
    glued, mult, cur = m.group("glued"), m.group("mult"), m.group("cur")
    scale = _SCALES[mult.lower()] if mult else 1.0
    if glued:
        if mult or glued not in _GLUED or (glued in _CURRENCY_ONLY and not cur):
            return None  # "1st", "1990s", "5G", "10km": not a count
        scale = _GLUED[glued]
    decimal_comma = bool(mult) or bool(_CYRILLIC.search(sentence))
    value = _number_value(m.group("num"), decimal_comma, scale != 1.0)
    if value is None or _RU_ORDINAL.match(sentence, m.end("num")):
        return None  # "6-й", "90-х": an ordinal
    value *= scale
    end = m.end("mult") if mult else m.end("glued") if glued else m.end("num")
    if mult and m.group("dot") and mult.lower() in _ABBREVIATED:
        end = m.end("dot")  # "тыс." keeps its dot
    bare = scale == 1.0 and not cur and bool(_BARE_YEAR.fullmatch(m.group("num")))
    return Numeral(value, m.start(), end, value, value, False, scale, bare, bool(cur))


# ---- number words -------------------------------------------------------------------------

_SMALL = {
    **dict.fromkeys(["zero"], 0),
    **{w: i + 1 for i, w in enumerate(_words("one two three four five six seven eight nine"))},
    **{w: i + 10 for i, w in enumerate(
        _words("ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen")
    )},
    **{w: (i + 2) * 10 for i, w in enumerate(
        _words("twenty thirty forty fifty sixty seventy eighty ninety")
    )},
    **dict.fromkeys(["один", "одна", "одно"], 1),
    **dict.fromkeys(["два", "две", "двух"], 2),
    **dict.fromkeys(["три", "трех", "трёх"], 3),
    **dict.fromkeys(["четыре", "четырех", "четырёх"], 4),
    **{w: i + 5 for i, w in enumerate(_words("пять шесть семь восемь девять десять"))},
    **{w: i + 11 for i, w in enumerate(
        _words("одиннадцать двенадцать тринадцать четырнадцать пятнадцать шестнадцать семнадцать "
        "восемнадцать девятнадцать")
    )},
    **{w: (i + 2) * 10 for i, w in enumerate(
        _words("двадцать тридцать сорок пятьдесят шестьдесят семьдесят восемьдесят девяносто")
    )},
    **{w: (i + 1) * 100 for i, w in enumerate(
        _words("сто двести триста четыреста пятьсот шестьсот семьсот восемьсот девятьсот")
    )},
}  # fmt: skip
_SELF_SCALES = frozenset(["тысяча", "тысячу", "миллион", "миллиард"])  # "тысяча" = 1,000
_WORD_SCALES = {w: v for w, v in _SCALES.items() if w.isalpha() and len(w) > 3}
_ALL_WORDS = sorted([*_SMALL, *_WORD_SCALES, "dozen"], key=len, reverse=True)
_WORD = "(?:" + "|".join(_ALL_WORDS) + ")"
_WORD_RUN = re.compile(
    rf"(?<![\w-])(?:an?\s+(?=(?:hundred|thousand|million|billion|dozen)\b))?"
    rf"{_WORD}(?:(?:\s*-\s*|\s+(?:and\s+)?){_WORD})*"
    r"(?!\w|-(?:thirds?|quarters?|halves|half|fifths?|tenths?))",
    re.IGNORECASE,
)
_TOKEN = re.compile(r"[^\W\d_]+")
_RUN_WORDS = frozenset(_ALL_WORDS)
# "one of", "no one", "один из": the word "one" as a pronoun, not a count.
_ONE_AFTER = re.compile(
    r"\s+(?:of|another|by|day|time|way|side|hand|thing|из)\b|\s*(?:[.,;:!?)\"”»]|$)", re.I
)  # "one of", "a legal one.", "there will not be one"
_ONE_BEFORE = re.compile(r"(?:\bno|\bany|\bevery|\beach|\bthis|\bthat|\bthe|\bwhich)\s+$", re.I)

_State = tuple[float, float, float, float]  # total, current, smallest scale so far, scale used


def _place(current: float) -> int:
    """The lowest filled decimal place: 20 -> 10, 300 -> 100, 5 -> 1."""
    place, whole = 1, int(current)
    while whole and whole % (place * 10) == 0:
        place *= 10
    return place


def _extend(state: _State, word: str, implicit_one: bool) -> _State | None:
    """Add one number word to a number under construction; None when it starts a new one."""
    total, current, last, used = state
    if word in _SMALL:
        value = _SMALL[word]
        if current and value >= _place(current):
            return None
        return total, current + value, last, used
    one = implicit_one and not current and not total
    if word in ("hundred", "dozen"):
        if not (0 < current < 100 or one):
            return None
        return total, (current or 1) * (100 if word == "hundred" else 12), last, used
    scale = _WORD_SCALES[word]
    if scale >= last or not (current or one or (word in _SELF_SCALES and not total)):
        return None
    return total + (current or 1) * scale, 0.0, scale, scale


def _word_numbers(sentence: str, run: re.Match[str]) -> Iterator[Numeral]:
    """Split a run of number words into numbers ("two hundred and five" is one)."""
    fresh: _State = (0.0, 0.0, INF, 1.0)
    state, first, last_end, article = fresh, -1, -1, False
    for token in _TOKEN.finditer(sentence, run.start(), run.end()):
        word = token.group().lower()
        if word in ("a", "an", "and"):
            article = article or word != "and"
            first = token.start() if first < 0 and word != "and" else first
            continue
        nxt = _extend(state, word, article)
        if nxt is None and last_end > 0:
            yield _word_numeral(sentence, state, first, last_end)
            state, first, last_end = fresh, -1, -1
            nxt = _extend(state, word, False)
        article = False
        if nxt is None:
            continue  # a scale word with nothing to multiply
        state, last_end = nxt, token.end()
        first = token.start() if first < 0 else first
    if last_end > 0:
        yield _word_numeral(sentence, state, first, last_end)


def _word_numeral(sentence: str, state: _State, start: int, end: int) -> Numeral:
    value = state[0] + state[1]
    return Numeral(value, start, end, value, value, scale=state[3])


def _is_pronoun_one(sentence: str, n: Numeral) -> bool:
    if sentence[n.start : n.end].lower() not in ("one", "один", "одна", "одно"):
        return False
    before = sentence[max(0, n.start - 12) : n.start]
    return bool(_ONE_AFTER.match(sentence, n.end) or _ONE_BEFORE.search(before))


# ---- vague counts -------------------------------------------------------------------------

_TENS_OF = r"(?:tens|десятк(?:и|ов))\s+(?:of\s+)?"
_HUNDREDS_OF = r"(?:hundreds|сотн(?:и|ен))\s+(?:of\s+)?"
_SEVERAL = r"(?:several|a\s+few|несколько|нескольких)\s+"
_VAGUE = [  # (pattern, low, high); tried in order, longer phrases first
    (rf"{_TENS_OF}(?:thousands|тысяч)", 2e4, 99999.0),
    (rf"{_HUNDREDS_OF}(?:thousands|тысяч)", 2e5, 999999.0),
    (rf"{_TENS_OF}(?:millions|миллионов)", 2e7, 99999999.0),
    (rf"{_HUNDREDS_OF}(?:millions|миллионов)", 2e8, 999999999.0),
    (rf"{_TENS_OF}(?:billions|миллиардов)", 2e10, 99999999999.0),
    (rf"{_HUNDREDS_OF}(?:billions|миллиардов)", 2e11, 999999999999.0),
    (rf"{_SEVERAL}(?:hundred|сотен)", 200.0, 999.0),
    (rf"{_SEVERAL}(?:thousand|тысяч)", 2000.0, 9999.0),
    (rf"{_SEVERAL}(?:dozen|десятков)", 24.0, 99.0),
    (rf"{_SEVERAL}(?:million|миллионов)", 2e6, 9999999.0),
    (r"hundreds|сотни|сотен", 200.0, 999.0),
    (r"thousands|тысячи|тысяч", 2000.0, 9999.0),
    (r"dozens|десятки|десятков", 24.0, 99.0),
    (r"tens(?=\s+of\b)", 20.0, 99.0),
    (r"millions|миллионы|миллионов", 2e6, 999999999.0),
    (r"billions|миллиарды|миллиардов", 2e9, 999999999999.0),
]
_VAGUE_RE = re.compile(
    r"(?<![\w-])(?:"
    + "|".join(f"(?P<v{i}>{p})" for i, (p, _, _) in enumerate(_VAGUE))
    + r")(?!\w)",
    re.IGNORECASE,
)
_VAGUE_HEADS = frozenset(
    _words(
        "hundreds thousands dozens millions tens several few сотни сотен тысячи тысяч десятки "
        "десятков миллионы миллионов несколько нескольких billions миллиарды миллиардов"
    )
)
_NUMBER_BEFORE = re.compile(r"(?:[0-9]|\b(?:" + "|".join(_SMALL) + r"))\s*$", re.IGNORECASE)


def _vague(sentence: str) -> Iterator[Numeral]:
    for m in _VAGUE_RE.finditer(sentence):
        if _NUMBER_BEFORE.search(sentence, max(0, m.start() - 16), m.start()):
            continue  # "две тысячи", "5 тысяч": the word is a multiplier here
        index = int((m.lastgroup or "v0")[1:])
        _, low, high = _VAGUE[index]
        yield Numeral(low, m.start(), m.end(), low, high, vague=True)


# ---- halves: "two and a half thousand", "half a million", "полторы тысячи" ------------------

_HALF = re.compile(
    r"(?<![\w-])(?:(?P<whole>[0-9]{1,3}|an?|one|two|three|four|five|six|seven|eight|nine|ten)"
    r"\s+and\s+a\s+half|(?P<rwhole>[0-9]{1,3}|одна|один|два|две|три|четыре|пять|шесть|семь|"
    r"восемь|девять|десять)\s+с\s+половиной"  # "две с половиной тысячи"
    r"|(?P<half>half\s+an?)|(?P<one>полтор[аы])|(?P<pol>пол))"
    r"\s*(?P<scale>hundred|thousand|million|billion|тысяч[иа]?|миллиона|миллиарда|миллионов|сотни)"
    r"(?!\w)",
    re.IGNORECASE,
)


def _halves(sentence: str) -> Iterator[Numeral]:
    for m in _HALF.finditer(sentence):
        unit = m.group("scale").lower()
        if m.group("pol") and unit not in ("миллиона", "миллиарда", "тысячи"):
            continue  # "пол" only joins "полмиллиона", "полтысячи"
        whole = m.group("whole") or m.group("rwhole")
        if whole:
            count = 0.5 + (float(whole) if whole.isdigit() else _SMALL.get(whole.lower(), 1))
        else:
            count = 1.5 if m.group("one") else 0.5
        scale = 100.0 if unit == "сотни" else _SCALES[unit]
        yield Numeral(count * scale, m.start(), m.end(), count * scale, count * scale, scale=scale)


# ---- all of them --------------------------------------------------------------------------


def find_numerals(sentence: str) -> list[Numeral]:
    """Every number in ``sentence``, in order, without overlaps (the longer reading wins)."""
    found: list[Numeral] = []
    if _ANY_DIGIT.search(sentence):
        for m in _DIGITS.finditer(sentence):
            digit = _digit_numeral(sentence, m)
            if digit is not None:
                found.append(digit)
    words = frozenset(_TOKEN.findall(sentence.lower()))  # cheap test before the word regexes
    if not words.isdisjoint(_RUN_WORDS):
        for run in _WORD_RUN.finditer(sentence):
            numbers = _word_numbers(sentence, run)
            found.extend(n for n in numbers if not _is_pronoun_one(sentence, n))
    if not words.isdisjoint(_VAGUE_HEADS):
        found.extend(_vague(sentence))
    if "half" in words or any(w.startswith("пол") for w in words):  # "полторы", "половиной"
        found.extend(_halves(sentence))
    found.sort(key=lambda n: (n.start, n.start - n.end))
    kept: list[Numeral] = []
    for numeral in found:
        if not kept or numeral.start >= kept[-1].end:
            kept.append(numeral)
    return kept
