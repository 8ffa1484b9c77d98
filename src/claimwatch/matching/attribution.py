"""Who a sentence says is speaking: "according to X", "X said", '"...," said X', "по словам X".

The source is a compact phrase (at most ``MAX_SOURCE_WORDS`` words) quoted from the sentence,
so a reason can say "the health ministry says ..." instead of "the article says ...".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

_I = re.IGNORECASE
_LETTERS = re.compile(r"[^\W\d_]+")


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


@lru_cache(maxsize=4096)
def _lower_words(sentence: str) -> frozenset[str]:
    return frozenset(_LETTERS.findall(sentence.lower()))


@dataclass(frozen=True, slots=True)
class Attribution:
    """Who the sentence says is speaking: ``sentence[start:end] == source``."""

    source: str
    start: int
    end: int
    cue: str  # "according to", "said", "по данным", ...


MAX_SOURCE_WORDS = 8
_SPEECH = (
    r"said|says|told|stated|announced|reported|claimed|confirmed|added|noted|wrote|tweeted|"
    r"insisted|alleged|estimated|warned|acknowledged|admitted|declared|asserted|explained|"
    r"stressed|emphasi[sz]ed|argued|denied|сообщил[аио]?|заявил[аио]?|сказал[аи]?|отметил[аи]?|"
    r"подчеркнул[аи]?|рассказал[аи]?|объявил[аи]?|сообщает|заявляет|передает|передаёт"
)
_ACCORDING = re.compile(
    r"(?<!\w)(?P<cue>according\s+to|as\s+reported\s+by|citing|по\s+(?:данным|словам|информации|"
    r"сообщению|оценкам|мнению))\s+",
    _I,
)
_SPEECH_RE = re.compile(rf"(?<!\w)(?P<cue>{_SPEECH})(?!\w)", _I)
_CLAUSE_BREAK = re.compile(r"[,;:\"“”«»()\[\]—–!?]")
_CYRILLIC = re.compile(r"[а-яё]", _I)
_CLAUSE_END = re.compile(r"[^,;:\"“”«»()\[\]—–!?0-9]*")
_WORD = re.compile(r"[^\W\d_][\w'’.-]*")
_SOURCE_STOP = frozenset(
    _words(
        "that which who whom there as when while after since because if than to by on at in into "
        "during with from was were is are has have had will would be been said says told more "
        "about some nearly almost over this these those its it also later earlier и что "
        "как в на о об во время после когда который которые это также monday tuesday wednesday "
        "thursday friday saturday sunday today yesterday tonight"
    )
)
_ADVERBS = frozenset(
    _words(
        "also later earlier previously further separately again then now recently reportedly "
        "officially publicly repeatedly has have had также ранее позже"
    )
)
_PASSIVE = frozenset(_words("was were is are be been being"))
_PRONOUNS = frozenset(_words("he she they it we i you this that он она они оно мы я это"))
_FUNCTION = frozenset(_words("the a an of for and 's его ее её их"))
_NOT_A_SUBJECT_END = _PASSIVE | _FUNCTION  # "it was reported", "the number of confirmed cases"
_NOT_A_SOURCE = _PRONOUNS | _FUNCTION


def attribution(sentence: str) -> Attribution | None:
    """The speaker a sentence names ("according to X", "X said", '"...," said X', "по словам X").

    Pronouns ("he said") give None: the source is somewhere else in the article.
    """
    return _cached_attribution(sentence)


_ATTRIBUTION_WORDS = frozenset(  # the English words of _SPEECH and _ACCORDING
    _words(
        "said says told stated announced reported claimed confirmed added noted wrote tweeted "
        "insisted alleged estimated warned acknowledged admitted declared asserted explained "
        "stressed emphasized emphasised argued denied according citing"
    )
)
_ATTRIBUTION_PREFIXES = _words("сообщ заяв сказал отметил подчеркнул рассказал объявил переда по")


@lru_cache(maxsize=4096)
def _cached_attribution(sentence: str) -> Attribution | None:
    present = _lower_words(sentence)
    if present.isdisjoint(_ATTRIBUTION_WORDS) and not any(
        w.startswith(_ATTRIBUTION_PREFIXES) for w in present
    ):
        return None  # no speech verb and no "according to": skip the regexes
    for m in _ACCORDING.finditer(sentence):
        found = _source_after(sentence, m.end(), m.group("cue"))
        if found:
            return found
    for m in _SPEECH_RE.finditer(sentence):
        found = _speaker(sentence, m)
        if found:
            return found
    return None


def _speaker(sentence: str, m: re.Match[str]) -> Attribution | None:
    """The subject before a speech verb, or the one after it in '"...," said X' / "заявил X"."""
    before = sentence[max(0, m.start() - 120) : m.start()]
    cue = m.group("cue")
    inverted = before.rstrip().endswith((",", '"', "”", "»")) or not before.strip()
    russian = _CYRILLIC.match(cue) is not None
    if inverted or (russian and _looks_like_subject(sentence, m.end())):
        found = _source_after(sentence, m.end(), cue)
        if found or russian:
            return found
    return _source_before(sentence, m.start(), cue)


def _looks_like_subject(sentence: str, pos: int) -> bool:
    nxt = _WORD.search(sentence, pos, pos + 40)
    return nxt is not None and nxt.group().lower() not in _SOURCE_STOP


def _source_after(sentence: str, pos: int, cue: str) -> Attribution | None:
    """A source phrase starting at ``pos``: up to punctuation, a digit or a stop word."""
    clause = _CLAUSE_END.match(sentence, pos)
    words = list(_WORD.finditer(sentence, pos, clause.end() if clause else pos))
    kept = []
    for word in words[:MAX_SOURCE_WORDS]:
        if word.group().lower() in _SOURCE_STOP:
            break
        kept.append(word)
    return _make(sentence, kept, cue)


def _source_before(sentence: str, pos: int, cue: str) -> Attribution | None:
    """The subject just before ``pos``, back to punctuation or a preposition."""
    start = max(0, pos - 120)
    for mark in _CLAUSE_BREAK.finditer(sentence, start, pos):
        start = mark.end()  # the clause begins after the last punctuation mark
    words = list(_WORD.finditer(sentence, start, pos))
    while words and words[-1].group().lower() in _ADVERBS:
        words.pop()
    if words and words[-1].group().lower() in _NOT_A_SUBJECT_END:
        return None
    kept: list[re.Match[str]] = []
    for word in reversed(words):
        if word.group().lower() in _SOURCE_STOP or len(kept) == MAX_SOURCE_WORDS:
            break
        kept.insert(0, word)
    return _make(sentence, _from_determiner(kept), cue)


def _from_determiner(words: list[re.Match[str]]) -> list[re.Match[str]]:
    """ "a statement the ministry" -> "the ministry"; "the head of the ministry" stays whole."""
    for i in range(len(words) - 1, 0, -1):
        if words[i].group().lower() == "the" and words[i - 1].group().lower() not in _FUNCTION:
            return words[i:]
    return words


def _make(sentence: str, words: list[re.Match[str]], cue: str) -> Attribution | None:
    while words and words[-1].group().lower() in _FUNCTION:
        words = words[:-1]
    if not words:
        return None
    if len(words) == 1 and words[0].group().lower() in _NOT_A_SOURCE:
        return None
    start, end = words[0].start(), words[-1].end()
    source = sentence[start:end].rstrip(".")
    return Attribution(source, start, start + len(source), " ".join(cue.lower().split()))
