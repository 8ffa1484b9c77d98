"""Why the detector did or did not fire: one typed, frozen value per article.

``match(..., trace=Trace())`` records the detector's decisions where it takes them (a
baseline ruled out of scope, a claim whose words the article lacks, a figure within the
claim's tolerance, a contradiction read inside a denial...); ``Trace.explanation()`` turns
them into an ``Explanation``. It holds plain strings and numbers only, so that it can be
printed (``claimwatch scan --explain``), written as JSON (``to_dict``) or stored with an
alert later without reference to the baselines it came from.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

ScopeCode = Literal["before_since", "look_back", "required_missing"]

# What kept a claim silent, each with how close the claim came to firing (higher: closer).
# The main reason of a claim is its closest note; the first in the article on a tie.
RANKS: dict[str, int] = {
    "about_missing": 0,  # the article never names the claim (``about``)
    "context_missing": 0,  # nor its ``context``
    "about_spread": 1,  # its terms are spread over the article, in no one sentence
    "earlier_year": 2,  # the sentences naming it are set in an earlier year
    "focus_elsewhere": 2,  # they speak of another claim of its frame
    "nothing_said": 3,  # sentences name it, and none reports anything the judges read
    "figure_not_counted": 4,  # a figure near it counts something else
    "scope_missing": 5,  # the expectation's own scope words are missing in the sentence
    "no_stage": 5,  # a change named with no stage reported (planned on a condition...)
    "negated": 5,  # the deciding words negated
    "absent": 5,  # a follow-up word negated ("no trial")
    "denied": 5,  # the deciding words stand in someone's denial
    "opinion": 5,  # a speaker's own impression
    "irrealis": 5,  # a request, a condition ("called for an inquiry")
    "question": 5,  # asked, not said
    "history": 5,  # an earlier count ("initially")
    "reported_time": 5,  # the time a report came in, not the event's
    "not_grounded": 6,  # about another story: another ship, country, year
    "restatement": 7,  # what the baseline already says
    "headline_overruled": 8,  # a headline's contradiction that its own body restates
}
LABELS: dict[str, str] = {
    "before_since": "published before since",
    "look_back": "a look back at earlier years",
    "required_missing": "out of scope",
    "about_missing": "not named",
    "context_missing": "context missing",
    "about_spread": "named in no single sentence",
    "earlier_year": "set in an earlier year",
    "focus_elsewhere": "another claim's sentences",
    "nothing_said": "nothing new",
    "figure_not_counted": "figure not the claim's",
    "scope_missing": "not whom it concerns",
    "no_stage": "no stage reported",
    "negated": "negated",
    "absent": "negated follow-up",
    "denied": "in a denial",
    "opinion": "an impression",
    "irrealis": "a request or condition",
    "question": "a question",
    "history": "an earlier count",
    "reported_time": "the time of a report",
    "not_grounded": "another story",
    "restatement": "restatement",
    "headline_overruled": "headline overruled",
}


@dataclass(frozen=True, slots=True)
class Note:
    """One decision that kept a claim (or a baseline) silent."""

    code: str  # a key of RANKS, or a ScopeCode for a baseline
    detail: str  # one human sentence, in the article's and the baseline's words
    sentence: str | None = None  # the article's sentence it was taken on
    quote: str | None = None  # the deciding words of that sentence
    expectation: str | None = None  # which expectation of the claim, described

    @property
    def label(self) -> str:
        return LABELS.get(self.code, self.code)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Note:
        return cls(
            data["code"], data["detail"], data["sentence"], data["quote"], data["expectation"]
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "label": self.label,
            "detail": self.detail,
            "sentence": self.sentence,
            "quote": self.quote,
            "expectation": self.expectation,
        }


@dataclass(frozen=True, slots=True)
class Fired:
    """A finding, with the rule of the detector that made it."""

    kind: str  # "contradiction" or "follow_up"
    rule: str  # a key of RULES
    expectation: str
    sentence: str
    quote: str  # the deciding words
    figure: str | None  # the figure as written, where one decided
    reason: str  # the finding's reason
    score: float

    @property
    def rule_text(self) -> str:
        """The rule in words (RULES), or its key when it has none."""
        return RULES.get(self.rule, self.rule)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Fired:
        keys = ("kind", "rule", "expectation", "sentence", "quote", "figure", "reason", "score")
        return cls(*(data[k] for k in keys))

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "rule": self.rule,
            "rule_text": self.rule_text,
            "expectation": self.expectation,
            "sentence": self.sentence,
            "quote": self.quote,
            "figure": self.figure,
            "reason": self.reason,
            "score": self.score,
        }


RULES: dict[str, str] = {
    "figure": "a figure for what the claim counts, against the claim's",
    "measure": "a figure for a matter the claim gave none for",
    "contra": "words that contradict the claim",
    "negated": "the claim's own words negated or disputed",
    "doubt": "doubt cast on the evidence for the claim",
    "follow": "words that report new facts on the claim",
    "asserted": "the thing the claim rules out, asserted",
    "rebutted": "the thing the claim rules out, reported to be rejected",
    "date": "another date for the claim's event",
    "time": "a clock time for the claim's event",
    "stage": "a change of the claim's state, at a stage",
    "ended": "the claim's state reported ended",
}


@dataclass(frozen=True, slots=True)
class ClaimExplanation:
    claim_id: str
    fired: tuple[Fired, ...]
    reason: Note | None  # the main reason it did not fire (None when it fired)
    notes: tuple[Note, ...]  # every recorded decision, in article order (capped)
    more_notes: int  # decisions past the cap
    sentences_naming: int  # sentences that name the claim (``about``)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ClaimExplanation:
        reason = data["reason"]
        return cls(
            data["claim_id"],
            tuple(Fired.from_dict(f) for f in data["fired"]),
            Note.from_dict(reason) if reason else None,
            tuple(Note.from_dict(n) for n in data["notes"]),
            data["more_notes"],
            data["sentences_naming"],
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "claim_id": self.claim_id,
            "fired": [f.to_dict() for f in self.fired],
            "reason": self.reason.to_dict() if self.reason else None,
            "notes": [n.to_dict() for n in self.notes],
            "more_notes": self.more_notes,
            "sentences_naming": self.sentences_naming,
        }


@dataclass(frozen=True, slots=True)
class BaselineExplanation:
    baseline_id: str
    scope: Note | None  # why the baseline is out of scope (None: in scope)
    setting: str | None  # "set in X": the article is set in another country (grounding)
    claims: tuple[ClaimExplanation, ...]  # in the baseline's order

    @property
    def in_scope(self) -> bool:
        return self.scope is None

    def summary(self) -> str:
        """One line: why the baseline fired nothing (or what fired)."""
        if self.scope is not None:
            return f"{self.scope.label}: {self.scope.detail}"
        fired = [c for c in self.claims if c.fired]
        if fired:
            return f"{len(fired)} of {len(self.claims)} claims fired"
        closest = closest_claim(self.claims)
        prefix = f"set in {self.setting}; " if self.setting else ""
        if closest is None or closest.reason is None:
            return prefix + "no claim to judge"
        note = closest.reason
        if note.code == "about_missing":
            return prefix + "no claim is named (each claim's about terms are missing)"
        return f"{prefix}closest claim {closest.claim_id}: {note.label}: {note.detail}"

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> BaselineExplanation:
        scope = data["scope"]
        return cls(
            data["baseline_id"],
            Note.from_dict(scope) if scope else None,
            data["setting"],
            tuple(ClaimExplanation.from_dict(c) for c in data["claims"]),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "baseline_id": self.baseline_id,
            "in_scope": self.in_scope,
            "scope": self.scope.to_dict() if self.scope else None,
            "setting": self.setting,
            "summary": self.summary(),
            "claims": [c.to_dict() for c in self.claims],
        }


def closest_claim(claims: tuple[ClaimExplanation, ...]) -> ClaimExplanation | None:
    """The silent claim that came closest to firing (the first on a tie)."""
    silent = [c for c in claims if not c.fired and c.reason is not None]
    if not silent:
        return None
    return max(silent, key=lambda c: RANKS.get(c.reason.code, 0) if c.reason else -1)


@dataclass(frozen=True, slots=True)
class Explanation:
    """Every baseline, every claim: what fired and why the rest did not."""

    baselines: tuple[BaselineExplanation, ...]

    def claim(self, baseline_id: str, claim_id: str) -> ClaimExplanation | None:
        """One claim's explanation (the ``why`` of an alert)."""
        for baseline in self.baselines:
            if baseline.baseline_id == baseline_id:
                return next((c for c in baseline.claims if c.claim_id == claim_id), None)
        return None

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Explanation:
        """Read back what ``to_dict`` wrote (a stored alert's ``why``)."""
        return cls(tuple(BaselineExplanation.from_dict(b) for b in data["baselines"]))

    def to_dict(self) -> dict[str, Any]:
        return {"baselines": [b.to_dict() for b in self.baselines]}
