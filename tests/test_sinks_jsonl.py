"""The JSON Lines sink on a real file, and the sink registry."""

from __future__ import annotations

import errno
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from claimwatch.alerts import Alert
from claimwatch.config import config_from_mapping
from claimwatch.sinks import SINKS, DeliveryError, configured_sinks, enabled_sinks
from claimwatch.sinks.jsonl import JsonlSink, needs_separator, render

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


async def test_a_half_written_line_does_not_swallow_the_next(tmp_path: Path) -> None:
    path = tmp_path / "alerts.jsonl"
    path.write_bytes(render(alert("a0"))[:25])  # a crash mid-write
    await JsonlSink(path).deliver(alert("a1"))
    raw = path.read_text(encoding="utf-8").splitlines()
    assert len(raw) == 2
    assert json.loads(raw[1])["alert_id"] == "a1"


@pytest.mark.parametrize(
    ("content", "expected"),
    [(None, False), (b"", False), (b'{"a": 1}\n', False), (b'{"a": ', True)],
    ids=["missing", "empty", "complete", "partial"],
)
def test_needs_separator(tmp_path: Path, content: bytes | None, expected: bool) -> None:
    path = tmp_path / "alerts.jsonl"
    if content is not None:
        path.write_bytes(content)
    assert needs_separator(path) is expected


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
