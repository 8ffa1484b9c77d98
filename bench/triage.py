"""Triage benchmark: what verdicts cost the served status page.

    python -m bench.triage                     # 5,000 alerts, each with a verdict
    python -m bench.triage --alerts 500        # smaller

A SQLite state with ``--alerts`` alerts on one claim and a verdict on each, served in-process
by the web server on loopback with ``[http] token_file`` set. Printed (median / worst):

- reading the calls (every latest verdict and claim state), which the page does per request;
- the page when nothing changed, read-only and signed in (its forms' CSRF token filled in);
- a verdict posted from a session (the store written, the 303), then the page it leads to,
  rendered again because a verdict changed.

Figures depend on the machine.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

import httpx

from bench.web import BASELINE, alerts, store
from claimwatch import pipeline
from claimwatch.baselines import load_baselines
from claimwatch.config import config_from_mapping
from claimwatch.metrics import Metrics
from claimwatch.pipeline import open_runtime
from claimwatch.store import open_store
from claimwatch.verdicts import Verdict
from claimwatch.web import WebServer

TOKEN = "bench-write-token"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def ms(samples: list[float]) -> str:
    return f"{statistics.median(samples) * 1000:.1f} / {max(samples) * 1000:.1f} ms"


async def timed(step: Callable[[], Awaitable[object]], times: int) -> list[float]:
    samples = []
    for _ in range(times):
        started = time.perf_counter()
        await step()
        samples.append(time.perf_counter() - started)
    return samples


def prepare(folder: Path, count: int) -> None:
    (folder / "baseline.yaml").write_text(BASELINE, encoding="utf-8")
    (folder / "token").write_text(TOKEN, encoding="utf-8")
    items = alerts(count)
    store(folder / "state.db", items)
    opened = open_store(folder / "state.db")
    try:
        at = datetime(2022, 2, 1, tzinfo=UTC)
        opened.record_verdicts([Verdict(a.alert_id, "seen", "bench", at) for a in items])
    finally:
        opened.close()


def read_calls(folder: Path, times: int) -> list[float]:
    opened = open_store(folder / "state.db")
    samples = []
    try:
        for _ in range(times):
            started = time.perf_counter()
            opened.verdicts()
            opened.claim_states()
            samples.append(time.perf_counter() - started)
    finally:
        opened.close()
    return samples


async def serve(folder: Path, rounds: int) -> dict[str, list[float]]:
    data = {
        "state": "state.db",
        "baselines": ["baseline.yaml"],
        "http": {"token_file": "token"},
        "alerts": {"log": {"path": "alerts.jsonl"}},
    }
    config = config_from_mapping(data, path=folder / "claimwatch.toml")
    state = open_store(config.state)
    metrics = Metrics(process=False)
    rt = open_runtime(config, load_baselines(config.baselines), state, metrics=metrics)
    web = WebServer(lambda: rt, metrics, lambda: None)
    await web.start(("127.0.0.1", 0))
    results: dict[str, list[float]] = {}
    try:
        async with httpx.AsyncClient(base_url=str(web.url), trust_env=False, timeout=30) as http:
            await http.get("")  # the first read of every alert
            results["page, read-only"] = await timed(lambda: http.get(""), rounds)
            origin = {"Origin": str(web.url).rstrip("/"), "Sec-Fetch-Site": "same-origin"}
            await http.post("login", data={"token": TOKEN}, headers=origin)
            page = await http.get("")
            found = CSRF.search(page.text)
            assert found is not None, "no form on the page"
            form = {"verdict": "confirmed", "csrf": found.group(1)}
            results["page, signed in"] = await timed(lambda: http.get(""), rounds)
            newest = alerts(1, start=0)[0].alert_id

            async def judge(kind: str = "confirmed") -> None:
                fields = {**form, "verdict": kind}
                posted = await http.post(f"alerts/{newest}/verdict", data=fields, headers=origin)
                assert posted.status_code == 303, posted.text

            results["verdict posted (303)"] = await timed(judge, rounds)
            redrawn: list[float] = []
            for kind in ("confirmed", "seen") * (rounds // 2):
                await judge(kind)
                redrawn += await timed(lambda: http.get(""), 1)
            results["page after a verdict"] = redrawn
    finally:
        await web.stop()
        await pipeline.close_runtime(rt)
        state.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--alerts", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=40)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        prepare(folder, args.alerts)
        print(f"{args.alerts} alerts, a verdict on each; median / worst of {args.rounds}")
        print(f"  reading the calls     {ms(read_calls(folder, args.rounds))}")
        for what, samples in asyncio.run(serve(folder, args.rounds)).items():
            print(f"  {what:<22}{ms(samples)}")


if __name__ == "__main__":
    main()
