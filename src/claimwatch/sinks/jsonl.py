"""The JSON Lines sink: one JSON object per alert per line, in a file or on stdout.

Each line is written with one ``write`` on an append-only descriptor, then fsynced; only
then does ``deliver`` return and the outbox mark the alert delivered. If a crash left a
partial last line, a newline is written first so the partial line cannot swallow the next.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from claimwatch.alerts import Alert, to_json
from claimwatch.sinks.base import DeliveryError

if TYPE_CHECKING:
    from claimwatch.config import Config

NAME = "log"
_PERMANENT = (IsADirectoryError, NotADirectoryError)


def render(alert: Alert) -> bytes:
    """The alert as one UTF-8 JSON line."""
    return (json.dumps(to_json(alert), ensure_ascii=False) + "\n").encode("utf-8")


def needs_separator(path: Path) -> bool:
    """True when the file exists, is not empty and does not end with a newline."""
    try:
        with path.open("rb") as file:
            file.seek(0, os.SEEK_END)
            if file.tell() == 0:
                return False
            file.seek(-1, os.SEEK_END)
            return file.read(1) != b"\n"
    except FileNotFoundError:
        return False


def append_line(path: Path, line: bytes) -> None:
    """Append ``line`` durably (parent folders created, fsync before returning)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = (b"\n" if needs_separator(path) else b"") + line
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        view = memoryview(data)
        while view:
            written = os.write(fd, view)
            view = view[written:]
        os.fsync(fd)
    finally:
        os.close(fd)


class JsonlSink:
    """``[alerts.log] path = "..."``; ``"-"`` writes to standard output."""

    def __init__(self, path: Path | None) -> None:
        self.path = path  # None: stdout
        self._lock = asyncio.Lock()

    @classmethod
    def from_config(cls, config: Config) -> JsonlSink:
        return cls(config.alert_log_path)

    async def deliver(self, alert: Alert) -> None:
        line = render(alert)
        async with self._lock:
            try:
                if self.path is None:
                    _write_stdout(line)
                else:
                    await asyncio.to_thread(append_line, self.path, line)
            except OSError as exc:
                where = str(self.path or "stdout")
                raise DeliveryError(
                    f"cannot append to {where}: {exc.strerror or exc}",
                    sink=NAME,
                    permanent=isinstance(exc, _PERMANENT),
                ) from exc

    async def aclose(self) -> None:
        return None


def _write_stdout(line: bytes) -> None:
    sys.stdout.write(line.decode("utf-8"))
    sys.stdout.flush()
