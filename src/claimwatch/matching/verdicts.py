"""What every judge shares: the Verdict it returns, the Context it may know beyond the
sentence, and the generic readings of a sentence (negation near a word, hedging, scores)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from claimwatch.claims import Claim, Expectation
from claimwatch.matching import cues, reasons
from claimwatch.matching.trace import ClaimTrace

# A restatement never becomes a finding: it lets the body overrule its headline.
Kind = Literal["contradiction", "follow_up", "restatement"]

_TOKEN = re.compile(r"\w+")
_CLAUSE_STOP = re.compile(r"[;:]|,\s+(?:but|yet|although|though|while|whereas)\b|\bbut\b", re.I)
CLAUSE_TOKENS = 15  # how far back a negation reaches inside one clause


@dataclass(frozen=True, slots=True)
class Verdict:
    kind: Kind
    fact: str
    reason: str
    score: float
    highlight: tuple[int, int]
    value: float | None = None
    value_text: str | None = None
    rule: str = ""  # which rule of its judge decided (``explain.RULES``)


@dataclass(frozen=True, slots=True)
class Context:
    """What a judge may know beyond the sentence."""

    claim: Claim
    year: int  # for dates written without a year
    near_claim: bool = True  # the sentence or one beside it names the claim (``about``)
    previous: str = ""  # the sentence before, in the same paragraph
    names_claim: bool = True  # this very sentence names the claim
    close: bool = True  # this sentence or the one before names the claim
    trace: ClaimTrace | None = None  # ``scan --explain``: where judges record why not

    def note(
        self,
        code: str,
        detail: str,
        sentence: str,
        span: tuple[int, int] | None,
        expectation: Expectation,
    ) -> None:
        """Record a decision not to fire (call only when ``trace`` is set)."""
        if self.trace is not None:
            self.trace.note(code, detail, sentence, span, expectation)

    @property
    def min_groups(self) -> int:
        """Away from the claim's terms only specific cues count: patterns of two groups or more."""
        return 1 if self.near_claim else 2


def negated_before(sentence: str, span: tuple[int, int], max_gap_tokens: int = 1) -> bool:
    """A negation cue ends at most ``max_gap_tokens`` words before ``span``."""
    for _start, end in cues.negation(sentence):
        if end <= span[0] and len(_TOKEN.findall(sentence[end : span[0]])) <= max_gap_tokens:
            return True
    return False


def negated_near(sentence: str, span: tuple[int, int]) -> bool:
    return negated_before(sentence, span, max_gap_tokens=3)


def negated_in_clause(sentence: str, span: tuple[int, int]) -> bool:
    """A negation earlier in the same clause: "there is no indication that this was a
    deliberate act", "officials have not found anything suggesting an attack"."""
    for _start, end in cues.negation(sentence):
        if end > span[0]:
            continue
        between = sentence[end : span[0]]
        if len(_TOKEN.findall(between)) <= CLAUSE_TOKENS and not _CLAUSE_STOP.search(between):
            return True
    return False


# Denied after the thing: "изменений ... не будет", "changes are not planned".
_NEGATED_AFTER = re.compile(
    r"^(?:\W*\w+){0,7}?\W+(?:не будет|не было|не будут|нет|не произошло|не ожидается|"
    r"не планируется|will not (?:happen|be|come)|won't (?:happen|be|come)|"
    r"(?:is|are) not (?:planned|expected|foreseen))\b",
    re.I,
)


def negated_after(sentence: str, span: tuple[int, int]) -> bool:
    """The thing named, then denied within a few words in the same clause."""
    tail = sentence[span[1] : span[1] + 80]
    cut = _CLAUSE_STOP.search(tail)
    return _NEGATED_AFTER.match(tail[: cut.start()] if cut else tail) is not None


def hedged(sentence: str) -> bool:
    return bool(cues.hedge(sentence))


def score(base: float, sentence: str) -> float:
    return round(base * (0.8 if hedged(sentence) else 1.0), 3)


def phrase_verdict(
    kind: Kind, fact: str, sentence: str, span: tuple[int, int], text: str, base: float
) -> Verdict:
    """A verdict decided by a phrase of the sentence, quoted in its reason and highlighted."""
    quote = reasons.quoted(sentence, span)
    return Verdict(
        kind=kind,
        fact=f"{fact}:{reasons.fact_text(quote)}",
        reason=reasons.reason(sentence, text.replace("{quote}", quote)),
        score=score(base, sentence),
        highlight=span,
        rule=fact,
    )
