"""The soak benchmark (bench/soak.py): a tiny real run, and its verdict on made-up figures."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bench.soak import Sample, verdict

ROOT = Path(__file__).resolve().parent.parent


def samples(rss: list[float], fds: list[int]) -> list[Sample]:
    return [
        Sample(float(i), r, 2 * r, f, 5, i, 0, 0)
        for i, (r, f) in enumerate(zip(rss, fds, strict=True))
    ]


@pytest.mark.parametrize(
    ("rss", "fds", "flat"),
    [
        ([10, 60, 61, 60, 62, 61, 60, 61, 62, 61], [3, 20, 21, 20, 20, 21, 20, 21, 20, 20], True),
        ([10, 60, 65, 70, 75, 80, 85, 90, 95, 99], [3, 20, 20, 20, 20, 20, 20, 20, 20, 20], False),
        ([10, 60, 60, 60, 60, 60, 60, 60, 60, 60], [3, 20, 22, 24, 26, 28, 30, 32, 34, 36], False),
    ],
    ids=["flat-after-warm-up", "memory-grows", "descriptors-leak"],
)
def test_verdict_ignores_warm_up_and_catches_growth(
    rss: list[float], fds: list[int], flat: bool
) -> None:
    result = verdict(samples(rss, fds), max_rss=10.0, max_fds=4)
    assert result.flat is flat
    assert result.text.startswith("flat" if flat else "GROWING")


@pytest.mark.slow
def test_a_tiny_soak_runs_the_real_daemon_and_reports() -> None:
    command = [sys.executable, "-m", "bench.soak", "--feeds", "3", "--entries", "5",
               "--minutes", "0.1", "--sample", "1", "--advance", "2"]  # fmt: skip
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    header = lines.index("   time   rss_mb  tree_mb   fds threads   polls failures  alerts")
    rows = [line.split() for line in lines[header + 1 :] if line[:1] == " "]
    assert len(rows) >= 4
    assert all(float(row[1]) > 10 and int(row[3]) > 0 for row in rows[1:])  # a live daemon
    assert int(rows[-1][5]) >= 3  # every feed polled at least once
    assert "daemon exit status: 0" in lines and lines[-1].startswith("verdict: ")
