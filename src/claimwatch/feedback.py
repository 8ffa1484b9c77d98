"""Judged alerts -> lessons -> which new alerts repeat a false alarm an analyst dismissed.

A dismissal is a labelled negative example. From each dismissed alert three patterns are
read, always within its baseline, claim and kind; a new alert that repeats one is suppressed,
with the lesson that suppressed it (``Suppression.reason``) for the log and the page:

- ``sentence``: the same evidence sentence, normalised (case, quotes, dashes, spacing, numbers
  by value), or a near copy of it with the same figures: an outlet's re-run or a syndicated
  copy;
- ``figure``: the same fact carrying a figure, time or date ("value:7", "killed:6"); one
  dismissed figure never silences another figure for the claim;
- ``phrase``: the same decisive phrase (the highlighted span), normalised: case, stems, and
  numbers as a figure class ("at least #"). A phrase generalises beyond one text, so it is
  learnt only once dismissed in two articles (with a figure class, of two different
  figures), and never when it is nothing but the figure.

Conservative by construction: a pattern that any confirmed alert also shows is not learnt
(``Feedback.blocked``), "seen" verdicts teach nothing, and only an alert's latest verdict
counts. Pure: alerts and verdicts in, decisions out; the store and the pipeline do the rest.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from functools import lru_cache
from typing import Literal

from claimwatch.alerts import Alert, article_key
from claimwatch.draft.keywords import stem
from claimwatch.matching.numerals import find_numerals
from claimwatch.verdicts import Verdict

Rule = Literal["sentence", "figure", "phrase"]
RULES: tuple[Rule, ...] = ("sentence", "figure", "phrase")  # the most specific first
PatternKey = tuple[str, str, str, Rule, str]  # (baseline_id, claim_id, kind, rule, pattern)

FIGURE = "#"  # a number, in digits or words, in a normalised phrase
NEAR_COPY = 0.9  # word-sequence similarity of a re-run's sentence to the dismissed one
NEAR_COPY_MIN_WORDS = 8  # shorter sentences must match exactly
PHRASE_SUPPORT = 2  # dismissed articles before a phrase is learnt (one may be a fluke)
CLAIM_KINDS = frozenset(("contradiction", "follow_up"))

_PUNCTUATION = str.maketrans(
    {"‘": "'", "’": "'", "‚": "'", "“": '"', "”": '"', "„": '"', "«": '"', "»": '"'}
    | dict.fromkeys("‐‑‒–—―−", "-")
)
_WORD = re.compile(r"[^\W_]+(?:['-][^\W_]+)*")
_DIGIT = re.compile(r"\d")


@dataclass(frozen=True, slots=True)
class Lesson:
    """One pattern learnt from dismissals; ``dismissed`` holds the alerts that taught it."""

    rule: Rule
    key: PatternKey
    dismissed: tuple[Alert, ...]

    @property
    def pattern(self) -> str:
        """The pattern as compared: the normalised sentence, the fact or the phrase."""
        return self.key[4]

    @property
    def shown(self) -> str:
        """The pattern as a reader wants it: a sentence as the dismissed alert quoted it."""
        return self.dismissed[0].evidence if self.rule == "sentence" else self.pattern


@dataclass(frozen=True, slots=True)
class Suppression:
    """A new alert held back, and the lesson (the dismissed alert) it repeats."""

    alert: Alert
    lesson: Lesson

    @property
    def dismissed_id(self) -> str:
        return self.lesson.dismissed[0].alert_id

    @property
    def reason(self) -> str:
        """One sentence for the log and the page."""
        first = self.lesson.dismissed[0]
        where = f" ({first.article_url})" if first.article_url else ""
        more = len(self.lesson.dismissed) - 1
        also = f" and {more} more" if more else ""
        what = {
            "sentence": "the sentence",
            "figure": "the figure",
            "phrase": "the phrase",
        }[self.lesson.rule]
        return (
            f"{self.alert.claim_id} ({self.alert.kind}): repeats {what} "
            f"{_quoted(self.lesson.shown)} of dismissed alert {first.alert_id}{where}{also}"
        )

    def to_json(self) -> dict[str, str | None]:
        """Flat fields for a structured log line."""
        return {
            "alert_id": self.alert.alert_id,
            "claim_id": self.alert.claim_id,
            "rule": self.lesson.rule,
            "pattern": self.lesson.pattern,
            "dismissed_id": self.dismissed_id,
            "reason": self.reason,
        }


@dataclass(frozen=True, slots=True)
class Feedback:
    """What the judged alerts teach: the lessons, and the patterns confirmations blocked."""

    lessons: Mapping[PatternKey, Lesson] = field(default_factory=dict)
    blocked: frozenset[PatternKey] = frozenset()
    # near copies are compared word by word: the sentence lessons per (baseline, claim, kind),
    # each with its words (split once here, not at every alert checked)
    sentences: Mapping[tuple[str, str, str], tuple[tuple[Lesson, tuple[str, ...]], ...]] = field(
        init=False
    )

    def __post_init__(self) -> None:
        found: dict[tuple[str, str, str], list[tuple[Lesson, tuple[str, ...]]]] = defaultdict(list)
        for key, lesson in self.lessons.items():
            if key[3] == "sentence":
                found[key[:3]].append((lesson, tuple(lesson.pattern.split())))
        object.__setattr__(self, "sentences", {k: tuple(v) for k, v in found.items()})

    def check(self, alert: Alert) -> Suppression | None:
        """The suppression of ``alert`` by the most specific lesson it repeats, if any."""
        if alert.kind not in CLAIM_KINDS:
            return None
        near = self._near_copy(alert)
        if near is not None:
            return Suppression(alert, near)
        for key in pattern_keys(alert):
            lesson = self.lessons.get(key)
            if lesson is not None:
                return Suppression(alert, lesson)
        return None

    def screen(self, alerts: Iterable[Alert]) -> tuple[list[Alert], list[Suppression]]:
        """The alerts to keep, in order, and the suppressed ones with their reasons."""
        kept: list[Alert] = []
        held: list[Suppression] = []
        for alert in alerts:
            found = self.check(alert)
            if found is None:
                kept.append(alert)
            else:
                held.append(found)
        return kept, held

    def _near_copy(self, alert: Alert) -> Lesson | None:
        words = sentence_words(alert.evidence)
        for lesson, lesson_words in self.sentences.get(alert.claim_key, ()):
            if same_sentence(words, lesson_words):
                return lesson
        return None


def learn(
    judged: Iterable[tuple[Alert, Verdict]], *, phrase_support: int = PHRASE_SUPPORT
) -> Feedback:
    """The lessons of the dismissed alerts that no confirmed alert contradicts;
    ``phrase_support``: the articles a phrase must be dismissed in before it is learnt."""
    dismissed, confirmed = judged_alerts(judged)
    taught: dict[PatternKey, list[Alert]] = defaultdict(list)
    for alert in dismissed:
        for key in pattern_keys(alert):
            taught[key].append(alert)
    shown = {key for alert in confirmed for key in pattern_keys(alert)}
    confirmed_sentences: dict[tuple[str, str, str], list[tuple[str, ...]]] = defaultdict(list)
    for alert in confirmed:
        confirmed_sentences[alert.claim_key].append(sentence_words(alert.evidence))
    blocked = {key for key in taught if key in shown or _near_confirmed(key, confirmed_sentences)}
    lessons = {
        key: Lesson(key[3], key, tuple(alerts))
        for key, alerts in taught.items()
        if key not in blocked and _general_enough(key, alerts, phrase_support)
    }
    return Feedback(lessons, frozenset(blocked))


def pattern_keys(alert: Alert) -> list[PatternKey]:
    """The patterns an alert shows, most specific first (no figure key without a figure)."""
    scope = (alert.baseline_id, alert.claim_id, alert.kind)
    keys: list[PatternKey] = [(*scope, "sentence", " ".join(sentence_words(alert.evidence)))]
    if _DIGIT.search(alert.fact) or alert.value is not None:
        keys.append((*scope, "figure", alert.fact))
    phrase = phrase_key(alert)
    if phrase:
        keys.append((*scope, "phrase", phrase))
    return keys


def sentence_words(text: str) -> tuple[str, ...]:
    """A sentence's words as compared: case, quotes, dashes and spacing do not count, and a
    number is its value however written ("Sixteen" and "16" are one word, "20" another)."""
    for numeral in sorted(find_numerals(text), key=lambda n: -n.start):
        text = f"{text[: numeral.start]} {numeral.value:g} {text[numeral.end :]}"
    return _words(text)


def _words(text: str) -> tuple[str, ...]:
    folded = unicodedata.normalize("NFKC", text).translate(_PUNCTUATION).casefold()
    return tuple(_WORD.findall(folded))


def same_sentence(words: tuple[str, ...], other: tuple[str, ...]) -> bool:
    """The same sentence, or a near copy of a long one (a dateline or a word changed) with
    exactly the same numbers: a re-run with a new figure is news, not a copy."""
    if words == other:
        return True
    shortest, longest = sorted((len(words), len(other)))
    if shortest < NEAR_COPY_MIN_WORDS or 2 * shortest < NEAR_COPY * (shortest + longest):
        return False
    figures, vocabulary = _shape(words)
    other_figures, other_vocabulary = _shape(other)
    if figures != other_figures:
        return False
    shared = (vocabulary & other_vocabulary).total()  # a bound on the words kept in order
    if 2 * shared < NEAR_COPY * (len(words) + len(other)):
        return False
    return SequenceMatcher(None, words, other, autojunk=False).ratio() >= NEAR_COPY


@lru_cache(maxsize=8192)
def _shape(words: tuple[str, ...]) -> tuple[tuple[str, ...], Counter[str]]:
    """A sentence's numbers in order and its words counted: cheap tests before the diff
    (the counter is only read)."""
    return tuple(w for w in words if _DIGIT.search(w)), Counter(words)


def phrase_key(alert: Alert) -> str:
    """The decisive phrase normalised: lower case, stems, numbers as ``#`` ("" if none)."""
    if alert.highlight is None:
        return ""
    start, end = alert.highlight
    phrase = alert.evidence[start:end]
    for numeral in sorted(find_numerals(phrase), key=lambda n: -n.start):
        phrase = f"{phrase[: numeral.start]} {FIGURE} {phrase[numeral.end :]}"
    tokens: list[str] = []
    for word in _words(phrase.replace(FIGURE, " 0 ")):
        token = FIGURE if _DIGIT.search(word) else stem(word).rstrip("*")
        if token and not (token == FIGURE and tokens[-1:] == [FIGURE]):
            tokens.append(token)
    return " ".join(tokens)


def judged_alerts(judged: Iterable[tuple[Alert, Verdict]]) -> tuple[list[Alert], list[Alert]]:
    """The dismissed and the confirmed claim alerts, by each alert's latest verdict."""
    latest: dict[str, tuple[Alert, Verdict]] = {}
    for alert, verdict in judged:
        if alert.kind not in CLAIM_KINDS or verdict.alert_id != alert.alert_id:
            continue
        kept = latest.get(alert.alert_id)
        if kept is None or verdict.at >= kept[1].at:
            latest[alert.alert_id] = (alert, verdict)
    dismissed = [a for a, v in latest.values() if v.verdict == "dismissed"]
    confirmed = [a for a, v in latest.values() if v.verdict == "confirmed"]
    return dismissed, confirmed


def _near_confirmed(
    key: PatternKey, confirmed: Mapping[tuple[str, str, str], list[tuple[str, ...]]]
) -> bool:
    """A dismissed sentence that a confirmed alert of the claim shows in a near copy."""
    if key[3] != "sentence":
        return False
    words = tuple(key[4].split())
    return any(same_sentence(other, words) for other in confirmed.get(key[:3], ()))


def _general_enough(key: PatternKey, alerts: Sequence[Alert], support: int) -> bool:
    """A phrase is learnt from dismissals in several articles (of different figures, when it
    has a figure class); a phrase that is nothing but the figure never is: it would be the
    claim itself."""
    if key[3] != "phrase":
        return True
    words = set(key[4].split())
    if not words - {FIGURE}:
        return False
    articles = {article_key(a.feed, a.entry_id, a.article_url) for a in alerts}
    figures = {a.fact for a in alerts} if FIGURE in words else articles
    return min(len(articles), len(figures)) >= support


def _quoted(text: str, limit: int = 80) -> str:
    return f'"{text if len(text) <= limit else text[: limit - 1] + "…"}"'
