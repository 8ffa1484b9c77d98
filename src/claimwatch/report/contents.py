"""The top of the page: filters, an overview of every baseline, the latest activity, contents,
and (in a file) an index of claims by status, kind and source.

The overview's columns are a list, so that counts by verdict can join them later. The filter
links carry query parameters when the daemon serves the page (it renders the filtered page);
in a file they lead to the index, whose groups list the claims each choice would keep.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from claimwatch.report.cards import gist
from claimwatch.report.filters import KIND_NAMES, KIND_PARAMS, PageFilter
from claimwatch.report.markup import (
    anchor,
    badge,
    baseline_anchor,
    day,
    esc,
    latest_day,
    minute,
    plural,
    source_anchor,
)
from claimwatch.report.status import STATUSES, BaselineStatus, ClaimStatus, Overview, Status
from claimwatch.sinks.email_render import one_line

LATEST_CLAIMS = 8  # claims listed under "Latest activity"
NAME_LIMIT = 60  # characters of a claim's name in the contents and the index
KIND_WORDS: dict[str, str] = {"contradiction": "contradicted", "follow_up": "followed up"}

Column = tuple[str, Callable[[BaselineStatus, datetime], int]]
COLUMNS: tuple[Column, ...] = (
    ("Alerts", lambda b, _since: b.alerts),
    ("Contradictions", lambda b, _since: b.tally("contradiction")),
    ("Follow-ups", lambda b, _since: b.tally("follow_up")),
    ("New", lambda b, since: b.new_since(since)),
    ("Claims challenged", lambda b, _since: b.challenged),
    ("Unchallenged", lambda b, _since: b.count("unchallenged")),
)


def _claims(view: Overview) -> list[tuple[BaselineStatus, ClaimStatus]]:
    return [(b, c) for b in view.baselines for c in b.claims]


def _claim_link(status: BaselineStatus, item: ClaimStatus, limit: int | None = None) -> str:
    target, name = anchor(status.baseline.id, item.claim.id), item.claim.short
    if limit is None or len(name) <= limit:
        return f'<a href="#{target}">{esc(name)}</a>'
    return f'<a href="#{target}" title="{esc(name)}">{esc(one_line(name, limit))}</a>'


# ---- filters ------------------------------------------------------------------------------


def _choice(label: str, href: str, current: bool) -> str:
    mark = ' aria-current="true" class="on"' if current else ""
    return f'<a href="{esc(href)}"{mark}>{esc(label)}</a>'


def _links(chosen: PageFilter, part: str, options: Sequence[tuple[str, str | None]]) -> str:
    """One row of choices for ``part`` (status, kind, source); the others stay as chosen."""
    current = getattr(chosen, part)
    links = []
    for label, value in [("all", None), *options]:
        changed: dict[str, Any] = {part: value}
        href = dataclasses.replace(chosen, **changed).href()
        links.append(_choice(label, href, current == value))
    return " · ".join(links)


def _served_choices(view: Overview, chosen: PageFilter) -> list[str]:
    claims = _claims(view)
    statuses = Counter(c.status for _, c in claims)
    kinds = {k: sum(any(a.kind == k for a in c.alerts) for _, c in claims) for k in KIND_NAMES}
    sources = Counter(a.feed for _, c in claims for a in c.alerts)
    by_status = [(f"{s} ({statuses[s]})", s) for s in STATUSES]
    by_kind = [(f"{name} ({kinds[k]})", k) for name, k in KIND_PARAMS.items()]
    by_source = [
        (f"{one_line(feed, 40)} ({n})", feed)
        for feed, n in sorted(sources.items(), key=lambda item: (-item[1], item[0]))
    ]
    current = esc(one_line(chosen.source, 40)) if chosen.source else "all"
    return [
        f'<p><span class="label">Status</span> {_links(chosen, "status", by_status)}</p>',
        f'<p><span class="label">Kind</span> {_links(chosen, "kind", by_kind)}</p>',
        f'<details class="sources"><summary><span class="label">Source</span> {current} '
        f"({plural(len(sources), 'source')})</summary>"
        f"<p>{_links(chosen, 'source', by_source)}</p></details>",
    ]


def _file_choices() -> list[str]:
    statuses = " · ".join(f'<a href="#f-status-{s.replace(" ", "-")}">{s}</a>' for s in STATUSES)
    kinds = " · ".join(f'<a href="#f-kind-{name}">{name}</a>' for name in KIND_PARAMS)
    return [
        f'<p><span class="label">Status</span> {statuses}</p>',
        f'<p><span class="label">Kind</span> {kinds} · '
        f'<span class="label">Source</span> <a href="#f-sources">by source</a></p>',
    ]


def filter_bar(everything: Overview, chosen: PageFilter, *, served: bool) -> str:
    """The filter links: query parameters when served, anchors into the index in a file."""
    rows = _served_choices(everything, chosen) if served else _file_choices()
    if chosen.narrows:
        show_all = esc(PageFilter(since=chosen.since).href())
        rows.append(
            f'<p class="showing">Showing only {esc(chosen.describe())} · '
            f'<a href="{show_all}">show everything</a></p>'
        )
    return f'<nav class="filters" aria-label="Filter">{"".join(rows)}</nav>'


# ---- overview -----------------------------------------------------------------------------


def overview_table(view: Overview) -> str:
    """One row per baseline: its alerts by kind, new ones, its claims challenged or not."""
    head = "".join(f"<th>{esc(name)}</th>" for name, _count in COLUMNS)
    rows = []
    for status in view.baselines:
        cells = "".join(f'<td class="n">{count(status, view.since)}</td>' for _, count in COLUMNS)
        title = esc(one_line(status.baseline.title, 90))
        rows.append(
            f'<tr><td><a href="#{baseline_anchor(status.baseline.id)}">{title}</a></td>{cells}'
            f"<td>{day(status.last_report)}</td></tr>"
        )
    return (
        f'<table class="overview"><caption>New: found since {minute(view.since)}</caption>'
        f"<thead><tr><th>Baseline</th>{head}<th>Latest report</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def latest_activity(view: Overview) -> str:
    """The claims whose latest report is newest, whichever baseline holds them."""
    moved = sorted(
        ((b, c) for b, c in _claims(view) if c.last_report),
        key=lambda pair: -pair[1].last_report.timestamp(),  # type: ignore[union-attr]
    )[:LATEST_CLAIMS]
    if not moved:
        return ""
    rows = []
    for status, item in moved:
        latest = item.latest[0]
        said = gist(latest, item.claim)
        detail = f"{KIND_WORDS.get(latest.kind, latest.kind)} by {one_line(latest.feed, 60)}"
        detail += f": {said}" if said else ""
        new = item.new_since(view.since)
        rows.append(
            f'<li><span class="when">{latest_day(item)}</span> {badge(item.status)} '
            f'{_claim_link(status, item, 2 * NAME_LIMIT)} <span class="muted">· {esc(detail)}'
            f"{f' · {new} new' if new else ''}</span></li>"
        )
    return f'<h3>Latest activity</h3><ol class="activity">{"".join(rows)}</ol>'


def contents(view: Overview) -> str:
    """Every baseline, and under it every claim in page order."""
    rows = []
    for status in view.baselines:
        claims = " · ".join(_claim_link(status, c, NAME_LIMIT) for c in status.claims)
        title = esc(one_line(status.baseline.title, 90))
        rows.append(
            f'<li><a href="#{baseline_anchor(status.baseline.id)}">{title}</a> '
            f'<span class="muted">({status.challenged} of {plural(len(status.claims), "claim")} '
            f"challenged)</span><br><small>{claims}</small></li>"
        )
    return f'<nav class="toc" aria-label="Contents"><h3>Contents</h3><ol>{"".join(rows)}</ol></nav>'


# ---- the index: the file's filters ----------------------------------------------------------


def _group(ident: str, title: str, pairs: Sequence[tuple[BaselineStatus, ClaimStatus]]) -> str:
    items = "".join(
        f'<li>{_claim_link(b, c)} <span class="muted">· {esc(b.baseline.id)}</span></li>'
        for b, c in pairs
    )
    return (
        f'<details id="{ident}"><summary>{esc(title)} ({plural(len(pairs), "claim")})</summary>'
        f"<ul>{items}</ul></details>"
    )


def _by_status(claims: Sequence[tuple[BaselineStatus, ClaimStatus]], status: Status) -> str:
    chosen = [(b, c) for b, c in claims if c.status == status]
    return _group(f"f-status-{status.replace(' ', '-')}", status.capitalize(), chosen)


def _by_source(claims: Sequence[tuple[BaselineStatus, ClaimStatus]]) -> str:
    per_feed: dict[str, list[tuple[BaselineStatus, ClaimStatus]]] = {}
    for b, c in claims:
        for feed in dict.fromkeys(a.feed for a in c.alerts):
            per_feed.setdefault(feed, []).append((b, c))
    rows = "".join(
        f'<li id="{source_anchor(feed)}">{esc(one_line(feed, 80))}: '
        f"{' · '.join(_claim_link(b, c, NAME_LIMIT) for b, c in pairs)}</li>"
        for feed, pairs in sorted(per_feed.items(), key=lambda item: (-len(item[1]), item[0]))
    )
    return (
        f'<details id="f-sources"><summary>By source ({plural(len(per_feed), "source")})'
        f"</summary><ul>{rows}</ul></details>"
    )


def index(view: Overview) -> str:
    """Claims grouped by status, by the kind of their reports, and by source: the file's
    filters, each group a collapsed list that its link opens."""
    claims = _claims(view)
    groups = [_by_status(claims, s) for s in STATUSES]
    for name, kind in KIND_PARAMS.items():
        chosen = [(b, c) for b, c in claims if any(a.kind == kind for a in c.alerts)]
        groups.append(_group(f"f-kind-{name}", f"With a {name}", chosen))
    groups.append(_by_source(claims))
    return f'<section class="index" id="index"><h3>Index</h3>{"".join(groups)}</section>'
