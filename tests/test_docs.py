"""The README's examples load through the real loaders, and its commands are the ones CI runs."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
import yaml

from claimwatch.baselines import _Claim, load_baseline
from claimwatch.cli import build_parser
from claimwatch.config import config_from_mapping
from claimwatch.frames import _Frame, library

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, flags=re.S)


def test_quick_start_has_exactly_two_commands_and_ci_runs_the_test_one() -> None:
    quick = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"```sh\n(.*?)\n```", quick, flags=re.S)
    assert len(commands) == 2
    assert all("\n" not in c for c in commands), "each must be one copy-paste line"
    assert "claimwatch run" in commands[0]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert commands[1] in ci


def test_config_example_is_valid(tmp_path: Path) -> None:
    example = next(b for b in _blocks("toml") if "[[feeds]]" in b)
    config = config_from_mapping(tomllib.loads(example), path=tmp_path / "claimwatch.toml")
    assert config.feeds and config.alerts.log is not None


def test_baseline_example_is_valid(tmp_path: Path) -> None:
    example = next(b for b in _blocks("yaml") if "claims:" in b)
    path = tmp_path / "example.yaml"
    path.write_text(example, encoding="utf-8")
    baseline = load_baseline(path)
    kinds = {type(e).__name__ for c in baseline.claims for e in c.expectations}
    assert kinds >= {"Quantity", "State", "Absence", "TimeRule", "DateRule"}
    assert baseline.entities and all(c.frame for c in baseline.claims)
    assert yaml.safe_load(example)["id"] == baseline.id


def test_every_shipped_frame_is_in_the_frames_table() -> None:
    for frame_id in library().frames:
        assert f"| `{frame_id}` |" in README, frame_id


@pytest.mark.parametrize(
    ("model", "fields"),
    [
        ("baseline", ["id", "title", "source", "since", "languages", "entities", "claims"]),
        ("claim", [f for f in _Claim.model_fields if f != "expect"] + ["expect"]),
        ("frame", [f for f in _Frame.model_fields]),
    ],
)
def test_every_field_is_in_a_reference_table(model: str, fields: list[str]) -> None:
    tables = README.split("### Reference: the baseline", 1)[1]
    tables = tables.split("### Claims without a frame", 1)[0]
    first_cells = [row.split("|")[1] for row in tables.splitlines() if row.startswith("| `")]
    for field in fields:
        assert any(f"`{field}`" in cell for cell in first_cells), f"{model}: {field}"


@pytest.mark.parametrize(
    "command",
    [a.dest for a in build_parser()._subparsers._group_actions[0]._choices_actions],  # type: ignore[union-attr]
)
def test_every_command_is_documented(command: str) -> None:
    assert f"claimwatch {command}" in README


def test_alert_example_is_a_real_alert() -> None:
    block = README.split("## Alerts", 1)[1].split("\n## ", 1)[0]
    example = re.search(r"```json\n(.*?)\n```", block, flags=re.S)
    assert example, "the Alerts section shows a real alert line"
    import json

    alert = json.loads(example.group(1))
    for field in (
        "alert_id",
        "kind",
        "claim_id",
        "baseline_id",
        "article_url",
        "evidence",
        "reason",
        "novel",
        "value",
        "published",
        "detected_at",
        "feed",
        "article_title",
    ):
        assert field in alert
