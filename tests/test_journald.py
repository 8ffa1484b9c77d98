"""Priorities for journald: ``<N>`` on every line when stderr is the journal stream.

The lines written are read back the way journald documents reading a stream (journald.conf(5)
LineMax=, systemd.exec(5) SyslogLevelPrefix=, sd-daemon(3)): one entry per line, cut at
newline and NUL, a leading ``<N>`` (0-7) taken as the entry's priority and removed, and
journald's default (info, 6) for a line without one.
"""

from __future__ import annotations

import io
import json
import logging
import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

import pytest

from claimwatch import journald
from claimwatch.logs import log_event, setup_logging

PREFIX = re.compile(r"<([0-7])>")
DEFAULT_PRIORITY = 6  # SyslogLevel= default


def journal_entries(data: bytes) -> list[tuple[int, bool, str]]:
    """(priority, whether the line set it, message) per entry, as journald reads a stream."""
    entries = []
    for line in re.split(rb"[\n\0]", data.rstrip(b"\n")):
        text = line.decode("utf-8")
        match = PREFIX.match(text)
        if match:
            entries.append((int(match[1]), True, text[match.end() :]))
        else:
            entries.append((DEFAULT_PRIORITY, False, text))
    return entries


def stream_id(path: Path) -> str:
    status = os.stat(path)
    return f"{status.st_dev}:{status.st_ino}"


@pytest.fixture
def journal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[TextIO]:
    """A real file standing in for the journal stream, named in $JOURNAL_STREAM."""
    path = tmp_path / "journal"
    with path.open("w", encoding="utf-8") as stream:
        monkeypatch.setenv("JOURNAL_STREAM", stream_id(path))
        yield stream


def written(stream: TextIO) -> bytes:
    stream.flush()
    return Path(stream.name).read_bytes()


def log_every_level() -> None:
    logger = logging.getLogger("claimwatch.test")
    log_event(logger, "feed.poll", level=logging.DEBUG, status="fetched", feed="news")
    log_event(logger, "feed.poll", status="fetched", feed="news")
    log_event(logger, "feed.poll", level=logging.WARNING, status="failed", error="HTTP 500")
    log_event(logger, "config.reload", level=logging.ERROR, status="rejected", error="a\nb")
    try:
        raise RuntimeError("first line\nsecond line")
    except RuntimeError:
        log_event(logger, "feed.crash", level=logging.CRITICAL, feed="news")


@pytest.mark.parametrize(
    ("level", "priority"),
    [
        (logging.CRITICAL, 2),
        (logging.ERROR, 3),
        (logging.WARNING, 4),
        (logging.INFO, 6),
        (logging.DEBUG, 7),
        (45, 3),  # levels in between take the priority of the level below them
        (25, 6),
        (5, 7),
    ],
)
def test_priority_of_each_level(level: int, priority: int) -> None:
    assert journald.priority(level) == priority


def test_connected_only_to_the_stream_named(tmp_path: Path) -> None:
    path, other = tmp_path / "journal", tmp_path / "other"
    other.touch()
    with path.open("w", encoding="utf-8") as stream:
        assert journald.connected(stream, {"JOURNAL_STREAM": stream_id(path)})
        assert not journald.connected(stream, {"JOURNAL_STREAM": stream_id(other)})
        assert not journald.connected(stream, {})
        for bad in ("", "12", "12:", ":34", "a:b", "1:2:3", " 1:2"):
            assert not journald.connected(stream, {"JOURNAL_STREAM": bad})
    assert not journald.connected(stream, {"JOURNAL_STREAM": stream_id(path)})  # closed
    assert not journald.connected(io.StringIO(), {"JOURNAL_STREAM": stream_id(path)})


@pytest.mark.usefixtures("restore_logging")
def test_text_lines_carry_their_priority_and_no_time(journal: TextIO) -> None:
    setup_logging(1, "text", journal)
    log_every_level()
    entries = journal_entries(written(journal))
    assert all(explicit for _, explicit, _ in entries)  # no line left to the default
    priorities = [priority for priority, _, _ in entries]
    assert priorities[:4] == [7, 6, 4, 3]
    assert len(priorities) > 5 and set(priorities[4:]) == {2}  # the traceback, every line
    messages = [message for _, _, message in entries]
    assert messages[0].startswith("DEBUG   feed.poll status=fetched")  # journald stamps it
    assert messages[3] == 'ERROR   config.reload status=rejected error="a\\nb"'
    assert messages[-2:] == ["RuntimeError: first line", "second line"]


@pytest.mark.usefixtures("restore_logging")
def test_json_records_carry_their_priority(journal: TextIO) -> None:
    setup_logging(1, "json", journal)
    log_every_level()
    entries = journal_entries(written(journal))
    assert [priority for priority, _, _ in entries] == [7, 6, 4, 3, 2]  # one line per record
    records = [json.loads(message) for _, _, message in entries]
    levels = [r["level"] for r in records]
    assert levels == ["debug", "info", "warning", "error", "critical"]
    assert records[0]["time"].endswith("+00:00")  # the schema stays the same
    assert "second line" in records[4]["traceback"]


@pytest.mark.usefixtures("restore_logging")
def test_a_nul_does_not_start_an_entry_without_priority(journal: TextIO) -> None:
    setup_logging(0, "text", journal)
    logger = logging.getLogger("claimwatch.test")
    log_event(logger, "feed.poll", level=logging.WARNING, status="failed", error="a\0b")
    try:
        raise ValueError("half\0way")
    except ValueError:
        log_event(logger, "feed.crash", level=logging.CRITICAL)
    entries = journal_entries(written(journal))
    assert all(explicit for _, explicit, _ in entries)
    assert entries[0][2] == 'WARNING feed.poll status=failed error="a\\u0000b"'
    assert entries[-1][2] == "ValueError: half\\0way"


@pytest.mark.usefixtures("restore_logging")
def test_another_stream_gets_no_prefix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.touch()
    monkeypatch.setenv("JOURNAL_STREAM", stream_id(elsewhere))  # inherited, stderr redirected
    with (tmp_path / "log").open("w", encoding="utf-8") as stream:
        setup_logging(0, "text", stream)
        log_event(logging.getLogger("claimwatch.test"), "feed.poll", level=logging.WARNING)
        line = written(stream).decode()
    assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ WARNING feed\.poll", line), line
    assert sys.excepthook is not journald.log_uncaught


@pytest.mark.usefixtures("restore_logging")
def test_a_crash_is_logged_as_critical_under_journald(journal: TextIO, tmp_path: Path) -> None:
    setup_logging(0, "text", journal)
    assert sys.excepthook is journald.log_uncaught
    try:
        raise KeyError("lost")
    except KeyError as exc:
        sys.excepthook(KeyError, exc, exc.__traceback__)
    entries = journal_entries(written(journal))
    assert {priority for priority, _, _ in entries} == {2}
    assert entries[0][2] == 'CRITICAL log message="uncaught exception"'
    assert entries[-1][2] == "KeyError: 'lost'"
    with (tmp_path / "plain").open("w", encoding="utf-8") as plain:
        setup_logging(0, "text", plain)  # no longer the journal: Python's own hook again
    assert sys.excepthook is sys.__excepthook__


def test_cli_errors_are_prefixed_only_on_the_journal(
    journal: TextIO, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = "claimwatch run: invalid input:\nclaimwatch.toml:3: bogus: unknown key"
    monkeypatch.setattr(sys, "stderr", journal)
    assert journald.for_stderr(text) == (
        "<3>claimwatch run: invalid input:\n<3>claimwatch.toml:3: bogus: unknown key"
    )
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    assert journald.for_stderr(text) == text
