"""Each benchmark, run once in a tiny configuration: they must keep working; no timing is
judged here. The rss2email peer installs from PyPI, so it only runs with CLAIMWATCH_BENCH_PEER=1
(``python -m bench.peer`` installs it into bench/.venv-rss2email)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TINY = ["--feeds=20", "--entries=5", "--hosts=4", "--latency=0.01", "--runs=1"]

pytestmark = pytest.mark.slow


def bench(module: str, *args: str, timeout: float = 240) -> str:
    result = subprocess.run(
        [sys.executable, "-m", f"bench.{module}", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def rows(output: str) -> dict[str, list[str]]:
    """Markdown table rows by their first cell."""
    found = {}
    for line in output.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("|") and len(cells) > 1 and not cells[0].startswith("-"):
            found[cells[0]] = cells[1:]
    return found


def test_polling_cold_then_warm() -> None:
    table = rows(bench("polling", *TINY))
    # run | wall | CPU | MB | requests | 304s | pages | RSS | PSS | other
    cold, warm = table["cold"], table["warm"]
    assert int(cold[3]) >= 20 and int(cold[4]) == 0  # every feed fetched in full
    assert int(warm[3]) >= 20 and int(warm[4]) == 18  # 90% unchanged: 304
    assert float(cold[0]) > 0 and float(warm[6]) > 0


def test_peer_comparison_with_the_naive_loop() -> None:
    args = [*TINY] if os.environ.get("CLAIMWATCH_BENCH_PEER") == "1" else [*TINY, "--no-rss2email"]
    output = bench("peer", *args)
    table = rows(output)
    assert {"claimwatch cold", "naive cold", "claimwatch warm", "naive warm"} <= table.keys()
    assert "claimwatch vs naive: cold" in output


def test_matching_speed_finds_the_same_with_the_index() -> None:
    table = rows(bench("matching_speed", "--quick"))
    # ... | same findings | same why: the index, and the why of the fired claims alone
    assert table["1"][-2:] == ["yes", "yes"] and table["4"][-2:] == ["yes", "yes"]
    assert float(table["labelled coverage (tests/corpus)"][3]) > 0  # + why art/s


def test_memory_over_a_few_cycles() -> None:
    output = bench("memory", *TINY, "--cycles=3")
    assert "| warm cycles run | 3 of 3 |" in output
    assert "per 100,000 entries" in output


def test_the_farm_lives_as_long_as_its_parent_under_stdin_eof() -> None:
    from bench.farm import STANDALONE_LIFETIME, lifetime_of, parser

    assert lifetime_of(parser().parse_args(["--stdin-eof"])) is None
    assert lifetime_of(parser().parse_args([])) == STANDALONE_LIFETIME
    assert lifetime_of(parser().parse_args(["--stdin-eof", "--lifetime=5"])) == 5.0


def test_a_memory_run_cut_short_still_reports_its_cycles() -> None:
    from bench.memory import summarize

    records = [
        {"cycle": n, "seconds": 1.0, "rss_mb": 100.0 + n, "workers_pss_mb": 50.0, "fetched": 1}
        for n in range(13)
    ]
    table = rows(summarize(records, cycles=1000))
    assert table["warm cycles run"] == ["12 of 1000"]
    assert table["RSS after warm cycle 10 / after the last"] == ["110.0 MB / 112.0 MB (+1.8%)"]
    assert "state database" not in table


def test_a_memory_run_cut_short_after_the_cold_cycle_reports_no_warm_time() -> None:
    from bench.memory import summarize

    cold = {"cycle": 0, "seconds": 9.0, "rss_mb": 90.0, "workers_pss_mb": 50.0, "fetched": 20}
    table = rows(summarize([cold], cycles=1000))
    assert table["warm cycles run"] == ["0 of 1000"]
    assert table["warm cycle, in the running service (median)"] == ["none run"]


def test_web_under_slow_clients_and_page_loads() -> None:
    out = bench("web", "--slow-clients=40", "--alerts=100", "--page-loads=4")
    table = rows(out)
    assert set(table) >= {"idle", "slow clients", "page loads"}
    assert all(cells[4] == "0" for name, cells in table.items() if name != "round")  # no failure


def test_triage_costs_of_verdicts_on_the_page() -> None:
    out = bench("triage", "--alerts=50", "--rounds=4")
    for step in ("reading the calls", "page, signed in", "verdict posted (303)"):
        assert step in out and " ms" in out.split(step, 1)[1].splitlines()[0], step


def test_hostile_inputs_are_refused_cheaply() -> None:
    table = rows(bench("hostile", "--quick"))
    assert "refused before parsing" in table["entity bomb"][0]
    assert "more than 20 aliases" in table["alias bomb"][0]
    assert table["slow host"][0].endswith("1 cut")


def test_holding_back_costs_little_per_entry() -> None:
    table = rows(bench("holdback", "--verdicts=90"))
    # step | ms | note
    assert table["screen 2 alerts (per entry)"][1] == "1 held back, 1 kept"
    assert float(table["learn (once per verdict change)"][0]) > 0
