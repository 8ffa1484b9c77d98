"""The detector on the project's own labelled corpus (tests/corpus), against the targets."""

from __future__ import annotations

import pytest

from bench.accuracy import ROOT, Item, detect, load_own_corpus, score
from claimwatch.baselines import Baseline, load_baselines

ITEMS = load_own_corpus()


@pytest.fixture(scope="module")
def seed_baselines() -> tuple[Baseline, ...]:
    return load_baselines([ROOT / "baselines"])


def test_corpus_is_big_enough() -> None:
    assert len(ITEMS) >= 80
    assert sum(item.distractor for item in ITEMS) >= 25


def test_targets(seed_baselines: tuple[Baseline, ...]) -> None:
    result = score(ITEMS, seed_baselines)
    report = result.report("own corpus") + "\n" + "\n".join(result.errors)
    assert result.overall.prf()[2] >= 0.90, report
    for kind in ("follow_up", "contradiction"):
        assert result.per_kind[kind].prf()[0] >= 0.90, report
    assert not result.distractors_alerted, report


@pytest.mark.parametrize("item", [i for i in ITEMS if i.distractor], ids=lambda i: i.id)
def test_distractor_stays_silent(item: Item, seed_baselines: tuple[Baseline, ...]) -> None:
    findings = detect(item, seed_baselines)
    assert findings == [], [(f.claim_id, f.kind, f.evidence) for f in findings]
