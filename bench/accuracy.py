"""Accuracy of the detector on labelled coverage, per baseline and per language.

    python bench/accuracy.py                                   # the project's own corpus
    python bench/accuracy.py --corpus PATH/coverage-dev.jsonl  # real coverage, two annotators
    python bench/accuracy.py --corpus PATH/coverage-dev.jsonl \
        --draft ARTICLE --mapping MAPPING.yaml --key KEY       # ... and the draft as written

The own corpus is ``tests/corpus/*.txt`` (a header of expected findings, ``---``, the text).
A JSON Lines corpus carries ``labels`` and ``labels_second`` from two annotators and is scored
as its README says: precision counts a predicted pair right when either annotator labelled it,
recall counts pairs labelled by both.

Every item belongs to one baseline: the one its ``baseline:`` header names, else the one whose
claims it labels (``expect:``, ``restates:``), else the one its series is labelled for (the id
up to its first hyphen: ``eg-distractor-01`` goes with the other ``eg-`` items); an item none
of these place is scored with every baseline. Each baseline is reported over its own items (in
a JSON Lines corpus, those published before its ``since`` left out), then per language (the
``language:`` header) when its items come in several. Another baseline's finding on an item is
a false alarm there. An item that also reports another story unlabelled names it in a
``covers:`` header; that story's findings there are not scored.

Beside precision and recall, every section counts the alerted *distractors* (texts labelled
with nothing) and the alerted *restatement-only* texts (whose first annotator labelled only
restatements, ``consistent``; in the own corpus, a ``restates:`` header and no ``expect:``):
both should stay silent.

``--draft`` also scores ``claimwatch baseline draft`` of the story's article (a text file, or a
JSON record with ``title`` and ``text``) used as written. ``--mapping`` holds, under ``--key``,
each gold claim id with phrases of the article's sentence that states it; a draft claim takes
the gold id when its statement holds one of the phrases or its ``# sentence N, characters A-B``
position spans one (the first such claim in the draft's order). The draft is scored twice:
``mapped`` keeps only the claims that took a gold id (a user who deletes the rest), ``strict``
keeps every claim (a user who keeps the draft as it is; unmapped claims are false alarms).
A summary table of every section scored closes the report, with the own corpus beside.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
import tempfile
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from claimwatch.baselines import Baseline, load_baselines
from claimwatch.draft import Draft, DraftClaim, draft_baseline
from claimwatch.matching import Document, Finding, match
from claimwatch.scan import file_text

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
    language: str = "en"
    baseline: str | None = None  # the ``baseline:`` header, if any
    restates: set[str] = field(default_factory=set)
    covers: set[str] = field(default_factory=set)  # other stories it is real news of, unlabelled
    restatement_only: bool = False  # labelled, but only as restating claims

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
        language=(fields["language"] or ["en"])[0],
        baseline=fields["baseline"][0] if fields["baseline"] else None,
        restates={claim for entry in fields["restates"] for claim in entry.split()},
        covers={story for entry in fields["covers"] for story in entry.split()},
    )
    item.restatement_only = bool(item.restates) and not fields["expect"]
    for line in fields["expect"]:
        claim, kind, *figure = line.split()
        item.either.add((claim, kind))
        item.both.add((claim, kind))
        if figure:
            item.values[claim] = float(figure[0].replace(",", ""))
    return item


def load_own_corpus(folder: Path = CORPUS_DIR) -> list[Item]:
    return [parse_item(p) for p in sorted(folder.glob("*.txt"))]


def _records(path: Path) -> list[dict[str, Any]]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def load_jsonl_corpus(path: Path, second_labels: Path | None = None) -> list[Item]:
    """The items; a second annotator's labels come with each record (``labels_second``) or
    from a file of their own (``id`` and ``labels`` per line), which then takes precedence."""
    second_file = {r["id"]: r["labels"] for r in _records(second_labels)} if second_labels else {}
    items = []
    for record in _records(path):
        if record["id"] in second_file:
            record["labels_second"] = second_file[record["id"]]
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
                restatement_only=bool(record["labels"])
                and all(x["relation"] == "consistent" for x in record["labels"]),
                language=record.get("language") or "en",
                baseline=record.get("baseline_id"),
            )
        )
    return items


def _date(value: str | None) -> dt.date | None:
    if not value or value == "none":
        return None
    return dt.date.fromisoformat(value)


def detect(item: Item, baselines: Iterable[Baseline]) -> list[Finding]:
    """The item's findings, but for the stories it ``covers`` without labels for them."""
    published = dt.datetime.combine(item.published, dt.time(12)) if item.published else None
    found = match(Document(item.title, item.text, published), list(baselines))
    return [f for f in found if f.baseline_id not in item.covers]


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
    restatements: int = 0
    restatements_alerted: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def add(self, item: Item, findings: list[Finding], baseline_id: str | None = None) -> None:
        """Score one item; with ``baseline_id``, other baselines' findings are false alarms."""
        predicted = {(_claim_key(f, baseline_id), f.kind) for f in findings}
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
        if item.restatement_only:
            self.restatements += 1
            if findings:
                self.restatements_alerted.append(item.id)

    def report(self, title: str) -> str:
        lines = [f"== {title}", self.overall.line("claim level (all)")]
        lines += [self.per_kind[k].line(f"kind {k}") for k in ALERTING]
        share = len(self.distractors_alerted) / self.distractors if self.distractors else 0.0
        alerted = f"  {self.distractors_alerted}" if self.distractors_alerted else ""
        lines.append(
            f"distractors alerted: {len(self.distractors_alerted)}/{self.distractors}"
            f" = {share:.2f}{alerted}"
        )
        restated = f"  {self.restatements_alerted}" if self.restatements_alerted else ""
        lines.append(
            f"restatement-only texts alerted: {len(self.restatements_alerted)}"
            f"/{self.restatements}{restated}"
        )
        lines.append("-- per claim")
        lines += [self.per_claim[c].line(c) for c in sorted(self.per_claim)]
        return "\n".join(lines)


def _claim_key(finding: Finding, baseline_id: str | None) -> str:
    if baseline_id is None or finding.baseline_id == baseline_id:
        return finding.claim_id
    return f"{finding.baseline_id}:{finding.claim_id}"


def _evidence(findings: list[Finding], claim: str) -> str:
    found = [f for f in findings if claim in (f.claim_id, f"{f.baseline_id}:{f.claim_id}")]
    return f"[{found[0].kind}] {found[0].reason} | {found[0].evidence[:160]!r}" if found else ""


def score(
    items: list[Item], baselines: tuple[Baseline, ...], baseline_id: str | None = None
) -> Score:
    result = Score()
    for item in items:
        result.add(item, detect(item, baselines), baseline_id)
    return result


# ---- items per baseline and per language --------------------------------------------------


def _series(item: Item) -> str:
    return item.id.split("-", 1)[0]


def _owner(item: Item, baselines: tuple[Baseline, ...]) -> str | None:
    """The baseline the item names or labels claims of (most of its claims), if any."""
    if item.baseline:
        return item.baseline
    claims = item.either_claims | item.restates
    counts = [(len(claims & {c.id for c in b.claims}), b.id) for b in baselines]
    best = max(counts, default=(0, ""))
    tied = [b for n, b in counts if n == best[0]]
    return best[1] if best[0] and len(tied) == 1 else None  # a tie: its series decides


def by_baseline(items: list[Item], baselines: tuple[Baseline, ...]) -> dict[str, list[Item]]:
    """Each baseline's items (see the module docstring), for every baseline that has any."""
    owners = {item.id: _owner(item, baselines) for item in items}
    series: dict[str, set[str]] = defaultdict(set)
    for item in items:
        if owner := owners[item.id]:
            series[_series(item)].add(owner)
    groups: dict[str, list[Item]] = {b.id: [] for b in baselines}
    for item in items:
        owner = owners[item.id]
        homes = {owner} if owner else series.get(_series(item)) or set(groups)
        for home in sorted(homes):
            groups.setdefault(home, []).append(item)
    return {b: group for b, group in groups.items() if any(owners[i.id] for i in group)}


def by_language(items: list[Item]) -> dict[str, list[Item]]:
    groups: dict[str, list[Item]] = defaultdict(list)
    for item in items:
        groups[item.language].append(item)
    return dict(sorted(groups.items()))


@dataclass
class Section:
    """One report section: a baseline's items (of one language, or all), scored."""

    title: str
    baseline_id: str
    language: str | None  # None: every language
    items: list[Item]
    result: Score


def sections(
    items: list[Item], baselines: tuple[Baseline, ...], name: str, *, drop_early: bool = False
) -> list[Section]:
    """A section per baseline over its items, then one per language. ``drop_early``: leave out
    the items published before the baseline's ``since`` (the JSON Lines corpus is scored so)."""
    found = []
    groups = by_baseline(items, baselines)
    for baseline in baselines:
        group = groups.get(baseline.id)
        if not group:
            continue
        since = baseline.since if drop_early else None
        early = [i for i in group if since and i.published and i.published < since]
        scored = [i for i in group if i not in early]
        left_out = f" ({len(early)} earlier than {since} left out)" if early else ""
        languages = by_language(scored)
        title = f"{name}, baseline {baseline.id}: {len(scored)} items{left_out}"
        title += f", languages {'/'.join(languages)}"
        found.append(
            Section(title, baseline.id, None, scored, score(scored, baselines, baseline.id))
        )
        if len(languages) > 1:
            for language, subset in languages.items():
                result = score(subset, baselines, baseline.id)
                title = f"{name}, baseline {baseline.id}, language {language}: {len(subset)} items"
                found.append(Section(title, baseline.id, language, subset, result))
    return found


# ---- the draft as written -------------------------------------------------------------

_POSITION = re.compile(r"sentence \d+, characters (\d+)-(\d+)")


def article_text(path: Path) -> str:
    """The article as ``baseline draft`` reads it; a JSON record is its title, a blank line
    and its text."""
    if path.suffix == ".json":
        record = json.loads(path.read_text(encoding="utf-8"))
        return f"{record['title']}\n\n{record['text']}"
    return file_text(path)


def gold_phrases(mapping: Path, key: str) -> dict[str, list[str]]:
    data = yaml.safe_load(mapping.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not isinstance(data.get(key), dict):
        raise SystemExit(f"{mapping}: no mapping under key {key!r}")
    return {str(gold): [str(p) for p in phrases] for gold, phrases in data[key].items()}


def map_draft(draft: Draft, text: str, phrases: dict[str, list[str]]) -> dict[str, DraftClaim]:
    """Gold claim id -> the first draft claim drawn from the sentence that states it."""
    found: dict[str, DraftClaim] = {}
    for gold, wanted in phrases.items():
        spans = [(at, at + len(p)) for p in wanted if (at := text.find(p)) >= 0]
        for claim in draft.claims:
            position = _POSITION.search(claim.position)
            start, end = (int(position[1]), int(position[2])) if position else (-9, -9)
            spanned = any(a < end + 2 and b > start - 2 for a, b in spans)
            if spanned or any(p in claim.statement for p in wanted):
                found[gold] = claim
                break
    return found


def draft_variants(
    draft: Draft, found: dict[str, DraftClaim], since: dt.date | None
) -> dict[str, Baseline]:
    """The draft with its mapped claims renamed to their gold ids: ``mapped`` (those alone)
    and ``strict`` (with every other claim as drafted), loaded as ``claimwatch`` loads them.
    A draft whose article gave no date takes ``since``, as a user would add it."""
    data = yaml.safe_load(draft.yaml)
    if since and not data.get("since"):
        data["since"] = since
    by_id = {str(claim["id"]): claim for claim in data["claims"]}
    renamed = [{**by_id[claim.id], "id": gold} for gold, claim in found.items()]
    kept = {claim.id for claim in found.values()}
    others = [claim for claim in data["claims"] if str(claim["id"]) not in kept]
    variants = {}
    with tempfile.TemporaryDirectory(prefix="accuracy-draft-") as folder:
        for mode, claims in (("mapped", renamed), ("strict", renamed + others)):
            path = Path(folder) / f"{mode}.yaml"
            variant = {**data, "claims": claims}
            path.write_text(yaml.safe_dump(variant, allow_unicode=True, sort_keys=False))
            (variants[mode],) = load_baselines([path])
    return variants


def draft_sections(
    items: list[Item], article: Path, mapping: Path, key: str, name: str, since: dt.date | None
) -> tuple[str, list[Section]]:
    """The draft's mapping line and its ``mapped`` and ``strict`` sections."""
    text = article_text(article)
    draft = draft_baseline(text, baseline_id="drafted")
    phrases = gold_phrases(mapping, key)
    found = map_draft(draft, text, phrases)
    missed = ", ".join(sorted(set(phrases) - set(found))) or "none"
    line = (
        f"draft of {article.name}: {len(draft.claims)} claims, "
        f"{len(found)}/{len(phrases)} gold claims mapped (missed: {missed})"
    )
    found_sections = []
    for mode, baseline in draft_variants(draft, found, since).items():
        for section in sections(items, (baseline,), f"{name}, draft {mode}", drop_early=True):
            if section.language is None:
                found_sections.append(section)
    return line, found_sections


# ---- the report -------------------------------------------------------------------------


def summary(rows: list[Section]) -> str:
    """One line per section over all languages: the figures the targets are stated in."""
    lines = [
        f"{'section':58s} {'F1':>5s} {'P':>5s} {'R':>5s}  {'contra P/R':>10s}"
        f"  {'distractors':>11s}  {'restating':>9s}"
    ]
    for section in rows:
        if section.language is not None:
            continue
        result = section.result
        p, r, f = result.overall.prf()
        cp, cr, _ = result.per_kind["contradiction"].prf()
        title = section.title.split(":")[0]
        lines.append(
            f"{title[:58]:58s} {f:5.2f} {p:5.2f} {r:5.2f}  {cp:4.2f}/{cr:4.2f}  "
            f"{len(result.distractors_alerted):>5d}/{result.distractors:<5d}  "
            f"{len(result.restatements_alerted):>4d}/{result.restatements:<4d}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--corpus", type=Path, help="a JSON Lines corpus with two annotators' labels"
    )
    parser.add_argument(
        "--second-labels", type=Path, help="the second annotator's labels, if in their own file"
    )
    parser.add_argument(
        "--baselines",
        type=Path,
        default=ROOT / "baselines",
        help="the curated baselines (with --corpus, the own corpus keeps the project's)",
    )
    parser.add_argument("--draft", type=Path, metavar="ARTICLE", help="score its draft too")
    parser.add_argument("--mapping", type=Path, help="gold claim id -> phrases (with --draft)")
    parser.add_argument("--key", help="the story's key in --mapping (with --draft)")
    parser.add_argument(
        "--since",
        type=dt.date.fromisoformat,
        help="leave out items published before this date (the baseline article's date)",
    )
    parser.add_argument("--errors", action="store_true", help="list every miss and false alarm")
    args = parser.parse_args(argv)
    if args.draft and not (args.mapping and args.key and args.corpus):
        parser.error("--draft needs --corpus, --mapping and --key")
    baselines = load_baselines([args.baselines])
    own_baselines = load_baselines([ROOT / "baselines"]) if args.corpus else baselines
    own = sections(load_own_corpus(), own_baselines, "own corpus tests/corpus")
    if not args.corpus:
        _print(own, args.errors)
        print(summary(own))
        return 0
    items = load_jsonl_corpus(args.corpus, args.second_labels)
    name = args.corpus.parent.name or args.corpus.name
    if args.since:
        items = [i for i in items if not i.published or i.published >= args.since]
    curated = sections(items, baselines, name, drop_early=True)
    _print(curated, args.errors)
    drafted: list[Section] = []
    if args.draft:
        line, drafted = draft_sections(items, args.draft, args.mapping, args.key, name, args.since)
        print(line, end="\n\n")
        _print(drafted, args.errors)
    print(summary([*curated, *drafted, *own]))
    return 0


def _print(found: list[Section], errors: bool) -> None:
    for section in found:
        print(section.result.report(section.title))
        if errors:
            print("-- errors", *section.result.errors, sep="\n")
        print()


if __name__ == "__main__":
    sys.exit(main())
