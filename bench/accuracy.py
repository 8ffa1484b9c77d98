"""Accuracy of the detector on labelled coverage.

    python bench/accuracy.py                                   # the project's own corpus
    python bench/accuracy.py --corpus PATH/coverage-dev.jsonl  # real coverage, two annotators

The own corpus is ``tests/corpus/*.txt`` (a header of expected findings, ``---``, the text).
A JSON Lines corpus carries ``labels`` and ``labels_second`` from two annotators and is scored
as its README says: precision counts a predicted pair right when either annotator labelled it,
recall counts pairs labelled by both.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from claimwatch.baselines import Baseline, load_baselines
from claimwatch.matching import Document, Finding, match

ROOT = Path(__file__).resolve().parent.parent
CORPUS_DIR = ROOT / "tests" / "corpus"
ALERTING = ("follow_up", "contradiction")


@dataclass
class Item:
    """One labelled text: what any annotator labelled, and what all of them did."""

    id: str
    title: str
    text: str
    published: dt.date | None
    either: set[tuple[str, str]] = field(default_factory=set)  # (claim, kind) by any annotator
    both: set[tuple[str, str]] = field(default_factory=set)  # (claim, kind) by every annotator
    distractor: bool = False
    values: dict[str, float] = field(default_factory=dict)

    @property
    def either_claims(self) -> set[str]:
        return {c for c, _ in self.either}

    @property
    def both_claims(self) -> set[str]:
        return {c for c, _ in self.both}


def parse_item(path: Path) -> Item:
    """Read one ``tests/corpus`` file."""
    raw = path.read_text(encoding="utf-8")
    header, _, body = raw.partition("\n---\n")
    fields: dict[str, list[str]] = defaultdict(list)
    for line in header.splitlines():
        key, _, value = line.partition(":")
        if value:
            fields[key.strip()].append(value.strip())
    item = Item(
        id=fields["id"][0] if fields["id"] else path.stem,
        title=fields["title"][0] if fields["title"] else "",
        text=body.strip(),
        published=_date(fields["published"][0] if fields["published"] else None),
        distractor=(fields["distractor"] or ["no"])[0].lower() == "yes",
    )
    for line in fields["expect"]:
        claim, kind, *value = line.split()
        item.either.add((claim, kind))
        item.both.add((claim, kind))
        if value:
            item.values[claim] = float(value[0].replace(",", ""))
    return item


def load_own_corpus(folder: Path = CORPUS_DIR) -> list[Item]:
    return [parse_item(p) for p in sorted(folder.glob("*.txt"))]


def load_jsonl_corpus(path: Path) -> list[Item]:
    items = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        record = json.loads(line)
        first = {
            (x["claim_id"], x["relation"]) for x in record["labels"] if x["relation"] in ALERTING
        }
        second = {
            (x["claim_id"], x["relation"])
            for x in record.get("labels_second", [])
            if x["relation"] in ALERTING
        }
        items.append(
            Item(
                id=record["id"],
                title=record.get("title") or "",
                text=record["text"],
                published=_date(record.get("published")),
                either=first | second,
                both=first & second if "labels_second" in record else first,
                distractor=not record["labels"] and not record.get("labels_second"),
            )
        )
    return items


def _date(value: str | None) -> dt.date | None:
    if not value or value == "none":
        return None
    return dt.date.fromisoformat(value)


def detect(item: Item, baselines: Iterable[Baseline]) -> list[Finding]:
    published = dt.datetime.combine(item.published, dt.time(12)) if item.published else None
    return match(Document(item.title, item.text, published), list(baselines))


@dataclass
class Tally:
    """Precision over predictions (right if any annotator agrees); recall over agreed pairs."""

    predicted: int = 0
    predicted_right: int = 0
    wanted: int = 0
    wanted_hit: int = 0

    def add(self, hit: bool, right: bool, wanted: bool) -> None:
        self.predicted += hit
        self.predicted_right += hit and right
        self.wanted += wanted
        self.wanted_hit += wanted and hit

    def prf(self) -> tuple[float, float, float]:
        p = self.predicted_right / self.predicted if self.predicted else 1.0
        r = self.wanted_hit / self.wanted if self.wanted else 1.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return p, r, f

    def line(self, name: str) -> str:
        p, r, f = self.prf()
        return (
            f"{name:38s} P={p:5.2f} R={r:5.2f} F1={f:5.2f}  "
            f"(predicted {self.predicted}, right {self.predicted_right}; "
            f"wanted {self.wanted}, found {self.wanted_hit})"
        )


@dataclass
class Score:
    overall: Tally = field(default_factory=Tally)
    per_claim: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    per_kind: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    distractors: int = 0
    distractors_alerted: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def add(self, item: Item, findings: list[Finding]) -> None:
        predicted = {(f.claim_id, f.kind) for f in findings}
        claims = {c for c, _ in predicted}
        for claim in sorted(claims | item.both_claims):
            hit, right, wanted = (
                claim in claims,
                claim in item.either_claims,
                claim in item.both_claims,
            )
            self.overall.add(hit, right, wanted)
            self.per_claim[claim].add(hit, right, wanted)
            if hit and not right:
                self.errors.append(f"{item.id}: false alarm {claim} {_evidence(findings, claim)}")
            elif wanted and not hit:
                self.errors.append(f"{item.id}: missed {claim}")
        for pair in sorted(predicted | item.both):
            self.per_kind[pair[1]].add(pair in predicted, pair in item.either, pair in item.both)
            if pair in predicted and pair[0] in item.either_claims and pair not in item.either:
                self.errors.append(f"{item.id}: wrong kind {pair} {_evidence(findings, pair[0])}")
        if item.distractor:
            self.distractors += 1
            if findings:
                self.distractors_alerted.append(item.id)

    def report(self, title: str) -> str:
        lines = [f"== {title}", self.overall.line("claim level (all)")]
        lines += [self.per_kind[k].line(f"kind {k}") for k in ALERTING]
        share = len(self.distractors_alerted) / self.distractors if self.distractors else 0.0
        alerted = f"  {self.distractors_alerted}" if self.distractors_alerted else ""
        lines.append(
            f"distractors alerted: {len(self.distractors_alerted)}/{self.distractors}"
            f" = {share:.2f}{alerted}"
        )
        lines.append("-- per claim")
        lines += [self.per_claim[c].line(c) for c in sorted(self.per_claim)]
        return "\n".join(lines)


def _evidence(findings: list[Finding], claim: str) -> str:
    found = [f for f in findings if f.claim_id == claim]
    return f"[{found[0].kind}] {found[0].reason} | {found[0].evidence[:160]!r}" if found else ""


def score(items: list[Item], baselines: tuple[Baseline, ...]) -> Score:
    result = Score()
    for item in items:
        result.add(item, detect(item, baselines))
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--corpus", type=Path, help="a JSON Lines corpus with two annotators' labels"
    )
    parser.add_argument("--baselines", type=Path, default=ROOT / "baselines")
    parser.add_argument("--errors", action="store_true", help="list every miss and false alarm")
    args = parser.parse_args(argv)
    baselines = load_baselines([args.baselines])
    since = min((b.since for b in baselines if b.since), default=None)
    if args.corpus:
        items = load_jsonl_corpus(args.corpus)
        early = [i for i in items if since and i.published and i.published < since]
        scored = [i for i in items if i not in early]
        title = (
            f"{args.corpus.name}: {len(scored)} texts on/after {since} or undated"
            f" ({len(early)} earlier left out)"
        )
    else:
        scored = load_own_corpus()
        title = f"own corpus tests/corpus: {len(scored)} items"
    result = score(scored, baselines)
    print(result.report(title))
    if args.errors:
        print("-- errors", *result.errors, sep="\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
