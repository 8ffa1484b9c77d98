"""Generic cues in one sentence (English and Russian): negation, denial, hedging, doubt about
evidence, and who is speaking. Each returns the matched spans so a reason can quote them.

The cues know no story: judges combine them with a baseline's terms. They favour precision:
a phrase only counts in the reading given in its comment.
"""

from __future__ import annotations

import re
from functools import lru_cache

from claimwatch.matching.aspect import Stage, aspect
from claimwatch.matching.attribution import MAX_SOURCE_WORDS, Attribution, attribution

__all__ = [
    "MAX_SOURCE_WORDS",
    "Attribution",
    "Stage",
    "aspect",
    "attribution",
    "contrastive",
    "denial",
    "doubt",
    "hedge",
    "negation",
    "opinion",
]


def _words(text: str, sep: str | None = None) -> tuple[str, ...]:
    """A word list written as one string (keeps the long vocabularies readable)."""
    return tuple(text.split(sep))


Span = tuple[int, int]
_I = re.IGNORECASE


_LETTERS = re.compile(r"[^\W\d_]+")


@lru_cache(maxsize=4096)
def _lower_words(sentence: str) -> frozenset[str]:
    return frozenset(_LETTERS.findall(sentence.lower()))


def _spans(
    pattern: re.Pattern[str],
    sentence: str,
    prefixes: tuple[str, ...] = (),
    words: frozenset[str] = frozenset(),
) -> list[Span]:
    """Every match of ``pattern``; skipped (fast) unless a trigger word or prefix occurs."""
    present = _lower_words(sentence)
    if present.isdisjoint(words) and not any(w.startswith(prefixes) for w in present):
        return []
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
            r"(?<!\w)(?:не|нет|ни|никак(?:ой|ая|ое|ие|ого|ому|ую|им|ими|их|ом)|без|никто|ничего|"
            r"никогда|нигде)(?!\w)",
        ]
    ),
    _I,
)
# Not a negation of what follows: "not only ... but also", "no doubt", "No. 5", "не только".
_NOT_NEGATION = re.compile(
    r"\b(?:not\s+only|not\s+just|not\s+least|no\s+doubt|no\.(?=\s*[0-9]))|(?<!\w)не\s+только(?!\w)",
    _I,
)


_NEGATION_TRIGGERS = frozenset(
    _words(
        "no not never none nobody nothing neither nor without cannot unfounded baseless "
        "groundless untrue false fail failed fails не нет ни никаких никакого никакой никакие "
        "никакая никакое никакому никакую никаким никакими никаком без никто ничего никогда нигде"
    )
)
_NOT_NEGATION_TRIGGERS = frozenset(_words("no not не"))


def negation(sentence: str) -> list[Span]:
    """Spans of negation cues; "not only", "no doubt" and "No. 5" are not negations."""
    contraction = "n't" in sentence or "n’t" in sentence
    prefixes = ("",) if contraction else ()  # "didn't": any word may carry it
    excluded = _spans(_NOT_NEGATION, sentence, words=_NOT_NEGATION_TRIGGERS)
    return [
        span
        for span in _spans(_NEGATION, sentence, prefixes, _NEGATION_TRIGGERS)
        if not any(a <= span[0] < b for a, b in excluded)
    ]


def contrastive(sentence: str) -> list[Span]:
    """ "not only ... but also", "не только": a negation word that adds rather than denies."""
    found = _spans(_NOT_NEGATION, sentence, words=_NOT_NEGATION_TRIGGERS)
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


_DENIAL_TRIGGERS = _words(
    "deni deny reject dismiss disput refut call describ label brand term truth опроверг отрица "
    "отверг назва соответств"
)


def denial(sentence: str) -> list[Span]:
    """A speaker denying or rejecting something ("denied", "rejected the claims", "опроверг").

    "was denied access" is no denial: a passive "denied" is skipped.
    """
    return _spans(_DENIAL, sentence, _DENIAL_TRIGGERS)


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


_HEDGE_WORDS = frozenset(
    _words(
        "allegedly alleged reportedly purportedly supposedly apparently unconfirmed unverified "
        "claimed claiming rumored rumoured rumor rumour rumors rumours may might could cannot can "
        "якобы предположительно возможно вероятно слухам"
    )
)
_HEDGE_PREFIXES = _words("неподтвержд")


def hedge(sentence: str) -> list[Span]:
    """Cues that the sentence reports something unconfirmed ("reportedly", "якобы")."""
    prefixes = ("",) if " said to" in sentence else _HEDGE_PREFIXES  # "is said to"
    return _spans(_HEDGE, sentence, prefixes, _HEDGE_WORDS)


# ---- a speaker's own impression ------------------------------------------------------------

_OPINION = re.compile(
    "|".join(
        [
            r"\b(?:I|we)\s+(?:(?:don['’]t|do\s+not|didn['’]t|can['’]t|just|still|really)\s+)?"
            r"(?:think|believe|feel|guess|reckon|suspect|worry|fear|doubt|wonder|trust)\b",
            r"\bto\s+me\b|\bin\s+my\s+(?:view|opinion)\b|\bif\s+you\s+ask\s+me\b",
            r"\b(?:I['’]m|I\s+am|we['’]re|we\s+are)\s+(?:not\s+sure|afraid|worried|scared|"
            r"convinced|nervous)\b",
            r"\b(?:it|that|this|the\s+\w+)\s+(?:doesn['’]t|does\s+not|don['’]t)\s+"
            r"(?:look|seem|feel|smell|taste)\b",
            r"(?<!\w)(?:мне\s+кажется|по-моему|я\s+(?:не\s+)?(?:думаю|верю|уверен\w*))(?!\w)",
        ]
    ),
    _I,
)
_OPINION_TRIGGERS = frozenset(_words("i we me my you it that this мне по-моему я"))


def opinion(sentence: str) -> list[Span]:
    """A speaker's own impression ("it doesn't look safe to me", "I think they lied"): no
    finding, so it contradicts no claim."""
    return _spans(_OPINION, sentence, words=_OPINION_TRIGGERS)


# ---- doubt about evidence -----------------------------------------------------------------

_EVIDENCE = r"(?:evidence|proof)"
_DOUBT = re.compile(
    "|".join(
        [
            rf"\bno\s+(?:hard\s+|concrete\s+|credible\s+|clear\s+|real\s+)?{_EVIDENCE}\b",
            r"\bwithout\s+(?:providing\s+|offering\s+|giving\s+|presenting\s+|citing\s+|"
            rf"producing\s+|showing\s+)?(?:any\s+)?{_EVIDENCE}\b",  # without providing evidence
            r"\b(?:has|have|had|did|does|do)(?:\s+(?:still|yet|so\s+far))?(?:\s+not|n['’]t)\s+"
            r"(?:yet\s+)?(?:provided?|offer(?:ed)?|"
            r"present(?:ed)?|given|give|produced?|shown|show|published|publish)\s+(?:any\s+)?"
            rf"{_EVIDENCE}\b",  # has not provided evidence
            r"\b(?:provided|offered|presented|gave|given|produced|showed|shown|cited)\s+no\s+"
            rf"{_EVIDENCE}\b",  # offered no proof
            r"\b(?:neither|nobody|no\s+one|none)\s+(?:of\s+them\s+)?(?:has|have|had)\s+(?:yet\s+)?"
            r"(?:provided|offered|presented|given|produced|shown|published)\s+(?:any\s+)?"
            rf"{_EVIDENCE}\b",  # neither has provided evidence
            r"\bunsubstantiated\b",
            r"\bfail(?:ed|s)?\s+to\s+(?:provide|offer|present|produce|show|give)\b",
            # "undercut the official account that", "cast doubt on the government's version"
            r"\b(?:undercut(?:s|ting)?|undermin(?:e|es|ed|ing)|contradict(?:s|ed|ing)?|"
            r"cast(?:s|ing)?\s+doubt\s+on|call(?:s|ed|ing)?\s+into\s+question)\s+(?:the\s+)?"
            r"(?:official|government['’]?s?|authorities['’]?|police|state)\s+"
            r"(?:account|version|narrative|explanation|story)\b",
            r"(?<!\w)бездоказательн\w*",
            r"(?<!\w)без\s+(?:каких-либо\s+|всяких\s+)?доказательств",
            r"(?<!\w)не\s+(?:предоставил|представил|привел|привёл|предъявил)\w*\s+"
            r"(?:никаких\s+|каких-либо\s+)?доказательств",
            r"(?<!\w)нет\s+(?:никаких\s+)?доказательств",
        ]
    ),
    _I,
)


_DOUBT_TRIGGERS = _words(
    "evidence proof unsubstant fail undercut undermin contradict doubt question доказат бездоказат"
)


def doubt(sentence: str) -> list[Span]:
    """Phrases that dispute the evidence for a claim ("offered no proof", "без доказательств")."""
    return _spans(_DOUBT, sentence, _DOUBT_TRIGGERS)
