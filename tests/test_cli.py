"""The ``claimwatch`` command as a user runs it: subprocesses, exit codes, output."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from claimwatch.cli import build_parser, duration_text, redact
from claimwatch.store.migrations import LATEST
from tests import freedonia
from tests.commands import claimwatch
from tests.servers import HTML_TYPE, FeedServer

COMMANDS = [
    "run", "once", "check", "alerts", "scan", "demo", "status", "migrate", "report", "replay",
    "baseline draft", "alerts test",
]  # fmt: skip
REQUIRED = {"scan": ["x"], "report": ["--out", "x"], "replay": ["x"], "baseline draft": ["x"]}
BASELINE = freedonia.baseline(freedonia.BRIDGE)
CONFIG = freedonia.CONFIG


@pytest.fixture
def config_path(tmp_path: Path) -> Path:
    (tmp_path / "baselines").mkdir()
    (tmp_path / "baselines" / "freedonia.yaml").write_text(BASELINE, encoding="utf-8")
    path = tmp_path / "claimwatch.toml"
    path.write_text(CONFIG, encoding="utf-8")
    return path


def test_version() -> None:
    result = claimwatch("--version")
    assert result.returncode == 0 and result.stdout.startswith("claimwatch ")


@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_help_on_every_command(command: str | None) -> None:
    result = claimwatch(*(command.split() if command else []), "--help")
    assert result.returncode == 0
    assert "usage: claimwatch" in result.stdout
    if command:
        assert "--config" in result.stdout and "-v" in result.stdout


def test_every_command_is_registered() -> None:
    parser = build_parser()
    for command in COMMANDS:
        args = parser.parse_args([*command.split(), *REQUIRED.get(command, [])])
        assert args.command == command.split()[0]


def test_verbosity_before_and_after_the_command() -> None:
    parser = build_parser()
    assert parser.parse_args(["-v", "check"]).verbose == 1
    assert parser.parse_args(["check", "-vv"]).verbose == 2
    assert parser.parse_args(["check", "-q"]).quiet == 1
    assert parser.parse_args(["check"]).verbose == 0


def test_check_prints_a_summary(config_path: Path) -> None:
    result = claimwatch("check", "--config", str(config_path))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "feeds: 1 (1 enabled)" in out and "news: https://example.org/feed.xml every 10m" in out
    assert "baselines: 1, claims: 1" in out and "freedonia" in out
    assert "sinks: log (on)" in out
    assert not (config_path.parent / "var").exists()  # check writes nothing


def test_check_dump_prints_the_effective_config(config_path: Path) -> None:
    result = claimwatch("check", "--config", str(config_path), "--dump")
    assert result.returncode == 0, result.stderr
    dumped = json.loads(result.stdout)
    assert dumped["feeds"][0]["interval"] == 600
    assert dumped["state"] == str(config_path.parent / "var" / "state.db")
    assert dumped["scheduler"]["jitter"] == 30


@pytest.mark.parametrize(
    ("seconds", "text"), [(900, "15m"), (3600, "1h"), (86400, "1d"), (90, "90s"), (5400, "90m")]
)
def test_duration_text(seconds: float, text: str) -> None:
    assert duration_text(seconds) == text


def test_redact_hides_secret_values() -> None:
    data = {"smtp": {"password": "hunter2", "host": "x"}, "list": [{"api_token": "t"}]}
    assert redact(data) == {
        "smtp": {"password": "***", "host": "x"},
        "list": [{"api_token": "***"}],
    }


def test_check_reports_a_bad_baseline_with_exit_2(config_path: Path) -> None:
    bad = config_path.parent / "baselines" / "broken.yaml"
    bad.write_text(BASELINE.replace("statement:", "statment:"), encoding="utf-8")
    result = claimwatch("check", "--config", str(config_path))
    assert result.returncode == 2
    assert str(bad) in result.stderr and "statment" in result.stderr
    assert "Traceback" not in result.stderr


def test_default_config_comes_from_the_environment(config_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "claimwatch", "check"],
        capture_output=True,
        text=True,
        timeout=60,
        env={"CLAIMWATCH_CONFIG": str(config_path), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr
    assert str(config_path) in result.stdout


def test_alerts_without_a_state_file(config_path: Path) -> None:
    result = claimwatch("alerts", "--config", str(config_path))
    assert result.returncode == 0
    assert "no alerts yet" in result.stderr


def test_migrate_creates_then_finds_the_schema_up_to_date(config_path: Path) -> None:
    state = config_path.parent / "var" / "state.db"
    first = claimwatch("migrate", "--config", str(config_path))
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == f"{state}: schema version 0 -> {LATEST}"
    again = claimwatch("migrate", "--config", str(config_path))
    assert again.stdout.strip() == f"{state}: schema version {LATEST}, up to date"


def test_a_broken_state_file_exits_1(config_path: Path) -> None:
    state = config_path.parent / "var" / "state.db"
    state.parent.mkdir()
    state.write_bytes(b"not a database at all" * 200)
    result = claimwatch("alerts", "--config", str(config_path))
    assert result.returncode == 1
    assert str(state) in result.stderr and "Traceback" not in result.stderr


def test_scan_a_text_file(config_path: Path, tmp_path: Path) -> None:
    article = tmp_path / "article.txt"
    article.write_text(
        "Freedonia news. The bridge in Freedonia was closed on Tuesday by the authorities.",
        encoding="utf-8",
    )
    result = claimwatch("scan", "--config", str(config_path), "--json", str(article))
    assert result.returncode == 0, result.stderr
    findings = json.loads(result.stdout)["findings"]
    assert isinstance(findings, list)
    for finding in findings:
        assert {"baseline_id", "claim_id", "kind", "evidence", "reason"} <= set(finding)


def test_scan_a_missing_file_exits_2(config_path: Path, tmp_path: Path) -> None:
    result = claimwatch("scan", "--config", str(config_path), str(tmp_path / "absent.txt"))
    assert result.returncode == 2 and "absent.txt" in result.stderr


def test_demo_runs_offline_and_prints_the_alerts() -> None:
    result = claimwatch("-q", "demo")
    assert result.returncode == 0, result.stderr
    assert "claimwatch demo: 5 example reports" in result.stdout
    # the bundled reports carry a troop figure, a toll, torture reports and one off-topic story
    for expected in ("[contradiction] csto-troop-count", "[follow_up] casualties", "2,030"):
        assert expected in result.stdout
    assert "oil output" not in result.stdout.lower()


def test_scan_a_url(config_path: Path, feed_server: FeedServer) -> None:
    paragraph = (
        "<p>The main bridge in Freedonia was closed by the authorities on Tuesday, officials in "
        "the capital said, and traffic was sent around the river for the whole week.</p>"
    )
    feed_server.route(
        "/story",
        f"<html><body><article>{paragraph * 3}</article></body></html>",
        content_type=HTML_TYPE,
    )
    text = config_path.read_text(encoding="utf-8")
    config_path.write_text(
        text.replace("[alerts.log]", "[http]\nallow_private_addresses = true\n[alerts.log]"),
        encoding="utf-8",
    )
    result = claimwatch("scan", "--config", str(config_path), feed_server.url("/story"))
    assert result.returncode == 0, result.stderr
    assert feed_server.requests_for("/story")
    assert "freedonia/bridge" in result.stdout or result.stdout.startswith("no findings\n")


def test_scan_refuses_a_private_address_by_default(
    config_path: Path, feed_server: FeedServer
) -> None:
    result = claimwatch("scan", "--config", str(config_path), feed_server.url("/story"))
    assert result.returncode == 1
    assert feed_server.url("/story") in result.stderr and "loopback" in result.stderr
    assert "Traceback" not in result.stderr and not feed_server.requests
