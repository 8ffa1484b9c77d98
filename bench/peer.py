"""The same work by a peer: rss2email, and a naive loop, against the same feed farm.

    python -m bench.peer                        # 1,000 feeds, claimwatch vs rss2email vs naive
    python -m bench.peer --feeds 50 --runs 1 --no-rss2email   # what CI runs

- rss2email (from PyPI, version RSS2EMAIL_VERSION, installed by this script into
  bench/.venv-rss2email on first use) reads every feed and mails each new entry to a local
  SMTP sink (aiosmtpd's Sink handler on 127.0.0.1): ``r2e run`` on a fresh database is the
  cold cycle, the next ``r2e run`` after the farm changed 10% of its feeds the warm one.
- naive: sequential ``httpx.get`` and ``feedparser.parse`` of every feed, no validators (a
  floor to beat, not a peer: it keeps no state and reads no article).
- claimwatch: ``claimwatch once`` as in bench/polling.py.

Every tool sees the farm in the same state: all three run cold, the farm advances, all three
run warm. Figures are medians of ``--runs``; ratios are the peer's wall time divided by
claimwatch's (how many times faster claimwatch is).
"""

from __future__ import annotations

import argparse
import configparser
import contextlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from xml.sax.saxutils import quoteattr

from bench.farm import ROOT, FarmProcess
from bench.polling import (
    TABLE_HEAD,
    TABLE_NOTES,
    WARM_SHARE,
    Cycle,
    Measured,
    add_farm_arguments,
    become_subreaper,
    claimwatch_cycle,
    compile_bytecode,
    describe,
    farm_options,
    median,
    row,
    run_measured,
    write_config,
)

RSS2EMAIL_VERSION = "3.14"
VENV = ROOT / "bench" / ".venv-rss2email"
NAIVE = """
import sys, httpx, feedparser, io
urls = open(sys.argv[1]).read().split()
with httpx.Client(timeout=60) as client:
    for url in urls:
        response = client.get(url)
        feedparser.parse(io.BytesIO(response.content))
"""


def rss2email() -> Path:
    """The r2e command, installing rss2email into its own virtual environment if needed."""
    command = VENV / "bin" / "r2e"
    if not command.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        pip = [str(VENV / "bin" / "python"), "-m", "pip", "install", "-q"]
        subprocess.run([*pip, f"rss2email=={RSS2EMAIL_VERSION}"], check=True)
    return command


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class SmtpSink:
    """aiosmtpd with its Sink handler (accepts and discards), as a child process."""

    def __init__(self) -> None:
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> SmtpSink:
        listen = f"127.0.0.1:{self.port}"
        command = [sys.executable, "-m", "aiosmtpd", "-n", "-c", "aiosmtpd.handlers.Sink"]
        self.process = subprocess.Popen([*command, "-l", listen], stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return self
            except OSError:
                time.sleep(0.1)
        self.__exit__()
        raise RuntimeError("the SMTP sink did not start")

    def __exit__(self, *exc: object) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid


def configure_rss2email(config: Path, smtp_port: int) -> None:
    """Point the config ``r2e new`` wrote at the SMTP sink."""
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(config, encoding="utf-8")
    parser["DEFAULT"].update(
        {
            "from": "bench@localhost",
            "email-protocol": "smtp",
            "smtp-server": f"127.0.0.1:{smtp_port}",
            "smtp-auth": "False",
            "smtp-ssl": "False",
        }
    )
    with config.open("w", encoding="utf-8") as file:
        parser.write(file)


def write_opml(folder: Path, feeds: Sequence[tuple[str, str]]) -> Path:
    outlines = "".join(
        f'<outline type="rss" text={quoteattr(n)} xmlUrl={quoteattr(u)}/>\n' for n, u in feeds
    )
    opml = folder / "feeds.opml"
    opml.write_text(
        f'<?xml version="1.0"?>\n<opml version="2.0"><body>\n{outlines}</body></opml>\n',
        encoding="utf-8",
    )
    return opml


class Rss2email:
    """One rss2email installation state (config + data file) in ``folder``."""

    def __init__(self, r2e: Path, folder: Path, feeds: Sequence[tuple[str, str]], port: int):
        self.base = [str(r2e), "-c", str(folder / "rss2email.cfg"), "-d", str(folder / "r2e.json")]
        self.folder = folder
        env = self._env()
        quiet = {"env": env, "cwd": folder, "check": True, "stderr": subprocess.DEVNULL}
        subprocess.run([*self.base, "new", "desk@localhost"], **quiet)
        configure_rss2email(folder / "rss2email.cfg", port)
        subprocess.run([*self.base, "opmlimport", str(write_opml(folder, feeds))], **quiet)

    def _env(self) -> dict[str, str]:
        return {**os.environ, "HOME": str(self.folder)}

    def run(self, keep: Sequence[int], watch: Sequence[int]) -> Measured:
        with (self.folder / "r2e.log").open("ab") as log:
            return run_measured(
                [*self.base, "run"],
                cwd=self.folder,
                env=self._env(),
                stderr=log.fileno(),
                keep=keep,
                watch=watch,
            )


def naive_run(folder: Path, feeds: Sequence[tuple[str, str]], keep: Sequence[int]) -> Measured:
    urls = folder / "urls.txt"
    urls.write_text("\n".join(u for _, u in feeds), encoding="utf-8")
    return run_measured([sys.executable, "-c", NAIVE, str(urls)], cwd=folder, keep=keep, watch=keep)


def served_cycle(farm: FarmProcess, run: Measured, before: dict[str, int]) -> Cycle:
    served = farm.stats() - before
    return Cycle(
        run,
        served.get("requests", 0),
        served.get("bytes", 0),
        served.get("feed_200", 0),
        served.get("feed_304", 0),
        served.get("page", 0),
    )


def one_run(
    farm: FarmProcess, sink: SmtpSink | None, r2e: Path | None, baselines: Path
) -> dict[str, list[Cycle]]:
    """Cold then warm for each tool, the farm advanced in between."""
    out: dict[str, list[Cycle]] = {}
    others = [farm.pid] + ([sink.pid] if sink else [])
    with tempfile.TemporaryDirectory(prefix="cw-peer-") as tmp:
        folder = Path(tmp)
        for name in ("claimwatch", "rss2email", "naive"):
            (folder / name).mkdir()
        config = write_config(folder / "claimwatch", farm.feeds, baselines)
        peer = None
        if r2e is not None and sink is not None:
            peer = Rss2email(r2e, folder / "rss2email", farm.feeds, sink.port)
        for phase in ("cold", "warm"):
            if phase == "warm":
                farm.advance(WARM_SHARE)
            out.setdefault(f"claimwatch {phase}", []).append(claimwatch_cycle(farm, config))
            if peer is not None:
                before = farm.stats()
                measured = peer.run(keep=others, watch=others)
                out.setdefault(f"rss2email {phase}", []).append(
                    served_cycle(farm, measured, before)
                )
            before = farm.stats()
            measured = naive_run(folder / "naive", farm.feeds, keep=others)
            out.setdefault(f"naive {phase}", []).append(served_cycle(farm, measured, before))
    return out


def ratio(results: dict[str, list[Cycle]], peer: str, phase: str) -> str:
    mine = results.get(f"claimwatch {phase}")
    theirs = results.get(f"{peer} {phase}")
    if not mine or not theirs:
        return "n/a"
    ours = median([c.measured.wall for c in mine])
    return f"{median([c.measured.wall for c in theirs]) / ours:.1f}x"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_farm_arguments(parser)
    parser.add_argument("--no-rss2email", action="store_true", help="skip the PyPI peer")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    r2e = None if args.no_rss2email else rss2email()
    become_subreaper()
    compile_bytecode()
    results: dict[str, list[Cycle]] = {}
    with FarmProcess(*farm_options(args)) as farm, contextlib.ExitStack() as stack:
        sink = None if r2e is None else stack.enter_context(SmtpSink())
        for _ in range(args.runs):
            for key, cycles in one_run(farm, sink, r2e, args.baselines.resolve()).items():
                results.setdefault(key, []).extend(cycles)
    print(f"claimwatch and peers: {describe(args)}")
    print(TABLE_HEAD)
    for key, cycles in results.items():
        print(row(key, cycles))
    print(TABLE_NOTES)
    for peer in ("rss2email", "naive"):
        print(
            f"claimwatch vs {peer}: cold {ratio(results, peer, 'cold')} faster, "
            f"warm {ratio(results, peer, 'warm')} faster"
        )
    if args.json:
        figures = {k: [c.measured.wall for c in v] for k, v in results.items()}
        args.json.write_text(json.dumps(figures, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
