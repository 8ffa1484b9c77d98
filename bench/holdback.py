"""What holding back repeats of dismissed alerts costs the pipeline, per entry and per change.

    python -m bench.holdback                  # 3,000 judged alerts; prints a Markdown table
    python -m bench.holdback --verdicts 200   # smaller (CI)

A SQLite state is filled with made-up judged alerts (a third confirmed, two thirds dismissed,
over 20 claims; each a different sentence with a figure) and then measured as the pipeline
uses it (holdback.Lessons):

- check: ``Store.count_verdicts`` alone, what every entry that raised a claim's alert pays
  when no analyst judged anything since;
- learn: reading the judged alerts and learning from them, paid once after verdicts change;
- screen: an entry's two alerts screened with the lessons learnt (one a copy of a dismissed
  alert under a new dateline, one a new figure), the check included.
"""

from __future__ import annotations

import argparse
import dataclasses
import random
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from claimwatch.alerts import Alert
from claimwatch.holdback import Lessons
from claimwatch.store import Store, open_store
from claimwatch.verdicts import Verdict

T0 = datetime(2024, 1, 1, tzinfo=UTC)
CLAIMS = 20
WORDS = (
    "officials", "residents", "witnesses", "ministry", "agency", "police", "reporters",
    "council", "port", "bridge", "village", "border", "river", "coast", "capital", "northern",
    "southern", "eastern", "western", "overnight",
)  # fmt: skip


def sentence(rng: random.Random, figure: int) -> tuple[str, tuple[int, int]]:
    """A made-up evidence sentence with ``figure`` in it, and the figure's phrase span."""
    words = rng.sample(WORDS, 9)
    head = f"{' '.join(words[:3]).capitalize()} said "
    phrase = f"at least {figure:,} people"
    text = f"{head}{phrase} were moved from the {words[3]} {words[4]} to {' '.join(words[5:])}."
    return text, (len(head), len(head) + len(phrase))


def alert(n: int, text: str, span: tuple[int, int], figure: int) -> Alert:
    return Alert(
        alert_id=f"a{n:07d}",
        kind="contradiction",
        baseline_id="story",
        claim_id=f"claim-{n % CLAIMS}",
        article_url=f"https://outlet{n % 37}.example/{n}",
        article_title=f"Report {n}",
        feed=f"feed-{n % 11}",
        entry_id=str(n),
        published=T0 + timedelta(minutes=n),
        evidence=text,
        reason="figure differs",
        detected_at=T0 + timedelta(minutes=n),
        novel=True,
        value=float(figure),
        fact=f"value:{figure}",
        score=0.8,
        highlight=span,
    )


def fill(store: Store, count: int, rng: random.Random) -> list[Alert]:
    """``count`` judged alerts; returns them."""
    made = []
    for n in range(count):
        figure = 100 + n
        text, span = sentence(rng, figure)
        made.append(alert(n, text, span, figure))
    store.add_alerts(made, [])
    verdicts = [
        Verdict(a.alert_id, "confirmed" if n % 3 == 0 else "dismissed", "ana", a.detected_at)
        for n, a in enumerate(made)
    ]
    store.record_verdicts(verdicts)
    return made


def timed(action: Callable[[], object], repeat: int) -> float:
    """Mean seconds per call."""
    start = time.perf_counter()
    for _ in range(repeat):
        action()
    return (time.perf_counter() - start) / repeat


def measure(count: int, folder: Path) -> list[tuple[str, float, str]]:
    rng = random.Random(7)
    store = open_store(folder / "state.db")
    try:
        made = fill(store, count, rng)
        dismissed = made[1]  # n % 3 != 0
        copy = dataclasses.replace(  # a wire copy under a dateline, in another outlet
            dismissed,
            alert_id="copy",
            evidence=f"CAPITAL (Wire) - {dismissed.evidence}",
            article_url="https://wire.example/copy",
            highlight=None,
        )
        text, span = sentence(rng, 99_999)
        fresh = alert(count + 2, text, span, 99_999)
        lessons = Lessons()
        learn = timed(lambda: Lessons().current(store), 3)
        lessons.current(store)
        check = timed(lambda: store.count_verdicts(not_by="claimwatch"), 200)
        held = [s.alert.alert_id for s in lessons.hold(store, [copy, fresh])]
        if held != ["copy"]:
            raise SystemExit(f"expected the copy alone held back, got {held}")
        screen = timed(lambda: lessons.hold(store, [copy, fresh]), 200)
        learnt = f"{len(lessons.feedback.lessons)} lessons"
        return [
            ("check (per entry that alerted)", check * 1000, "count_verdicts"),
            ("learn (once per verdict change)", learn * 1000, learnt),
            ("screen 2 alerts (per entry)", screen * 1000, "1 held back, 1 kept"),
        ]
    finally:
        store.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verdicts", type=int, default=3000, help="judged alerts (3000)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        rows = measure(args.verdicts, Path(folder))
    print(f"{args.verdicts} judged alerts over {CLAIMS} claims (SQLite)\n")
    print("| step | ms | note |\n|---|---|---|")
    for step, ms, note in rows:
        print(f"| {step} | {ms:.2f} | {note} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
