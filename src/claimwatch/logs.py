"""Logging: one event name per outcome, a fixed key vocabulary, text on a terminal, JSON elsewhere.

Every record claimwatch writes is ``log_event(logger, "feed.poll", status="failed", feed=...,
url=..., error=...)``. Keys outside ``KEYS`` are a programming error. ``status`` is the
outcome word of the event (``fetched``, ``failed``, ``delivered``...), ``http_status`` the
HTTP code. Records of other libraries keep their message under ``message``.

Times are UTC: text lines start with the date and time (``2022-01-12T10:00:01Z``), JSON
records carry ``time``. When stderr is the journal (journald.py) every line also starts with
its syslog priority, and text lines leave the time to journald, which stamps each entry.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any, Literal, TextIO

from claimwatch import journald

LogFormat = Literal["auto", "text", "json"]

KEYS = frozenset(
    {
        "event", "status", "feed", "url", "entry_id", "claim_id", "alert_id", "error",
        "baseline_id", "kind", "novel", "sink", "http_status", "count", "next_attempt",
        "attempts", "path", "seconds", "rule", "pattern", "dismissed_id", "reason",
    }
)  # fmt: skip
_FIELDS = "claimwatch_fields"
_QUIET_LIBRARIES = ("apscheduler", "httpx", "httpcore", "trafilatura", "asyncio")


def log_event(
    logger: logging.Logger,
    event: str,
    *,
    level: int = logging.INFO,
    exc: BaseException | None = None,
    **fields: Any,
) -> None:
    """Log ``event`` with ``fields`` from the fixed vocabulary; None values are left out.

    A CRITICAL event carries the traceback of ``exc``, or of the exception being handled.
    """
    unknown = set(fields) - KEYS
    if unknown:
        raise ValueError(f"log keys outside the vocabulary: {sorted(unknown)}")
    if logger.isEnabledFor(level):
        kept = {k: v for k, v in fields.items() if v is not None}
        trace: BaseException | bool = False
        if level >= logging.CRITICAL:
            trace = exc if exc is not None else sys.exc_info()[0] is not None
        logger.log(level, event, extra={_FIELDS: kept}, exc_info=trace)


def _payload(record: logging.LogRecord) -> dict[str, Any]:
    fields = getattr(record, _FIELDS, None)
    if fields is None:
        return {"event": "log", "message": record.getMessage()}
    return {"event": record.getMessage(), **fields}


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, bool | int | float | str):
        return value
    return str(value)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, event, then the event's keys."""

    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
        }
        data.update((k, _plain(v)) for k, v in _payload(record).items())
        if record.exc_info:
            data["traceback"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """``2022-01-12T10:00:01Z WARNING feed.poll status=failed feed=x error="HTTP 500"``.

    ``stamped=False`` leaves the time out, for a journal that records its own.
    """

    def __init__(self, *, stamped: bool = True) -> None:
        super().__init__()
        self.stamped = stamped

    def format(self, record: logging.LogRecord) -> str:
        payload = _payload(record)
        event = payload.pop("event")
        parts = [f"{record.levelname:<7}", str(event)]
        if self.stamped:
            parts.insert(0, f"{datetime.fromtimestamp(record.created, UTC):%Y-%m-%dT%H:%M:%SZ}")
        parts.extend(f"{key}={_quoted(_plain(value))}" for key, value in payload.items())
        text = " ".join(parts)
        if record.exc_info:
            text += "\n" + self.formatException(record.exc_info)
        return text


def _quoted(value: Any) -> str:
    """Quoted (JSON string rules) when empty or holding a space, quote, ``=`` or a control
    character: a value never spans lines nor runs into the next key."""
    text = str(value)
    if not text or any(c in ' "=' or c < " " for c in text):
        return json.dumps(text, ensure_ascii=False)
    return text


def level_for(verbosity: int) -> int:
    """``-v`` count minus ``-q`` count -> a logging level (default INFO)."""
    levels = {-2: logging.ERROR, -1: logging.WARNING, 0: logging.INFO}
    return levels.get(verbosity, logging.ERROR if verbosity < 0 else logging.DEBUG)


def choose_format(requested: LogFormat, stream: TextIO) -> Literal["text", "json"]:
    if requested != "auto":
        return requested
    isatty = getattr(stream, "isatty", None)
    return "text" if isatty is not None and isatty() else "json"


def setup_logging(
    verbosity: int = 0, fmt: LogFormat = "auto", stream: TextIO | None = None
) -> None:
    """Configure the root logger once for the process (idempotent)."""
    _Chosen.on_stderr = (verbosity, fmt) if stream is None else None
    out = stream or sys.stderr
    handler = logging.StreamHandler(out)
    journal = journald.connected(out)
    handler.setFormatter(_formatter(choose_format(fmt, out), journal=journal))
    _log_crashes(journal)
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    level = level_for(verbosity)
    root.setLevel(level)
    library_level = logging.DEBUG if verbosity >= 2 else max(level, logging.WARNING)
    for name in _QUIET_LIBRARIES:
        logging.getLogger(name).setLevel(library_level)


class _Chosen:
    """What ``setup_logging`` was last asked for, when it writes to standard error."""

    on_stderr: tuple[int, LogFormat] | None = None


def inherited_settings() -> tuple[int, LogFormat] | None:
    """The arguments a worker process passes to ``setup_logging`` to log as this process
    does (it shares standard error); None when logging was set up elsewhere, or not at all."""
    return _Chosen.on_stderr


def _formatter(chosen: Literal["text", "json"], *, journal: bool) -> logging.Formatter:
    """Under journald: priorities on every line, and no time in text (journald stamps each
    entry with its own)."""
    inner = JsonFormatter() if chosen == "json" else TextFormatter(stamped=not journal)
    return journald.PriorityFormatter(inner) if journal else inner


def _log_crashes(journal: bool) -> None:
    """Under journald a crash is logged as CRITICAL, not printed at journald's default
    level (info), where ``journalctl -p err`` would not show it."""
    if journal:
        sys.excepthook = journald.log_uncaught
    elif sys.excepthook is journald.log_uncaught:
        sys.excepthook = sys.__excepthook__
