"""The status page as the daemon serves it: read and rendered off the event loop, one at a
time, and reused while nothing it shows has changed.

Reading 5,000 alerts takes about 90 ms and rendering them a few more; twenty browsers doing
that on the event loop kept /healthz waiting for seconds. So everything happens in one worker
thread, with its own read-only connection to the state (SQLite in WAL mode, or PostgreSQL,
reads beside the daemon's writes):

- alerts are only ever added, so the newest alert's id tells whether they changed: they are
  read again only when it differs;
- the analyst's calls (verdicts, claim states: triage.py) are few and change at any time:
  they are read for every request;
- the page is rendered again only when the alerts, the calls, the baselines, the minute it
  shows or the filter asked for (``?status=...``, report/filters.py) changed;
- requests queue for the one thread, so twenty at once cost one read and one render.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

from claimwatch.alerts import Alert
from claimwatch.baselines import Baseline
from claimwatch.errors import StateError
from claimwatch.report import EVERYTHING, PageFilter, PageView, build_report
from claimwatch.store import Store, open_store
from claimwatch.triage import Triage


class LivePage:
    """``await page.get(baselines, now, chosen)`` -> the HTML; ``close`` ends the thread.

    ``location`` is the state the daemon opened (``Config.state_location``). A SQLite file
    that is missing is reported, never created.
    """

    def __init__(self, location: Path | str) -> None:
        self.location = location
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cw-page")
        self._reader: Store | None = None  # opened and used in the worker thread only
        self._newest: str | None = None
        self._alerts: Sequence[Alert] | None = None
        self._key: tuple[str | None, Triage, str, PageFilter] | None = None
        self._baselines: Sequence[Baseline] | None = None  # those the page shows
        self._page = ""
        self.loads = 0  # times every alert was read (tests and benchmarks count them)
        self.renders = 0

    async def get(
        self, baselines: Sequence[Baseline], now: datetime, chosen: PageFilter = EVERYTHING
    ) -> str:
        """The page, showing what ``chosen`` keeps; raises StateError when the state cannot
        be read."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self._current, baselines, now, chosen)

    def close(self) -> None:
        self._executor.submit(self._close_reader)
        self._executor.shutdown(wait=False, cancel_futures=False)

    # ---- in the worker thread ------------------------------------------------------------

    def _current(self, baselines: Sequence[Baseline], now: datetime, chosen: PageFilter) -> str:
        try:
            alerts, triage = self._read()
        except StateError:
            self._close_reader()  # opened again by the next request
            raise
        key = (self._newest, triage, f"{now:%Y-%m-%d %H:%M}", chosen)
        if key != self._key or baselines is not self._baselines:
            view = PageView(chosen, served=True)
            self._page = build_report(baselines, alerts, now=now, view=view, triage=triage)
            self._key, self._baselines = key, baselines
            self.renders += 1
        return self._page

    def _read(self) -> tuple[Sequence[Alert], Triage]:
        if self._reader is None:
            if isinstance(self.location, Path) and not self.location.is_file():
                raise StateError("the state database is missing", subject=str(self.location))
            self._reader = open_store(self.location)
        latest = self._reader.recent_alerts(1)
        newest = latest[0].alert.alert_id if latest else None
        if self._alerts is None or newest != self._newest:
            self._alerts, self._newest = self._reader.all_alerts(), newest
            self.loads += 1
        return self._alerts, Triage(self._reader.verdicts(), self._reader.claim_states())

    def _close_reader(self) -> None:
        reader, self._reader = self._reader, None
        if reader is not None:
            reader.close()
