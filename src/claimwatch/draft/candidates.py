"""Sentences of an article -> check-worthy candidates with the signals that make them so.

A statement is worth checking when later coverage can confirm, update or refute it: it gives a
figure or a date, promises something ("will leave", "will be presented"), describes a state
("temporary", "introduced"), denies something, or says what an actor did. Each signal adds to
the score; speech tags, headlines and scene-setting without any signal are left out.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass

from claimwatch.draft.keywords import REPORTING, STOPWORDS, names, tokens
from claimwatch.matching.cues import negation
from claimwatch.matching.dates import DateMention, find_dates, is_dateline
from claimwatch.matching.figures import Figure, find_figures
from claimwatch.matching.sentences import Sentence, split_sentences

MIN_WORDS = 6
MIN_SCORE = 2.0
WEIGHTS = {
    "figure": 3.0,
    "promise": 2.5,
    "date": 2.0,
    "state": 2.0,
    "denial": 2.0,
    "count": 2.0,
    "action": 1.5,
    "scope": 1.0,
}
NAME_WEIGHT, MAX_NAME_SCORE = 0.5, 1.5  # actions of named actors, at named places


def _set(text: str) -> frozenset[str]:
    return frozenset(text.split())


_PROMISE = re.compile(
    r"(?<!\w)(?:will|shall|won't|going to|plans? to|planned to|pledged to|promised to|vowed to|"
    r"intends? to|is to|are to|будет|будут|обещал\w*)\s+(?:not\s+|не\s+)?(?:be\s+|soon\s+)*"
    r"(?P<verb>[^\W\d_]+)",
    re.IGNORECASE,
)
_STATE = re.compile(
    r"(?<!\w)(?:temporar\w*|introduc\w*|impos\w*|declar\w*|remain\w*|restrict\w*|moratorium|"
    r"suspen\w*|closed|closure|blocked|blockage|continu\w*|state of emergency|curfew|banned|"
    r"in force|in effect|aground|stuck|shut\w*|halted|временн\w*|введен\w*|введён\w*|"
    r"объявлен\w*|режим\w*|ограничен\w*|продолжа\w*)(?!\w)",
    re.IGNORECASE,
)
# "only", "limited to": a claim that rules something out, so coverage can refute it.
_SCOPE = re.compile(
    r"(?<!\w)(?:only|solely|exclusively|limited|restricted to|nothing but|только|"
    r"исключительно)(?!\w)",
    re.IGNORECASE,
)
_COUNT = re.compile(
    r"(?<!\w)(?:casualt\w*|killed|dead|deaths?|died|injur\w*|wounded|victims?|detain\w*|"
    r"arrest\w*|missing|evacuat\w*|displaced|damage[sd]?|losses|погиб\w*|ранен\w*|"
    r"задержан\w*|жертв\w*)(?!\w)",
    re.IGNORECASE,
)
# Past forms without "-ed" that news uses for what actors did.
_IRREGULAR = _set(
    "began begun took taken made left held fled fell rose risen gave given went gone came "
    "sent kept broke broken spent paid built led met set cut hit put ran stood brought fought "
    "caught struck stole sold lost won shot bought drew drawn grew grown sank sunk wrote "
    "includes include involves remains means requires ensures supports protects"
)
# Verbs that carry no claim of their own ("showed that ...", "had to appeal").
_WEAK = _set(
    "showed shows appeared seemed become became had has have noted used based caused "
    "undertaken subjected developed"
)
_ADJECTIVE_SLOT = _set(
    "a an the by of with for from in on at and or to their its his her our this these those "
    "massive many some all"
)
_AUXILIARY = _set("was were been is are being be has have had")


@dataclass(frozen=True, slots=True)
class Candidate:
    """One check-worthy sentence: ``index`` counts the article's sentences from 1."""

    sentence: Sentence
    index: int
    figures: tuple[Figure, ...]
    dates: tuple[DateMention, ...]
    promise: str | None  # the promised verb ("leave", "presented")
    state: str | None  # the state word ("temporarily", "introduced")
    denial: bool
    count: str | None  # a countable matter named without a figure ("casualties")
    actions: tuple[str, ...]  # what actors did ("seized", "released")
    scope: bool  # the statement limits itself ("only", "limited to")
    score: float

    @property
    def text(self) -> str:
        return self.sentence.text

    @property
    def kinds(self) -> tuple[str, ...]:
        found = {
            "figure": bool(self.figures),
            "date": bool(self.dates),
            "promise": self.promise is not None,
            "state": self.state is not None,
            "denial": self.denial,
            "count": self.count is not None,
            "action": bool(self.actions),
            "scope": self.scope,
        }
        return tuple(kind for kind, present in found.items() if present)


def find_candidates(text: str, year: int) -> list[Candidate]:
    """Every check-worthy sentence, the most check-worthy first (ties: article order)."""
    found = []
    for index, sentence in enumerate(split_sentences(text), start=1):
        candidate = _candidate(sentence, index, year)
        if candidate is not None and candidate.score >= MIN_SCORE:
            found.append(candidate)
    return sorted(found, key=lambda c: (-c.score, c.index))


def _candidate(sentence: Sentence, index: int, year: int) -> Candidate | None:
    text = sentence.text
    if len(tokens(text)) < MIN_WORDS or text.rstrip("”\"'»").endswith("?"):
        return None
    dates = tuple(d for d in find_dates(text, year) if not is_dateline(text, d))
    figures = tuple(f for f in find_figures(text) if not _inside(f, dates) and not f.vague)
    promise = _PROMISE.search(text)
    state = _STATE.search(text)
    count = _COUNT.search(text)
    candidate = Candidate(
        sentence=sentence,
        index=index,
        figures=figures,
        dates=dates,
        promise=promise.group("verb") if promise and _is_verb(promise.group("verb")) else None,
        state=state.group() if state else None,
        denial=bool(negation(text)),
        count=count.group() if count and not figures else None,
        actions=actions(text),
        scope=bool(_SCOPE.search(text)),
        score=0.0,
    )
    score = sum(WEIGHTS[kind] for kind in candidate.kinds)
    if score:
        score += min(MAX_NAME_SCORE, NAME_WEIGHT * len(names(text)))
    return dataclasses.replace(candidate, score=score) if score else None


def _is_verb(word: str) -> bool:
    """ "will leave", not "political will and": the word after a modal is no function word."""
    return word.lower() not in STOPWORDS


def _inside(figure: Figure, dates: tuple[DateMention, ...]) -> bool:
    return any(d.start <= figure.start < d.end for d in dates)


def actions(sentence: str) -> tuple[str, ...]:
    """Up to two verbs that say what happened; those after an auxiliary come first."""
    words = tokens(sentence)
    verbs: list[tuple[int, str]] = []
    for position, word in enumerate(words):
        low = word.lower
        if low in STOPWORDS - _AUXILIARY or low in REPORTING or low in _WEAK:
            continue
        if not (low in _IRREGULAR or (low.endswith("ed") and len(low) > 4)):
            continue
        if "-" in low or (position > 0 and words[position - 1].lower in _ADJECTIVE_SLOT):
            continue  # "the armed forces", "by well-coordinated groups": a modifier
        if position > 0 and word.text[0].isupper():
            continue  # part of a name ("the Ever Given")
        after_auxiliary = position > 0 and words[position - 1].lower in _AUXILIARY
        verbs.append((0 if after_auxiliary else 1, low))
    ordered = [verb for _, verb in sorted(verbs, key=lambda v: v[0])]
    return tuple(dict.fromkeys(ordered))[:2]


def article_date(text: str) -> dt.date | None:
    """The first full date in the article's first lines (its dateline), if any."""
    head = "\n".join(text.strip().splitlines()[:6])
    for mention in find_dates(head, 1900):
        if mention.date.year != 1900:
            return mention.date
    return None
