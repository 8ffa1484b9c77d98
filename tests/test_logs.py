"""Structured log events: a fixed vocabulary, text on terminals, JSON lines elsewhere."""

from __future__ import annotations

import io
import json
import logging
import re
from datetime import UTC, datetime

import pytest

from claimwatch.logs import choose_format, level_for, log_event, setup_logging


def emit(fmt: str) -> str:
    stream = io.StringIO()
    setup_logging(0, fmt, stream)  # type: ignore[arg-type]
    log_event(
        logging.getLogger("claimwatch.test"),
        "feed.poll",
        level=logging.WARNING,
        status="failed",
        feed="news",
        url="https://x.org/f",
        error="HTTP 500 oops",
        http_status=500,
        next_attempt=datetime(2022, 1, 1, tzinfo=UTC),
        entry_id=None,
    )
    return stream.getvalue()


@pytest.mark.usefixtures("restore_logging")
def test_json_lines_carry_the_keys() -> None:
    record = json.loads(emit("json"))
    assert record["event"] == "feed.poll" and record["level"] == "warning"
    assert record["status"] == "failed" and record["http_status"] == 500
    assert record["next_attempt"] == "2022-01-01T00:00:00+00:00"
    assert "entry_id" not in record  # None values are left out


@pytest.mark.usefixtures("restore_logging")
def test_text_is_key_value() -> None:
    line = emit("text")
    assert "WARNING" in line and "feed.poll" in line
    assert 'error="HTTP 500 oops"' in line and "feed=news" in line


@pytest.mark.usefixtures("restore_logging")
def test_text_lines_start_with_the_date_and_time_in_utc() -> None:
    before = datetime.now(UTC).replace(microsecond=0)
    line = emit("text")
    after = datetime.now(UTC)
    match = re.match(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ) WARNING feed\.poll ", line)
    assert match, line
    assert before <= datetime.fromisoformat(match[1]) <= after


@pytest.mark.usefixtures("restore_logging")
def test_text_values_with_control_characters_are_quoted() -> None:
    stream = io.StringIO()
    setup_logging(0, "text", stream)
    log_event(logging.getLogger("claimwatch.test"), "feed.poll", error="a\rb\x00c", feed="x\x1b")
    line = stream.getvalue()
    assert line.endswith(' feed.poll error="a\\rb\\u0000c" feed="x\\u001b"\n'), line


@pytest.mark.usefixtures("restore_logging")
def test_foreign_records_keep_their_message() -> None:
    stream = io.StringIO()
    setup_logging(0, "json", stream)
    logging.getLogger("claimwatch.other").warning("plain %s", "message")
    record = json.loads(stream.getvalue())
    assert record["event"] == "log" and record["message"] == "plain message"


def test_keys_outside_the_vocabulary_are_refused() -> None:
    with pytest.raises(ValueError, match="colour"):
        log_event(logging.getLogger("x"), "e", colour="red")


@pytest.mark.parametrize(
    ("verbosity", "level"),
    [
        (0, logging.INFO),
        (1, logging.DEBUG),
        (3, logging.DEBUG),
        (-1, logging.WARNING),
        (-2, logging.ERROR),
        (-5, logging.ERROR),
    ],
)
def test_level_for(verbosity: int, level: int) -> None:
    assert level_for(verbosity) == level


def test_auto_format_follows_the_terminal() -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    assert choose_format("auto", Tty()) == "text"
    assert choose_format("auto", io.StringIO()) == "json"
    assert choose_format("json", Tty()) == "json"
