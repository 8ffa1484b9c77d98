"""Memory over many warm cycles, and the size of the state database.

    python -m bench.memory                          # 1,000 feeds, 1,000 warm cycles (long)
    python -m bench.memory --feeds 100 --cycles 20  # a short look (CI runs a smaller one)

A child process does what ``claimwatch run`` does for every feed, back to back: it opens
the state, one Runtime (HTTP client, parser processes, sinks) and runs every feed once per
cycle (``pipeline.run_all``), with the farm giving 10% of the feeds one new entry before
each warm cycle. The scheduler is left out: its intervals (30 s at least) would make a
thousand cycles take days, and it holds one job per feed whatever happens.

After every cycle the child records its resident set (VmRSS) and the summed PSS of its
parser processes. Printed: the figures after the first warm cycle, after the last, the
peak, the growth between the 10th cycle and the last, and the state database's size per
100,000 entries once it is closed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from bench.farm import ROOT, FarmProcess
from bench.polling import (
    WARM_SHARE,
    _pss_kb,
    _tree,
    add_farm_arguments,
    become_subreaper,
    describe,
    farm_options,
    run_measured,
    write_config,
)

MB = 1024.0


def _status_mb(field: str) -> float:
    """A field of /proc/self/status (VmRSS: resident now, VmHWM: the peak), in MB."""
    with open("/proc/self/status") as file:
        for line in file:
            if line.startswith(field):
                return int(line.split()[1]) / MB
    return 0.0


def _workers_pss_mb() -> float:
    return sum(_pss_kb(pid) for pid in _tree(os.getpid())[1:]) / MB


def _advance(control: str) -> None:
    with urllib.request.urlopen(f"{control}/advance?share={WARM_SHARE}", timeout=600) as answer:
        answer.read()


async def _cycles(config_path: Path, cycles: int, control: str) -> None:
    from claimwatch.inputs import load_inputs
    from claimwatch.pipeline import close_runtime, open_runtime, run_all
    from claimwatch.store import open_store

    config, baselines = load_inputs(config_path)
    store = open_store(config.state)
    rt = open_runtime(config, baselines, store)
    try:
        for number in range(cycles + 1):
            if number:  # cycle 0 is the cold one
                await asyncio.to_thread(_advance, control)
            started = time.perf_counter()
            report = await run_all(rt)
            record = {
                "cycle": number,
                "seconds": round(time.perf_counter() - started, 3),
                "rss_mb": round(_status_mb("VmRSS:"), 1),
                "workers_pss_mb": round(_workers_pss_mb(), 1),
                "fetched": sum(1 for f in report.feeds if f.outcome == "fetched"),
            }
            print(json.dumps(record), flush=True)
        entries = store.counts()["entries"]
    finally:
        await close_runtime(rt)
        store.close()
    peak = _status_mb("VmHWM:")
    size = config.state.stat().st_size
    print(json.dumps({"entries": entries, "db_bytes": size, "peak_rss_mb": round(peak, 1)}))


def child(argv: list[str]) -> int:
    config, cycles, control = Path(argv[0]), int(argv[1]), argv[2]
    asyncio.run(_cycles(config, cycles, control))
    return 0


def summarize(lines: list[dict[str, float]], cycles: int) -> str:
    """The table; a run cut short has no closing line, so it lacks the database and peak rows."""
    records = [r for r in lines if "cycle" in r]
    final = next((r for r in lines if "entries" in r), None)
    warm = records[1:]
    median = f"{statistics.median(r['seconds'] for r in warm):.2f} s" if warm else "none run"
    base = records[min(10, len(records) - 1)]
    last = records[-1]
    growth = (last["rss_mb"] - base["rss_mb"]) / base["rss_mb"] * 100
    rows = [
        "| figure | value |",
        "|---|---|",
        f"| warm cycles run | {len(records) - 1} of {cycles} |",
        f"| warm cycle, in the running service (median) | {median} |",
        f"| RSS after the cold cycle | {records[0]['rss_mb']:.0f} MB |",
        f"| RSS after warm cycle {base['cycle']:.0f} / after the last | "
        f"{base['rss_mb']:.1f} MB / {last['rss_mb']:.1f} MB ({growth:+.1f}%) |",
        f"| highest RSS seen after a cycle | {max(r['rss_mb'] for r in records):.0f} MB |",
        f"| parser processes (PSS), after the last cycle | {last['workers_pss_mb']:.0f} MB |",
    ]
    if final is not None:
        per_100k = final["db_bytes"] / final["entries"] * 100_000 / 1e6
        rows += [
            f"| peak RSS of the service process | {final['peak_rss_mb']:.0f} MB |",
            f"| state database | {final['db_bytes'] / 1e6:.1f} MB for {final['entries']:.0f} "
            f"entries = {per_100k:.1f} MB per 100,000 entries |",
        ]
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    args_list = sys.argv[1:] if argv is None else argv
    if args_list[:1] == ["--child"]:
        return child(args_list[1:])
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_farm_arguments(parser)
    parser.add_argument("--cycles", type=int, default=1000, help="warm cycles")
    args = parser.parse_args(args_list)
    become_subreaper()
    with FarmProcess(*farm_options(args)) as farm, tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        config = write_config(folder, farm.feeds, args.baselines.resolve())
        out = folder / "cycles.jsonl"
        with out.open("wb") as sink, (folder / "claimwatch.log").open("wb") as log:
            measured = run_measured(
                [sys.executable, "-m", "bench.memory", "--child", str(config), str(args.cycles),
                 farm.control],
                cwd=ROOT,
                stdout=sink.fileno(),
                stderr=log.fileno(),
                keep=[farm.pid],
                watch=[farm.pid],
                timeout=args.cycles * 60.0 + 600,
            )  # fmt: skip
        lines = [json.loads(x) for x in out.read_text().splitlines() if x.strip()]
        if measured.returncode != 0:
            sys.stderr.write((folder / "claimwatch.log").read_text()[-3000:])
            if any("cycle" in r for r in lines):  # what was measured before it stopped
                print(summarize(lines, args.cycles))
            raise RuntimeError(f"the service process failed: {measured.returncode}")
    print(f"memory: {describe(args).replace(f'; median of {args.runs} runs', '')}")
    print(summarize(lines, args.cycles))
    print(f"all processes of the run, peak PSS (sampled): {measured.peak_tree_mb:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
