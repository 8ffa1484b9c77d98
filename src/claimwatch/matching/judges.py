"""One judge per expectation type: does a sentence about a claim contradict it, follow it up,
or neither? Each judge returns Verdicts; ``matching.match`` keeps the best per claim and kind.

The judges hold no story-specific words: the baseline supplies the terms, the judges supply the
generic reading (figures, negation, denial, hedging, tense and aspect, dates).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from claimwatch.baselines import (
    Assertion,
    Claim,
    DateRule,
    Expectation,
    Quantity,
    State,
    Unquantified,
)
from claimwatch.matching import cues, reasons
from claimwatch.matching.attach import counts_term, qualified_as_part
from claimwatch.matching.dates import find_dates, is_dateline
from claimwatch.matching.figures import Figure, find_figures
from claimwatch.matching.findings import Kind
from claimwatch.terms import PatternSet

_TOKEN = re.compile(r"\w+")
MAX_DATE_GAP = 6  # words between an event and the date that dates it
PLAUSIBLE_RATIO = 3.0  # a figure further than this from the claim's counts something else
_IRREALIS = (
    r"\b(?:call(?:s|ed|ing)? for|urg(?:e|es|ed|ing)|demand(?:s|ed|ing)?|appeal(?:s|ed)? for|"
    r"should|if|unless|whether)\W+(?:\w+\W+){0,%d}$"
    r"|(?<!\w)(?:призв\w*|призыва\w*|потребова\w*|требу\w*|добива\w*|следует|должн\w*|если|"
    r"ли)\W+(?:\w+\W+){0,%d}$"  # "призвали провести расследование": a request
)
_IRREALIS_NEAR = re.compile(_IRREALIS % (3, 3), re.I)  # "called for an inquiry"
_IRREALIS_CLAUSE = re.compile(
    _IRREALIS % (6, 6), re.I
)  # "should be followed by a review of torture"
_CONDITION = re.compile(
    r"\b(?:once|as soon as|if|unless|when the situation|after the situation|until the situation)\b"
    r"|(?<!\w)(?:как только|если|после стабилизации|по мере|когда ситуация|при необходимости)"
    r"(?!\w)",
    re.I,
)
_CONCRETE = re.compile(
    r"\b(?:announc\w*|decid\w*|decision|order\w*|agreed|confirm\w*|schedul\w*|plan\w*|"
    r"begin|start\w*|complet\w*|within|by|from|on|next|tomorrow|today|days?|weeks?|"
    r"monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b"
    r"|(?<!\w)(?:объяв\w*|реш\w*|приказ\w*|распоряж\w*|соглас\w*|подтверд\w*|заплан\w*|"
    r"начн\w*|начат\w*|заверш\w*|в течение|до|завтра|сегодня|дн(?:я|ей)|недел\w*|"
    r"понедельник\w*|вторник\w*|сред[уы]|четверг\w*|пятниц\w*|суббот\w*|воскресень\w*)(?!\w)",
    re.I,
)


@dataclass(frozen=True, slots=True)
class Verdict:
    kind: Kind
    fact: str
    reason: str
    score: float
    highlight: tuple[int, int]
    value: float | None = None
    value_text: str | None = None


@dataclass(frozen=True, slots=True)
class Context:
    """What a judge may know beyond the sentence."""

    claim: Claim
    year: int  # for dates written without a year
    near_claim: bool = True  # the sentence or the one before names the claim (``about``)

    @property
    def min_groups(self) -> int:
        """Away from the claim's terms only specific cues count: patterns of two groups or more."""
        return 1 if self.near_claim else 2


# ---- shared readings ----------------------------------------------------------------------


def _negated_before(sentence: str, span: tuple[int, int], max_gap_tokens: int = 1) -> bool:
    """A negation cue ends at most ``max_gap_tokens`` words before ``span``."""
    for _start, end in cues.negation(sentence):
        if end <= span[0] and len(_TOKEN.findall(sentence[end : span[0]])) <= max_gap_tokens:
            return True
    return False


def _negated_near(sentence: str, span: tuple[int, int]) -> bool:
    return _negated_before(sentence, span, max_gap_tokens=3)


def _hedged(sentence: str) -> bool:
    return bool(cues.hedge(sentence))


def _score(base: float, sentence: str) -> float:
    return round(base * (0.8 if _hedged(sentence) else 1.0), 3)


# ---- quantity -----------------------------------------------------------------------------


def judge_quantity(exp: Quantity, sentence: str, ctx: Context) -> Iterator[Verdict]:
    figures = find_figures(sentence)
    low, high = exp.interval
    for figure in figures:
        term = counts_term(sentence, figure, figures, exp.counts) if _countable(figure) else None
        if term is None:
            continue
        if qualified_as_part(sentence, figure, exp.parts) or not _plausible(figure, exp.value):
            continue
        if figure.low <= high and figure.high >= low:
            continue  # compatible: a restatement, not news
        yield Verdict(
            kind="contradiction",
            fact=f"value:{figure.value:g}",
            reason=reasons.reason(
                sentence,
                f"reports {reasons.figure_phrase(sentence, figure, term)}{{source}}; "
                f"the baseline says {ctx.claim.short}",
            ),
            score=_score(0.9, sentence),
            highlight=(figure.start, figure.end),
            value=figure.value,
            value_text=figure.text,
        )


def _plausible(figure: Figure, value: float) -> bool:
    """A figure far from the claim's ("a hundred" against 2,500) counts a unit, not the whole."""
    return value / PLAUSIBLE_RATIO <= figure.value <= value * PLAUSIBLE_RATIO


def _countable(figure: Figure) -> bool:
    return not figure.is_part and figure.unit is None and not figure.vague and figure.value > 0


# ---- unquantified: any figure follows it up -----------------------------------------------


def judge_unquantified(exp: Unquantified, sentence: str, ctx: Context) -> Iterator[Verdict]:
    figures = find_figures(sentence)
    for measure, terms in exp.measures:
        for figure in figures:
            term = counts_term(sentence, figure, figures, terms) if _countable(figure) else None
            if term is None:
                continue
            phrase = reasons.figure_phrase(sentence, figure, term)
            yield Verdict(
                kind="follow_up",
                fact=f"{measure}:{figure.value:g}",
                reason=reasons.reason(
                    sentence,
                    f"reports {reasons.measured(phrase, measure)}{{source}}; "
                    f"the baseline gave no figure for {ctx.claim.short}",
                ),
                score=_score(0.85, sentence),
                highlight=(figure.start, figure.end),
                value=figure.value,
                value_text=figure.text,
            )
            break


# ---- state: its changes follow it up ------------------------------------------------------


def judge_state(exp: State, sentence: str, ctx: Context) -> Iterator[Verdict]:
    for change in exp.changes:
        found = _staged(change.terms, sentence)
        if found is None:
            continue
        span, stage = found
        yield Verdict(
            kind="follow_up",
            fact=f"{change.name}:{stage}",
            reason=reasons.reason(
                sentence,
                f"reports the {change.name} {stage} (“{sentence[span[0] : span[1]]}”){{source}}; "
                f"the baseline says {exp.holds}",
            ),
            score=_score({"completed": 0.85, "started": 0.8}.get(stage, 0.7), sentence),
            highlight=span,
        )
    yield from _contradicted(exp.contradicted_by, sentence, ctx)


def _staged(terms: PatternSet, sentence: str) -> tuple[tuple[int, int], str] | None:
    """The first change word (of a pattern whose groups all hit) that reports a stage:
    "идет вывод: ... покинули" is read at "покинули" when "вывод" alone tells no stage."""
    for pattern in terms.patterns:
        if not pattern.matches(sentence):
            continue
        for span in pattern.group_spans(sentence, 0):
            stage = None if _negated_near(sentence, span) else _stage(sentence, span)
            if stage is not None:
                return span, stage
    return None


def _stage(sentence: str, span: tuple[int, int]) -> str | None:
    stage = cues.aspect(sentence, span)
    if stage in ("completed", "started"):
        return stage
    if stage == "announced" and _CONCRETE.search(sentence) and not _CONDITION.search(sentence):
        return stage
    return None


# ---- assertion: its denial or counter-facts contradict it ---------------------------------


def judge_assertion(exp: Assertion, sentence: str, ctx: Context) -> Iterator[Verdict]:
    yield from _contradicted(exp.contradicted_by, sentence, ctx)
    yield from _followed_up(exp.followed_up_by, sentence, ctx)
    if not ctx.near_claim:
        return  # negation and doubt need the claim's own terms at hand
    if exp.holds:
        yield from _holds_negated(exp.holds, sentence, ctx)
    if exp.doubt_contradicts and not cues.denial(sentence):
        for span in cues.doubt(sentence):
            yield Verdict(
                kind="contradiction",
                fact="doubt",
                reason=reasons.reason(
                    sentence,
                    f"casts doubt on {ctx.claim.short} (“{sentence[span[0] : span[1]]}”){{source}}",
                ),
                score=_score(0.75, sentence),
                highlight=span,
            )
            break


def _phrase_verdict(
    kind: Kind, fact: str, sentence: str, span: tuple[int, int], text: str, base: float
) -> Verdict:
    """A verdict decided by a phrase of the sentence, quoted in its reason and highlighted."""
    quote = reasons.quoted(sentence, span)
    return Verdict(
        kind=kind,
        fact=f"{fact}:{reasons.fact_text(quote)}",
        reason=reasons.reason(sentence, text.replace("{quote}", quote)),
        score=_score(base, sentence),
        highlight=span,
    )


def _contradicted(patterns: PatternSet, sentence: str, ctx: Context) -> Iterator[Verdict]:
    hit = patterns.first(sentence, ctx.min_groups)
    if hit is None or cues.denial(sentence):
        return  # a denial of someone else's accusation does not contradict the claim
    span = hit[1][0]
    if _negated_near(sentence, span) or _IRREALIS_CLAUSE.search(sentence[: span[0]]):
        return
    text = f"reports “{{quote}}”{{source}}, against {ctx.claim.short}"
    yield _phrase_verdict("contradiction", "contra", sentence, span, text, 0.75)


def _holds_negated(holds: PatternSet, sentence: str, ctx: Context) -> Iterator[Verdict]:
    """ "Were never taken", "dispute the claim that ... were seized": the claim's own predicate
    negated or disputed. (Disputing a counter-claim, by contrast, supports the baseline.)"""
    denials = cues.denial(sentence)
    for pattern in holds.patterns:
        for span in pattern.group_spans(sentence, 0):
            disputed = any(end <= span[0] for _, end in denials)
            if _negated_before(sentence, span) or disputed:
                text = f"says the opposite of {ctx.claim.short} (“{{quote}}” negated){{source}}"
                yield _phrase_verdict("contradiction", "negated", sentence, span, text, 0.7)
                return


def _followed_up(patterns: PatternSet, sentence: str, ctx: Context) -> Iterator[Verdict]:
    hit = patterns.first(sentence, ctx.min_groups)
    if hit is None:
        return
    span = hit[1][0]
    if _negated_near(sentence, span) or _IRREALIS_NEAR.search(sentence[: span[0]]):
        return  # "no trial", "called for an inquiry": a request or an absence is not news
    text = f"new facts on {ctx.claim.short}: “{{quote}}”{{source}}"
    yield _phrase_verdict("follow_up", "follow", sentence, span, text, 0.7)


# ---- dates --------------------------------------------------------------------------------


def judge_date(exp: DateRule, sentence: str, ctx: Context) -> Iterator[Verdict]:
    terms = exp.event or ctx.claim.about
    hit = terms.first(sentence)
    if hit is None:
        return
    event = hit[1][0]
    dates = [d for d in find_dates(sentence, ctx.year) if not is_dateline(sentence, d)]
    near = [
        d
        for d in dates
        if _token_distance(sentence, event, (d.start, d.end)) <= MAX_DATE_GAP
        and not _OTHER_CLAUSE.search(_between(sentence, event, (d.start, d.end)))
    ]
    if not near:
        return
    if exp.date is not None and any(d.date == exp.date for d in near):
        return  # "on 2 and 3 January" still names the claim's date
    nearest = min(near, key=lambda d: _token_distance(sentence, event, (d.start, d.end)))
    wrong = (
        (exp.date is not None and nearest.date != exp.date)
        or (exp.not_before is not None and nearest.date < exp.not_before)
        or (exp.not_after is not None and nearest.date > exp.not_after)
    )
    if not wrong or _negated_near(sentence, event):
        return
    expected = exp.date or exp.not_before or exp.not_after
    yield Verdict(
        kind="contradiction",
        fact=f"date:{nearest.date.isoformat()}",
        reason=reasons.reason(
            sentence,
            f"dates {ctx.claim.short} to {nearest.text}{{source}}; "
            f"the baseline says {expected:%-d %B %Y}",
        ),
        score=_score(0.7, sentence),
        highlight=(nearest.start, nearest.end),
    )


# A clause opener between an event and a date: the date belongs to another event ("erupted
# after the price doubled on 1 January", "вспыхнули после того, как с 1 января цена выросла").
_OTHER_CLAUSE = re.compile(
    r"\b(?:after|because|when)\b|(?<!\w)(?:после того,?\s+как|потому что|так как|когда)(?!\w)", re.I
)


def _between(sentence: str, a: tuple[int, int], b: tuple[int, int]) -> str:
    return sentence[a[1] : b[0]] if a[1] <= b[0] else sentence[b[1] : a[0]]


def _token_distance(sentence: str, a: tuple[int, int], b: tuple[int, int]) -> int:
    return len(_TOKEN.findall(_between(sentence, a, b)))


JUDGES: dict[type, Callable[..., Iterator[Verdict]]] = {
    Quantity: judge_quantity,
    Unquantified: judge_unquantified,
    State: judge_state,
    Assertion: judge_assertion,
    DateRule: judge_date,
}


def judge(expectation: Expectation, sentence: str, ctx: Context) -> Iterator[Verdict]:
    """Dispatch to the judge of the expectation's type."""
    return JUDGES[type(expectation)](expectation, sentence, ctx)
