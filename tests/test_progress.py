"""Progress: a rich bar on a terminal, log lines elsewhere."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from claimwatch.progress import LogTracker, default_every, track


class Terminal(io.StringIO):
    """A stream that says it is a terminal, as stderr does in an interactive shell."""

    def isatty(self) -> bool:
        return True


@pytest.fixture
def handler() -> Iterator[logging.StreamHandler[Terminal]]:
    """A root log handler on a fake terminal, as ``setup_logging`` installs on stderr."""
    terminal = Terminal()
    installed = logging.StreamHandler(terminal)
    root = logging.getLogger()
    root.addHandler(installed)
    old_level = root.level
    root.setLevel(logging.INFO)
    yield installed
    root.removeHandler(installed)
    root.setLevel(old_level)


def progress_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.getMessage().endswith(".progress")]


def test_off_a_terminal_progress_is_log_lines(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    stream = io.StringIO()
    with track(25, "replay", stream=stream, every=10) as progress:
        for n in range(25):
            progress.advance(path=f"f{n}.txt")
    records = progress_records(caplog)
    fields = [r.claimwatch_fields for r in records]  # type: ignore[attr-defined]
    assert [f["status"] for f in fields] == ["10/25", "20/25", "25/25"]
    assert [f["path"] for f in fields] == ["f9.txt", "f19.txt", "f24.txt"]
    assert {r.getMessage() for r in records} == {"replay.progress"}
    assert stream.getvalue() == ""  # no bar drawn


def test_default_spacing_of_log_lines() -> None:
    assert [default_every(n) for n in (0, 1, 10, 11, 100, 101)] == [1, 1, 1, 2, 10, 11]
    tracker = LogTracker(3, "once", default_every(3))
    assert tracker.every == 1


def test_log_fields_outside_the_vocabulary_are_refused(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    with pytest.raises(ValueError, match="vocabulary"):
        LogTracker(1, "once", 1).advance(colour="red")


def test_on_a_terminal_a_bar_with_log_lines_above_it(
    handler: logging.StreamHandler[Terminal],
) -> None:
    terminal = handler.stream
    with track(3, "once", stream=terminal) as progress:
        assert handler.stream is not terminal  # logging goes through the bar's console
        for name in ("alpha", "beta", "gamma"):
            logging.getLogger("claimwatch.test").info("polled %s", name)
            progress.advance(feed=name)
    assert handler.stream is terminal
    out = terminal.getvalue()
    assert "once" in out and "3/3" in out and "gamma" in out
    for name in ("alpha", "beta", "gamma"):
        assert f"polled {name}" in out
    assert "once.progress" not in out  # the bar replaces the progress log lines
    assert "━" in out  # the bar itself
