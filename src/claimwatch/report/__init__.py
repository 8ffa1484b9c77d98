"""The claim status page: baselines and stored alerts -> one self-contained HTML file.

    status.overview(baselines, alerts)   -> Overview     where each claim stands (pure)
    series.figure_series / state_tracks  -> chart data   figures over time, a state's events
    charts.figure_chart / state_chart    -> inline SVG   (axes.py, svg.py: scales, marks, legend)
    page.page(overview, now)             -> HTML         every piece of article text escaped

``claimwatch report`` writes the page to a file and the daemon serves it; both call
``build_report``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from claimwatch.alerts import Alert
from claimwatch.baselines import Baseline
from claimwatch.report.page import page
from claimwatch.report.status import overview

__all__ = ["build_report"]


def build_report(baselines: Sequence[Baseline], alerts: Sequence[Alert], *, now: datetime) -> str:
    """The complete claim status page for ``baselines`` given every stored ``alerts``."""
    return page(overview(baselines, alerts), now)
