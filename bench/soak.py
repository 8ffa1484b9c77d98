"""Soak benchmark: the real daemon polling a feed farm for a long time; memory and files stay flat.

    python -m bench.soak                                  # 50 feeds, 30 min, sample every 30 s
    python -m bench.soak --minutes 120 --output bench/soak.md
    python -m bench.soak --feeds 5 --minutes 0.1 --sample 1   # the smoke run the tests make

Time is compressed by polling often: every feed every 30 s (the shortest interval the config
accepts) instead of a usual 15 min, so 30 minutes here are 30 x 30 = 900 polls per feed-hour
of a real setup, about 15 hours of polling. The farm (bench/farm.py) gives a share of its
feeds a new entry every ``--advance`` seconds, so cycles parse, match, alert and deliver, not
only answer 304. Three failing feeds run alongside: connection refused, a server that accepts
and never answers (each poll ends on the total timeout), and a 404.

Every ``--sample`` seconds the daemon's resident memory, the summed memory of its process
tree (parser workers included), its open file descriptors and threads are printed; the
summary compares the median of the second fifth of the run (after warm-up) with the median of
the last fifth. ``--fail-on-growth`` turns growth beyond ``--max-rss-growth`` MB or
``--max-fd-growth`` descriptors into exit status 1.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from bench.farm import DEFAULT_BASELINE, FarmProcess
from bench.polling import machine

INTERVAL = "30s"  # the shortest feed interval the config accepts


@dataclass(frozen=True, slots=True)
class Sample:
    seconds: float
    rss_mb: float  # the daemon's own resident set
    tree_mb: float  # resident sets of the daemon and its workers, summed
    fds: int
    threads: int
    polls: int
    failures: int
    alerts: int


def _status(pid: int) -> dict[str, str]:
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return {}
    return dict(line.split(":", 1) for line in text.splitlines() if ":" in line)


def _kb(status: dict[str, str], key: str) -> int:
    return int(status.get(key, "0 kB").split()[0])


def process_tree(pid: int) -> list[int]:
    """``pid`` and all its descendants (from /proc/PID/task/TID/children)."""
    tree, todo = [], [pid]
    while todo:
        current = todo.pop()
        tree.append(current)
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                text = Path(f"/proc/{current}/task/{task}/children").read_text()
                todo += [int(child) for child in text.split()]
        except OSError:
            continue
    return tree


def open_files(pid: int) -> int:
    try:
        return len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return 0


class LogCounter:
    """Counts the daemon's feed.poll events (all, failed) and alert lines as they come."""

    def __init__(self, log: Path, alerts: Path) -> None:
        self.log, self.alerts = log, alerts
        self._offset = 0
        self.polls = self.failures = 0

    def update(self) -> tuple[int, int, int]:
        with self.log.open("rb") as file:
            file.seek(self._offset)
            chunk = file.read()
        complete = chunk[: chunk.rfind(b"\n") + 1]
        self._offset += len(complete)
        for line in complete.splitlines():
            try:
                event = json.loads(line)
            except ValueError:
                continue
            if event.get("event") == "feed.poll":
                self.polls += 1
                self.failures += event.get("status") == "failed"
        alerts = self.alerts.read_bytes().count(b"\n") if self.alerts.exists() else 0
        return self.polls, self.failures, alerts


def silent_server() -> socket.socket:
    """A listening socket that never accepts: connections open, no answer ever comes."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(1024)
    return sock


def refused_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def write_config(folder: Path, feeds: Sequence[tuple[str, str]], baseline: Path) -> Path:
    lines = [
        'state = "state.db"',
        f"baselines = [{str(baseline)!r}]",
        "[http]",
        "allow_private_addresses = true",
        'connect_timeout = "2s"',
        'total_timeout = "5s"',
        "[scheduler]",
        'jitter = "5s"',
        "[alerts.log]",
        'path = "alerts.jsonl"',
    ]
    for name, url in feeds:
        lines += ["[[feeds]]", f'name = "{name}"', f'url = "{url}"', f'interval = "{INTERVAL}"']
    path = folder / "claimwatch.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def sample(pid: int, started: float, counter: LogCounter) -> Sample:
    status = _status(pid)
    tree_kb = sum(_kb(_status(p), "VmRSS") for p in process_tree(pid))
    polls, failures, alerts = counter.update()
    return Sample(
        seconds=time.monotonic() - started,
        rss_mb=_kb(status, "VmRSS") / 1024,
        tree_mb=tree_kb / 1024,
        fds=open_files(pid),
        threads=int(status.get("Threads", "0")),
        polls=polls,
        failures=failures,
        alerts=alerts,
    )


def row(s: Sample) -> str:
    return (
        f"{s.seconds:7.0f} {s.rss_mb:8.1f} {s.tree_mb:8.1f} {s.fds:5d} {s.threads:7d} "
        f"{s.polls:7d} {s.failures:8d} {s.alerts:7d}"
    )


HEADER = "   time   rss_mb  tree_mb   fds threads   polls failures  alerts"


@dataclass(frozen=True, slots=True)
class Verdict:
    rss_growth: float
    tree_growth: float
    fd_growth: int
    flat: bool
    text: str


def verdict(samples: Sequence[Sample], max_rss: float, max_fds: int) -> Verdict:
    """Median of the second fifth (after warm-up) against the median of the last fifth."""
    fifth = max(len(samples) // 5, 1)
    early = samples[fifth : 2 * fifth] or samples[:1]
    late = samples[-fifth:]

    def growth(key: str) -> float:
        return float(
            statistics.median(getattr(s, key) for s in late)
            - statistics.median(getattr(s, key) for s in early)
        )

    rss, tree, fds = growth("rss_mb"), growth("tree_mb"), round(growth("fds"))
    flat = rss <= max_rss and tree <= 2 * max_rss and fds <= max_fds
    text = (
        f"{'flat' if flat else 'GROWING'}: rss {rss:+.1f} MB (limit {max_rss:g}), "
        f"tree {tree:+.1f} MB (limit {2 * max_rss:g}), fds {fds:+d} (limit {max_fds})"
    )
    return Verdict(rss, tree, fds, flat, text)


def describe(args: argparse.Namespace) -> str:
    return (
        f"{args.feeds} farm feeds + 3 failing, every {INTERVAL}, {args.minutes:g} min, "
        f"{args.advance_share:.0%} of the feeds gain an entry every {args.advance:g} s"
    )


def soak(args: argparse.Namespace, folder: Path, stack: ExitStack) -> list[Sample]:
    farm = stack.enter_context(
        FarmProcess(
            "--feeds", str(args.feeds), "--entries", str(args.entries), "--hosts",
            str(min(args.feeds, 50)), "--latency", str(args.latency), "--lifetime",
            str(args.minutes * 60 + 600),
        )
    )  # fmt: skip
    silent = stack.enter_context(silent_server())
    failing = [
        ("refused", f"http://127.0.0.1:{refused_port()}/feed.xml"),
        ("silent", f"http://127.0.0.1:{silent.getsockname()[1]}/feed.xml"),
        ("missing", farm.feeds[0][1].replace("/feeds/", "/no-such-feeds/")),
    ]
    config = write_config(folder, [*farm.feeds, *failing], args.baseline)
    log = folder / "daemon.log"
    counter = LogCounter(log, folder / "alerts.jsonl")
    with log.open("w") as log_file:
        daemon = subprocess.Popen(
            [sys.executable, "-m", "claimwatch", "run", "--config", str(config),
             "--log-format", "json"],
            cwd=folder, stdout=subprocess.DEVNULL, stderr=log_file,
        )  # fmt: skip
        try:
            return watch(daemon, farm, counter, args)
        finally:
            daemon.send_signal(signal.SIGTERM)
            try:
                daemon.wait(60)
            except subprocess.TimeoutExpired:
                daemon.kill()
                daemon.wait(10)
            print(f"daemon exit status: {daemon.returncode}")


def watch(
    daemon: subprocess.Popen[bytes],
    farm: FarmProcess,
    counter: LogCounter,
    args: argparse.Namespace,
) -> list[Sample]:
    started = time.monotonic()
    end = started + args.minutes * 60
    next_sample, next_advance = started + args.sample, started + args.advance
    samples: list[Sample] = []
    print(HEADER, flush=True)
    while (now := time.monotonic()) < end and daemon.poll() is None:
        if now >= next_advance:
            farm.advance(args.advance_share)
            next_advance += args.advance
        if now >= next_sample:
            samples.append(sample(daemon.pid, started, counter))
            print(row(samples[-1]), flush=True)
            next_sample += args.sample
        time.sleep(max(0.0, min(next_sample, next_advance, end) - time.monotonic()))
    if daemon.poll() is not None:
        raise SystemExit(f"the daemon died early (status {daemon.returncode}); see its log")
    samples.append(sample(daemon.pid, started, counter))
    print(row(samples[-1]), flush=True)
    return samples


def markdown(args: argparse.Namespace, samples: Sequence[Sample], result: Verdict) -> str:
    step = max(len(samples) // 20, 1)
    shown = [*samples[::step], samples[-1]] if samples[::step][-1] != samples[-1] else samples
    last = samples[-1]
    return "\n".join(
        [
            f"## Soak: {describe(args)}",
            "",
            f"Machine: {machine()}. Command: `python -m bench.soak {' '.join(args.argv)}`",
            "",
            "```",
            HEADER,
            *(row(s) for s in shown),
            "```",
            "",
            f"{last.polls} polls ({last.failures} failed, by design), {last.alerts} alerts. "
            f"Verdict: {result.text}.",
            "",
        ]
    )


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--feeds", type=int, default=50, help="farm feeds")
    p.add_argument("--entries", type=int, default=20, help="entries per farm feed")
    p.add_argument("--latency", type=float, default=0.02, help="farm seconds per response")
    p.add_argument("--minutes", type=float, default=30.0, help="how long the daemon runs")
    p.add_argument("--sample", type=float, default=30.0, help="seconds between samples")
    p.add_argument("--advance", type=float, default=15.0, help="seconds between farm updates")
    p.add_argument("--advance-share", type=float, default=0.1, help="share of feeds updated")
    p.add_argument("--baseline", type=Path, default=DEFAULT_BASELINE)
    p.add_argument("--max-rss-growth", type=float, default=10.0, help="MB")
    p.add_argument("--max-fd-growth", type=int, default=4)
    p.add_argument("--fail-on-growth", action="store_true", help="exit 1 when not flat")
    p.add_argument("--output", type=Path, help="append the figures to this Markdown file")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    args.argv = list(sys.argv[1:] if argv is None else argv)
    print(f"soak: {describe(args)}\nmachine: {machine()}", flush=True)
    with tempfile.TemporaryDirectory(prefix="claimwatch-soak-") as tmp, ExitStack() as stack:
        samples = soak(args, Path(tmp), stack)
    result = verdict(samples, args.max_rss_growth, args.max_fd_growth)
    last = samples[-1]
    print(f"polls: {last.polls} ({last.failures} failed, by design), alerts: {last.alerts}")
    print(f"verdict: {result.text}")
    if args.output is not None:
        with args.output.open("a", encoding="utf-8") as out:
            out.write(markdown(args, samples, result))
    return 1 if args.fail_on_growth and not result.flat else 0


if __name__ == "__main__":
    sys.exit(main())
