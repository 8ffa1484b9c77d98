"""Behind a report's evidence, folded: why the detector fired (the alert's stored ``why``).

The rule that fired, the claim's expectation it was judged against, the figure and the
deciding words, then the claim's other decisions in the article that came closest to firing
(a restatement elsewhere, a negated sentence...). An alert stored without a why (before it
was kept, or a feed alert) shows nothing here. All of it is the article's and the baseline's
text: escaped like the rest of the page.
"""

from __future__ import annotations

from claimwatch.alerts import Alert
from claimwatch.matching.explain import Note
from claimwatch.report.markup import esc
from claimwatch.sinks.email_render import one_line

QUOTE_LIMIT = 160  # characters of a note's sentence (or deciding words) shown


def why_details(alert: Alert) -> str:
    """``<details class="alert-why">`` with what fired and the main notes; "" without a why."""
    why = alert.why
    if why is None:
        return ""
    rows: list[tuple[str, str]] = []
    for fired in why.fired[:1]:
        rows.append(("rule", fired.rule_text))
        rows.append(("expectation", fired.expectation))
        if fired.figure:
            rows.append(("figure", fired.figure))
        if fired.quote:
            rows.append(("deciding words", f"“{fired.quote}”"))
    if why.sentences_naming:
        rows.append(("sentences naming the claim", str(why.sentences_naming)))
    table = "".join(f"<dt>{esc(k)}</dt><dd>{esc(one_line(v))}</dd>" for k, v in rows)
    parts = ['<details class="alert-why"><summary>why</summary>', f"<dl>{table}</dl>"]
    if why.notes:
        parts.append("<p>Also decided in this article:</p>")
        parts.append(f"<ul>{''.join(_note(n) for n in why.notes)}</ul>")
    if why.more_notes:
        more = why.more_notes
        parts.append(f'<p class="muted">and {more} more decision{"s" if more != 1 else ""}</p>')
    parts.append("</details>")
    return "".join(parts)


def _note(note: Note) -> str:
    """A decision and the sentence it was taken on (its deciding words, when the detail does
    not already quote them)."""
    said = note.sentence
    if note.quote and note.quote not in note.detail:
        said = note.quote
    where = f' <span class="muted">“{esc(one_line(said, QUOTE_LIMIT))}”</span>' if said else ""
    return f"<li><b>{esc(note.label)}</b>: {esc(one_line(note.detail))}{where}</li>"
