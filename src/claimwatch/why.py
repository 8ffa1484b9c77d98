"""An alert's ``why``: the detector's own explanation of the claim it fired on, kept with it.

Recording an explanation (``matching.trace``) slows matching down, and nearly every article
matches nothing, so the pipeline matches without a trace and ``explain`` runs the detector
again only over the claims that produced findings. A claim is judged on its
own (the term index relies on this too: it hands ``match`` baselines narrowed to a few
claims), so that second run records exactly what tracing the whole first run would have
recorded for those claims, at the cost of matching them alone.

What an alert keeps is its claim's explanation with only the alert's own finding and the
claim's most notable other decisions (those that came closest to firing), every text cut,
so that a stored ``why`` stays well under ``MAX_BYTES`` whatever the article.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence

from claimwatch.claims import Baseline
from claimwatch.matching import Document, match
from claimwatch.matching.explain import RANKS, ClaimExplanation, Explanation, Fired, Note
from claimwatch.matching.findings import Finding
from claimwatch.matching.trace import Trace

NOTES_KEPT = 5  # decisions kept beside what fired: the closest to firing
SENTENCE_LIMIT = 400  # characters of a sentence (the evidence itself is stored in full)
TEXT_LIMIT = 240  # of a detail, a quote, an expectation, a reason
MAX_BYTES = 8192  # a stored why, as UTF-8 JSON; notes are dropped past it


def explain(
    document: Document, baselines: Sequence[Baseline], findings: Sequence[Finding]
) -> Explanation | None:
    """The explanation of the claims that produced ``findings`` (None without findings):
    their baselines narrowed to them, matched again with a trace."""
    fired: dict[str, set[str]] = {}
    for finding in findings:
        fired.setdefault(finding.baseline_id, set()).add(finding.claim_id)
    narrowed = tuple(
        dataclasses.replace(b, claims=tuple(c for c in b.claims if c.id in fired[b.id]))
        for b in baselines
        if b.id in fired
    )
    if not narrowed:
        return None
    trace = Trace()
    match(document, narrowed, indexed=False, trace=trace)
    return trace.explanation()


def for_alert(
    explanation: Explanation, baseline_id: str, claim_id: str, kind: str
) -> ClaimExplanation | None:
    """One alert's why: its claim's explanation with what fired of its kind, bounded."""
    claim = explanation.claim(baseline_id, claim_id)
    if claim is None:
        return None
    fired = tuple(_cut_fired(f) for f in claim.fired if f.kind == kind)
    kept = _notable(claim.notes)
    dropped = len(claim.notes) - len(kept)
    why = dataclasses.replace(
        claim, fired=fired, notes=kept, more_notes=claim.more_notes + dropped, reason=None
    )
    while len(dumps(why).encode("utf-8")) > MAX_BYTES and why.notes:
        why = dataclasses.replace(why, notes=why.notes[:-1], more_notes=why.more_notes + 1)
    return why


def _notable(notes: Sequence[Note]) -> tuple[Note, ...]:
    """The ``NOTES_KEPT`` decisions that came closest to firing, in article order."""
    ranked = sorted(range(len(notes)), key=lambda i: -RANKS.get(notes[i].code, 0))
    return tuple(_cut_note(notes[i]) for i in sorted(ranked[:NOTES_KEPT]))


def cut(text: str | None, limit: int = TEXT_LIMIT) -> str | None:
    if text is None or len(text) <= limit:
        return text
    return text[: limit - 1].rstrip() + "…"


def _cut_note(note: Note) -> Note:
    return Note(
        note.code,
        cut(note.detail) or "",
        cut(note.sentence, SENTENCE_LIMIT),
        cut(note.quote),
        cut(note.expectation),
    )


def _cut_fired(fired: Fired) -> Fired:
    return dataclasses.replace(
        fired,
        expectation=cut(fired.expectation) or "",
        sentence=cut(fired.sentence, SENTENCE_LIMIT) or "",
        quote=cut(fired.quote) or "",
        figure=cut(fired.figure),
        reason=cut(fired.reason) or "",
    )


# ---- stored as JSON text ---------------------------------------------------------------------


def dumps(why: ClaimExplanation) -> str:
    return json.dumps(why.to_dict(), ensure_ascii=False, separators=(",", ":"))


def loads(text: str | None) -> ClaimExplanation | None:
    """A stored why; None for none, and for one this code cannot read (it is a detail: an
    alert is listed and shown without it rather than not at all)."""
    if not text:
        return None
    try:
        return ClaimExplanation.from_dict(json.loads(text))
    except (ValueError, KeyError, TypeError, AttributeError):
        return None


# ---- in a few words --------------------------------------------------------------------------


def rule_line(why: ClaimExplanation) -> str:
    """What fired, by rule and expectation: ``a figure for what the claim counts, against
    the claim's [people-count: figure 2,500 (about ±20%, 2,000–3,000)]``."""
    if not why.fired:
        return "no rule recorded"
    fired = why.fired[0]
    return f"{fired.rule_text} [{fired.expectation}]"


def line(why: ClaimExplanation) -> str:
    """One line: the rule and the expectation, the figure, the claim's other decisions."""
    parts = [rule_line(why)]
    if why.fired and why.fired[0].figure:
        parts.append(f"figure “{why.fired[0].figure}”")
    others = len(why.notes) + why.more_notes
    if others:
        labels = ", ".join(dict.fromkeys(n.label for n in why.notes))
        said = f"{others} other decision{'s' if others != 1 else ''}"
        parts.append(f"{said}: {labels}" if labels else said)
    return "; ".join(parts)
