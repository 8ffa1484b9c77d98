"""Detector speed: articles per second with the seed baseline, and with many baselines.

    python -m bench.matching_speed                 # seed, then up to 100 baselines x 20 claims
    python -m bench.matching_speed --quick         # the small configuration CI runs

Generated baselines copy the seed's structure (its claims, patterns and expectations) with
the story's own words replaced: invented names for the subject, and invented words for the
first group of every claim's ``about`` (the other groups keep the seed's common words, as
different stories share verbs like "began" or "released"). They are written as YAML and read
back through the real loader.

Articles: the project's labelled coverage (tests/corpus), generated coverage of the
generated stories, and off-topic news, in fixed proportions. Each configuration is timed on
one core (process CPU time) as the median of ``--runs``, two ways:

- ``every claim``: ``matching.match(document, baselines, indexed=False)``, each article
  against every claim;
- ``indexed``: ``matching.match(document, baselines)`` as the pipeline calls it: only the
  baselines and claims the term index leaves (``matching.index``), checked to find exactly
  the same;
- ``+ why``: what the pipeline does per article since alerts keep their why: ``indexed``,
  then, for an article with findings, ``why.explain`` (the fired claims matched again with a
  trace), checked to give each finding's claim the explanation a trace of the whole first
  run gives. The labelled coverage has findings in about a third of its articles, the
  worst case: in a feed, nearly every article matches nothing and costs no more than before.
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import yaml

from bench.accuracy import load_own_corpus
from bench.newstext import StoryWriter, off_topic
from bench.polling import machine
from claimwatch.baselines import Baseline, load_baselines
from claimwatch.matching import Document, Finding, match
from claimwatch.matching.trace import Trace
from claimwatch.why import explain

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "baselines" / "kazakhstan-2022-01.yaml"
CLAIMS_PER_BASELINE = 20
SYLLABLES = (
    "ka", "lo", "mer", "vin", "tas", "dor", "uri", "pel", "zan", "qua", "bro", "sil", "nev",
    "oth", "rim", "gal", "fen", "yor", "ust", "wix",
)  # fmt: skip


def invented(rng: random.Random, used: set[str]) -> str:
    """A new word of three syllables, never the same twice."""
    while True:
        word = "".join(rng.choice(SYLLABLES) for _ in range(3))
        if word not in used:
            used.add(word)
            return word


def _replace_group(pattern: str, index: int, words: list[str]) -> str:
    groups = pattern.split(" + ")
    groups[index] = "|".join(words)
    return " + ".join(groups)


def generated_baseline(seed: dict[str, Any], number: int, used: set[str]) -> dict[str, Any]:
    """The seed's structure about an invented story."""
    rng = random.Random(number)
    data = copy.deepcopy(seed)
    data["id"] = f"generated-{number:03d}"
    data["title"] = f"Generated story {number}"
    names = [invented(rng, used).title() for _ in range(6)]
    subject = data["subject"]
    subject["terms"] = ["|".join(names), invented(rng, used).upper()]
    subject["required"] = [_replace_group(p, 0, names) for p in subject.get("required", [])]
    data["entities"] = {kind: invented(rng, used).title() for kind in data.get("entities", {})}
    claims = []
    for position in range(CLAIMS_PER_BASELINE):
        claim = copy.deepcopy(seed["claims"][position % len(seed["claims"])])
        claim["id"] = f"{claim['id']}-{position}"
        about = claim.get("about", [])
        if about:
            claim["about"] = [
                _replace_group(p, 0, [invented(rng, used) + "*", invented(rng, used)])
                for p in ([about] if isinstance(about, str) else about)
            ]
        if claim.get("context"):
            claim["context"] = ["|".join(names)]
        claims.append(claim)
    data["claims"] = claims
    return data


def load_generated(count: int, folder: Path) -> tuple[Baseline, ...]:
    """The seed plus ``count`` generated baselines, written as YAML and loaded back."""
    seed = yaml.safe_load(SEED.read_text(encoding="utf-8"))
    used: set[str] = set()
    for number in range(1, count + 1):
        text = yaml.safe_dump(generated_baseline(seed, number, used), sort_keys=False)
        (folder / f"generated-{number:03d}.yaml").write_text(text, encoding="utf-8")
    return load_baselines([SEED, *sorted(folder.glob("generated-*.yaml"))])


def articles(baselines: Sequence[Baseline], per_story: int, off: int) -> list[Document]:
    """Labelled seed coverage, generated coverage of the other stories, off-topic news."""
    published = dt.datetime(2022, 1, 14, 12, tzinfo=dt.UTC)
    docs = [
        Document(i.title, i.text, published)
        for i in load_own_corpus()
        if i.published is None or i.published >= dt.date(2022, 1, 9)
    ]
    rng = random.Random(6)
    for baseline in baselines[1:]:
        writer = StoryWriter(baseline)
        for _ in range(per_story):
            item = writer.item(rng, published)
            docs.append(Document(item.title, "\n\n".join(item.paragraphs), published))
    for _ in range(off):
        item = off_topic(rng, published)
        docs.append(Document(item.title, "\n\n".join(item.paragraphs), published))
    return docs


def every_claim(document: Document, baselines: Sequence[Baseline]) -> list[Finding]:
    return match(document, baselines, indexed=False)


def indexed_match(document: Document, baselines: Sequence[Baseline]) -> list[Finding]:
    return match(document, baselines)


def with_why(document: Document, baselines: Sequence[Baseline]) -> list[Finding]:
    findings = match(document, baselines)
    if findings:
        explain(document, baselines, findings)
    return findings


Matcher = Callable[[Document, Sequence[Baseline]], list[Finding]]


def rate(
    matcher: Matcher, docs: Sequence[Document], baselines: Sequence[Baseline], runs: int
) -> float:
    """Articles per second of process CPU time, median of ``runs``."""
    matcher(docs[0], baselines)  # build and cache the index outside the timing
    rates = []
    for _ in range(runs):
        started = time.process_time()
        for doc in docs:
            matcher(doc, baselines)
        rates.append(len(docs) / max(time.process_time() - started, 1e-9))
    return statistics.median(rates)


def same_findings(docs: Sequence[Document], baselines: Sequence[Baseline]) -> bool:
    return all(indexed_match(d, baselines) == every_claim(d, baselines) for d in docs)


def whole_trace(document: Document, baselines: Sequence[Baseline]) -> list[Finding]:
    """What ``why.explain`` saves: the whole match again, traced, for an article with findings."""
    findings = match(document, baselines)
    if findings:
        match(document, baselines, trace=Trace())
    return findings


def why_cost(docs: Sequence[Document], baselines: Sequence[Baseline], runs: int) -> str:
    """On the articles with findings alone, what the why adds to their match, both ways:
    the runs interleaved, so that the machine's drift touches all three alike."""
    alerting = [d for d in docs if match(d, baselines)]
    times: dict[Matcher, list[float]] = {indexed_match: [], with_why: [], whole_trace: []}
    for _ in range(runs):
        for matcher, spent in times.items():
            started = time.process_time()
            for doc in alerting:
                matcher(doc, baselines)
            spent.append(time.process_time() - started)
    plain, why, whole = (statistics.median(t) for t in times.values())
    return (
        f"{len(alerting)} of {len(docs)} articles have findings; on them, the match and "
        f"why.explain take {why / plain:.2f}x the time of the match alone (the match and "
        f"the whole match again, traced: {whole / plain:.2f}x)"
    )


def same_why(docs: Sequence[Document], baselines: Sequence[Baseline]) -> bool:
    """``why.explain`` explains every finding's claim as tracing the whole match does."""
    for doc in docs:
        findings = match(doc, baselines)
        if not findings:
            continue
        trace = Trace()
        match(doc, baselines, trace=trace)
        whole, fired = trace.explanation(), explain(doc, baselines, findings)
        for f in findings:
            if fired is None or fired.claim(f.baseline_id, f.claim_id) != whole.claim(
                f.baseline_id, f.claim_id
            ):
                return False
    return True


def print_seed_rows(seed: tuple[Baseline, ...], runs: int, count: int) -> None:
    """The seed baseline alone, by kind of article."""
    published = dt.datetime(2022, 1, 14, 12, tzinfo=dt.UTC)
    rng = random.Random(7)
    writer = StoryWriter(seed[0])
    kinds = {
        "labelled coverage (tests/corpus)": [
            Document(i.title, i.text, published) for i in load_own_corpus()
        ],
        "generated coverage, ~2 KB each": [
            Document(it.title, "\n\n".join(it.paragraphs), published)
            for it in (writer.item(rng, published) for _ in range(count))
        ],
        "off-topic news": [
            Document(it.title, "\n\n".join(it.paragraphs), published)
            for it in (off_topic(rng, published) for _ in range(count))
        ],
    }
    print("| seed baseline, articles | count | every claim art/s | indexed art/s | + why art/s |")
    print("|---|---|---|---|---|")
    for name, docs in kinds.items():
        plain = rate(every_claim, docs, seed, runs)
        indexed = rate(indexed_match, docs, seed, runs)
        why = rate(with_why, docs, seed, runs)
        print(f"| {name} | {len(docs)} | {plain:.0f} | {indexed:.0f} | {why:.0f} |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--baselines", type=int, nargs="+", default=[0, 10, 25, 50, 100])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--per-story", type=int, default=1, help="articles per generated story")
    parser.add_argument("--off-topic", type=int, default=100, help="off-topic articles")
    parser.add_argument("--quick", action="store_true", help="0 and 3 generated, 1 run")
    args = parser.parse_args(argv)
    counts = [0, 3] if args.quick else args.baselines
    runs = 1 if args.quick else args.runs
    print(f"detector speed, one core; median of {runs} runs\nmachine: {machine()}")
    with tempfile.TemporaryDirectory(prefix="cw-match-") as tmp:
        everything = load_generated(max(counts), Path(tmp))
        print_seed_rows(everything[:1], runs, 10 if args.quick else 100)
        head = (
            "| baselines | claims | articles | every claim art/s | indexed art/s | + why art/s "
            "| same findings | same why |"
        )
        print(f"\n{head}")
        print("|---|---|---|---|---|---|---|---|")
        fixed = articles(everything, args.per_story, args.off_topic)  # same set for all rows
        for count in counts:
            baselines = everything[: count + 1]
            claims = sum(len(b.claims) for b in baselines)
            plain = rate(every_claim, fixed, baselines, runs)
            indexed = rate(indexed_match, fixed, baselines, runs)
            why = rate(with_why, fixed, baselines, runs)
            same = "yes" if same_findings(fixed, baselines) else "NO"
            same_whys = "yes" if same_why(fixed, baselines) else "NO"
            print(
                f"| {count + 1} | {claims} | {len(fixed)} | {plain:.0f} | {indexed:.0f} "
                f"| {why:.0f} | {same} | {same_whys} |"
            )
        for count in (counts[0], counts[-1]):
            baselines = everything[: count + 1]
            print(f"\nwhy, {count + 1} baselines: {why_cost(fixed, baselines, max(runs, 3))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
