"""What the analyst's verdicts teach: alerts on a labelled corpus before and after feedback.

    python -m bench.feedback --story STORY/coverage-dev.jsonl baselines/STORY.yaml [--story ...]
    python -m bench.feedback --mapping MAPPING.yaml \
        --draft STORY/coverage-dev.jsonl STORY/baseline-article.json KEY SINCE [--draft ...]

Each story is a JSON Lines corpus with two annotators' labels (read and scored as
``bench/accuracy.py`` does: precision counts a predicted (text, claim) pair right when either
annotator labelled it, recall counts pairs both labelled) and the baseline it is labelled
against. Items published before the baseline's ``since`` are left out, as the daemon ignores
them; the rest are sorted by date (undated ones last, as ``claimwatch replay`` orders them)
and run through the detector in-process, in that order, into alerts.

``--draft`` replays a story against the draft ``claimwatch baseline draft`` makes of its
article, kept as written (``bench/accuracy.py``'s *strict* draft: claims mapped to a gold id
take it, the others stay and every alert of theirs is a false alarm). That is the baseline a
new user starts from, and where verdicts have the most to teach.

The labels stand in for the analyst's verdicts: an alert whose claim and kind either
annotator labelled is *confirmed*; an alert on a claim nobody labelled (follow-up or
contradiction) is *dismissed*; an alert on a labelled claim but of the other kind is only
*seen* (a wrong kind is not a false alarm at claim level, so it teaches nothing).

- **halves**: verdicts on the alerts of the first half by date teach ``feedback.learn``; the
  second half is scored before and after ``Feedback.screen`` holds back repeated patterns;
- **rolling**: every alert is screened with the verdicts on every earlier item, as a daemon
  whose analyst judges each alert as it comes; the whole corpus is scored before and after.

Each suppression is listed with its rule, whether it held back a false alarm or a labelled
alert, and its reason; ``--suggest`` also prints what ``suggest.suggest`` proposes for a
``--story`` baseline from the first half's verdicts. Figures only: nothing is judged here.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bench.accuracy import (
    Item,
    Score,
    Tally,
    article_text,
    detect,
    draft_variants,
    gold_phrases,
    load_jsonl_corpus,
    map_draft,
)
from claimwatch import alerts as alerts_mod
from claimwatch.alerts import Alert, FactKey
from claimwatch.articles import Article
from claimwatch.baselines import Baseline, load_baselines
from claimwatch.draft import draft_baseline
from claimwatch.entries import Entry
from claimwatch.feedback import PHRASE_SUPPORT, Suppression, learn
from claimwatch.matching import Finding
from claimwatch.suggest import suggest
from claimwatch.verdicts import Verdict, VerdictKind

JUDGED_AT = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)  # verdict times only order the verdicts


@dataclass
class Fired:
    """One item as the daemon saw it: its findings and the alerts built from them."""

    item: Item
    findings: list[Finding]
    alerts: list[Alert]


@dataclass
class Outcome:
    """One way of replaying a story: scores before and after, and what was held back."""

    name: str
    before: Score = field(default_factory=Score)
    after: Score = field(default_factory=Score)
    held: list[tuple[Suppression, bool]] = field(default_factory=list)  # (it, was it right)
    lessons: Counter[str] = field(default_factory=Counter)
    blocked: int = 0
    taught_by: Counter[str] = field(default_factory=Counter)  # verdicts used, by kind


def ordered(items: list[Item], baseline: Baseline) -> list[Item]:
    """Items on or after the baseline's ``since``, by date, undated last, then by id."""
    since = baseline.since
    kept = [i for i in items if not (since and i.published and i.published < since)]
    return sorted(kept, key=lambda i: (i.published or dt.date.max, i.id))


def fire(items: list[Item], baselines: tuple[Baseline, ...], story: str) -> list[Fired]:
    """Every item through the detector and ``alerts.build``, novelty carried along."""
    known: set[FactKey] = set()
    fired = []
    for item in items:
        findings = detect(item, baselines)
        published = (
            dt.datetime.combine(item.published, dt.time(12), dt.UTC) if item.published else None
        )
        entry = Entry(story, item.id, None, item.title, published, item.text)
        built = alerts_mod.build(
            findings,
            article=Article(entry, item.text, "entry"),
            detected_at=published or JUDGED_AT,
            known_facts=known,
        )
        known.update(a.fact_key for a in built)
        fired.append(Fired(item, findings, built))
    return fired


def verdict_kind(item: Item, alert: Alert) -> VerdictKind:
    """The labels as an analyst's verdict (see the module docstring)."""
    if (alert.claim_id, alert.kind) in item.either:
        return "confirmed"
    return "seen" if alert.claim_id in item.either_claims else "dismissed"


def judge(fired: Sequence[Fired]) -> list[tuple[Alert, Verdict]]:
    judged = []
    for n, one in enumerate(fired):
        for alert in one.alerts:
            kind = verdict_kind(one.item, alert)
            at = JUDGED_AT + dt.timedelta(minutes=n)
            judged.append((alert, Verdict(alert.alert_id, kind, "labels", at)))
    return judged


def _score(outcome: Outcome, one: Fired, held: list[Suppression], baseline_id: str) -> None:
    gone = {(s.alert.baseline_id, s.alert.claim_id, s.alert.kind) for s in held}
    kept = [f for f in one.findings if (f.baseline_id, f.claim_id, f.kind) not in gone]
    outcome.before.add(one.item, one.findings, baseline_id)
    outcome.after.add(one.item, kept, baseline_id)
    for suppression in held:
        outcome.held.append((suppression, suppression.alert.claim_id in one.item.either_claims))


def halves(fired: list[Fired], baseline_id: str, support: int) -> Outcome:
    """Learn from the first half's verdicts, score the second half."""
    half = len(fired) // 2
    judged = judge(fired[:half])
    feedback = learn(judged, phrase_support=support)
    outcome = Outcome(f"halves: learn from {half} items, score {len(fired) - half}")
    outcome.lessons.update(lesson.rule for lesson in feedback.lessons.values())
    outcome.blocked = len(feedback.blocked)
    outcome.taught_by.update(v.verdict for _, v in judged)
    for one in fired[half:]:
        _score(outcome, one, feedback.screen(one.alerts)[1], baseline_id)
    return outcome


def rolling(fired: list[Fired], baseline_id: str, support: int) -> Outcome:
    """Screen each item with the verdicts on every earlier one."""
    outcome = Outcome(f"rolling: each of {len(fired)} items after the verdicts before it")
    judged: list[tuple[Alert, Verdict]] = []
    for one in fired:
        feedback = learn(judged, phrase_support=support)
        _score(outcome, one, feedback.screen(one.alerts)[1], baseline_id)
        judged.extend(judge([one]))
    final = learn(judged, phrase_support=support)
    outcome.lessons.update(lesson.rule for lesson in final.lessons.values())
    outcome.blocked = len(final.blocked)
    outcome.taught_by.update(v.verdict for _, v in judged)
    return outcome


def report(story: str, outcome: Outcome) -> str:
    lines = [f"== {story}, {outcome.name}"]
    verdicts = ", ".join(f"{n} {k}" for k, n in sorted(outcome.taught_by.items())) or "none"
    rules = ", ".join(f"{n} {r}" for r, n in sorted(outcome.lessons.items())) or "none"
    lines.append(
        f"verdicts: {verdicts}; lessons: {rules}; blocked by a confirmation: {outcome.blocked}"
    )
    lines.append(outcome.before.overall.line("before"))
    lines.append(outcome.after.overall.line("after"))
    lines.append(_kind_tally(outcome.before).line("before, kind level"))
    lines.append(_kind_tally(outcome.after).line("after, kind level"))
    false = sum(1 for _, right in outcome.held if not right)
    lines.append(
        f"suppressed: {len(outcome.held)} alerts ({false} false alarms, "
        f"{len(outcome.held) - false} labelled by an annotator)"
    )
    by_rule = Counter(s.lesson.rule for s, _ in outcome.held)
    if by_rule:
        lines.append("  by rule: " + ", ".join(f"{n} {r}" for r, n in sorted(by_rule.items())))
    for suppression, right in outcome.held:
        verdict = "LABELLED" if right else "false alarm"
        lines.append(f"  [{verdict}] {suppression.alert.entry_id}: {suppression.reason}")
    return "\n".join(lines)


def _kind_tally(score: Score) -> Tally:
    total = Tally()
    for tally in score.per_kind.values():
        for name in ("predicted", "predicted_right", "wanted", "wanted_hit"):
            setattr(total, name, getattr(total, name) + getattr(tally, name))
    return total


def summary(rows: list[tuple[str, Outcome]]) -> str:
    lines = [
        f"{'story, replay':44s} {'P before':>8s} {'P after':>8s} {'R before':>8s} {'R after':>8s}"
        f" {'F1 before':>9s} {'F1 after':>9s} {'held':>5s} {'false':>5s}"
    ]
    for story, outcome in rows:
        p0, r0, f0 = outcome.before.overall.prf()
        p1, r1, f1 = outcome.after.overall.prf()
        false = sum(1 for _, right in outcome.held if not right)
        title = f"{story}, {outcome.name.split(':')[0]}"
        lines.append(
            f"{title[:44]:44s} {p0:8.3f} {p1:8.3f} {r0:8.3f} {r1:8.3f} {f0:9.3f} {f1:9.3f}"
            f" {len(outcome.held):5d} {false:5d}"
        )
    return "\n".join(lines)


def drafted(article: Path, mapping: Path, key: str, since: dt.date) -> Baseline:
    """The strict draft of ``article``, its claims renamed to gold ids where they map."""
    text = article_text(article)
    draft = draft_baseline(text, baseline_id="drafted")
    found = map_draft(draft, text, gold_phrases(mapping, key))
    return draft_variants(draft, found, since)["strict"]


def replay(
    corpus: Path, baseline: Baseline, name: str, support: int, *, proposal: bool = False
) -> list[tuple[str, Outcome]]:
    story = f"{corpus.parent.name or corpus.stem}, {name}"
    items = ordered(load_jsonl_corpus(corpus), baseline)
    fired = fire(items, (baseline,), story)
    rows = []
    for outcome in (halves(fired, baseline.id, support), rolling(fired, baseline.id, support)):
        print(report(story, outcome), end="\n\n")
        rows.append((story, outcome))
    if proposal:
        judged = judge(fired[: len(fired) // 2])
        text = baseline.path.read_text(encoding="utf-8")
        found = suggest(text, baseline, judged, name=str(baseline.path))
        print(f"== {story}, baseline suggest from the first half's verdicts")
        print(*found.notes, found.diff or "(no edit)", sep="\n", end="\n\n")
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--story",
        nargs=2,
        action="append",
        type=Path,
        default=[],
        metavar=("CORPUS", "BASELINE"),
        help="a JSON Lines corpus with two annotators' labels, and its baseline file",
    )
    parser.add_argument(
        "--draft",
        nargs=4,
        action="append",
        default=[],
        metavar=("CORPUS", "ARTICLE", "KEY", "SINCE"),
        help="a corpus, the article its baseline was written from, its key in --mapping, and "
        "the since date a user adds when the article gives none",
    )
    parser.add_argument("--mapping", type=Path, help="gold claim id -> phrases (with --draft)")
    parser.add_argument(
        "--phrase-support",
        type=int,
        default=PHRASE_SUPPORT,
        help=f"articles a phrase must be dismissed in before it is learnt ({PHRASE_SUPPORT})",
    )
    parser.add_argument(
        "--suggest",
        action="store_true",
        help="also print what baseline suggest proposes from the first half (--story only)",
    )
    args = parser.parse_args(argv)
    if not args.story and not args.draft:
        parser.error("give at least one --story or --draft")
    if args.draft and not args.mapping:
        parser.error("--draft needs --mapping")
    rows = []
    for corpus, baseline_file in args.story:
        baselines = load_baselines([baseline_file])
        if len(baselines) != 1:
            parser.error(f"{baseline_file}: give one baseline file per story")
        rows += replay(
            corpus, baselines[0], baselines[0].id, args.phrase_support, proposal=args.suggest
        )
    for corpus, article, key, since in args.draft:
        baseline = drafted(Path(article), args.mapping, key, dt.date.fromisoformat(since))
        rows += replay(Path(corpus), baseline, "draft", args.phrase_support)
    print(summary(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
