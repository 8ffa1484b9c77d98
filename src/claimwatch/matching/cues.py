"""Generic cues in one sentence (English and Russian): negation, denial, hedging, doubt about
evidence, and who is speaking. Each returns the matched spans so a reason can quote them.

The cues know no story: judges combine them with a baseline's terms. They favour precision:
a phrase only counts in the reading given in its comment.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from claimwatch.matching.aspect import Stage, aspect


def _words(text: str, sep: str | None = None) -> tuple[str, ...]:
    """A word list written as one string (keeps the long vocabularies readable)."""
    return tuple(text.split(sep))


__all__ = [
    "Attribution",
    "Stage",
    "aspect",
    "attribution",
    "contrastive",
    "denial",
    "doubt",
    "hedge",
    "negation",
]

Span = tuple[int, int]
_I = re.IGNORECASE


def _spans(pattern: re.Pattern[str], sentence: str) -> list[Span]:
    return [m.span() for m in pattern.finditer(sentence)]


# ---- negation -----------------------------------------------------------------------------

_NEGATION = re.compile(
    "|".join(
        [
            r"\bno\s+(?:evidence|proof|sign|signs|indication)(?:\s+(?:of|that))?\b",  # no proof of
            r"\bfail(?:ed|s)?\s+to\b",  # "failed to provide"
            r"\b(?:not|never|none|nobody|nothing|neither|nor|without|cannot|no)\b",
            r"\b\w+n['’]t\b",  # didn't, wasn't, can't
            r"\b(?:unfounded|baseless|groundless|untrue)\b",  # "the claims are baseless"
            r"\b(?:is|are|was|were|be|been|as|proved|proven)\s+(?:entirely\s+|completely\s+|"
            r"totally\s+)?false\b",  # "the claims were false"
            r"(?<!\w)(?:не|нет|ни|никаких|никакого|никакой|никакие|без|никто|ничего|никогда)(?!\w)",
        ]
    ),
    _I,
)
# Not a negation of what follows: "not only ... but also", "no doubt", "No. 5", "не только".
_NOT_NEGATION = re.compile(
    r"\b(?:not\s+only|not\s+just|not\s+least|no\s+doubt|no\.(?=\s*[0-9]))|(?<!\w)не\s+только(?!\w)",
    _I,
)


def negation(sentence: str) -> list[Span]:
    """Spans of negation cues; "not only", "no doubt" and "No. 5" are not negations."""
    excluded = _spans(_NOT_NEGATION, sentence)
    return [
        span
        for span in _spans(_NEGATION, sentence)
        if not any(a <= span[0] < b for a, b in excluded)
    ]


def contrastive(sentence: str) -> list[Span]:
    """ "not only ... but also", "не только": a negation word that adds rather than denies."""
    found = _spans(_NOT_NEGATION, sentence)
    return [(a, b) for a, b in found if sentence[a:b].lower().startswith(("not", "не"))]


# ---- denial -------------------------------------------------------------------------------

_CLAIM_NOUN = (
    r"(?:claims?|reports?|allegations?|accusations?|suggestions?|assertions?|accounts?|"
    r"figures?|statements?|rumou?rs|speculation|charges?|version|information|story|stories)"
)
_FALSE_WORD = (
    r"(?:false|baseless|fake|groundless|untrue|lies|a\s+lie|nonsense|fabricat\w*|absurd|"
    r"unfounded|disinformation|propaganda|provocation)"
)
_DENIAL = re.compile(
    "|".join(
        [
            r"(?<!\bwas )(?<!\bwere )(?<!\bbeen )(?<!\bbeing )(?<!\bis )(?<!\bare )(?<!\bbe )"
            r"\b(?:denied|denies|deny|denying)\b(?!\s+(?:access|entry|bail|permission|visas?|"
            r"the\s+right|a\s+visa|medical|food|water|him|her|them)\b)",  # a speaker denies
            r"\b(?:reject|rejects|rejected|rejecting|dismiss|dismisses|dismissed|dismissing|"
            rf"disput(?:e|es|ed|ing))\s+(?:\w+\s+){{0,3}}?{_CLAIM_NOUN}\b",  # rejected the claims
            r"\bdisput(?:e|es|ed|ing)\s+that\b",
            rf"\bdismiss(?:ed|es|ing)?\b[^.;]{{0,60}}?\bas\s+(?:\w+\s+)?{_FALSE_WORD}",
            r"\brefut(?:e|es|ed|ing)\b",
            r"\b(?:call(?:ed|s|ing)?|described|describes|label(?:l)?ed|branded|termed)\s+"
            rf"(?:\w+\s+){{0,6}}?{_FALSE_WORD}\b",  # called the reports false
            r"\bthere\s+(?:is|was)\s+no\s+truth\b|\bno\s+truth\s+(?:in|to)\b",
            r"(?<!\w)(?:опроверг\w*|отрица\w*|отверг\w*)",
            r"(?<!\w)назвал\w*\s+(?:\w+\s+){0,4}?(?:ложь\w*|ложн\w*|фейк\w*|клевет\w*|"
            r"провокаци\w*|необоснованн\w*|беспочвенн\w*)",
            r"(?<!\w)не\s+соответству\w*\s+действительности",
        ]
    ),
    _I,
)


def denial(sentence: str) -> list[Span]:
    """A speaker denying or rejecting something ("denied", "rejected the claims", "опроверг").

    "was denied access" is no denial: a passive "denied" is skipped.
    """
    return _spans(_DENIAL, sentence)


# ---- hedging ------------------------------------------------------------------------------

_HEDGE = re.compile(
    "|".join(
        [
            r"\b(?:allegedly|alleged|reportedly|purportedly|supposedly|apparently|unconfirmed|"
            r"unverified|claimed|claiming|rumou?red|rumou?rs?)\b",
            r"\b(?:is|are|was|were)\s+said\s+to\b",  # "is said to have"
            r"\b(?:may|might|could)\s+have\b",  # "may have been killed"
            r"\b(?:could\s+not|cannot|can't)\s+be\s+(?:independently\s+)?(?:verified|confirmed)",
            r"(?<!\w)(?:якобы|предположительно|по\s+слухам|возможно|вероятно)(?!\w)",
            r"(?<!\w)по\s+неподтвержд[её]нным\s+(?:данным|сведениям)",
        ]
    ),
    _I,
)


def hedge(sentence: str) -> list[Span]:
    """Cues that the sentence reports something unconfirmed ("reportedly", "якобы")."""
    return _spans(_HEDGE, sentence)


# ---- doubt about evidence -----------------------------------------------------------------

_EVIDENCE = r"(?:evidence|proof)"
_DOUBT = re.compile(
    "|".join(
        [
            rf"\bno\s+(?:hard\s+|concrete\s+|credible\s+|clear\s+|real\s+)?{_EVIDENCE}\b",
            r"\bwithout\s+(?:providing\s+|offering\s+|giving\s+|presenting\s+|citing\s+|"
            rf"producing\s+|showing\s+)?(?:any\s+)?{_EVIDENCE}\b",  # without providing evidence
            r"\b(?:has|have|had|did|does|do)(?:\s+not|n['’]t)\s+(?:yet\s+)?(?:provided?|offer(?:ed)?|"
            r"present(?:ed)?|given|give|produced?|shown|show|published|publish)\s+(?:any\s+)?"
            rf"{_EVIDENCE}\b",  # has not provided evidence
            r"\b(?:provided|offered|presented|gave|given|produced|showed|shown|cited)\s+no\s+"
            rf"{_EVIDENCE}\b",  # offered no proof
            r"\bunsubstantiated\b",
            r"\bfail(?:ed|s)?\s+to\s+(?:provide|offer|present|produce|show|give)\b",
            r"(?<!\w)бездоказательн\w*",
            r"(?<!\w)без\s+(?:каких-либо\s+|всяких\s+)?доказательств",
            r"(?<!\w)не\s+(?:предоставил|представил|привел|привёл|предъявил)\w*\s+"
            r"(?:никаких\s+|каких-либо\s+)?доказательств",
            r"(?<!\w)нет\s+(?:никаких\s+)?доказательств",
        ]
    ),
    _I,
)


def doubt(sentence: str) -> list[Span]:
    """Phrases that dispute the evidence for a claim ("offered no proof", "без доказательств")."""
    return _spans(_DOUBT, sentence)


# ---- attribution --------------------------------------------------------------------------


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
_CLAUSE_START = re.compile(r"[^,;:\"“”«»()\[\]—–!?]*$")
_CYRILLIC = re.compile(r"[а-яё]", _I)
_CLAUSE_END = re.compile(r"[^,;:\"“”«»()\[\]—–!?0-9]*")
_WORD = re.compile(r"[^\W\d_][\w'’.-]*")
_SOURCE_STOP = frozenset(
    _words(
        "that which who whom there as when while after since because if than to by on at in into "
        "during with from was were is are has have had will would be been said says told more "
        "about some nearly almost over this these those its it also later earlier that и что "
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


def attribution(sentence: str) -> Attribution | None:
    """The speaker a sentence names ("according to X", "X said", '"...," said X', "по словам X").

    Pronouns ("he said") give None: the source is somewhere else in the article.
    """
    return _cached_attribution(sentence)


@lru_cache(maxsize=4096)
def _cached_attribution(sentence: str) -> Attribution | None:
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
    clause = _CLAUSE_START.search(sentence, max(0, pos - 120), pos)
    start = clause.start() if clause else pos
    words = list(_WORD.finditer(sentence, start, pos))
    while words and words[-1].group().lower() in _ADVERBS:
        words.pop()
    if words and words[-1].group().lower() in _PASSIVE | _FUNCTION:
        return None  # "it was reported", "the number of confirmed cases"
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
    if len(words) == 1 and words[0].group().lower() in _PRONOUNS | _FUNCTION:
        return None
    start, end = words[0].start(), words[-1].end()
    source = sentence[start:end].rstrip(".")
    return Attribution(source, start, start + len(source), " ".join(cue.lower().split()))
