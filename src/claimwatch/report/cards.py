"""A claim on the page: a card with charts and evidence when coverage challenged it, one line
when nothing did.

The words the page adds stay within what the alerts say: a state change is named with the
stage its alert reported and the phrase that reported it ("withdrawal completed (“left”)"),
and where no alert carries a figure the evidence may still quote one, which the page says
instead of "no figure". An analyst's calls show beside what they concern: a report confirmed,
a claim muted or closed (with its note), how many reports were dismissed (triage.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from claimwatch.alerts import Alert
from claimwatch.baselines import Baseline, Claim, State
from claimwatch.report.axes import compact_label
from claimwatch.report.charts import figure_chart, state_chart
from claimwatch.report.markup import anchor, badge, esc, link, minute, plural, reported_day
from claimwatch.report.series import (
    QUANTITY_MEASURE,
    STAGES,
    FigureSeries,
    figure_series,
    quoted_figures,
    stage_counts,
    state_tracks,
)
from claimwatch.report.status import ClaimStatus, utc
from claimwatch.report.triage import NO_CALLS, PageCalls, alert_anchor, alert_calls, state_form
from claimwatch.report.why import why_details
from claimwatch.sinks.email_render import kind_label, one_line, split_highlight
from claimwatch.verdicts import ClaimState

NEVER = datetime.max.replace(tzinfo=UTC)  # no dismissed report is marked new
QUOTED_SHOWN = 8  # figures from the evidence listed in a note
SOURCES_SHOWN = 8  # sources named under a card, the most reporting first


# ---- what an alert says, in a few words ------------------------------------------------------


def _changes(claim: Claim) -> set[str]:
    return {c.name for e in claim.expectations if isinstance(e, State) for c in e.changes}


def gist(alert: Alert, claim: Claim) -> str:
    """What one report said, short: its figure, the stage it reported, or its decisive phrase."""
    _before, phrase, _after = split_highlight(alert.evidence, alert.highlight)
    quoted = f"“{one_line(phrase, 60)}”" if phrase else ""
    name, _, stage = alert.fact.partition(":")
    if name in _changes(claim):
        said = f"{name} {stage}" if stage in STAGES else f"{name} reported"
        return f"{said} ({quoted})" if quoted else said
    if alert.value is not None:
        figure = compact_label(alert.value)
        return figure if name == QUANTITY_MEASURE else f"{figure} ({name})"
    return quoted


# ---- evidence -----------------------------------------------------------------------------


def marks(alert: Alert, since: datetime, confirmed: bool) -> str:
    """The badges after a report's kind: new (found since ``since``), confirmed."""
    new = ' <span class="badge new">new</span>' if utc(alert.detected_at) >= since else ""
    return new + (' <span class="badge confirmed">confirmed</span>' if confirmed else "")


def evidence_item(
    alert: Alert, since: datetime, confirmed: bool = False, calls: PageCalls = NO_CALLS
) -> str:
    """One report: its sentence with the decisive phrase marked, why, and where it appeared."""
    before, marked, after = split_highlight(alert.evidence, alert.highlight)
    sentence = esc(before) + (f"<mark>{esc(marked)}</mark>" if marked else "") + esc(after)
    title = link(alert.article_url, esc(one_line(alert.article_title) or "(untitled)"))
    when = (
        f"published {minute(alert.published)}"
        if alert.published
        else f"publication date unknown, seen {minute(alert.detected_at)}"
    )
    repeat = "" if alert.novel else " · a fact reported before"
    return (
        f'<li class="{esc(alert.kind)}" id="{alert_anchor(alert.alert_id)}">'
        f'<span class="badge k-{esc(alert.kind)}">{esc(kind_label(alert))}</span>'
        f"{marks(alert, since, confirmed)}"
        f"<blockquote>{sentence}</blockquote>"
        f'<p class="why">{esc(one_line(alert.reason))}</p>{why_details(alert)}'
        f'<p class="meta">{title} · {esc(one_line(alert.feed))} · {when}{repeat}</p>'
        f"{alert_calls(alert.alert_id, calls)}</li>"
    )


def earlier_item(
    alert: Alert,
    claim: Claim,
    since: datetime,
    confirmed: bool = False,
    calls: PageCalls = NO_CALLS,
) -> str:
    """An earlier report in one line: kind, what it said, where and when; the sentence on hover."""
    title = link(alert.article_url, esc(one_line(alert.article_title, 90) or "(untitled)"))
    said = gist(alert, claim)
    when = reported_day(alert)
    return (
        f'<li title="{esc(one_line(alert.evidence, 300))}" id="{alert_anchor(alert.alert_id)}">'
        f'<span class="k-{esc(alert.kind)}">{esc(kind_label(alert))}</span>'
        f"{marks(alert, since, confirmed)}"
        f"{f' · {esc(said)}' if said else ''} · {title} · {esc(one_line(alert.feed, 60))} · "
        f"{when}{alert_calls(alert.alert_id, calls)}</li>"
    )


def _sources(item: ClaimStatus) -> str:
    named = ", ".join(f"{esc(one_line(feed))} ({n})" for feed, n in item.sources[:SOURCES_SHOWN])
    more = len(item.sources) - SOURCES_SHOWN
    return f'<p class="sources">Sources: {named}{f" and {more} more" if more > 0 else ""}</p>'


# ---- charts and what they leave out ----------------------------------------------------------


def _series_name(series: FigureSeries, claim: Claim) -> str:
    return claim.short if series.measure == QUANTITY_MEASURE else series.measure


def figure_note(silent: Sequence[str], quoted: Sequence[str]) -> str:
    """What the charts do not show: measures no alert gave a figure for, and figures the
    evidence quotes that no alert carries."""
    shown = ", ".join(quoted[:QUOTED_SHOWN]) + (" …" if len(quoted) > QUOTED_SHOWN else "")
    if silent and quoted:
        text = f"No figure read for {', '.join(silent)}; figures in the evidence: {shown}."
    elif silent:
        text = f"No figure reported yet for {', '.join(silent)}."
    elif quoted:
        text = f"Other figures in the evidence, not charted: {shown}."
    else:
        return ""
    return f'<p class="muted figure-note">{esc(text)}</p>'


def _figure_charts(item: ClaimStatus, baseline: Baseline) -> list[str]:
    parts: list[str] = []
    silent: list[str] = []
    every = figure_series(item.claim, item.alerts)
    for series in every:
        if not series.marks:  # an empty chart says nothing a line cannot
            silent.append(_series_name(series, item.claim))
            continue
        label = (
            f"Reported figures: {item.claim.short}"
            if series.measure == QUANTITY_MEASURE
            else f"{series.measure.capitalize()}, as reported · {item.claim.short}"
        )
        svg = figure_chart(series, label=label, baseline_day=baseline.date)
        parts.append(f'<figure class="figures"><figcaption>{esc(label)}</figcaption>{svg}</figure>')
    if every:
        parts.append(figure_note(silent, quoted_figures(item.claim, item.alerts)))
    return parts


def _stage_line(claim: Claim, alerts: Sequence[Alert]) -> list[str]:
    lines = []
    for expectation in claim.expectations:
        if isinstance(expectation, State):
            for change, counts in stage_counts(expectation, alerts):
                said = ", ".join(f"{stage} in {plural(n, 'report')}" for stage, n in counts)
                lines.append(f'<p class="stages">Reported: {esc(change)} {esc(said)}.</p>')
    return lines


def charts(item: ClaimStatus, baseline: Baseline) -> list[str]:
    """Figure timelines for figure claims, time axes for state claims; a line where empty."""
    parts = _figure_charts(item, baseline)
    for track in state_tracks(item.claim, item.alerts):
        if not track.lanes:
            parts.append(f'<p class="muted">No change reported yet to: {esc(track.holds)}.</p>')
            continue
        label = f"Reported changes: {track.holds}"
        svg = state_chart(track, label=label, baseline_day=baseline.date)
        parts.append(f'<figure class="states"><figcaption>{esc(label)}</figcaption>{svg}</figure>')
    return [p for p in parts if p] + _stage_line(item.claim, item.alerts)


# ---- the claim ------------------------------------------------------------------------------


def counts(item: ClaimStatus, since: datetime) -> str:
    parts = [
        plural(item.contradictions, "contradiction"),
        plural(item.follow_ups, "follow-up"),
        plural(item.new_facts, "new fact"),
        plural(len(item.sources), "source"),
    ]
    if new := item.new_since(since):
        parts.append(f"{new} new")
    if item.confirmed:
        parts.append(f"{len(item.confirmed)} confirmed")
    if item.dismissed:
        parts.append(f"{item.dismissed} dismissed, not counted")
    shown, total = len(item.alerts), item.contradictions + item.follow_ups
    if shown < total:
        parts.append(f"{shown} of {total} shown by the filter")
    return " · ".join(parts)


def state_badges(item: ClaimStatus) -> str:
    """The claim's status, and its state when muted or closed."""
    if item.hold is None:
        return badge(item.status)
    held = f'<span class="badge h-{esc(item.hold.state)}">{esc(item.hold.state)}</span>'
    return f"<span>{badge(item.status)} {held}</span>"


def hold_note(hold: ClaimState | None) -> str:
    """Who muted or closed the claim, when, and the note they left."""
    if hold is None:
        return ""
    what = "Muted: new reports are kept, not sent" if hold.state == "muted" else "Closed"
    note = f": {esc(one_line(hold.note, 300))}" if hold.note else ""
    when = minute(hold.at)
    return f'<p class="held">{what} by {esc(one_line(hold.by, 60))}, {when}{note}</p>'


def claim_card(
    item: ClaimStatus, baseline: Baseline, since: datetime, calls: PageCalls = NO_CALLS
) -> str:
    claim = item.claim
    parts = [
        f'<article class="claim" id="{anchor(baseline.id, claim.id)}">',
        f"<header><h3>{esc(claim.statement)}</h3>{state_badges(item)}</header>",
        hold_note(item.hold),
    ]
    if form := state_form(baseline.id, claim.id, calls):
        parts.append(f'<p class="calls">{form}</p>')
    if claim.quote:
        parts.append(f'<p class="quote">{esc(claim.quote)}</p>')
    parts.append(
        f'<p class="counts">{counts(item, since)} <span class="muted">· {esc(claim.id)}</span></p>'
    )
    parts += charts(item, baseline)
    if item.latest:
        newest, *earlier = item.latest
        confirmed = newest.alert_id in item.confirmed
        parts.append(f'<ol class="evidence">{evidence_item(newest, since, confirmed, calls)}</ol>')
        if earlier:
            lines = "".join(
                earlier_item(a, claim, since, a.alert_id in item.confirmed, calls) for a in earlier
            )
            parts.append(f'<ul class="earlier">{lines}</ul>')
        parts.append(_sources(item))
    parts.append(dismissed_list(item, calls))
    parts.append("</article>")
    return "\n".join(p for p in parts if p)


def dismissed_list(item: ClaimStatus, calls: PageCalls) -> str:
    """The claim's dismissed reports, folded: they count for nothing but can be overruled."""
    if not item.dismissed_alerts:
        return ""
    lines = "".join(earlier_item(a, item.claim, NEVER, calls=calls) for a in item.dismissed_alerts)
    summary = plural(len(item.dismissed_alerts), "dismissed report")
    return (
        f'<details class="dismissed"><summary>{summary}</summary>'
        f'<ul class="earlier">{lines}</ul></details>'
    )


def claim_line(item: ClaimStatus, baseline: Baseline, calls: PageCalls = NO_CALLS) -> str:
    """An unchallenged claim in one line: no counts of zero, no empty chart."""
    claim = item.claim
    dismissed = f" · {item.dismissed} dismissed" if item.dismissed else ""
    return (
        f'<li id="{anchor(baseline.id, claim.id)}" title="{esc(claim.statement)}">'
        f"{state_badges(item)} {state_form(baseline.id, claim.id, calls)}{esc(claim.statement)} "
        f'<span class="muted">· {esc(claim.id)}{dismissed}</span>{hold_note(item.hold)}'
        f"{dismissed_list(item, calls)}</li>"
    )
