"""Cluster benchmark: one, two and three ``claimwatch run`` daemons share the farm's feeds.

    python -m bench.cluster                                      # 3,000 feeds; 1, 2, 3 daemons
    python -m bench.cluster --feeds 60 --entries 5 --daemons 1 2 # the small configuration (CI)
    python -m bench.cluster --state postgresql://user@host/db    # on a server of your own

All daemons of a run share one new PostgreSQL database (a throwaway cluster on loopback is
started unless ``--state`` names a server: a database per run is then created on it). Each
run has two passes, both measured from the daemons' start until every feed has been polled
and given back:

- cold: an empty database, every feed due at once, every entry new;
- warm: the daemons are stopped, the farm gives 10% of the feeds one new entry, every feed is
  made due again and the daemons start again; 90% of the polls answer 304.

Figures: polls per second (feeds / seconds from the first feed request to the last feed
given back, so start-up is left out; wall time is printed too), CPU of every daemon process
and its parser workers, and the duplicate work: feed requests beyond one per feed, entries
processed by more than one daemon, alerts delivered more than once, and lease requests
refused because another daemon held the feed (a cheap query each; the price of sharing).
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg

from bench.farm import ROOT, FarmProcess
from bench.polling import WARM_SHARE, _cpu_of, _tree, machine

PASS_TIMEOUT = 1800.0  # seconds; a pass still running then fails the benchmark
CHECK_EVERY = 0.2  # seconds between looks at the farm and the database


@dataclass(frozen=True, slots=True)
class Pass:
    """One pass of N daemons over every feed."""

    daemons: int
    wall: float  # from the daemons' start to the last feed given back
    polling: float  # from the first feed request to the last feed given back
    cpu: float  # every daemon process and its workers
    requests: int  # feed requests (200 and 304)
    processed: int  # entry.processed events, all daemons
    processed_twice: int  # entries processed by more than one cycle
    delivered_twice: int  # alert lines beyond one per alert_id, all daemons' files
    refused: int  # lease requests refused (another daemon's turn)
    shares: tuple[int, ...]  # polls per daemon

    def polls_per_second(self, feeds: int) -> float:
        return feeds / self.polling if self.polling > 0 else float("nan")


def _connect(url: str) -> psycopg.Connection[tuple[Any, ...]]:
    return psycopg.connect(url, autocommit=True)


@contextlib.contextmanager
def databases(server_url: str | None) -> Iterator[Iterator[str]]:
    """New database URLs: on ``server_url``'s server, or on a throwaway cluster."""
    if server_url is None:
        from tests import pg  # the test suite's throwaway cluster (stopped at exit)

        cluster = pg.cluster()
        yield (cluster.create_database() for _ in iter(int, 1))
        return
    parts = urlsplit(server_url)

    def fresh() -> Iterator[str]:
        for number in range(1_000_000):
            name = f"claimwatch_bench_{int(time.time())}_{number}"
            with _connect(server_url) as db:
                db.execute(f'CREATE DATABASE "{name}"'.encode())
            yield urlunsplit(parts._replace(path=f"/{name}"))

    yield fresh()


def write_config(folder: Path, url: str, feeds: Sequence[tuple[str, str]], baselines: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    lines = [
        f'state = "{url}"',
        f"baselines = [{str(baselines)!r}]",
        "[http]",
        "allow_private_addresses = true",
        "[scheduler]",
        "jitter = 0",  # every feed due at the start, not spread: the pass measures capacity
        "[alerts.log]",
        'path = "alerts.jsonl"',
    ]
    for name, feed_url in feeds:
        lines += ["[[feeds]]", f'name = "{name}"', f'url = "{feed_url}"', 'interval = "15m"']
    path = folder / "claimwatch.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def given_back(url: str) -> int:
    """Feeds polled and given back since they were last made due."""
    try:
        with _connect(url) as db:
            rows = db.execute(
                "SELECT count(*) FROM feed_leases WHERE next_due IS NOT NULL AND leased_by IS NULL"
            ).fetchall()
    except psycopg.errors.UndefinedTable:  # the daemons have not created the schema yet
        return 0
    return int(rows[0][0])


def make_all_due(url: str) -> None:
    """Every feed due now, as after a long outage (the benchmark's fast-forward)."""
    with _connect(url) as db:
        db.execute("UPDATE feed_leases SET next_due = NULL, leased_by = NULL, leased_until = NULL")
        db.execute("UPDATE feeds SET next_attempt = NULL")


def _events(log: Path) -> list[dict[str, object]]:
    found = []
    for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
        with contextlib.suppress(json.JSONDecodeError):
            found.append(json.loads(line))
    return found


class Daemons:
    """N ``claimwatch run`` processes, each in its own folder with its own log."""

    def __init__(self, configs: Sequence[Path], tag: str) -> None:
        self.logs = [config.parent / f"{tag}.log" for config in configs]
        self.processes = []
        for config, log in zip(configs, self.logs, strict=True):
            with log.open("wb") as out:
                command = [sys.executable, "-m", "claimwatch", "run", "--config", str(config)]
                self.processes.append(
                    subprocess.Popen(
                        [*command, "--log-format", "json", "-v"],
                        cwd=config.parent,
                        stdin=subprocess.DEVNULL,
                        stdout=subprocess.DEVNULL,
                        stderr=out,
                    )
                )

    def cpu(self) -> float:
        return sum(_cpu_of(pid) for p in self.processes for pid in _tree(p.pid))

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)

    def events(self, name: str) -> list[dict[str, object]]:
        return [e for log in self.logs for e in _events(log) if e.get("event") == name]


def run_pass(farm: FarmProcess, url: str, configs: Sequence[Path], tag: str, feeds: int) -> Pass:
    before = farm.stats()
    started = time.monotonic()
    first: float | None = None
    daemons = Daemons(configs, tag)
    try:
        while True:
            served = farm.stats() - before
            if first is None and served["feed_200"] + served["feed_304"] > 0:
                first = time.monotonic()
            if given_back(url) >= feeds:
                break
            if time.monotonic() - started > PASS_TIMEOUT:
                raise RuntimeError(f"pass {tag} did not finish; see {configs[0].parent}")
            time.sleep(CHECK_EVERY)
        done = time.monotonic()
        cpu = daemons.cpu()
    finally:
        daemons.stop()
    served = farm.stats() - before
    processed = Counter(
        (str(e.get("feed")), str(e.get("entry_id"))) for e in daemons.events("entry.processed")
    )
    refused = [e for e in daemons.events("feed.lease") if e.get("status") == "held"]
    shares = tuple(
        sum(1 for e in _events(log) if e.get("event") == "feed.poll") for log in daemons.logs
    )
    return Pass(
        daemons=len(configs),
        wall=done - started,
        polling=done - (first or started),
        cpu=cpu,
        requests=served["feed_200"] + served["feed_304"],
        processed=sum(processed.values()),
        processed_twice=sum(n - 1 for n in processed.values()),
        delivered_twice=0,
        refused=len(refused),
        shares=shares,
    )


def delivered_twice(configs: Sequence[Path]) -> int:
    lines: Counter[str] = Counter()
    for config in configs:
        log = config.parent / "alerts.jsonl"
        if log.exists():
            for line in log.read_text(encoding="utf-8").splitlines():
                lines[json.loads(line)["alert_id"]] += 1
    return sum(n - 1 for n in lines.values())


def run(farm: FarmProcess, url: str, count: int, folder: Path, baselines: Path) -> list[Pass]:
    """Cold then warm with ``count`` daemons on the database at ``url``."""
    configs = [
        write_config(folder / f"daemon{n}", url, farm.feeds, baselines) for n in range(count)
    ]
    cold = run_pass(farm, url, configs, "cold", len(farm.feeds))
    farm.advance(WARM_SHARE)
    make_all_due(url)
    warm = run_pass(farm, url, configs, "warm", len(farm.feeds))
    twice = delivered_twice(configs)  # over both passes
    return [cold, dataclasses.replace(warm, delivered_twice=twice)]


TABLE_HEAD = (
    "| daemons | pass | polls/s | wall s | CPU s | feed requests | extra requests "
    "| entries processed | processed twice | alerts delivered twice | leases refused "
    "| polls per daemon |\n"
    "|---|---|---|---|---|---|---|---|---|---|---|---|"
)


def row(result: Pass, name: str, feeds: int) -> str:
    cells = [
        str(result.daemons),
        name,
        f"{result.polls_per_second(feeds):.0f}",
        f"{result.wall:.1f}",
        f"{result.cpu:.1f}",
        str(result.requests),
        str(result.requests - feeds),
        str(result.processed),
        str(result.processed_twice),
        str(result.delivered_twice) if name == "warm" else "",
        str(result.refused),
        " / ".join(str(n) for n in result.shares),
    ]
    return "| " + " | ".join(cells) + " |"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--feeds", type=int, default=3000)
    parser.add_argument("--entries", type=int, default=10, help="entries per feed")
    parser.add_argument("--hosts", type=int, default=200)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--daemons", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--state", help="a PostgreSQL URL whose server gets a database per run")
    parser.add_argument("--baselines", type=Path, default=ROOT / "baselines")
    args = parser.parse_args(argv)
    farm_options = [
        f"--feeds={args.feeds}",
        f"--entries={args.entries}",
        f"--hosts={args.hosts}",
        f"--latency={args.latency}",
    ]
    lines = [TABLE_HEAD]
    with (
        FarmProcess(*farm_options) as farm,
        databases(args.state) as urls,
        tempfile.TemporaryDirectory(prefix="cw-cluster-") as tmp,
    ):
        for count in args.daemons:
            cold, warm = run(farm, next(urls), count, Path(tmp) / f"n{count}", args.baselines)
            lines += [row(cold, "cold", args.feeds), row(warm, "warm", args.feeds)]
    print(
        f"claimwatch run, several daemons on one PostgreSQL: {args.feeds} feeds x "
        f"{args.entries} entries on {args.hosts} loopback hosts, {args.latency * 1000:.0f} ms "
        f"latency\nmachine: {machine()}"
    )
    print("\n".join(lines))
    print(
        "polls/s: feeds / seconds from the first feed request to the last feed given back; "
        "wall: from the daemons' start. Extra requests: feed requests beyond one per feed."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
