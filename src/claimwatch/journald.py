"""Syslog priorities for journald: ``<N>`` before every line when stderr is the journal.

systemd connects a service's stderr to journald through a stream socket and puts that
socket's ``device:inode`` in $JOURNAL_STREAM (systemd.exec(5)). The variable alone proves
nothing (a child whose stderr was redirected inherits it), so the numbers are compared with
those of the stream actually written to. journald cuts what it reads into one entry per line
(at newline and NUL) and, with ``SyslogLevelPrefix=`` (on by default), takes a leading ``<N>``
as that entry's priority (sd-daemon(3)); a line without one gets ``SyslogLevel=`` (info).

So every line of a record carries the prefix: a traceback's continuation lines stay with
their first line under ``journalctl -p err``, and read as a traceback. Folding a record into
one line would survive the filter too, but reads as one escaped line and can exceed
journald's ``LineMax=`` (48K), where the cut-off rest would lose its priority. A NUL in a
message is written as ``\\0``, since journald would start a new entry at it.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Mapping
from types import TracebackType
from typing import TextIO

ENVIRONMENT = "JOURNAL_STREAM"
# syslog priorities (sd-daemon.h SD_CRIT..SD_DEBUG) from the highest Python level down
PRIORITIES = (
    (logging.CRITICAL, 2),
    (logging.ERROR, 3),
    (logging.WARNING, 4),
    (logging.INFO, 6),
)
DEBUG_PRIORITY = 7


def priority(levelno: int) -> int:
    """The syslog priority of a Python level; levels in between take the one below them."""
    return next((p for level, p in PRIORITIES if levelno >= level), DEBUG_PRIORITY)


def connected(stream: TextIO, environ: Mapping[str, str] | None = None) -> bool:
    """Whether ``stream`` is the journal stream systemd named in $JOURNAL_STREAM."""
    value = (os.environ if environ is None else environ).get(ENVIRONMENT, "")
    device, _, inode = value.partition(":")
    if not (device.isdigit() and inode.isdigit()):
        return False
    try:
        status = os.fstat(stream.fileno())
    except (AttributeError, OSError, ValueError):  # no descriptor (a StringIO), or closed
        return False
    return (status.st_dev, status.st_ino) == (int(device), int(inode))


def prefixed(text: str, levelno: int) -> str:
    """``text`` with ``<N>`` at the start of each of its lines."""
    mark = f"<{priority(levelno)}>"
    lines = text.replace("\0", "\\0").split("\n")
    return "\n".join(mark + line for line in lines)


def for_stderr(text: str, levelno: int = logging.ERROR) -> str:
    """A message printed to stderr outside logging (the CLI's errors), prefixed when stderr
    is the journal."""
    return prefixed(text, levelno) if connected(sys.stderr) else text


class PriorityFormatter(logging.Formatter):
    """Wraps the text or JSON formatter and puts the record's priority on each line."""

    def __init__(self, inner: logging.Formatter) -> None:
        super().__init__()
        self.inner = inner

    def format(self, record: logging.LogRecord) -> str:
        return prefixed(self.inner.format(record), record.levelno)


def log_uncaught(
    kind: type[BaseException], value: BaseException, trace: TracebackType | None
) -> None:
    """``sys.excepthook`` under journald: a crash becomes a CRITICAL record, so that its
    traceback carries priority 2 like any other line, not journald's default of info."""
    if issubclass(kind, KeyboardInterrupt):
        sys.__excepthook__(kind, value, trace)
        return
    logging.getLogger("claimwatch").critical("uncaught exception", exc_info=(kind, value, trace))
