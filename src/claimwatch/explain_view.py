"""``claimwatch scan --explain`` as text: per baseline, what fired, then why each other claim
did not; the claims the article never names on one line, so a long baseline stays readable."""

from __future__ import annotations

import textwrap

from claimwatch.matching.explain import (
    BaselineExplanation,
    ClaimExplanation,
    Explanation,
    Fired,
    Note,
)
from claimwatch.matching.trace import counted

EXCERPT = 160  # characters of a sentence shown around its deciding words
WIDTH = 100
_FAR = "about_missing"  # never got close: listed by id only


def explain_text(explanation: Explanation) -> str:
    return "\n\n".join(_baseline(b) for b in explanation.baselines)


def hint_text(explanation: Explanation) -> str:
    """After "no findings": one line per baseline with its main reason, and where to look."""
    lines = [f"  {b.baseline_id}: {b.summary()}" for b in explanation.baselines]
    lines.append("(claimwatch scan --explain shows why for every claim)")
    return "\n".join(lines)


def _baseline(baseline: BaselineExplanation) -> str:
    head = f"{baseline.baseline_id}: {baseline.summary()}"
    if not baseline.in_scope:
        return f"{head}\n  its {counted(len(baseline.claims), 'claim')} were not read"
    lines = [head]
    if baseline.setting:
        lines.append(
            f"  the article is set in {baseline.setting}: what its sentences say without "
            "naming the story is not the story's"
        )
    fired = [c for c in baseline.claims if c.fired]
    silent = [c for c in baseline.claims if not c.fired and c.reason and c.reason.code != _FAR]
    far = [c for c in baseline.claims if not c.fired and c not in silent]
    for claim in fired:
        lines.extend(_fired(claim.claim_id, f) for f in claim.fired)
    for claim in silent:
        lines.append(_silent(claim))
    lines.extend(_far(far))
    return "\n".join(lines)


def _fired(claim_id: str, fired: Fired) -> str:
    rule = fired.rule_text
    lines = [
        f"  FIRED {fired.kind} {claim_id} (score {fired.score:.2f})",
        f"    rule: {rule} [{fired.expectation}]",
        f"    sentence: {excerpt(fired.sentence, fired.quote)}",
    ]
    if fired.figure:
        lines.append(f"    figure: {fired.figure}")
    lines.append(f"    reason: {fired.reason}")
    return "\n".join(lines)


def _silent(claim: ClaimExplanation) -> str:
    note = claim.reason or Note("nothing_said", "")
    line = f"  - {claim.claim_id}: {note.label}: {note.detail}"
    if note.expectation and note.expectation.split(": ", 1)[-1] not in note.detail:
        line += f" [{note.expectation}]"
    wrapped = textwrap.wrap(line, WIDTH, subsequent_indent="      ")
    if note.sentence:
        wrapped.append(f"      sentence: {_sentence(note)}")
    others = len(claim.notes) + claim.more_notes - 1
    if others > 0:
        wrapped.append(f"      (and {counted(others, 'other decision')}: --json lists them)")
    return "\n".join(wrapped)


def _far(claims: list[ClaimExplanation]) -> list[str]:
    if not claims:
        return []
    ids = ", ".join(c.claim_id for c in claims)
    text = f"  - not named in the article ({len(claims)}): {ids}"
    return textwrap.wrap(text, WIDTH, subsequent_indent="      ")


def _sentence(note: Note) -> str:
    return excerpt(note.sentence or "", note.quote or "")


def excerpt(sentence: str, quote: str, width: int = EXCERPT) -> str:
    """The sentence, shortened around ``quote`` to about ``width`` characters."""
    text = " ".join(sentence.split())
    if len(text) <= width:
        return f"“{text}”"
    at = text.find(" ".join(quote.split())) if quote else 0
    start = max(0, min(at - width // 3, len(text) - width))
    cut = text[start : start + width]
    return f"“{'…' if start else ''}{cut}{'…' if start + width < len(text) else ''}”"
