"""The claim status page: one self-contained HTML file (inline CSS and SVG, no scripts).

Article text comes from strangers: every title, sentence, reason and source name is escaped
here with ``html.escape``, and only http(s) links become links.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import datetime

from claimwatch.alerts import Alert
from claimwatch.baselines import Baseline
from claimwatch.report.charts import figure_chart, state_chart
from claimwatch.report.series import QUANTITY_MEASURE, figure_series, state_tracks
from claimwatch.report.status import (
    STATUSES,
    BaselineStatus,
    ClaimStatus,
    FeedHealth,
    Overview,
    Status,
    utc,
)
from claimwatch.report.theme import CSS
from claimwatch.sinks.email_render import kind_label, one_line, safe_link, split_highlight


def esc(text: str) -> str:
    return html.escape(text, quote=True)


def link(url: str | None, body: str) -> str:
    """``body`` (already escaped) as a link when ``url`` is http(s), else as plain text."""
    target = safe_link(url)
    return f'<a href="{esc(target)}">{body}</a>' if target else body


def day(moment: datetime | None) -> str:
    return f"{utc(moment).day} {utc(moment):%b %Y}" if moment else "–"


def minute(moment: datetime) -> str:
    return f"{day(moment)} {utc(moment):%H:%M} UTC"


def plural(count: int, word: str, many: str | None = None) -> str:
    return f"{count} {word if count == 1 else many or word + 's'}"


def badge(status: Status) -> str:
    return f'<span class="badge st-{status.replace(" ", "-")}">{status}</span>'


def anchor(baseline_id: str, claim_id: str) -> str:
    return esc(f"c-{baseline_id}-{claim_id}")


# ---- evidence -------------------------------------------------------------------------------


def evidence_item(alert: Alert) -> str:
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
        f'<li class="{esc(alert.kind)}">'
        f'<span class="badge k-{esc(alert.kind)}">{esc(kind_label(alert))}</span>'
        f"<blockquote>{sentence}</blockquote>"
        f'<p class="why">{esc(one_line(alert.reason))}</p>'
        f'<p class="meta">{title} · {esc(one_line(alert.feed))} · {when}{repeat}</p></li>'
    )


# ---- charts ---------------------------------------------------------------------------------


def charts(item: ClaimStatus, baseline: Baseline) -> list[str]:
    """Figure timelines for figure claims, time axes for state claims; notes where empty."""
    parts: list[str] = []
    silent: list[str] = []
    for series in figure_series(item.claim, item.alerts):
        if not series.marks and series.reference is None:
            silent.append(series.measure)
            continue
        label = (
            f"Reported figures: {item.claim.short}"
            if series.measure == QUANTITY_MEASURE
            else f"{series.measure.capitalize()}, as reported · {item.claim.short}"
        )
        svg = figure_chart(series, label=label, baseline_day=baseline.date)
        parts.append(f'<figure class="figures"><figcaption>{esc(label)}</figcaption>{svg}</figure>')
    for track in state_tracks(item.claim, item.alerts):
        if not track.lanes:
            parts.append(f'<p class="muted">No change reported yet to: {esc(track.holds)}.</p>')
            continue
        label = f"Reported changes: {track.holds}"
        svg = state_chart(track, label=label, baseline_day=baseline.date)
        parts.append(f'<figure class="states"><figcaption>{esc(label)}</figcaption>{svg}</figure>')
    if silent:
        parts.append(f'<p class="muted">No figure reported yet for: {esc(", ".join(silent))}.</p>')
    return parts


# ---- claims ---------------------------------------------------------------------------------


def counts(item: ClaimStatus) -> str:
    return " · ".join(
        [
            plural(item.contradictions, "contradiction"),
            plural(item.follow_ups, "follow-up"),
            plural(item.new_facts, "new fact"),
            plural(len(item.sources), "source"),
        ]
    )


def claim_card(item: ClaimStatus, baseline: Baseline) -> str:
    claim = item.claim
    parts = [
        f'<article class="claim" id="{anchor(baseline.id, claim.id)}">',
        f"<header><h3>{esc(claim.statement)}</h3>{badge(item.status)}</header>",
    ]
    if claim.quote:
        parts.append(f'<p class="quote">{esc(claim.quote)}</p>')
    parts.append(
        f'<p class="counts">{counts(item)} <span class="muted">· {esc(claim.id)}</span></p>'
    )
    parts += charts(item, baseline)
    if item.latest:
        parts.append("<h4>Latest evidence</h4>")
        parts.append('<ol class="evidence">' + "".join(map(evidence_item, item.latest)) + "</ol>")
        sources = ", ".join(f"{esc(one_line(feed))} ({n})" for feed, n in item.sources)
        parts.append(f'<p class="sources">Sources: {sources}</p>')
    else:
        parts.append('<p class="muted">No coverage has contradicted or followed up this claim.</p>')
    parts.append("</article>")
    return "\n".join(parts)


def claim_table(status: BaselineStatus) -> str:
    head = (
        "<thead><tr><th>Claim</th><th>Status</th><th>Contradictions</th><th>Follow-ups</th>"
        "<th>Sources</th><th>Latest report</th></tr></thead>"
    )
    rows = []
    for item in status.claims:
        target = anchor(status.baseline.id, item.claim.id)
        rows.append(
            f'<tr><td><a href="#{target}">{esc(item.claim.short)}</a></td>'
            f"<td>{badge(item.status)}</td>"
            f'<td class="n">{item.contradictions}</td><td class="n">{item.follow_ups}</td>'
            f'<td class="n">{len(item.sources)}</td><td>{day(item.last_report)}</td></tr>'
        )
    return f'<table class="claims">{head}<tbody>{"".join(rows)}</tbody></table>'


def baseline_section(status: BaselineStatus) -> str:
    baseline = status.baseline
    source = esc(baseline.outlet)
    if baseline.date:
        source += f", {baseline.date.day} {baseline.date:%B %Y}"
    source = link(baseline.url, source)
    tally = "".join(f"<span>{badge(s)} {status.count(s)}</span>" for s in STATUSES)
    return "\n".join(
        [
            f'<section class="baseline" id="{esc("b-" + baseline.id)}">',
            f"<h2>{esc(baseline.title)}</h2>",
            f'<p class="source">Source: {source} · baseline <code>{esc(baseline.id)}</code> · '
            f"{plural(len(status.claims), 'claim')}</p>",
            f'<p class="tally">{tally}</p>',
            claim_table(status),
            *(claim_card(item, baseline) for item in status.claims),
            "</section>",
        ]
    )


# ---- feeds and the page ---------------------------------------------------------------------


def feed_row(feed: FeedHealth) -> str:
    failing = feed.kind == "feed_failing"
    state = '<span class="failing">failing</span>' if failing else "recovered"
    since = f"since {minute(feed.since)}" if failing and feed.since else minute(feed.detected_at)
    detail = esc(one_line(feed.error if failing else feed.reason, 200))
    name = link(feed.url, esc(one_line(feed.feed)))
    return f"<tr><td>{name}</td><td>{state}</td><td>{since}</td><td>{detail}</td></tr>"


def feed_section(feeds: Sequence[FeedHealth]) -> str:
    if not feeds:
        return ""
    rows = "".join(map(feed_row, feeds))
    return (
        '<section class="feeds"><h2>Feed health</h2>'
        '<p class="muted">Operator alerts: the latest state of each feed that had trouble.</p>'
        f'<table class="feeds"><thead><tr><th>Feed</th><th>State</th><th>When</th><th>Detail</th>'
        f"</tr></thead><tbody>{rows}</tbody></table></section>"
    )


def page(view: Overview, now: datetime) -> str:
    claims = sum(len(b.claims) for b in view.baselines)
    summary = (
        f"Generated {minute(now)} · {plural(len(view.baselines), 'baseline')} · "
        f"{plural(claims, 'claim')} · {plural(view.reports, 'report')} on them"
    )
    body = [baseline_section(b) for b in view.baselines] or [
        '<p class="empty">No baselines are loaded, so there are no claims to show.</p>'
    ]
    if view.baselines and not view.reports:
        body.insert(0, '<p class="empty">No coverage has been judged relevant yet: '
                       "every claim is unchallenged.</p>")  # fmt: skip
    footer = "claimwatch claim status page."
    if view.unknown_claims:
        footer += (
            f" {plural(view.unknown_claims, 'stored alert')} concern claims that no loaded "
            "baseline holds any more and are not shown."
        )
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en"><head><meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            "<title>claimwatch · claim status</title>",
            f"<style>{CSS}</style></head><body>",
            f'<header><h1>Claim status</h1><p class="muted">{esc(summary)}</p></header>',
            *body,
            feed_section(view.feeds),
            f"<footer>{esc(footer)}</footer>",
            "</body></html>",
            "",
        ]
    )
