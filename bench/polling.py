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
import compileall
import contextlib
import ctypes
import os
import platform
import resource
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
SAMPLE_EVERY = 0.1  # seconds between samples of the process tree's memory
PR_SET_CHILD_SUBREAPER = 36


@dataclass(frozen=True, slots=True)
class Measured:
    """One child process and everything it started, measured from outside."""

    wall: float  # seconds
    cpu: float  # user + system seconds of the whole process tree (workers included)
    main_cpu: float  # of which the main process (and the children it waited for)
    peak_rss_mb: float  # the largest resident set of the main process (exact, from wait4)
    peak_tree_mb: float  # the largest summed PSS of the tree (sampled)
    other_cpu: float  # CPU seconds other processes of the machine used meanwhile
    returncode: int


@dataclass(frozen=True, slots=True)
class Cycle:
    measured: Measured
    requests: int
    bytes: int
    feeds_200: int
    feeds_304: int
    pages: int


def _children(pid: int) -> list[int]:
    found = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as file:
                found += [int(x) for x in file.read().split()]
    except OSError:
        pass
    return found


def _tree(pid: int) -> list[int]:
    tree, todo = [], [pid]
    while todo:
        current = todo.pop()
        tree.append(current)
        todo += _children(current)
    return tree


def _pss_kb(pid: int) -> int:
    """Proportional set size: shared pages (a forked worker's) are split among sharers."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as file:
            for line in file:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _cpu_of(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/stat") as file:
            fields = file.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _busy_seconds() -> float:
    with open("/proc/stat") as file:
        values = [int(x) for x in file.readline().split()[1:]]
    idle = values[3] + values[4]
    return (sum(values[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def become_subreaper() -> None:
    """Orphaned grandchildren (a pool's fork server, its workers) are reparented to us, so
    their CPU time reaches our RUSAGE_CHILDREN when we reap them."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


class _Sampler(threading.Thread):
    """Samples the summed PSS of a process tree every SAMPLE_EVERY seconds."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak_kb = 0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(SAMPLE_EVERY):
            self.peak_kb = max(self.peak_kb, sum(_pss_kb(p) for p in _tree(self.pid)))


def _reap_orphans(keep: set[int], deadline: float) -> None:
    """Wait for every child of ours except ``keep`` (the farm) to exit, until ``deadline``."""
    while time.monotonic() < deadline:
        orphans = [p for p in _children(os.getpid()) if p not in keep]
        if not orphans:
            return
        for pid in orphans:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, os.WNOHANG)
        time.sleep(0.02)


def run_measured(
    command: Sequence[str],
    *,
    cwd: Path,
    stdout: int | None = subprocess.DEVNULL,
    stderr: int | None = None,
    env: dict[str, str] | None = None,
    timeout: float = CYCLE_TIMEOUT,
    keep: Sequence[int] = (),
    watch: Sequence[int] = (),
) -> Measured:
    """Run ``command`` to its end (killed after ``timeout``) and measure its process tree.

    ``keep``: our own long-lived children (the farm), never waited for here. ``watch``:
    processes whose CPU is not "other load" (the farm).
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    busy_before, watched_before = _busy_seconds(), sum(_cpu_of(p) for p in watch)
    started = time.perf_counter()
    process = subprocess.Popen(
        list(command), cwd=cwd, stdin=subprocess.DEVNULL, stdout=stdout, stderr=stderr, env=env
    )
    sampler = _Sampler(process.pid)
    sampler.start()
    killer = threading.Timer(timeout, process.kill)
    killer.start()
    try:
        _, status, usage = os.wait4(process.pid, 0)
    finally:
        killer.cancel()
        sampler.done.set()
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)  # already reaped
    _reap_orphans(set(keep), time.monotonic() + 10)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    watched = sum(_cpu_of(p) for p in watch) - watched_before
    sampler.join()
    return Measured(
        wall=wall,
        cpu=cpu,
        main_cpu=usage.ru_utime + usage.ru_stime,
        peak_rss_mb=usage.ru_maxrss / 1024,
        peak_tree_mb=sampler.peak_kb / 1024,
        other_cpu=max(_busy_seconds() - busy_before - cpu - watched, 0.0),
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
            keep=[farm.pid],
            watch=[farm.pid],
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


def compile_bytecode() -> None:
    """Measure claimwatch as an installed copy runs: with its modules' bytecode on disk.

    A source checkout with ``PYTHONDONTWRITEBYTECODE`` set (or a read-only one) compiles
    every module at every start, about 0.3 s per cycle that no installed copy pays.
    """
    import claimwatch

    compileall.compile_dir(str(Path(claimwatch.__file__).parent), quiet=1)


def startup_seconds(runs: int) -> float:
    """Median wall time of starting the interpreter and importing what ``once`` imports."""
    code = "import claimwatch.cli, claimwatch.inputs, claimwatch.pipeline, claimwatch.progress"
    times = [run_measured([sys.executable, "-c", code], cwd=ROOT).wall for _ in range(max(runs, 1))]
    return statistics.median(times)


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def row(name: str, cycles: Sequence[Cycle]) -> str:
    m = [c.measured for c in cycles]
    cells = [
        name,
        f"{median([x.wall for x in m]):.2f}",
        f"{median([x.cpu for x in m]):.1f} ({median([x.main_cpu for x in m]):.1f})",
        f"{median([c.bytes for c in cycles]) / 1e6:.2f}",
        f"{median([c.requests for c in cycles]):.0f}",
        f"{median([c.feeds_304 for c in cycles]):.0f}",
        f"{median([c.pages for c in cycles]):.0f}",
        f"{median([x.peak_rss_mb for x in m]):.0f}",
        f"{median([x.peak_tree_mb for x in m]):.0f}",
        f"{median([x.other_cpu for x in m]):.1f}",
    ]
    return "| " + " | ".join(cells) + " |"


TABLE_HEAD = (
    "| run | wall s | CPU s (main process) | MB received | requests | 304s | pages | peak RSS MB "
    "| all processes PSS MB | other load CPU s |\n"
    "|---|---|---|---|---|---|---|---|---|---|"
)
TABLE_NOTES = (
    "CPU: user+system of every process of the run (parser workers included); peak RSS: the "
    "main process; all processes: the largest summed PSS of the run's processes (shared "
    "pages split among them), sampled every 0.1 s; "
    "other load: CPU that processes outside the benchmark used meanwhile (noise)."
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
    become_subreaper()
    compile_bytecode()
    with FarmProcess(*farm_options(args)) as farm:
        results = claimwatch_runs(farm, args.runs, args.baselines.resolve())
    print(f"claimwatch once: {describe(args)}")
    print(TABLE_HEAD)
    print(row("cold", results["cold"]))
    print(row("warm", results["warm"]))
    print(TABLE_NOTES)
    print(f"(interpreter start and imports, included above: {startup_seconds(args.runs):.2f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
