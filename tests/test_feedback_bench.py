"""bench/feedback.py on a made-up labelled corpus: the first half's labels as verdicts hold
back a wire copy of a dismissed false alarm in the second half, and nothing an analyst
confirmed the pattern of."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.feedback import main
from tests.feedback_story import BASELINE


def _label(claim: str, relation: str) -> dict[str, str]:
    return {"claim_id": claim, "relation": relation, "why": "made up"}


SIXTEEN = (
    "Sixteen passengers of the Silver Tern are missing off Marlow Point, the coast guard said."
)
ITEMS = [
    ("f0", "2023-03-01", "A storm is coming to Marlow, where the Silver Tern is moored.", [], []),
    ("f1", "2023-03-13", SIXTEEN, [], []),  # a false alarm: dismissed
    (
        "f2",
        "2023-03-13",
        "Nine passengers of the Silver Tern are still missing off Marlow Point.",
        [_label("missing", "follow_up")],
        [_label("missing", "follow_up")],
    ),
    (  # one annotator calls it a contradiction: confirmed, so "value:16" is not learnt
        "f3",
        "2023-03-13",
        "At least 16 people from the Silver Tern are missing off Marlow.",
        [],
        [_label("missing", "contradiction")],
    ),
    ("f4", "2023-03-14", "MARLOW (Wire) - " + SIXTEEN, [], []),  # the wire copy: held back
    (
        "f5",
        "2023-03-15",
        "Twenty passengers of the Silver Tern are missing off Marlow Point, the coast guard said.",
        [_label("missing", "contradiction")],
        [_label("missing", "contradiction")],
    ),
    (  # the same figure as f1, but f3's confirmation keeps it alerting
        "f6",
        "2023-03-16",
        "Sixteen people from the Silver Tern are missing off Marlow, a rescuer said.",
        [],
        [],
    ),
]


@pytest.fixture
def story(tmp_path: Path) -> tuple[Path, Path]:
    corpus = tmp_path / "ferry-dev" / "coverage.jsonl"
    corpus.parent.mkdir()
    records = [
        {"id": i, "title": "Silver Tern", "published": day, "text": text}
        | {"labels": first, "labels_second": second}
        for i, day, text, first, second in ITEMS
    ]
    corpus.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    baseline = tmp_path / "marlow-ferry.yaml"
    baseline.write_text(BASELINE, encoding="utf-8")
    return corpus, baseline


def test_halves_and_rolling_replays(
    story: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    corpus, baseline = story
    assert main(["--story", str(corpus), str(baseline)]) == 0
    out = capsys.readouterr().out
    halves = out.split("== ferry-dev, marlow-ferry, halves: learn from 3 items, score 3\n")[1]
    halves = halves.split("\n\n")[0]
    assert "verdicts: 2 confirmed, 1 dismissed;" in halves
    assert "blocked by a confirmation: 1" in halves  # value:16
    assert "before" in halves and "(predicted 3, right 1; wanted 1, found 1)" in halves
    assert "(predicted 2, right 1; wanted 1, found 1)" in halves
    assert "suppressed: 1 alerts (1 false alarms, 0 labelled by an annotator)" in halves
    assert (
        f'[false alarm] f4: missing (contradiction): repeats the sentence "{SIXTEEN[:60]}' in halves
    )
    rolling = out.split("rolling: each of 6 items after the verdicts before it\n")[1]
    rolling = rolling.split("\n\n")[0]  # f3 comes after f1's dismissal and before f3's verdict
    assert "suppressed: 2 alerts (1 false alarms, 1 labelled by an annotator)" in rolling
    assert '[LABELLED] f3: missing (contradiction): repeats the figure "value:16"' in rolling
    summary = out.split("story, replay")[1]
    row = next(line for line in summary.splitlines() if "halves" in line).split()
    assert row[-8:] == ["0.333", "0.500", "1.000", "1.000", "0.500", "0.667", "1", "1"]


def test_a_story_or_a_draft_is_needed() -> None:
    with pytest.raises(SystemExit):
        main([])
