"""The status page as the daemon serves it: read and rendered off the event loop, one at a
time, and reused while nothing it shows has changed.

Reading 5,000 alerts takes about 90 ms and rendering them a few more; twenty browsers doing
that on the event loop kept /healthz waiting for seconds. So everything happens in one worker
thread, with its own read-only connection to the state (SQLite in WAL mode, or PostgreSQL,
reads beside the daemon's writes):

- alerts are only ever added, so the newest alert's id tells whether they changed: they are
  read again only when it differs;
- the analysts' calls (verdicts, muted and closed claims) change anywhere (this page's forms,
  ``claimwatch alerts confirm`` in another process) and reading 5,000 of them takes about
  20 ms: they are read again once CALLS_FOR has passed, and at once after a write through
  this server (``calls_changed``), so the page its redirect leads to shows it;
- the page is rendered again only when the alerts, the calls, the baselines, the minute it
  shows or the filter asked for (``?status=...``, report/filters.py; ``since`` differs per
  reader, from their last visit) changed; the PAGES_KEPT pages asked for last are kept, each
  by mode (read-only, sign-in, with forms) and filter;
- requests queue for the one thread, so twenty at once cost one read and one render.

The forms of a page carry its session's CSRF token; the page is rendered once with
``csrf_slot`` in its place, which the server replaces for each session.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from urllib.parse import urlencode

from claimwatch.alerts import Alert
from claimwatch.baselines import Baseline
from claimwatch.errors import StateError
from claimwatch.report import EVERYTHING, Mode, PageCalls, PageFilter, PageView, build_report
from claimwatch.store import Store, open_store
from claimwatch.triage import Triage
from claimwatch.verdicts import ClaimState, Verdict

Calls = tuple[Mapping[str, Verdict], Mapping[tuple[str, str], ClaimState]]
Key = tuple[Mode, str | None, str, PageFilter, int]
PAGES_KEPT = 16  # rendered pages kept: a few readers, each with their filter and last visit
CALLS_FOR = 2.0  # seconds the calls read are reused, unless a write here changed them


class LivePage:
    """``await page.get(baselines, now, chosen, mode)`` -> the HTML; ``close`` ends the thread.

    ``location`` is the state the daemon opened (``Config.state_location``). A SQLite file
    that is missing is reported, never created.
    """

    def __init__(self, location: Path | str) -> None:
        self.location = location
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cw-page")
        self._reader: Store | None = None  # opened and used in the worker thread only
        self._newest: str | None = None
        self._alerts: Sequence[Alert] | None = None
        self._calls: Calls = ({}, {})
        self._calls_read = 0  # times the calls were read and found changed
        self._calls_at = -CALLS_FOR  # time.monotonic() of the last read
        self._written = 0  # writes through this server (calls_changed), by the event loop
        self._written_seen = 0  # ... as of the last read
        self._pages: OrderedDict[Key, tuple[Sequence[Baseline], str]] = OrderedDict()
        self.csrf_slot = f"csrf-{secrets.token_hex(16)}"  # no article can hold it
        self.loads = 0  # times every alert was read (tests and benchmarks count them)
        self.renders = 0

    async def get(
        self,
        baselines: Sequence[Baseline],
        now: datetime,
        chosen: PageFilter = EVERYTHING,
        mode: Mode = "read",
    ) -> str:
        """The page, showing what ``chosen`` keeps, with the forms of ``mode``; raises
        StateError when the state cannot be read."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(
            self._executor, self._current, baselines, now, chosen, mode
        )

    def calls_changed(self) -> None:
        """A verdict or claim state was written: the next page reads them again."""
        self._written += 1

    def close(self) -> None:
        self._executor.submit(self._close_reader)
        self._executor.shutdown(wait=False, cancel_futures=False)

    # ---- in the worker thread ------------------------------------------------------------

    def _current(
        self, baselines: Sequence[Baseline], now: datetime, chosen: PageFilter, mode: Mode
    ) -> str:
        try:
            alerts = self._read()
        except StateError:
            self._close_reader()  # opened again by the next request
            raise
        key = (mode, self._newest, f"{now:%Y-%m-%d %H:%M}", chosen, self._calls_read)
        kept = self._pages.get(key)
        if kept is not None and kept[0] is baselines:
            self._pages.move_to_end(key)
            return kept[1]
        verdicts, states = self._calls
        calls = PageCalls(verdicts, states, mode, self.csrf_slot, urlencode(chosen.params()))
        view = PageView(chosen, True, calls)
        page = build_report(baselines, alerts, now=now, view=view, triage=Triage(verdicts, states))
        self._pages[key] = (baselines, page)
        if len(self._pages) > PAGES_KEPT:
            self._pages.popitem(last=False)  # the one asked for longest ago
        self.renders += 1
        return page

    def _read(self) -> Sequence[Alert]:
        if self._reader is None:
            if isinstance(self.location, Path) and not self.location.is_file():
                raise StateError("the state database is missing", subject=str(self.location))
            self._reader = open_store(self.location)
        latest = self._reader.recent_alerts(1)
        newest = latest[0].alert.alert_id if latest else None
        if self._alerts is None or newest != self._newest:
            self._alerts, self._newest = self._reader.all_alerts(), newest
            self.loads += 1
        written, now = self._written, time.monotonic()
        if written != self._written_seen or now - self._calls_at >= CALLS_FOR:
            calls = (self._reader.verdicts(), self._reader.claim_states())
            self._written_seen, self._calls_at = written, now
            if calls != self._calls:
                self._calls = calls
                self._calls_read += 1
        return self._alerts

    def _close_reader(self) -> None:
        reader, self._reader = self._reader, None
        if reader is not None:
            reader.close()
