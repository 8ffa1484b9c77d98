"""The claim status page: one self-contained HTML file (inline CSS and SVG, no scripts).

Top to bottom: the filters, an overview of every baseline, the claims that moved last, the
contents (and in a file, the index the filters lead to); then each baseline, latest activity
first, its challenged claims as cards and the rest one line each; baselines nothing challenged
yet as one collapsed line at the end; then the feeds' health.

Article text comes from strangers: every title, sentence, reason and source name is escaped
(markup.py), and only http(s) links become links.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from claimwatch.report.cards import claim_card, claim_line
from claimwatch.report.contents import contents, filter_bar, index, latest_activity, overview_table
from claimwatch.report.filters import EVERYTHING, PageFilter, narrow
from claimwatch.report.markup import (
    anchor,
    badge,
    baseline_anchor,
    esc,
    latest_day,
    link,
    minute,
    plural,
)
from claimwatch.report.status import STATUSES, BaselineStatus, FeedHealth, Overview
from claimwatch.report.theme import CSS
from claimwatch.report.triage import NO_CALLS, PageCalls, session_bar
from claimwatch.sinks.email_render import one_line

NAME_LIMIT = 56  # characters of a claim's name in a table row: one line each


@dataclass(frozen=True, slots=True)
class PageView:
    """How to show the page: which part (``chosen``), whether the daemon serves it (its
    filter links then carry query parameters) or it is a file (they lead to the index), and
    the analysts' calls with the forms to make them (``calls``; the forms on served pages only)."""

    chosen: PageFilter = EVERYTHING
    served: bool = False
    calls: PageCalls = NO_CALLS


AS_FILE = PageView()


# ---- a baseline -----------------------------------------------------------------------------


def claim_table(status: BaselineStatus) -> str:
    head = (
        "<thead><tr><th>Claim</th><th>Status</th><th>Contradictions</th><th>Follow-ups</th>"
        "<th>Sources</th><th>Latest report</th></tr></thead>"
    )
    rows = []
    for item in status.claims:
        if item.status == "unchallenged":
            continue
        target = anchor(status.baseline.id, item.claim.id)
        rows.append(
            f'<tr><td><a href="#{target}" title="{esc(item.claim.statement)}">'
            f"{esc(one_line(item.claim.short, NAME_LIMIT))}</a></td>"
            f"<td>{badge(item.status)}</td>"
            f'<td class="n">{item.contradictions}</td><td class="n">{item.follow_ups}</td>'
            f'<td class="n">{len(item.sources)}</td><td>{latest_day(item)}</td></tr>'
        )
    return f'<table class="claims">{head}<tbody>{"".join(rows)}</tbody></table>'


def _source(status: BaselineStatus) -> str:
    baseline = status.baseline
    source = esc(baseline.outlet)
    if baseline.date:
        source += f", {baseline.date.day} {baseline.date:%B %Y}"
    return (
        f"Source: {link(baseline.url, source)} · baseline <code>{esc(baseline.id)}</code> · "
        f"{plural(len(status.claims), 'claim')}"
    )


def _quiet_lines(status: BaselineStatus, calls: PageCalls) -> str:
    quiet = [c for c in status.claims if c.status == "unchallenged"]
    if not quiet:
        return ""
    lines = "".join(claim_line(c, status.baseline, calls) for c in quiet)
    return f'<h4>Unchallenged ({len(quiet)})</h4><ul class="quiet">{lines}</ul>'


def baseline_section(status: BaselineStatus, since: datetime, calls: PageCalls = NO_CALLS) -> str:
    """A baseline that coverage challenged: its claims table, cards, and quiet claims."""
    baseline = status.baseline
    if not status.challenged:
        return quiet_baseline(status, calls)
    tally = "".join(f"<span>{badge(s)} {status.count(s)}</span>" for s in STATUSES)
    cards = (
        claim_card(c, baseline, since, calls) for c in status.claims if c.status != "unchallenged"
    )
    return "\n".join(
        [
            f'<section class="baseline" id="{baseline_anchor(baseline.id)}">',
            f"<h2>{esc(baseline.title)}</h2>",
            f'<p class="source">{_source(status)}</p>',
            f'<p class="tally">{tally}</p>',
            claim_table(status),
            *cards,
            _quiet_lines(status, calls),
            "</section>",
        ]
    )


def quiet_baseline(status: BaselineStatus, calls: PageCalls = NO_CALLS) -> str:
    """A baseline nothing has challenged yet: one line, its claims behind it."""
    baseline = status.baseline
    lines = "".join(claim_line(c, baseline, calls) for c in status.claims)
    return (
        f'<details class="baseline quiet" id="{baseline_anchor(baseline.id)}">'
        f"<summary><strong>{esc(baseline.title)}</strong> · "
        f"{plural(len(status.claims), 'claim')}, none challenged yet</summary>"
        f'<p class="source">{_source(status)}</p><ul class="quiet">{lines}</ul></details>'
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


def _summary(view: Overview, now: datetime) -> str:
    claims = sum(len(b.claims) for b in view.baselines)
    new = sum(b.new_since(view.since) for b in view.baselines)
    return (
        f"Generated {minute(now)} · {plural(len(view.baselines), 'baseline')} · "
        f"{plural(claims, 'claim')} · {plural(view.reports, 'alert')} on them · "
        f"{new} new since {minute(view.since)}"
    )


def _top(everything: Overview, shown: Overview, how: PageView) -> list[str]:
    """Everything above the baselines, in the order an analyst reads it."""
    if not everything.baselines:
        return []
    parts = [
        filter_bar(everything, how.chosen, served=how.served),
        '<section class="overview" id="overview">',
        overview_table(everything),
        latest_activity(shown),
        contents(shown),
        "" if how.served else index(everything),
        "</section>",
    ]
    if not everything.reports:
        parts.insert(0, '<p class="empty">No coverage has been judged relevant yet: '
                        "every claim is unchallenged.</p>")  # fmt: skip
    elif how.chosen.narrows and not shown.baselines:
        parts.append('<p class="empty">No claim matches this filter.</p>')
    return parts


def page(everything: Overview, now: datetime, how: PageView = AS_FILE) -> str:
    shown = narrow(everything, how.chosen)
    body = [baseline_section(b, shown.since, how.calls) for b in shown.baselines]
    if not everything.baselines:
        body = ['<p class="empty">No baselines are loaded, so there are no claims to show.</p>']
    footer = "claimwatch claim status page."
    if everything.unknown_claims:
        footer += (
            f" {plural(everything.unknown_claims, 'stored alert')} concern claims that no loaded "
            "baseline holds any more and are not shown."
        )
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en"><head><meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            "<title>claimwatch · claim status</title>",
            f"<style>{CSS}</style></head><body>",
            f'<header><h1>Claim status</h1><p class="muted">{esc(_summary(shown, now))}</p>'
            f"{session_bar(how.calls)}</header>",
            *_top(everything, shown, how),
            *body,
            feed_section(everything.feeds),
            f"<footer>{esc(footer)}</footer>",
            "</body></html>",
            "",
        ]
    )
