"""Polling benchmark: one cold and one warm ``claimwatch once`` over the feed farm.

    python -m bench.polling                      # 1,000 feeds x 50 entries, 50 ms, 3 runs
    python -m bench.polling --feeds 50 --runs 1  # the small configuration CI runs

Each run starts from an empty state database:

- cold: every entry is new; on-topic entries (about 2%) have their article page fetched;
- warm: the farm then gives 10% of the feeds one new entry; the others answer 304.

Each cycle is a real ``python -m claimwatch once`` process, measured from outside: wall time,
CPU time (user + system, worker processes included) and peak RSS from ``wait4``; requests
and bytes as the farm counted them (headers and bodies, as sent). Figures are the median of
the runs; the process figures include interpreter start and imports, printed separately.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.farm import ROOT, FarmProcess

WARM_SHARE = 0.1
CYCLE_TIMEOUT = 900.0  # seconds; a cycle still running then is killed


@dataclass(frozen=True, slots=True)
class Measured:
    """One child process, measured by ``wait4``."""

    wall: float  # seconds
    cpu: float  # user + system seconds, its reaped children included
    peak_rss_mb: float  # the largest resident set of the process (or of a reaped child)
    returncode: int


@dataclass(frozen=True, slots=True)
class Cycle:
    measured: Measured
    requests: int
    bytes: int
    feeds_200: int
    feeds_304: int
    pages: int


def run_measured(
    command: Sequence[str],
    *,
    cwd: Path,
    stdout: int | None = subprocess.DEVNULL,
    stderr: int | None = None,
    env: dict[str, str] | None = None,
    timeout: float = CYCLE_TIMEOUT,
) -> Measured:
    """Run ``command`` to its end (killed after ``timeout``) and measure it."""
    started = time.perf_counter()
    process = subprocess.Popen(
        list(command), cwd=cwd, stdin=subprocess.DEVNULL, stdout=stdout, stderr=stderr, env=env
    )
    killer = threading.Timer(timeout, process.kill)
    killer.start()
    try:
        _, status, usage = os.wait4(process.pid, 0)
    finally:
        killer.cancel()
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)  # already reaped
    return Measured(
        wall=wall,
        cpu=usage.ru_utime + usage.ru_stime,
        peak_rss_mb=usage.ru_maxrss / 1024,
        returncode=process.returncode,
    )


def machine() -> str:
    cpu = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{platform.system()} {platform.release()}, {os.cpu_count()} cores ({cpu}), "
        f"Python {platform.python_version()}"
    )


def write_config(folder: Path, feeds: Sequence[tuple[str, str]], baselines: Path) -> Path:
    """A claimwatch config for the farm: article pages live on loopback, so allow that."""
    lines = [
        'state = "state.db"',
        f"baselines = [{str(baselines)!r}]",
        "",
        "[http]",
        "allow_private_addresses = true",
        "",
        "[alerts.log]",
        'path = "alerts.jsonl"',
        "",
    ]
    for name, url in feeds:
        lines += ["[[feeds]]", f'name = "{name}"', f'url = "{url}"', 'interval = "15m"', ""]
    path = folder / "claimwatch.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def claimwatch_cycle(farm: FarmProcess, config: Path) -> Cycle:
    before = farm.stats()
    with (config.parent / "claimwatch.log").open("ab") as log:
        measured = run_measured(
            [sys.executable, "-m", "claimwatch", "once", "--config", str(config)],
            cwd=config.parent,
            stderr=log.fileno(),
        )
    if measured.returncode != 0:
        raise RuntimeError(f"claimwatch once failed ({measured.returncode}); see {config.parent}")
    return _cycle(measured, farm.stats() - before)


def _cycle(measured: Measured, served: dict[str, int]) -> Cycle:
    return Cycle(
        measured,
        served.get("requests", 0),
        served.get("bytes", 0),
        served.get("feed_200", 0),
        served.get("feed_304", 0),
        served.get("page", 0),
    )


def claimwatch_runs(farm: FarmProcess, runs: int, baselines: Path) -> dict[str, list[Cycle]]:
    """``runs`` times: a fresh state, a cold cycle, the farm advanced, a warm cycle."""
    results: dict[str, list[Cycle]] = {"cold": [], "warm": []}
    for _ in range(runs):
        with tempfile.TemporaryDirectory(prefix="cw-bench-") as tmp:
            config = write_config(Path(tmp), farm.feeds, baselines)
            results["cold"].append(claimwatch_cycle(farm, config))
            farm.advance(WARM_SHARE)
            results["warm"].append(claimwatch_cycle(farm, config))
    return results


def startup_seconds(runs: int) -> float:
    """Median wall time of starting the interpreter and importing what ``once`` imports."""
    code = "import claimwatch.cli, claimwatch.pipeline, claimwatch.daemon"
    times = [
        run_measured([sys.executable, "-c", code], cwd=ROOT).wall for _ in range(max(runs, 1))
    ]
    return statistics.median(times)


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def row(name: str, cycles: Sequence[Cycle]) -> str:
    m = [c.measured for c in cycles]
    return (
        f"| {name} | {median([x.wall for x in m]):.2f} | {median([x.cpu for x in m]):.2f} | "
        f"{median([c.bytes for c in cycles]) / 1e6:.1f} | {median([c.requests for c in cycles]):.0f} "
        f"| {median([c.feeds_304 for c in cycles]):.0f} | {median([c.pages for c in cycles]):.0f} "
        f"| {median([x.peak_rss_mb for x in m]):.0f} |"
    )


TABLE_HEAD = (
    "| cycle | wall s | CPU s | MB received | requests | 304s | pages | peak RSS MB |\n"
    "|---|---|---|---|---|---|---|---|"
)


def farm_options(args: argparse.Namespace) -> list[str]:
    return [
        f"--feeds={args.feeds}",
        f"--entries={args.entries}",
        f"--hosts={args.hosts}",
        f"--latency={args.latency}",
        f"--seed={args.seed}",
    ]


def add_farm_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--feeds", type=int, default=1000)
    parser.add_argument("--entries", type=int, default=50)
    parser.add_argument("--hosts", type=int, default=200)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--runs", type=int, default=3, help="median of this many runs")
    parser.add_argument("--baselines", type=Path, default=ROOT / "baselines")


def describe(args: argparse.Namespace) -> str:
    return (
        f"{args.feeds} feeds x {args.entries} entries on {args.hosts} loopback hosts, "
        f"{args.latency * 1000:.0f} ms latency; median of {args.runs} runs\n"
        f"machine: {machine()}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_farm_arguments(parser)
    args = parser.parse_args(argv)
    with FarmProcess(*farm_options(args)) as farm:
        results = claimwatch_runs(farm, args.runs, args.baselines.resolve())
    print(f"claimwatch once: {describe(args)}")
    print(TABLE_HEAD)
    print(row("cold", results["cold"]))
    print(row("warm", results["warm"]))
    print(f"(interpreter start and imports, included above: {startup_seconds(args.runs):.2f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
