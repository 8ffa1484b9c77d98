"""Replay: saved coverage read from real files through the real pipeline into a real SQLite."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from claimwatch import archive
from claimwatch.archive import Item, collect, parse_date
from claimwatch.baselines import Baseline, load_baselines
from claimwatch.config import Config, load_config
from claimwatch.replay import in_order, replay, summary
from claimwatch.store import Store, open_store
from tests import replay_corpus

NOW = datetime(2024, 1, 1, tzinfo=UTC)


@pytest.fixture
def setup(tmp_path: Path) -> tuple[Config, tuple[Baseline, ...], Path]:
    config = load_config(replay_corpus.write_workdir(tmp_path))
    folder = replay_corpus.write_corpus(tmp_path / "news")
    return config, load_baselines(config.baselines), folder


@pytest.fixture
def store(setup: tuple[Config, tuple[Baseline, ...], Path]) -> Iterator[Store]:
    opened = open_store(setup[0].state)
    yield opened
    opened.close()


# ---- reading files ---------------------------------------------------------------------


def test_a_folder_is_read_recursively_in_every_format(
    setup: tuple[Config, tuple[Baseline, ...], Path],
) -> None:
    _, _, folder = setup
    collected = collect([folder], now=NOW)
    assert collected.problems == ()
    assert collected.files == 4  # README.md is not coverage and is skipped silently
    by_title = {i.entry.title: i.entry for i in collected.items}
    assert len(by_title) == 6
    page = by_title["Freedonia bridge shut again"]
    assert page.feed == "Freedonia Gazette" and page.url == "https://gazette.example/bridge"
    assert page.published == datetime(2022, 1, 13, 8, tzinfo=UTC)
    assert "shut by the police" in page.content
    wire = by_title["Freedonia bridge closed"]
    assert wire.feed == "Freedonia Wire" and wire.entry_id == "wire-1"
    note = by_title["Freedonia: the bridge is closed"]
    assert note.published is None and note.feed == "replay"
    assert note.content.startswith("Residents said") and note.entry_id.startswith("sha256:")
    export = by_title["Freedonia bridge closed to traffic"]
    assert export.feed == "Freedonia Daily"
    assert export.published == datetime(2022, 1, 11, 7, tzinfo=UTC)
    assert by_title["Weather in Sylvania"].content == "It rained in Sylvania all week."


def test_bad_files_are_named_and_the_rest_is_read(tmp_path: Path) -> None:
    (tmp_path / "broken.xml").write_text("<html>not a feed", encoding="utf-8")
    (tmp_path / "latin1.txt").write_bytes("Caf\xe9 in Freedonia\nclosed".encode("latin-1"))
    (tmp_path / "empty.txt").write_text("  \n", encoding="utf-8")
    lines = [
        json.dumps({"title": "Freedonia", "text": "The bridge was closed."}),
        "{not json",
        json.dumps(["a list"]),
        json.dumps({"title": "T", "text": "x", "published": "last Tuesday"}),
        json.dumps({"title": "T", "text": 42}),
    ]
    (tmp_path / "export.jsonl").write_text("\n".join(lines), encoding="utf-8")
    other = tmp_path / "notes.docx"
    other.write_bytes(b"PK")
    collected = collect([tmp_path, other, tmp_path / "missing"], now=NOW)
    assert [i.entry.title for i in collected.items] == ["Freedonia"]
    problems = {str(p) for p in collected.problems}
    assert any(p.startswith(f"{tmp_path / 'broken.xml'}: not a usable feed") for p in problems)
    assert any(p.startswith(f"{tmp_path / 'latin1.txt'}: not UTF-8") for p in problems)
    assert f"{tmp_path / 'empty.txt'}: empty file" in problems
    export = tmp_path / "export.jsonl"
    assert any(p.startswith(f"{export}:2: not JSON") for p in problems)
    assert f"{export}:3: not a JSON object" in problems
    assert f"{export}:4: published: not an ISO 8601 date: 'last Tuesday'" in problems
    assert f"{export}:5: text: must be a string, not int" in problems
    assert any(p.startswith(f"{other}: not a replayable file") for p in problems)
    assert f"{tmp_path / 'missing'}: no such file or folder" in problems
    assert collected.files == 1


def test_a_json_file_may_hold_an_array(tmp_path: Path) -> None:
    records = [
        {"title": "A", "body": "<p>One <b>bold</b> claim.</p>", "link": "http://x.example/a"}
    ]
    path = tmp_path / "export.json"
    path.write_text(json.dumps(records), encoding="utf-8")
    (item,) = collect([path], now=NOW).items
    assert item.entry.content == "One bold claim." and item.entry.entry_id == "http://x.example/a"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2022-01-11", datetime(2022, 1, 11, tzinfo=UTC)),
        ("2022-01-11T10:00:00Z", datetime(2022, 1, 11, 10, tzinfo=UTC)),
        ("2022-01-11T10:00:00+02:00", datetime(2022, 1, 11, 8, tzinfo=UTC)),
        ("Tue, 11 Jan 2022 10:00:00 GMT", datetime(2022, 1, 11, 10, tzinfo=UTC)),
        ("soon", None),
    ],
)
def test_dates(text: str, expected: datetime | None) -> None:
    assert parse_date(text) == expected


def test_order_is_by_publication_then_undated_by_path() -> None:
    def item(path: str, day: int | None, position: int = 0) -> Item:
        when = datetime(2022, 1, day, tzinfo=UTC) if day else None
        return Item(
            archive.article_entry(title=path, text="x", published=when), Path(path), position
        )

    items = [item("a", None, 1), item("z", 3), item("a", None), item("b", None), item("m", 2)]
    assert [(str(i.path), i.position) for i in in_order(items)] == [
        ("m", 0), ("z", 0), ("a", 0), ("a", 1), ("b", 0)
    ]  # fmt: skip


# ---- running them ----------------------------------------------------------------------


async def test_replay_stores_alerts_in_publication_order_without_delivering(
    setup: tuple[Config, tuple[Baseline, ...], Path], store: Store
) -> None:
    config, baselines, folder = setup
    seen: list[Item] = []
    report = await replay(config, baselines, store, collect([folder]).items, on_item=seen.append)
    assert report.articles == report.processed == len(seen) == 6
    assert report.alerts == {"contradiction": 5} and report.deliveries is None
    stored = store.all_alerts()
    dated = [a.published.date().isoformat() for a in stored if a.published]
    assert dated == ["2022-01-11", "2022-01-12", "2022-01-13", "2022-01-14"]
    assert stored[-1].published is None  # the undated note came last
    bridge = [a for a in stored if a.claim_id == "bridge"]
    # novelty follows publication: the earliest report (in the second file) is the new one
    assert [a.novel for a in bridge] == [True, False, False, False]
    assert bridge[0].feed == "Freedonia Daily"
    assert store.delivery_counts() == {}  # nothing for the outbox to send
    assert not config.alert_log_path or not config.alert_log_path.exists()
    assert "5 alerts (5 contradiction)" in summary(report, 4)


async def test_a_second_replay_adds_nothing(
    setup: tuple[Config, tuple[Baseline, ...], Path], store: Store
) -> None:
    config, baselines, folder = setup
    await replay(config, baselines, store, collect([folder]).items)
    before = store.counts()
    again = await replay(config, baselines, store, collect([folder]).items)
    assert again.processed == 0 and again.alerts == {}
    assert store.counts() == before


async def test_a_changed_article_is_read_again(
    setup: tuple[Config, tuple[Baseline, ...], Path], store: Store
) -> None:
    config, baselines, folder = setup
    await replay(config, baselines, store, collect([folder]).items)
    corrected = dict(replay_corpus.EXPORT[0])
    corrected["text"] += " Some 4,000 troops were sent to Freedonia."
    (folder / "b_export.jsonl").write_text(json.dumps(corrected), encoding="utf-8")
    report = await replay(config, baselines, store, collect([folder]).items)
    # read again; its bridge alert exists already, the troops figure is new
    assert report.processed == 1 and report.alerts == {"contradiction": 1}
    (troops,) = [a for a in store.all_alerts() if a.article_url == corrected["url"]][1:]
    assert troops.claim_id == "troops" and troops.value == 4000


async def test_deliver_sends_the_replayed_alerts_to_the_sinks(
    setup: tuple[Config, tuple[Baseline, ...], Path], store: Store
) -> None:
    config, baselines, folder = setup
    report = await replay(config, baselines, store, collect([folder]).items, deliver=True)
    assert report.deliveries is not None and report.deliveries.delivered == 5
    assert config.alert_log_path is not None
    lines = config.alert_log_path.read_text(encoding="utf-8").splitlines()
    assert sorted(json.loads(line)["alert_id"] for line in lines) == sorted(
        a.alert_id for a in store.all_alerts()
    )
    assert store.delivery_counts() == {("log", "delivered"): 5}
