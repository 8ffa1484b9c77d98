"""Log lines that count instead of repeating: what a flood of clients (refused, timed out,
sending garbage) or a run of accept failures writes is one line a minute per kind."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from claimwatch.logs import log_event

LOG_INTERVAL = 60.0

logger = logging.getLogger("claimwatch.web")


class Throttled:
    """One log line per ``interval``: the first occurrence at once, then how many followed."""

    def __init__(self, event: str, status: str, interval: float = LOG_INTERVAL) -> None:
        self.event, self.status, self.interval = event, status, interval
        self._window: asyncio.TimerHandle | None = None
        self._count = 0
        self._error = ""

    def note(self, error: str) -> None:
        self._error = error
        if self._window is not None:
            self._count += 1
            return
        self._log(1)
        self._window = asyncio.get_running_loop().call_later(self.interval, self._close)

    def _close(self) -> None:
        self._window = None
        if self._count:
            self._log(self._count)
            self._count = 0
            self._window = asyncio.get_running_loop().call_later(self.interval, self._close)

    def _log(self, count: int) -> None:
        log_event(
            logger, self.event, level=logging.WARNING, status=self.status, count=count,
            error=self._error, seconds=self.interval if count > 1 else None,
        )  # fmt: skip

    def flush(self) -> None:
        """Log what is still counted (on the way out) and close the window."""
        if self._window is not None:
            self._window.cancel()
            self._window = None
        if self._count:
            self._log(self._count)
            self._count = 0


class ThrottledAdapter(logging.LoggerAdapter):  # type: ignore[type-arg]
    """A library's logger (aiohttp's server logs a traceback for each malformed request)
    whose warnings and errors become a throttled line; its debug lines are dropped."""

    def __init__(self, throttled: Throttled, name: str = "aiohttp.server") -> None:
        super().__init__(logging.getLogger(name), {})
        self.throttled = throttled

    def log(self, level: int, msg: object, *args: object, **kwargs: Any) -> None:
        if level < logging.WARNING:
            return
        text = str(msg) % args if args else str(msg)
        error = kwargs.get("exc_info")
        if isinstance(error, BaseException):
            text += f": {type(error).__name__}: {' '.join(str(error).split())}"
        self.throttled.note(text[:200])
