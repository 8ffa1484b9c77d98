"""bench/accuracy.py on a labelled JSON Lines corpus: the curated baseline and the draft as
written, mapped to the gold claim ids by the sentence each was drawn from."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.accuracy import load_jsonl_corpus, main
from tests.test_draft import STORY

MAPPING = """\
ferry:
  missing: ["14 passengers are missing"]
  harbour-closed: ["harbour of Marlow"]
  not-in-article: ["a phrase the article does not hold"]
"""


def _label(claim: str, relation: str) -> dict[str, str]:
    return {"claim_id": claim, "relation": relation, "why": "made up"}


ITEMS = [
    {  # follow-up on the missing count, by both annotators
        "id": "f1",
        "title": "Silver Tern: toll rises",
        "published": "2023-03-14",
        "text": "Off Marlow Point, 9 passengers of the Silver Tern are still missing after "
        "five were found alive, the coast guard said.",
        "labels": [_label("missing", "follow_up")],
        "labels_second": [_label("missing", "follow_up")],
    },
    {  # restates the claim only
        "id": "f2",
        "title": "Marlow waits",
        "published": "2023-03-13",
        "text": "Fourteen passengers of the Silver Tern are missing off Marlow Point.",
        "labels": [_label("missing", "consistent")],
        "labels_second": [_label("missing", "consistent")],
    },
    {  # a distractor: another story entirely
        "id": "f3",
        "title": "Cheese fair opens",
        "published": "2023-03-14",
        "text": "The annual cheese fair opened in a town far from the sea.",
        "labels": [],
        "labels_second": [],
    },
    {  # before the baseline's date: left out
        "id": "f4",
        "title": "Storm warning",
        "published": "2023-03-01",
        "text": "A storm is coming to Marlow.",
        "labels": [],
        "labels_second": [],
    },
]


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    path = tmp_path / "story" / "coverage.jsonl"
    path.parent.mkdir()
    path.write_text("\n".join(json.dumps(i) for i in ITEMS) + "\n", encoding="utf-8")
    (tmp_path / "story" / "article.txt").write_text(STORY, encoding="utf-8")
    (tmp_path / "story" / "mapping.yaml").write_text(MAPPING, encoding="utf-8")
    (tmp_path / "baselines").mkdir()
    return path


def test_draft_as_written_is_mapped_and_scored(
    corpus: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = corpus.parent
    args = ["--corpus", str(corpus), "--baselines", str(folder.parent / "baselines")]
    args += ["--draft", str(folder / "article.txt"), "--mapping", str(folder / "mapping.yaml")]
    assert main([*args, "--key", "ferry", "--since", "2023-03-12"]) == 0
    out = capsys.readouterr().out
    assert "2/3 gold claims mapped (missed: not-in-article)" in out
    mapped = out.split("draft mapped, baseline drafted: ")[1].split("\n== ")[0]
    assert mapped.startswith("3 items")  # f4 is earlier than --since
    assert "kind follow_up" in mapped and "(predicted 1, right 1; wanted 1, found 1)" in mapped
    assert "restatement-only texts alerted: 0/1" in mapped
    assert "distractors alerted: 0/1" in mapped
    summary = out.split("\nsection ")[1]
    assert "story, draft strict, baseline drafted" in summary
    assert "own corpus tests/corpus, baseline kazakhstan-2022-01" in summary


def test_draft_needs_its_mapping(corpus: Path) -> None:
    with pytest.raises(SystemExit):
        main(["--corpus", str(corpus), "--draft", str(corpus.parent / "article.txt")])


def test_second_labels_from_their_own_file(corpus: Path) -> None:
    """Recall counts only what both annotators labelled, wherever the second one's labels are."""
    records = [json.loads(line) for line in corpus.read_text().splitlines()]
    second = corpus.parent / "second.jsonl"
    second.write_text(
        "\n".join(json.dumps({"id": r["id"], "labels": []}) for r in records), encoding="utf-8"
    )
    for record in records:
        del record["labels_second"]
    corpus.write_text("\n".join(json.dumps(r) for r in records), encoding="utf-8")
    alone = {i.id: i for i in load_jsonl_corpus(corpus)}
    paired = {i.id: i for i in load_jsonl_corpus(corpus, second)}
    assert alone["f1"].both == {("missing", "follow_up")}
    assert paired["f1"].both == set() and paired["f1"].either == {("missing", "follow_up")}
