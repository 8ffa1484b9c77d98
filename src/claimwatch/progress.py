"""Progress of long commands (``once`` over many feeds, ``replay``): a bar or log lines.

On a terminal the user watches: a rich progress bar on that stream, with the log lines
printed above it instead of through it. Elsewhere (a service, CI, a pipe) a bar is noise,
so progress becomes ordinary log lines (``<what>.progress``, ``status=done/total``) at INFO,
one every ``every`` items and one for the last.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Protocol, TextIO

from claimwatch.logs import log_event

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress, TaskID

logger = logging.getLogger(__name__)

LOG_LINES = 10  # about this many progress lines per run when none is asked for


class Tracker(Protocol):
    """Told once per item done; ``fields`` are log keys (``feed=``, ``path=``...)."""

    def advance(self, **fields: Any) -> None: ...


def default_every(total: int) -> int:
    """Log every item of a short run, about ``LOG_LINES`` lines of a long one."""
    return max(1, -(-total // LOG_LINES))


def is_terminal(stream: TextIO) -> bool:
    isatty = getattr(stream, "isatty", None)
    return bool(isatty is not None and isatty())


@contextmanager
def track(
    total: int, what: str, *, stream: TextIO | None = None, every: int | None = None
) -> Iterator[Tracker]:
    """A tracker for ``total`` items of the command ``what``, shown on ``stream`` (stderr)."""
    out = stream if stream is not None else sys.stderr
    if is_terminal(out):
        with _bar(total, what, out) as bar:
            yield bar
    else:
        yield LogTracker(total, what, every or default_every(total))


class LogTracker:
    """Progress as log lines: ``replay.progress status=20/200 count=20 path=...``."""

    def __init__(self, total: int, what: str, every: int) -> None:
        self.total = total
        self.what = what
        self.every = max(1, every)
        self.done = 0

    def advance(self, **fields: Any) -> None:
        self.done += 1
        if self.done % self.every == 0 or self.done == self.total:
            log_event(
                logger,
                f"{self.what}.progress",
                status=f"{self.done}/{self.total}",
                count=self.done,
                **fields,
            )


class BarTracker:
    """Progress as a rich bar; the last item's fields shown beside it."""

    def __init__(self, progress: Progress, task: TaskID) -> None:
        self._progress = progress
        self._task = task

    def advance(self, **fields: Any) -> None:
        detail = " ".join(str(v) for v in fields.values() if v is not None)
        self._progress.update(self._task, advance=1, detail=detail)


@contextmanager
def _bar(total: int, what: str, stream: TextIO) -> Iterator[BarTracker]:
    # rich is imported only here: most commands never draw a bar.
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    console = Console(file=stream)
    progress = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[detail]}", markup=False),
        console=console,
        redirect_stdout=False,  # stdout may carry alerts ([alerts.log] path = "-")
        redirect_stderr=stream is sys.stderr,
    )
    task = progress.add_task(what, total=total, detail="")
    with progress, _logs_above(console, stream):
        yield BarTracker(progress, task)


@contextmanager
def _logs_above(console: Console, stream: TextIO) -> Iterator[None]:
    """Log handlers writing to ``stream`` print through ``console`` while the bar is live,
    so each line lands above the bar instead of tearing it."""
    from rich.file_proxy import FileProxy

    handlers = [
        h
        for h in logging.getLogger().handlers
        if isinstance(h, logging.StreamHandler) and h.stream is stream
    ]
    proxy = FileProxy(console, stream)
    for handler in handlers:
        handler.setStream(proxy)
    try:
        yield
    finally:
        proxy.flush()
        for handler in handlers:
            handler.setStream(stream)
