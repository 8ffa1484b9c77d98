"""The detector on the project's own labelled corpus (tests/corpus), against the targets.

Each baseline is scored over its own items, all languages together and each language alone
(``bench.accuracy.sections``), against that baseline's targets: set below what is measured.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import pytest

from bench.accuracy import ROOT, Item, Section, by_baseline, detect, load_own_corpus, sections
from claimwatch.baselines import load_baselines

ITEMS = load_own_corpus()
BASELINES = load_baselines([ROOT / "baselines"])
SEED = "kazakhstan-2022-01"
EVER_GIVEN = "ever-given-2021-03"


@dataclass(frozen=True, slots=True)
class Targets:
    claim_f1: float
    follow_up_precision: float
    contradiction_precision: float


TARGETS = {
    # The seed baseline in frames (171 lines) was written for real coverage and scores higher
    # there (0.96 on the dev texts against 0.90 for the term lists); on this corpus, written
    # beside the term lists, it measures F1 0.88 (en 0.86, ru 0.93), follow-up P 0.87
    # (en 0.86, ru 0.88), contradiction P 0.92 (en 0.88, ru 1.00).
    SEED: Targets(claim_f1=0.85, follow_up_precision=0.85, contradiction_precision=0.85),
    # measured: F1 0.86, follow-up P 0.89, contradiction P 0.60 (3 of 5: a denial read as
    # negating the wind account, and a crew figure of another ship in a look-back distractor)
    EVER_GIVEN: Targets(claim_f1=0.82, follow_up_precision=0.85, contradiction_precision=0.55),
}

# Distractors that name the Ever Given only in a look back at 2021 ("the worst since the Ever
# Given blocked the Suez Canal in 2021"): the article is in scope although the story is not
# its subject, and its own ship's figures and events are read as this story's. A detector that
# ignores look-back sentences when it decides the scope keeps them silent; then drop them here.
LOOK_BACK_ONLY = {"eg-distractor-01", "eg-distractor-03", "eg-distractor-05"}

SECTIONS = sections(ITEMS, BASELINES, "own corpus")

# The seed baseline as term lists (the format before frames), under the seed's id: baselines
# in that format keep loading and scoring as they did (measured F1 0.94, en 0.92, ru 1.00).
TERMS = load_baselines([ROOT / "tests" / "data" / "baselines" / "kazakhstan-2022-01-terms.yaml"])
TERMS_SECTIONS = [
    section
    for section in sections(
        ITEMS,
        (*(replace(b, id=SEED) for b in TERMS), *(b for b in BASELINES if b.id != SEED)),
        "own corpus",
    )
    if section.baseline_id == SEED
]
TERMS_TARGETS = Targets(claim_f1=0.90, follow_up_precision=0.90, contradiction_precision=0.90)


def test_corpus_is_big_enough() -> None:
    assert len(ITEMS) >= 80
    assert sum(item.distractor for item in ITEMS) >= 25
    groups = by_baseline(ITEMS, BASELINES)
    assert set(groups) >= {SEED, EVER_GIVEN}
    assert len(groups[EVER_GIVEN]) >= 25
    assert sum(item.distractor for item in groups[EVER_GIVEN]) >= 8


def test_every_baseline_has_targets() -> None:
    assert {section.baseline_id for section in SECTIONS} <= set(TARGETS)


@pytest.mark.parametrize(
    "section",
    SECTIONS,
    ids=lambda s: f"{s.baseline_id}-{s.language or 'all'}",
)
def test_targets(section: Section) -> None:
    result, targets = section.result, TARGETS[section.baseline_id]
    report = result.report(section.title) + "\n" + "\n".join(result.errors)
    assert result.overall.prf()[2] >= targets.claim_f1, report
    assert result.per_kind["follow_up"].prf()[0] >= targets.follow_up_precision, report
    assert result.per_kind["contradiction"].prf()[0] >= targets.contradiction_precision, report
    assert set(result.distractors_alerted) <= LOOK_BACK_ONLY, report


@pytest.mark.parametrize("section", TERMS_SECTIONS, ids=lambda s: s.language or "all")
def test_term_list_baseline_scores_as_before(section: Section) -> None:
    result = section.result
    report = result.report(section.title) + "\n" + "\n".join(result.errors)
    assert result.overall.prf()[2] >= TERMS_TARGETS.claim_f1, report
    assert result.per_kind["follow_up"].prf()[0] >= TERMS_TARGETS.follow_up_precision, report
    assert result.per_kind["contradiction"].prf()[0] >= TERMS_TARGETS.contradiction_precision
    assert not result.distractors_alerted, report


def _distractor(item: Item) -> object:
    if item.id in LOOK_BACK_ONLY:
        return pytest.param(item, marks=pytest.mark.xfail(strict=True, reason="look back only"))
    return item


@pytest.mark.parametrize(
    "item", [_distractor(i) for i in ITEMS if i.distractor], ids=lambda i: i.id
)
def test_distractor_stays_silent(item: Item) -> None:
    findings = detect(item, BASELINES)
    assert findings == [], [(f.claim_id, f.kind, f.evidence) for f in findings]


def test_baselines_do_not_alert_on_each_other() -> None:
    """No item of one story raises an alert for another story's baseline."""
    groups = by_baseline(ITEMS, BASELINES)
    crossed = [
        (item.id, finding.baseline_id, finding.claim_id)
        for baseline_id, group in groups.items()
        for item in group
        for finding in detect(item, BASELINES)
        if finding.baseline_id != baseline_id and item.id not in LOOK_BACK_ONLY
    ]
    assert crossed == []
