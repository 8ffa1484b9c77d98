"""Split news text into sentences, keeping offsets so evidence can be quoted from the source.

Rules, in order:
- a line break is a hard boundary (a headline without a full stop is its own sentence);
- ``. ! ? …`` (with any closing quotes or brackets) followed by whitespace and a capital letter,
  digit or opening quote ends a sentence;
- after a title or month abbreviation ("Gen.", "Jan.", "No.", "г. Алматы") a full stop never ends
  one; after "etc." and "т.д." it does; after other abbreviations and initials ("U.S.",
  "a.m.", "A.", "тыс.") only when the next word typically opens a sentence ("The", "He", "В");
- a sentence longer than ``MAX_SENTENCE_CHARS`` is cut after each "; " as a fallback.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


def _words(text: str, sep: str | None = None) -> tuple[str, ...]:
    """A word list written as one string (keeps the long vocabularies readable)."""
    return tuple(text.split(sep))


MAX_SENTENCE_CHARS = 600

# Hard boundaries: the characters str.splitlines() breaks on.
_LINE = re.compile(r"[^\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]+")
# Terminal punctuation plus closing quotes/brackets, then whitespace and the next visible char.
_END = re.compile(r"[.!?…]+[\"'”’»)\]]*(?=\s+(\S))")
# The word (with inner dots: "U.S", "т.е") just before a full stop.
_WORD_BEFORE = re.compile(r"[^\W_](?:[\w.]*[^\W_])?$")
_NEXT_WORD = re.compile(r"\s*([\"'“‘«(\[]?)([^\W\d_]*)")
_DOTTED = re.compile(r"^(?:[^\W\d_]\.)+[^\W\d_]$")
_SEMICOLON = re.compile(r";\s+")
_OPENERS = "\"'“‘«(["

# A full stop after these never ends a sentence (titles and months: "Gen. Lee", "Jan. 6").
_NEVER_ENDS = frozenset(
    _words(
        "mr mrs ms dr prof gen lt col maj capt cpt sgt cmdr adm gov sen rep rev fr st mt "
        "jan feb mar apr jun jul aug sep sept oct nov dec ул им тов проф акад ген гл ст см"
    )
)
# A full stop after these closes a list ("etc.") and ends a sentence before any capital.
_LIST_ENDS = frozenset(_words("etc т.д т.п"))
# A full stop after these ends a sentence only before a typical sentence opener: "No. 3" and
# "approx. 40" go on, "the answer was no. The talks ended" does not.
_SOFT = frozenset(
    _words(
        "no nos vs approx art fig cf ca ft inc ltd co corp jr sr bros др тыс млн млрд руб долл г гг"
    )
)
_OPENER_WORDS = frozenset(
    _words(
        "the a an he she it they we i you this that these those there his her their its our "
        "in on at but and however meanwhile after before as when while since if according one "
        "some many officials what who why how no yet so also earlier later then still both "
        "в на по он она оно они мы я это эти но а и как при после ранее также кроме однако "
        "так всего уже между среди если когда там тогда далее затем позже вместе"
    )
)


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence: ``text == source[start:end]``, without surrounding whitespace."""

    text: str
    start: int
    end: int


def split_sentences(text: str) -> list[Sentence]:
    """The sentences of ``text`` in order; only whitespace between them is dropped."""
    sentences: list[Sentence] = []
    for line in _LINE.finditer(text):
        start = line.start()
        for cut in _cuts(text, line.start(), line.end()):
            sentences.extend(_fallback(text, start, cut))
            start = cut
        sentences.extend(_fallback(text, start, line.end()))
    return sentences


def _cuts(text: str, begin: int, end: int) -> list[int]:
    """Offsets in ``text[begin:end]`` right after a sentence-final punctuation mark."""
    cuts = []
    for m in _END.finditer(text, begin, end):
        if _ends_sentence(text, begin, m):
            cuts.append(m.end())
    return cuts


def _ends_sentence(text: str, begin: int, m: re.Match[str]) -> bool:
    following = m.group(1)
    if not (following.isupper() or following.isdigit() or following in _OPENERS):
        return False
    if m.group()[0] != "." or (m.end() - m.start() > 1 and m.group()[1] == "."):
        return True  # "!", "?", "…" or "...": no abbreviation reading
    word = _WORD_BEFORE.search(text, max(begin, m.start() - 24), m.start())
    if word is None:
        return True
    kind = _abbreviation(word.group(), text[max(begin, word.start() - 6) : word.start()])
    if kind == "never":
        return False
    if kind == "soft":
        return _opens_sentence(text, m.end())
    return True


def _abbreviation(word: str, before: str) -> str | None:
    """ "never", "soft" or None (an ordinary word) for the word before a full stop."""
    key = word.lower()
    if key in _LIST_ENDS:
        return None
    if key == "г" and not before.rstrip().endswith(tuple("0123456789")):
        return "never"  # "г. Алматы" is a city; "2022 г." is a year
    if key in _NEVER_ENDS:
        return "never"
    if key in _SOFT or _DOTTED.match(word) or (len(word) == 1 and word.isupper()):
        return "soft"
    return None


def _opens_sentence(text: str, pos: int) -> bool:
    """Is the word after ``pos`` a quote or a word that typically opens a sentence?"""
    nxt = _NEXT_WORD.match(text, pos)
    assert nxt is not None  # every part of the pattern is optional
    return bool(nxt.group(1)) or nxt.group(2).lower() in _OPENER_WORDS


def _fallback(text: str, start: int, end: int) -> list[Sentence]:
    """One stripped sentence, or several cut after "; " when it is implausibly long."""
    found = _stripped(text, start, end)
    if found is None or len(found.text) <= MAX_SENTENCE_CHARS:
        return [found] if found else []
    pieces = []
    begin = found.start
    for m in _SEMICOLON.finditer(text, found.start, found.end):
        pieces.append(_stripped(text, begin, m.start() + 1))
        begin = m.end()
    pieces.append(_stripped(text, begin, found.end))
    return [p for p in pieces if p is not None]


def _stripped(text: str, start: int, end: int) -> Sentence | None:
    chunk = text[start:end]
    body = chunk.strip()
    if not body:
        return None
    offset = start + len(chunk) - len(chunk.lstrip())
    return Sentence(body, offset, offset + len(body))
