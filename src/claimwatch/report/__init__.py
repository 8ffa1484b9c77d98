"""The claim status page: baselines and stored alerts -> one self-contained HTML file.

    status.overview(baselines, alerts)   -> Overview     where each claim stands, latest first
    filters.parse_filter(query)          -> PageFilter   status, kind, source (served pages)
    series.figure_series / state_tracks  -> chart data   figures over time, a state's events
    charts.figure_chart / state_chart    -> inline SVG   (axes.py, svg.py: scales, marks, legend)
    page.page(overview, now, view)       -> HTML         contents.py: the top; cards.py: claims
    triage.PageCalls                     -> verdicts, holds and (served) the forms to make them

``claimwatch report`` writes the page to a file and the daemon serves it (filtered by the
request's query); both call ``build_report``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import datetime, timedelta

from claimwatch.alerts import Alert
from claimwatch.baselines import Baseline
from claimwatch.report.filters import EVERYTHING, FilterError, PageFilter, parse_filter
from claimwatch.report.page import AS_FILE, PageView, page
from claimwatch.report.status import overview
from claimwatch.report.triage import NO_CALLS, Mode, PageCalls
from claimwatch.triage import NO_TRIAGE, Triage

__all__ = [
    "EVERYTHING",
    "NO_CALLS",
    "NO_TRIAGE",
    "FilterError",
    "Mode",
    "PageCalls",
    "PageFilter",
    "PageView",
    "Triage",
    "build_report",
    "parse_filter",
]

NEW_WINDOW = timedelta(days=1)  # alerts found this long before the page count as new


def build_report(
    baselines: Sequence[Baseline],
    alerts: Sequence[Alert],
    *,
    now: datetime,
    view: PageView = AS_FILE,
    triage: Triage = NO_TRIAGE,
) -> str:
    """The claim status page for ``baselines`` given every stored ``alerts`` and the
    analyst's calls on them (dismissed alerts are left out, confirmed ones marked)."""
    since = view.chosen.since or now - NEW_WINDOW
    if view.calls is NO_CALLS and (triage.verdicts or triage.claim_states):  # a file shows them
        calls = PageCalls(triage.verdicts, triage.claim_states)
        view = dataclasses.replace(view, calls=calls)
    return page(overview(baselines, alerts, since=since, triage=triage), now, view)
