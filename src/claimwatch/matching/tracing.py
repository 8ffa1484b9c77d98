"""Notes ``match`` records at its own decisions: the claims the term index or ``about`` left
out, the sentences grounding or a frame's focus set aside, restatements, overruled headlines.

Each function is called only with a trace, at the point where ``match`` decided; it words the
decision and never decides anything itself.
"""

from __future__ import annotations

from collections.abc import Sequence

from claimwatch.claims import Baseline, Claim, Expectation
from claimwatch.matching.grounding import Grounding
from claimwatch.matching.trace import ClaimTrace, Trace, describe, missing_terms, term_list
from claimwatch.matching.verdicts import Verdict

_WOULD = {"contradiction": "would contradict it", "follow_up": "would follow it up"}


def trace_unread(
    trace: Trace, baselines: Sequence[Baseline], candidates: Sequence[Baseline], text: str
) -> list[Baseline]:
    """Register every baseline in order; note the claims the index left out of the baselines
    it kept; return the baselines it left out (for the caller to say why)."""
    kept = {b.id: b for b in candidates}
    unread = []
    for baseline in baselines:
        traced = trace.baseline(baseline)
        narrowed = kept.get(baseline.id)
        if narrowed is None:
            unread.append(baseline)
            continue
        read = {c.id for c in narrowed.claims}
        for claim in baseline.claims:
            if claim.id not in read:
                trace_claim(traced.claim(claim), claim, text)
    return unread


def trace_claim(notes: ClaimTrace, claim: Claim, text: str) -> None:
    """A claim never judged: the article lacks its ``about`` (or its ``context``) terms."""
    if not claim.about.matches(text):
        notes.note("about_missing", f"no word of {missing_terms(claim.about, text)} (about)")
    else:
        notes.note("context_missing", f"no word of {missing_terms(claim.context, text)} (context)")


def trace_units(
    notes: ClaimTrace, claim: Claim, units: Sequence[tuple[str, Grounding]], focus: list[bool]
) -> None:
    """The sentences naming the claim, and those of them set aside before judging: set in an
    earlier year, or speaking of another claim of its frame (``focus``, one per sentence not
    set in an earlier year)."""
    current = iter(focus)
    judged, named = 0, False
    for text, grounding in units:
        mine = True if grounding.earlier_year else next(current)
        if not claim.about.matches(text):
            continue
        named = True
        if grounding.earlier_year:
            notes.note("earlier_year", "names it in a sentence set in an earlier year", text)
        elif not mine:
            others = term_list(claim.competing.source)
            detail = f"names it where another claim of its frame holds the focus (“{others}”)"
            notes.note("focus_elsewhere", detail, text)
        else:
            judged += 1
    notes.naming = judged
    if not named:
        about = term_list(claim.about.source)
        notes.note("about_spread", f"the article names “{about}”, but in no single sentence")


def trace_ungrounded(
    notes: ClaimTrace, text: str, verdict: Verdict, grounding: Grounding, exp: Expectation
) -> None:
    span = verdict.highlight
    what = _WOULD.get(verdict.kind, "would restate it")
    detail = f"“{text[span[0] : span[1]]}” {what}, but {grounding.why(span)}"
    notes.note("not_grounded", detail, text, span, exp)


def trace_restated(notes: ClaimTrace, text: str, verdict: Verdict, exp: Expectation) -> None:
    """A figure compatible with the claim's (the judges' restatement verdicts)."""
    detail = f"{verdict.reason}: within the claim's {describe(exp)}"
    notes.note("restatement", detail, text, verdict.highlight, exp)


def trace_overruled(notes: ClaimTrace, text: str, verdict: Verdict, exp: Expectation) -> None:
    span = verdict.highlight
    quote = text[span[0] : span[1]]
    detail = f"the headline's “{quote}” would contradict it, but the article's body restates it"
    notes.note("headline_overruled", detail, text, span, exp)
