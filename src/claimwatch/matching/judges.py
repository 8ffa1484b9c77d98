"""One judge per expectation type: does a sentence about a claim contradict it, follow it up,
or neither? Each judge returns Verdicts; ``matching.match`` keeps the best per claim and kind.

The judges hold no story-specific words: the baseline (through its frames) supplies the
terms, the judges supply the generic reading (figures, clock times, negation, denial,
hedging, tense and aspect, dates). Figures are judged in ``quantities``, dates and clock
times in ``timing``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import replace

from claimwatch.claims import (
    Absence,
    Assertion,
    Change,
    DateRule,
    Expectation,
    Quantity,
    State,
    TimeRule,
    Unquantified,
)
from claimwatch.matching import cues, reasons
from claimwatch.matching.quantities import judge_quantity, judge_unquantified
from claimwatch.matching.timing import judge_date, judge_time
from claimwatch.matching.trace import term_list
from claimwatch.matching.verdicts import (
    Context,
    Verdict,
    negated_after,
    negated_before,
    negated_in_clause,
    negated_near,
    phrase_verdict,
    score,
)
from claimwatch.terms import PatternSet

__all__ = ["JUDGES", "Context", "Verdict", "judge"]

_TOKEN = re.compile(r"\w+")
_IRREALIS = (
    r"\b(?:call(?:s|ed|ing)? for|urg(?:e|es|ed|ing)|demand(?:s|ed|ing)?|appeal(?:s|ed)? for|"
    r"should|if|unless|whether)\W+(?:\w+\W+){0,%d}$"
    r"|(?<!\w)(?:призв\w*|призыва\w*|потребова\w*|требу\w*|добива\w*|следует|должн\w*|если|"
    r"ли)\W+(?:\w+\W+){0,%d}$"  # "призвали провести расследование": a request
)
# "called for an inquiry"; not "whether": "examining whether fuel played a role" is news
_IRREALIS_NEAR = re.compile((_IRREALIS % (3, 3)).replace("|unless|whether)", "|unless)"), re.I)
_IRREALIS_CLAUSE = re.compile(
    _IRREALIS % (6, 6), re.I
)  # "should be followed by a review of torture"
_CONDITION = re.compile(
    r"\b(?:once|as soon as|if|unless|when the situation|after the situation|until the situation|"
    r"when (?:the|its|their|it) (?:\w+ )?(?:is|are|was|has been) (?:complete|completed|over|done|"
    r"finished|stable))\b"
    r"|(?<!\w)(?:как только|если|после стабилизации|по мере|когда ситуация|при необходимости)"
    r"(?!\w)",
    re.I,
)
_CONCRETE = re.compile(
    r"\b(?:announc\w*|decid\w*|decision|order\w*|agreed|confirm\w*|schedul\w*|plan\w*|"
    r"begin|start\w*|complet\w*|within|by|from|on|next|tomorrow|today|days?|weeks?|months?|"
    r"monday|tuesday|wednesday|thursday|friday|saturday|sunday|expected|target\w*)\b"
    r"|(?<!\w)(?:объяв\w*|реш\w*|приказ\w*|распоряж\w*|соглас\w*|подтверд\w*|заплан\w*|"
    r"начн\w*|начат\w*|заверш\w*|в течение|до|завтра|сегодня|дн(?:я|ей)|недел\w*|"
    r"понедельник\w*|вторник\w*|сред[уы]|четверг\w*|пятниц\w*|суббот\w*|воскресень\w*)(?!\w)",
    re.I,
)
# ---- state: its changes and effects follow it up ------------------------------------------


def judge_state(exp: State, sentence: str, ctx: Context) -> Iterator[Verdict]:
    if not ctx.close:  # a change belongs to what this or the last sentence named
        away = replace(ctx, near_claim=False)
        yield from _contradicted(exp, exp.contradicted_by, sentence, away)
        yield from _followed_up(exp, exp.followed_up_by, sentence, away)
        return
    for change in exp.changes:
        found = _staged(change, sentence, ctx, exp)
        if found is None:
            continue
        span, stage = found
        yield Verdict(
            kind="follow_up",
            fact=f"{change.name}:{stage}",
            reason=reasons.reason(
                sentence,
                f"reports the {change.name} {stage} (“{sentence[span[0] : span[1]]}”){{source}}; "
                f"the baseline says {_in_force(exp, ctx)}",
            ),
            score=score({"completed": 0.85, "started": 0.8}.get(stage, 0.7), sentence),
            highlight=span,
            rule="stage",
        )
    yield from _contradicted(exp, exp.contradicted_by, sentence, ctx)
    yield from _followed_up(exp, exp.followed_up_by, sentence, ctx)
    if exp.holds_terms and ctx.names_claim:
        yield from _state_negated(exp, sentence, ctx)


# "no longer closed", "not closed any more": the state ended, which is news, not a denial.
_NO_LONGER = re.compile(
    r"\b(?:no longer|not\b[^,;.]{0,40}\b(?:any ?more|any longer))\b"
    r"|(?<!\w)(?:больше не|уже не)(?!\w)",
    re.I,
)


def _state_negated(exp: State, sentence: str, ctx: Context) -> Iterator[Verdict]:
    """The state's own words negated: "the canal was never closed" contradicts it, while
    "the canal is no longer closed" reports that it ended."""
    for verdict in _holds_negated(exp, exp.holds_terms, sentence, ctx):
        if _NO_LONGER.search(sentence):
            yield replace(
                verdict,
                kind="follow_up",
                fact="ended",
                rule="ended",
                reason=reasons.reason(
                    sentence,
                    f"reports that it ended{{source}}; the baseline says {_in_force(exp, ctx)}",
                ),
            )
        else:
            yield verdict


def _in_force(exp: State, ctx: Context) -> str:
    """What the reasons call the state: ``holds`` as written, unless it is a list of terms."""
    return ctx.claim.short if any(c in exp.holds for c in "|*+") else exp.holds


def _staged(
    change: Change, sentence: str, ctx: Context, exp: State
) -> tuple[tuple[int, int], str] | None:
    """The first change word (of a pattern whose groups all hit) that reports a stage:
    "идет вывод: ... покинули" is read at "покинули" when "вывод" alone tells no stage."""
    for pattern in change.terms.patterns:
        if not pattern.matches(sentence):
            continue
        for span in pattern.group_spans(sentence, 0):
            negated = negated_near(sentence, span)
            stage, why = (None, "negated") if negated else _stage(sentence, span)
            if stage is not None:
                return span, stage
            if ctx.trace is not None:
                word = sentence[span[0] : span[1]]
                code = "negated" if negated else "no_stage"
                ctx.note(code, f"“{word}” ({change.name}) {why}", sentence, span, exp)
    return None


_NOMINAL_BEFORE = re.compile(r"\b(?:the|its|their)\s+$", re.I)
_NOMINAL_AFTER = re.compile(r"^\s+of\b", re.I)
_PLANNED = re.compile(
    r"\b(?:will|would|shall|to be|plans?|planned|expected|could|should|may|might|call(?:s|ed)? for|"
    r"demand\w*|urg\w*)\b",
    re.I,
)


def _stage(sentence: str, span: tuple[int, int]) -> tuple[str | None, str]:
    """The stage reported, or None and why not (for ``scan --explain``)."""
    stage = cues.aspect(sentence, span)
    if stage in ("completed", "started"):
        return stage, ""
    if stage == "announced":
        if not _CONCRETE.search(sentence):
            return None, "is announced with no decision, date or schedule"
        if _CONDITION.search(sentence):
            return None, "is announced on a condition"
        return stage, ""
    if stage is None and _reported_as_done(sentence, span):
        return "completed", ""
    if stage == "ongoing":
        return None, "is still going on: no change"
    return None, "is named with no tense or aspect that reports a stage"


def _reported_as_done(sentence: str, span: tuple[int, int]) -> bool:
    """ "reports the end of the operation", "announced the lifting of the order": a change
    named as a noun, with nothing putting it in the future."""
    nominal = _NOMINAL_BEFORE.search(sentence[max(0, span[0] - 8) : span[0]]) and (
        _NOMINAL_AFTER.match(sentence[span[1] : span[1] + 5])
    )
    return bool(nominal) and not _PLANNED.search(sentence)


# ---- assertion: its denial or counter-facts contradict it ---------------------------------


def judge_assertion(exp: Assertion, sentence: str, ctx: Context) -> Iterator[Verdict]:
    yield from _contradicted(exp, exp.contradicted_by, sentence, ctx)
    yield from _followed_up(exp, exp.followed_up_by, sentence, ctx)
    if not ctx.near_claim:
        return  # negation and doubt need the claim's own terms at hand
    if exp.holds and ctx.names_claim:
        yield from _holds_negated(exp, exp.holds, sentence, ctx)
    if exp.doubt_contradicts:
        yield from _doubted(exp, sentence, ctx)


def _doubted(exp: Assertion, sentence: str, ctx: Context) -> Iterator[Verdict]:
    denials = cues.denial(sentence)
    if denials or cues.opinion(sentence):
        if ctx.trace is not None and cues.doubt(sentence):
            _note_denial(exp, sentence, cues.doubt(sentence)[0], ctx, denials)
        return
    for span in cues.doubt(sentence):
        yield Verdict(
            kind="contradiction",
            fact="doubt",
            reason=reasons.reason(
                sentence,
                f"casts doubt on {ctx.claim.short} (“{sentence[span[0] : span[1]]}”){{source}}",
            ),
            score=score(0.75, sentence),
            highlight=span,
            rule="doubt",
        )
        break


def _note_denial(
    exp: Expectation,
    sentence: str,
    span: tuple[int, int],
    ctx: Context,
    denials: list[tuple[int, int]],
) -> None:
    """Why words that would decide were set aside: said in a denial, or an impression."""
    word = sentence[span[0] : span[1]]
    if denials:
        cue = sentence[denials[0][0] : denials[0][1]]
        detail = f"“{word}” stands in a denial (“{cue}”){reasons.source(sentence)}"
        ctx.note("denied", detail, sentence, span, exp)
        return
    found = cues.opinion(sentence)
    cue = sentence[found[0][0] : found[0][1]] if found else ""
    ctx.note("opinion", f"“{word}” is a speaker's impression (“{cue}”)", sentence, span, exp)


def _contradicted(
    exp: Expectation, patterns: PatternSet, sentence: str, ctx: Context
) -> Iterator[Verdict]:
    hit = patterns.first(sentence, ctx.min_groups)
    if hit is None:
        return
    span = hit[1][0]
    denials = cues.denial(sentence)
    if denials or cues.opinion(sentence):
        if ctx.trace is not None:
            _note_denial(exp, sentence, span, ctx, denials)
        return  # a denial of someone else's accusation, or a bystander's impression
    negated = negated_in_clause(sentence, span)
    if negated or _IRREALIS_CLAUSE.search(sentence[: span[0]]):
        if ctx.trace is not None:
            word = sentence[span[0] : span[1]]
            why = "negated in its clause" if negated else "a request or condition, not a fact"
            ctx.note(
                "negated" if negated else "irrealis", f"“{word}” is {why}", sentence, span, exp
            )
        return
    text = f"reports “{{quote}}”{{source}}, against {ctx.claim.short}"
    yield phrase_verdict("contradiction", "contra", sentence, span, text, 0.75)


def _holds_negated(
    exp: Expectation, holds: PatternSet, sentence: str, ctx: Context
) -> Iterator[Verdict]:
    """ "Were never taken", "dispute the claim that ... were seized": the claim's own predicate
    negated or disputed. (Disputing a counter-claim, by contrast, supports the baseline.)"""
    denials = cues.denial(sentence)
    if cues.opinion(sentence):
        if ctx.trace is not None and (hit := holds.first(sentence)) is not None:
            _note_denial(exp, sentence, hit[1][0], ctx, [])
        return  # "it doesn't look safe to me": an impression, not a finding
    for pattern in holds.patterns:
        for span in pattern.group_spans(sentence, 0):
            disputed = any(end <= span[0] for _, end in denials)
            if negated_before(sentence, span) or disputed:
                text = f"says the opposite of {ctx.claim.short} (“{{quote}}” negated){{source}}"
                yield phrase_verdict("contradiction", "negated", sentence, span, text, 0.7)
                return
    if ctx.trace is not None and (hit := holds.first(sentence)) is not None:
        word = sentence[hit[1][0][0] : hit[1][0][1]]
        detail = f"says “{word}” without negating it, as the baseline does"
        ctx.note("restatement", detail, sentence, hit[1][0], exp)


def _followed_up(
    exp: Expectation, patterns: PatternSet, sentence: str, ctx: Context
) -> Iterator[Verdict]:
    hit = patterns.first(sentence, ctx.min_groups)
    if hit is None:
        return
    span = hit[1][0]
    absent = _absent(sentence, span)
    if absent or _IRREALIS_NEAR.search(sentence[: span[0]]):
        if ctx.trace is not None:
            word = sentence[span[0] : span[1]]
            code, why = ("absent", "negated") if absent else ("irrealis", "asked for, not done")
            ctx.note(code, f"“{word}” is {why}", sentence, span, exp)
        return  # "no trial", "called for an inquiry": a request or an absence is not news
    text = f"new facts on {ctx.claim.short}: “{{quote}}”{{source}}"
    yield phrase_verdict("follow_up", "follow", sentence, span, text, 0.7)


def _absent(sentence: str, span: tuple[int, int]) -> bool:
    """ "No trial", "has not been charged": the follow-up word is negated. A failure is
    news, not an absence ("failed to maintain the equipment")."""
    return any(
        end <= span[0]
        and len(_TOKEN.findall(sentence[end : span[0]])) <= 3
        and not sentence[start:end].lower().startswith("fail")
        for start, end in cues.negation(sentence)
    )


# ---- absence: the thing ruled out, asserted, contradicts -----------------------------------


def judge_absence(exp: Absence, sentence: str, ctx: Context) -> Iterator[Verdict]:
    """ "It was a deliberate attack" against "no evidence of terrorism"; "theories that it was
    an attack spread online" reports the thing only to reject it: a follow-up."""
    spans = [s for p in exp.things.patterns for s in p.group_spans(sentence, 0)]
    if not spans:
        return
    if not _in_scope(exp, sentence, ctx):
        if ctx.trace is not None:
            _note_absence(exp, sentence, min(spans), ctx, "scope_missing")
        return
    rebuttal = exp.rebuttals.first(sentence)
    if rebuttal is not None:
        text = f"reports claims against {ctx.claim.short} in order to reject them: “{{quote}}”"
        yield phrase_verdict("follow_up", "rebutted", sentence, rebuttal[1][0], text, 0.7)
        return
    asserted = [s for s in sorted(spans) if not _denied_or_negated(sentence, s)]
    if not asserted:
        if ctx.trace is not None:
            first = min(spans)
            _note_absence(exp, sentence, first, ctx, _denied_or_negated(sentence, first))
        return
    if _IRREALIS_CLAUSE.search(sentence[: asserted[0][0]]) or _question(sentence):
        if ctx.trace is not None:
            code = "question" if _question(sentence) else "irrealis"
            _note_absence(exp, sentence, asserted[0], ctx, code)
        return
    if cues.opinion(sentence):
        if ctx.trace is not None:
            _note_denial(exp, sentence, asserted[0], ctx, [])
        return  # a bystander's impression is no finding
    text = f"says “{{quote}}”{{source}}, against {ctx.claim.short}"
    yield phrase_verdict("contradiction", "asserted", sentence, asserted[0], text, 0.75)


_ABSENCE_NOTES = {
    "scope_missing": "names “{word}” but none of whom the claim concerns ({scope})",
    "negated": "names “{word}” only to negate it, as the baseline does",
    "denied": "names “{word}” in a denial, as the baseline does",
    "question": "asks whether “{word}”: a question",
    "irrealis": "names “{word}” as a request or condition",
}


def _note_absence(
    exp: Absence, sentence: str, span: tuple[int, int], ctx: Context, code: str
) -> None:
    scope = term_list(exp.scope.source)
    detail = _ABSENCE_NOTES[code].format(word=sentence[span[0] : span[1]], scope=scope)
    code = "restatement" if code in ("negated", "denied") else code
    ctx.note(code, detail, sentence, span, exp)


def _in_scope(exp: Absence, sentence: str, ctx: Context) -> bool:
    """A claim narrowed to some people ("peaceful protesters are not persecuted") meets only
    sentences naming them."""
    return not exp.scope or exp.scope.matches(sentence)


def _denied_or_negated(sentence: str, span: tuple[int, int]) -> str:
    """ "negated", "denied", or "" where the thing at ``span`` is asserted."""
    if negated_in_clause(sentence, span) or negated_after(sentence, span):
        return "negated"
    return "denied" if any(end <= span[0] for _, end in cues.denial(sentence)) else ""


def _question(sentence: str) -> bool:
    return sentence.rstrip(" ”\"'»").endswith("?")


JUDGES: dict[type, Callable[..., Iterator[Verdict]]] = {
    Quantity: judge_quantity,
    Unquantified: judge_unquantified,
    State: judge_state,
    Assertion: judge_assertion,
    Absence: judge_absence,
    DateRule: judge_date,
    TimeRule: judge_time,
}


def judge(expectation: Expectation, sentence: str, ctx: Context) -> Iterator[Verdict]:
    """Dispatch to the judge of the expectation's type."""
    return JUDGES[type(expectation)](expectation, sentence, ctx)
