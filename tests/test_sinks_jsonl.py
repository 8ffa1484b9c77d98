"""The JSON Lines sink on a real file, and the sink registry."""

from __future__ import annotations

import errno
import json
import logging
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from claimwatch.alerts import Alert
from claimwatch.config import config_from_mapping
from claimwatch.sinks import SINKS, DeliveryError, configured_sinks, enabled_sinks
from claimwatch.sinks.jsonl import JsonlSink, holds_alerts, render, repair_tail

NOW = datetime(2022, 1, 20, 12, 0, tzinfo=UTC)


def alert(alert_id: str = "a1", evidence: str = "Evidence.") -> Alert:
    return Alert(
        alert_id=alert_id,
        kind="contradiction",
        baseline_id="b",
        claim_id="c",
        article_url="https://example.org/a",
        article_title="Заголовок",
        feed="f",
        entry_id="e",
        published=None,
        evidence=evidence,
        reason="Reason.",
        detected_at=NOW,
        novel=True,
        value=None,
        fact="x",
        score=0.5,
    )


def lines(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


async def test_appends_one_json_object_per_line(tmp_path: Path) -> None:
    path = tmp_path / "out" / "alerts.jsonl"
    sink = JsonlSink(path)
    await sink.deliver(alert("a1"))
    await sink.deliver(alert("a2", evidence="Line\nbreak inside."))
    text = path.read_text(encoding="utf-8")
    assert text.endswith("\n") and text.count("\n") == 2
    assert [r["alert_id"] for r in lines(path)] == ["a1", "a2"]
    assert lines(path)[0]["article_title"] == "Заголовок"  # UTF-8, not escaped


async def test_a_half_written_line_is_cut_before_the_next(tmp_path: Path) -> None:
    path = tmp_path / "alerts.jsonl"
    path.write_bytes(render(alert("a0")) + render(alert("a1"))[:25])  # a crash mid-write
    await JsonlSink(path).deliver(alert("a2"))
    assert [r["alert_id"] for r in lines(path)] == ["a0", "a2"]  # every line parses


@pytest.mark.parametrize(
    ("content", "after", "said"),
    [
        (None, None, None),
        (b"", b"", None),
        (b'{"alert_id": "a"}\n', b'{"alert_id": "a"}\n', None),
        (b'{"alert_id": "a"}\n{"alert_id": "b", "ki', b'{"alert_id": "a"}\n', "cut a torn"),
        (b'{"alert_id": "a", "ki', b"", "cut a torn last line of 21 bytes at offset 0"),
        (b'{"alert_id": "a"}', b'{"alert_id": "a"}\n', "added the newline"),
        (b"x" * 200_000, b"", "cut a torn last line of 200000 bytes"),
    ],
    ids=["missing", "empty", "whole", "torn", "torn-only", "no-newline", "long-torn"],
)
def test_repair_tail(
    tmp_path: Path, content: bytes | None, after: bytes | None, said: str | None
) -> None:
    path = tmp_path / "alerts.jsonl"
    if content is not None:
        path.write_bytes(content)
    told = repair_tail(path)
    assert (told is None) if said is None else (told is not None and told.startswith(said))
    assert (path.read_bytes() if path.exists() else None) == after


def test_the_sink_repairs_at_start_and_says_so(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "alerts.jsonl"
    path.write_bytes(render(alert("a0")) + b'{"alert_id": "a1", "kind": "contra')
    config = config_from_mapping({"alerts": {"log": {"path": str(path)}}}, path=tmp_path / "c.toml")
    with caplog.at_level(logging.INFO, logger="claimwatch"):
        configured_sinks(config)
    assert [r["alert_id"] for r in lines(path)] == ["a0"]
    (record,) = [r for r in caplog.records if r.getMessage() == "alert_log.repair"]
    fields = record.claimwatch_fields  # type: ignore[attr-defined]
    assert fields["path"] == str(path) and "cut a torn last line of 34 bytes" in fields["error"]
    assert '"alert_id": "a1"' in fields["error"]  # what was cut is shown


async def test_a_full_disk_mid_line_leaves_the_file_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A test double of the write only: the disk fills after part of the line."""
    path = tmp_path / "alerts.jsonl"
    await JsonlSink(path).deliver(alert("a0"))
    before = path.read_bytes()
    real_write = os.write

    def part(fd: int, data: bytes) -> int:
        return real_write(fd, bytes(data)[:10])

    monkeypatch.setattr("claimwatch.sinks.jsonl.os.write", part)
    with pytest.raises(DeliveryError, match="No space left on device") as caught:
        await JsonlSink(path).deliver(alert("a1"))
    assert not caught.value.permanent
    assert path.read_bytes() == before


async def test_an_alert_already_in_the_file_is_not_written_again(tmp_path: Path) -> None:
    path = tmp_path / "alerts.jsonl"
    await JsonlSink(path).deliver(alert("a0"))
    restarted = JsonlSink(path)  # a new process: it reads the ids in the file
    await restarted.deliver(alert("a0"))
    await restarted.deliver(alert("a1"))
    await restarted.deliver(alert("a1"))
    assert [r["alert_id"] for r in lines(path)] == ["a0", "a1"]


def test_holds_alerts(tmp_path: Path) -> None:
    path = tmp_path / "alerts.jsonl"
    assert not holds_alerts(path) and not holds_alerts(tmp_path)
    path.write_bytes(b"")
    assert not holds_alerts(path)
    path.write_bytes(b"not json\n")
    assert not holds_alerts(path)
    path.write_bytes(render(alert("a0")))
    assert holds_alerts(path)


async def test_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    await JsonlSink(None).deliver(alert("a1"))
    out = capsys.readouterr().out
    assert json.loads(out)["alert_id"] == "a1" and out.endswith("\n")


async def test_a_directory_is_a_permanent_failure(tmp_path: Path) -> None:
    with pytest.raises(DeliveryError) as caught:
        await JsonlSink(tmp_path).deliver(alert())
    assert caught.value.permanent
    assert str(tmp_path) in str(caught.value)


async def test_a_file_in_the_way_is_a_permanent_failure(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(DeliveryError) as caught:
        await JsonlSink(blocker / "sub" / "alerts.jsonl").deliver(alert())
    assert caught.value.permanent


async def test_a_full_disk_is_a_transient_failure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("claimwatch.sinks.jsonl.os.fsync", full)
    with pytest.raises(DeliveryError) as caught:
        await JsonlSink(tmp_path / "alerts.jsonl").deliver(alert())
    assert not caught.value.permanent
    assert "No space left" in str(caught.value)


def test_registry_is_keyed_by_config_section(tmp_path: Path) -> None:
    assert set(SINKS) >= {"log"}
    on = config_from_mapping({"alerts": {"log": {"path": "a.jsonl"}}}, path=tmp_path / "c.toml")
    off = config_from_mapping({}, path=tmp_path / "c.toml")
    assert enabled_sinks(on) == ["log"] and enabled_sinks(off) == []
    sink = configured_sinks(on)["log"]
    assert isinstance(sink, JsonlSink) and sink.path == tmp_path / "a.jsonl"
    assert configured_sinks(off) == {}
