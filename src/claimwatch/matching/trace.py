"""The recorder ``match`` fills where it decides, frozen into an ``explain.Explanation``.

Matching without a trace records nothing: every recording point is behind an
``is not None`` test, so the detector's speed and results stay what they are.
"""

from __future__ import annotations

from datetime import date, datetime

from claimwatch.claims import (
    Absence,
    Assertion,
    Baseline,
    Claim,
    DateRule,
    Expectation,
    Quantity,
    State,
    TimeRule,
    Unquantified,
)
from claimwatch.matching.explain import (
    RANKS,
    BaselineExplanation,
    ClaimExplanation,
    Explanation,
    Fired,
    Note,
)
from claimwatch.matching.findings import Finding
from claimwatch.matching.grounding import Grounding
from claimwatch.terms import PatternSet

MAX_NOTES = 40  # per claim: a long article repeats itself
MAX_TERMS = 80  # characters of a term list quoted in a detail
SHORT_TERMS = 40  # in the description of an expectation

Span = tuple[int, int]


class ClaimTrace:
    """What the detector decided about one claim in one article."""

    __slots__ = ("_fired", "_more", "_notes", "_seen", "claim", "grounding", "naming")

    def __init__(self, claim: Claim) -> None:
        self.claim = claim
        self.naming = 0  # sentences that name the claim
        self.grounding: Grounding | None = None  # of the sentence being judged
        self._notes: list[Note] = []
        self._seen: set[tuple[str, str | None, str | None, str | None]] = set()
        self._more = 0
        self._fired: list[Fired] = []

    def note(
        self,
        code: str,
        detail: str,
        sentence: str | None = None,
        span: Span | None = None,
        expectation: Expectation | None = None,
    ) -> None:
        grounding = self.grounding
        if grounding is not None and code != "not_grounded" and not grounding.grounded(span):
            # A verdict at these words would not stand either: the sentence is another story's.
            code, detail = "not_grounded", f"{detail}; but {grounding.why(span)}"
        quote = sentence[span[0] : span[1]] if sentence is not None and span else None
        described = self.describe(expectation) if expectation is not None else None
        key = (code, sentence, quote, described)
        if key in self._seen:
            return  # the same decision reached again (several expectations share words)
        self._seen.add(key)
        if len(self._notes) >= MAX_NOTES:
            self._more += 1
            return
        self._notes.append(Note(code, detail, sentence, quote, described))

    def fire(self, finding: Finding, rule: str, expectation: Expectation) -> None:
        span = finding.highlight
        quote = finding.evidence[span[0] : span[1]] if span else ""
        self._fired.append(
            Fired(
                kind=finding.kind,
                rule=rule,
                expectation=self.describe(expectation),
                sentence=finding.evidence,
                quote=quote,
                figure=finding.value_text,
                reason=finding.reason,
                score=finding.score,
            )
        )

    def describe(self, expectation: Expectation) -> str:
        text = describe(expectation)
        return f"{self.claim.frame}: {text}" if self.claim.frame else text

    def explanation(self, scope: Note | None = None) -> ClaimExplanation:
        fired = tuple(self._fired)
        reason = None if fired else (scope or self._main())
        return ClaimExplanation(
            self.claim.id, fired, reason, tuple(self._notes), self._more, self.naming
        )

    def _main(self) -> Note:
        if not self._notes:
            named = f"{counted(self.naming, 'sentence')} {'names' if self.naming == 1 else 'name'}"
            detail = f"{named} it; none says anything its expectations read as news of it"
            return Note("nothing_said", detail)
        return max(self._notes, key=lambda n: RANKS.get(n.code, 0))  # the first on a tie


class BaselineTrace:
    """What the detector decided about one baseline and its claims."""

    __slots__ = ("_claims", "baseline", "scope", "setting")

    def __init__(self, baseline: Baseline) -> None:
        self.baseline = baseline
        self.scope: Note | None = None
        self.setting: str | None = None
        self._claims: dict[str, ClaimTrace] = {}

    def claim(self, claim: Claim) -> ClaimTrace:
        found = self._claims.get(claim.id)
        if found is None:
            found = self._claims[claim.id] = ClaimTrace(claim)
        return found

    def out_of_scope(self, code: str, text: str, published: datetime | None) -> None:
        self.scope = Note(code, scope_detail(code, self.baseline, text, published))

    def explanation(self) -> BaselineExplanation:
        claims = tuple(self.claim(c).explanation(self.scope) for c in self.baseline.claims)
        return BaselineExplanation(self.baseline.id, self.scope, self.setting, claims)


class Trace:
    """Pass one to ``match``; then ``explanation()``."""

    __slots__ = ("_baselines",)

    def __init__(self) -> None:
        self._baselines: dict[str, BaselineTrace] = {}

    def baseline(self, baseline: Baseline) -> BaselineTrace:
        found = self._baselines.get(baseline.id)
        if found is None:
            found = self._baselines[baseline.id] = BaselineTrace(baseline)
        return found

    def explanation(self) -> Explanation:
        return Explanation(tuple(b.explanation() for b in self._baselines.values()))


# ---- details --------------------------------------------------------------------------------


def scope_detail(code: str, baseline: Baseline, text: str, published: datetime | None) -> str:
    since = baseline.since
    if code == "before_since" and published is not None and since is not None:
        return f"published {published.date().isoformat()}, before the baseline's since {since}"
    if code == "look_back" and since is not None:
        return f"undated, and it opens in a year before {since.year} and names none since"
    return f"the article names no word of {missing_terms(baseline.required, text)} (required)"


def missing_terms(patterns: PatternSet, text: str) -> str:
    """The group of each pattern that has no hit in ``text``: why none of them matches."""
    missing = [m for m in (p.missing_group(text) for p in patterns.patterns) if m is not None]
    return " nor of ".join(f"“{term_list(m)}”" for m in dict.fromkeys(missing)) or "its terms"


def term_list(source: str, limit: int = MAX_TERMS) -> str:
    """A term list as written, cut at a ``|`` after about ``limit`` characters."""
    if len(source) <= limit:
        return source
    cut = source.rfind("|", 0, limit)
    return source[:cut] + "|…" if cut > 0 else source[:limit].rstrip() + "…"


def describe(expectation: Expectation) -> str:
    """The expectation in a few words: "figure 2,030 (exact)", "time 1:30 ±15 min"."""
    if isinstance(expectation, Quantity):
        return _figure(expectation)
    if isinstance(expectation, Unquantified):
        return "no figure given (" + ", ".join(m for m, _ in expectation.measures) + ")"
    if isinstance(expectation, State):
        return f"state in force: {term_list(expectation.holds, SHORT_TERMS)}"
    if isinstance(expectation, Assertion):
        return "assertion" + (" (doubt contradicts it)" if expectation.doubt_contradicts else "")
    if isinstance(expectation, Absence):
        things = expectation.things.source
        return f"rules out: {term_list(things, SHORT_TERMS)}"
    if isinstance(expectation, DateRule):
        return _date(expectation)
    return _time(expectation)


def _figure(exp: Quantity) -> str:
    low, high = exp.interval
    value = f"{exp.value:,g}" if exp.value < 1e6 else f"{exp.value:,.0f}"
    parts = [exp.approx.replace("_", " ")]
    if exp.approx == "about":
        parts.append(f"±{exp.tolerance:.0%}")
    if exp.trend != "fixed":
        parts.append(exp.trend)
    if exp.unit:
        parts.append(exp.unit)
    bounds = f", {low:,g}–{high:,g}" if exp.approx == "about" else ""
    return f"figure {value} ({', '.join(parts)}{bounds})"


def _date(exp: DateRule) -> str:
    if exp.date is not None:
        return f"date {_day(exp.date)}"
    ends = [f"not before {_day(exp.not_before)}" if exp.not_before else ""]
    ends.append(f"not after {_day(exp.not_after)}" if exp.not_after else "")
    return "date " + ", ".join(e for e in ends if e)


def _day(day: date) -> str:
    return day.isoformat()


def _time(exp: TimeRule) -> str:
    return f"time {exp.minutes // 60}:{exp.minutes % 60:02d} ±{exp.tolerance} min"


def counted(number: int, noun: str) -> str:
    """``1 claim``, ``3 claims``."""
    return f"{number} {noun}" + ("" if number == 1 else "s")
