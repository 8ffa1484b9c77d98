"""The service unit passes systemd's own checks (run where systemd-analyze exists, as in CI)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
UNIT = ROOT / "systemd" / "claimwatch.service"
ANALYZE = shutil.which("systemd-analyze")

pytestmark = pytest.mark.skipif(ANALYZE is None, reason="systemd-analyze is not installed")


def _unit_with_real_binary(tmp_path: Path) -> Path:
    """verify needs ExecStart to exist: point it at this environment's claimwatch."""
    binary = Path(sys.executable).parent / "claimwatch"
    text = UNIT.read_text(encoding="utf-8")
    text = re.sub(r"^ExecStart=\S+", f"ExecStart={binary}", text, flags=re.M)
    copy = tmp_path / "claimwatch.service"
    copy.write_text(text, encoding="utf-8")
    return copy


def test_unit_verifies_without_any_complaint(tmp_path: Path) -> None:
    unit = _unit_with_real_binary(tmp_path)
    result = subprocess.run(
        [str(ANALYZE), "verify", "--man=no", str(unit)], capture_output=True, text=True, timeout=60
    )
    # verify exits 0 on unknown keys and bad values and only prints them: any output fails
    complaints = [
        line
        for line in (result.stdout + result.stderr).splitlines()
        if line.strip() and "Failed to connect to bus" not in line
    ]
    assert result.returncode == 0 and not complaints, result.stdout + result.stderr


def test_unit_exposure_is_at_most_1_5(tmp_path: Path) -> None:
    unit = _unit_with_real_binary(tmp_path)
    result = subprocess.run(
        [str(ANALYZE), "security", "--offline=yes", "--threshold=15", str(unit)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    score = re.search(r"Overall exposure level for \S+: (\d+\.\d+)", result.stdout)
    assert score and float(score.group(1)) <= 1.5, result.stdout[-500:]


def test_unit_runs_the_daemon_as_notify_with_reload() -> None:
    text = UNIT.read_text(encoding="utf-8")
    assert "Type=notify" in text and "ExecReload=/bin/kill -HUP $MAINPID" in text
    assert re.search(r"^ExecStart=/\S+/claimwatch run --config ", text, flags=re.M)
