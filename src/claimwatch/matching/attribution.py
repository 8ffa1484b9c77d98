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
MAX_APPOSITIVE_WORDS = 12
_SPEECH = (
    r"said|says|told|stated|announced|reported|claimed|confirmed|added|noted|wrote|tweeted|"
    r"insisted|alleged|estimated|warned|acknowledged|asserted|explained|stressed|emphasi[sz]ed|"
    r"argued|denied|сообщил[аио]?|заявил[аио]?|сказал[аи]?|отметил[аи]?|подчеркнул[аи]?|"
    r"рассказал[аи]?|объявил[аи]?|сообщает|заявляет|передает|передаёт"
)
_ACCORDING = re.compile(
    r"(?<!\w)(?P<cue>according\s+to|as\s+reported\s+by|по\s+(?:данным|словам|информации|"
    r"сообщению|оценкам|мнению))\s+",
    _I,
)
_SPEECH_RE = re.compile(rf"(?<!\w)(?P<cue>{_SPEECH})(?!\w)", _I)
# Clause breaks: punctuation, a spaced hyphen ("ALMATY, Jan 9 - Police said").
_CLAUSE_BREAK = re.compile(r"[,;:\"“”«»()\[\]—–!?]|\s-\s")
_CYRILLIC = re.compile(r"[а-яё]", _I)
_CLAUSE_END = re.compile(r"[^,;:\"“”«»()\[\]—–!?0-9]*")
_WORD = re.compile(r"[^\W\d_][\w'’.-]*")
_QUOTE_BEFORE = re.compile(r"[\"”»'’]\s*$")  # '"...," said X': the speaker follows
_SOURCE_STOP = frozenset(
    _words(
        "that which who whom there as when while after since because if than to by on into "
        "during was were is are has have had will would be been said says told more about some "
        "but "
        "nearly almost over this these those its it also later earlier и что как в на о об во "
        "время после когда который которые это также monday tuesday wednesday thursday friday "
        "saturday sunday today yesterday tonight morning afternoon evening night week weekend "
        "month year day january february march april may june july august september october "
        "november december jan feb mar apr jun jul aug sep sept oct nov dec"
    )
)
_PLACE_PREPOSITIONS = frozenset(_words("in at from"))  # "a protester in Almaty"
_QUANTIFIERS = frozenset(_words("several many some most few both all two three four five"))
_ADVERBS = frozenset(
    _words(
        "also later earlier previously further separately again then now recently reportedly "
        "officially publicly repeatedly already still just has have had также ранее позже"
    )
)
_PASSIVE = frozenset(_words("was were is are be been being"))
_PRONOUNS = frozenset(
    _words("he she they it we i you this that them him her us он она они оно мы я это")
)
_FUNCTION = frozenset(_words("the a an of for and 's его ее её их"))
_LEADING = frozenset(
    _words(
        "and but or of for yet so no although though while whereas because since if when as "
        "after before despite however и но а хотя пока если когда"
    )
)
_NOT_A_SUBJECT_END = _PASSIVE | _FUNCTION  # "it was reported", "the number of confirmed cases"
_NOT_A_SOURCE = _PRONOUNS | _FUNCTION
_INSIDE_PHRASE = _FUNCTION | _PLACE_PREPOSITIONS | {"with"}  # "the head of the ...", "in the"
_ATTRIBUTION_WORDS = frozenset(  # the English words of _SPEECH and _ACCORDING
    _words(
        "said says told stated announced reported claimed confirmed added noted wrote tweeted "
        "insisted alleged estimated warned acknowledged asserted explained stressed emphasized "
        "emphasised argued denied according"
    )
)
_ATTRIBUTION_PREFIXES = _words("сообщ заяв сказал отметил подчеркнул рассказал объявил переда по")


def attribution(sentence: str) -> Attribution | None:
    """The speaker a sentence names ("according to X", "X said", '"...," said X', "по словам X").

    Pronouns ("he said") give None: the source is somewhere else in the article.
    """
    return _cached_attribution(sentence)


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
    """The subject of a speech verb: before it, or after it in '"...," said X' / "заявил X"."""
    cue = m.group("cue")
    if _WORD_AFTER_BY.match(sentence, m.end()):
        return None  # "the mobilisation announced by the president": a participle
    if _CYRILLIC.match(cue):
        if _looks_like_subject(sentence, m.end()):
            return _source_after(sentence, m.end(), cue)
        return _source_before(sentence, m.start(), cue)
    before = sentence[max(0, m.start() - 120) : m.start()]
    inverted = _QUOTE_BEFORE.search(before) is not None or not before.strip()
    if inverted and cue.lower() != "told":
        found = _source_after(sentence, m.end(), cue)
        if found:
            return found
    return _source_before(sentence, m.start(), cue)


_WORD_AFTER_BY = re.compile(r"\s+by\b", _I)


def _looks_like_subject(sentence: str, pos: int) -> bool:
    nxt = _WORD.search(sentence, pos, pos + 40)
    return nxt is not None and nxt.group().lower() not in _SOURCE_STOP


def _source_after(sentence: str, pos: int, cue: str) -> Attribution | None:
    """A source phrase starting at ``pos``: up to punctuation, a digit or a stop word."""
    clause = _CLAUSE_END.match(sentence, pos)
    words = list(_WORD.finditer(sentence, pos, clause.end() if clause else pos))
    kept: list[re.Match[str]] = []
    for i, word in enumerate(words[:MAX_SOURCE_WORDS]):
        following = words[i + 1].group() if i + 1 < len(words) else ""
        if _ends_phrase(word.group(), following):
            break  # "officials in Bishkek" goes on; "the ministry in a statement" stops
        kept.append(word)
    return _make(sentence, kept, cue)


def _source_before(sentence: str, pos: int, cue: str) -> Attribution | None:
    """The subject just before ``pos``, back to punctuation or a stop word."""
    words = _clause_before(sentence, pos)
    while words and _is_adverb(words[-1].group()):
        words.pop()
    last = [w.group().lower() for w in words[-3:]]
    if last and (last[-1] in _NOT_A_SUBJECT_END | _PRONOUNS or _PASSIVE.intersection(last)):
        return None  # "it was reported", "charges he denied", "a video widely shared"
    kept: list[re.Match[str]] = []
    for i in range(len(words) - 1, -1, -1):
        if len(kept) == MAX_SOURCE_WORDS or _stops_subject(words, i, kept):
            break
        kept.insert(0, words[i])
    return _make(sentence, _from_determiner(kept), cue)


def _clause_before(sentence: str, pos: int) -> list[re.Match[str]]:
    """The words of the clause ending at ``pos``; past an appositive ("X, a spokesman, said")."""
    breaks = [m for m in _CLAUSE_BREAK.finditer(sentence, max(0, pos - 200), pos)]
    start = breaks[-1].end() if breaks else max(0, pos - 200)
    words = list(_WORD.finditer(sentence, start, pos))
    if words or not breaks or breaks[-1].group() != ",":
        return words
    if len(breaks) >= 2 and breaks[-2].group() == ",":
        appositive = _WORD.findall(sentence, breaks[-2].end(), breaks[-1].start())
        if len(appositive) <= MAX_APPOSITIVE_WORDS:
            head_start = breaks[-3].end() if len(breaks) >= 3 else max(0, pos - 200)
            return list(_WORD.finditer(sentence, head_start, breaks[-2].start()))
    return []


def _is_adverb(word: str) -> bool:
    lower = word.lower()
    return lower in _ADVERBS or (word.islower() and lower.endswith("ly") and len(lower) > 4)


def _stops_subject(words: list[re.Match[str]], i: int, kept: list[re.Match[str]]) -> bool:
    """Does ``words[i]`` end the subject (reading backwards)? "doctors in the capital" goes on."""
    lower = words[i].group().lower()
    if lower in _PLACE_PREPOSITIONS or lower == "with":
        return i == 0 or words[i - 1].group().lower() in _SOURCE_STOP  # needs a head noun
    return lower in _SOURCE_STOP


def _ends_phrase(word: str, following: str) -> bool:
    """Reading forwards: a stop word, or "in/at/from" not followed by a place ("in a statement")."""
    lower = word.lower()
    if lower in _PLACE_PREPOSITIONS:
        return not (following[:1].isupper() or following.lower() == "the")
    return lower in _SOURCE_STOP


def _from_determiner(words: list[re.Match[str]]) -> list[re.Match[str]]:
    """ "a statement the ministry" -> "the ministry"; "the head of the ministry" stays whole."""
    for i in range(len(words) - 1, 0, -1):
        lower, previous = words[i].group().lower(), words[i - 1].group().lower()
        if (lower == "the" or lower in _QUANTIFIERS) and previous not in _INSIDE_PHRASE:
            return words[i:]  # "a point several companies stressed" -> "several companies"
    return words


def _make(sentence: str, words: list[re.Match[str]], cue: str) -> Attribution | None:
    if words and words[0].group().lower() in ("no", "nobody", "none"):
        return None  # "no group has claimed": nobody speaks
    while words and words[0].group().lower() in _LEADING:
        words = words[1:]
    while words and words[-1].group().lower() in _FUNCTION:
        words = words[:-1]
    if not words or (len(words) == 1 and words[0].group().lower() in _NOT_A_SOURCE):
        return None
    start, end = words[0].start(), words[-1].end()
    source = sentence[start:end].rstrip(".")
    return Attribution(source, start, start + len(source), " ".join(cue.lower().split()))
