"""The feedback in the pipeline: real cycles against a loopback feed server and a real SQLite
state, an analyst's verdicts written between them. A wire copy of a dismissed alert is held
back (stored, no deliveries, claimwatch's dismissal with the reason, one log line) while
another figure alerts; an analyst's confirm overrules; the lessons are learnt again only
when an analyst's verdict was added; ``replay`` holds back the same way."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Sequence
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from claimwatch.archive import collect
from claimwatch.baselines import Baseline, load_baselines
from claimwatch.config import Config
from claimwatch.holdback import Lessons
from claimwatch.pipeline import Runtime, run_feed, run_once
from claimwatch.replay import replay
from claimwatch.status import claim_lines
from claimwatch.store import Store, open_store
from claimwatch.triage import Triage
from claimwatch.verdicts import AUTOMATIC_BY, Verdict
from tests import freedonia
from tests.commands import claimwatch
from tests.servers import FeedServer
from tests.test_pipeline import make_config, rss

NOW = datetime(2022, 1, 20, 12, tzinfo=UTC)
SENTENCE = (
    "Some 3,100 troops arrived in Freedonia on Monday to guard the border crossings, "
    "the defence ministry said in a statement."
)
FIRST = ("g1", "Freedonia update", SENTENCE)
WIRE = ("g2", "Freedonia: more troops", f"FREEDONIA CITY (Wire) - {SENTENCE}")
OTHER_FIGURE = ("g3", "Freedonia news", "Some 4,000 troops have arrived in Freedonia, it said.")
AGENCY = ("g4", "Troops in Freedonia", f"FREEDONIA CITY (Agency) - {SENTENCE}")
COPIES = [("g5", "Freedonia again", f"FREEDONIA CITY (Post) - {SENTENCE}")]


@pytest.fixture
def config(tmp_path: Path, feed_server: FeedServer) -> Config:
    loaded = make_config(tmp_path, feed_server, {"name": "news", "fetch_articles": "none"})
    story = freedonia.baseline(freedonia.BRIDGE, freedonia.TROOPS)
    (tmp_path / "baseline.yaml").write_text(story, encoding="utf-8")
    return loaded


@pytest.fixture
def baselines(config: Config) -> tuple[Baseline, ...]:
    return load_baselines(config.baselines)


def by_url(store: Store, feed_server: FeedServer, guid: str) -> str:
    """The id of the alert of the article ``guid``."""
    (alert_id,) = [
        a.alert_id
        for a in store.all_alerts()
        if a.article_url == feed_server.url(f"/articles/{guid}")
    ]
    return alert_id


def judge(config: Config, alert_id: str, verdict: str) -> None:
    store = open_store(config.state)
    try:
        store.record_verdict(Verdict(alert_id, verdict, "ana", NOW))  # type: ignore[arg-type]
    finally:
        store.close()


def logged_ids(config: Config) -> list[str]:
    log = config.alert_log_path
    assert log is not None
    return [json.loads(line)["alert_id"] for line in log.read_text(encoding="utf-8").splitlines()]


def events(caplog: pytest.LogCaptureFixture, name: str) -> list[dict[str, Any]]:
    return [r.claimwatch_fields for r in caplog.records if r.getMessage() == name]  # type: ignore[attr-defined]


@pytest.mark.slow
def test_a_copy_of_a_dismissed_alert_is_held_back_and_a_confirm_overrules(
    config: Config,
    baselines: tuple[Baseline, ...],
    feed_server: FeedServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    feed_server.route("/news.xml", rss(feed_server, [FIRST]))
    asyncio.run(run_once(config, baselines))
    with closing(open_store(config.state)) as store:
        first = by_url(store, feed_server, "g1")
    assert logged_ids(config) == [first]
    judge(config, first, "dismissed")

    feed_server.route("/news.xml", rss(feed_server, [FIRST, WIRE, OTHER_FIGURE]))
    caplog.clear()  # the first pass's lines, kept when an earlier test left the level at INFO
    with caplog.at_level(logging.INFO, logger="claimwatch"):
        report = asyncio.run(run_once(config, baselines))
    assert report.feeds[0].alerts == 2  # both stored
    store = open_store(config.state)
    try:
        wire, other = by_url(store, feed_server, "g2"), by_url(store, feed_server, "g3")
        assert logged_ids(config) == [first, other]  # the copy is never sent
        deliveries = {s.alert.alert_id: s.deliveries for s in store.recent_alerts(10)}
        assert deliveries[wire] == () and [d.state for d in deliveries[other]] == ["delivered"]
        held = store.verdicts([wire])[wire]
        assert (held.verdict, held.by) == ("dismissed", AUTOMATIC_BY)
        assert held.note is not None and "repeats the sentence" in held.note
        assert f"of dismissed alert {first}" in held.note
        (line,) = events(caplog, "alert.held")
        assert (line["alert_id"], line["rule"], line["dismissed_id"]) == (wire, "sentence", first)
        assert line["reason"] == held.note and line["feed"] == "news"
        assert [f["alert_id"] for f in events(caplog, "alert.new")] == [other]
        # the status treats the held copy as any dismissed alert
        triage = Triage(store.verdicts(), store.claim_states())
        (troops,) = [
            c for c in claim_lines(baselines, store.all_alerts(), triage) if c.claim_id == "troops"
        ]
        assert (troops.contradictions, troops.dismissed) == (1, 2)
        # a held alert teaches nothing by itself: the lessons are the analyst's dismissal's
        lessons = Lessons().current(store).lessons.values()
        assert lessons and {a.alert_id for lesson in lessons for a in lesson.dismissed} == {first}
    finally:
        store.close()

    listed = config.path.parent / "listing.toml"  # the same state, for the command
    listed.write_text('state = "state.db"\nbaselines = ["baseline.yaml"]\n', encoding="utf-8")
    listing = claimwatch("alerts", "--config", str(listed)).stdout.split(f"    {wire} ", 1)[1]
    assert "    no deliveries (held back: it repeats a dismissed alert)\n" in listing
    assert "    dismissed by claimwatch " in listing and "repeats the sentence" in listing
    confirmed = claimwatch("alerts", "confirm", wire[:12], "--by", "ana", "--config", str(listed))
    assert confirmed.returncode == 0, confirmed.stderr
    feed_server.route("/news.xml", rss(feed_server, [FIRST, WIRE, OTHER_FIGURE, AGENCY]))
    asyncio.run(run_once(config, baselines))
    with closing(open_store(config.state)) as store:
        agency = by_url(store, feed_server, "g4")
        assert agency not in store.verdicts()  # the confirmed copy blocks the lesson
        triage = Triage(store.verdicts(), store.claim_states())  # the latest verdict counts
        lines = claim_lines(baselines, store.all_alerts(), triage)
        (troops,) = [c for c in lines if c.claim_id == "troops"]
        assert (troops.contradictions, troops.confirmed, troops.dismissed) == (3, 1, 1)
    assert logged_ids(config) == [first, other, agency]


async def cycle(rt: Runtime, server: FeedServer, items: Sequence[tuple[str, str, str]]) -> int:
    server.route("/news.xml", rss(server, items))
    return (await run_feed(rt, rt.config.feeds[0])).alerts


async def test_lessons_are_learnt_again_only_when_an_analyst_judged(
    rt: Runtime, feed_server: FeedServer
) -> None:
    assert await cycle(rt, feed_server, [FIRST]) == 1
    assert rt.lessons.learnt == 1  # once, from no verdicts
    first = by_url(rt.store, feed_server, "g1")
    rt.store.record_verdict(Verdict(first, "dismissed", "ana", NOW))

    assert await cycle(rt, feed_server, [FIRST, WIRE, OTHER_FIGURE]) == 2
    assert rt.lessons.learnt == 2  # once for the two entries that alerted
    wire = by_url(rt.store, feed_server, "g2")
    assert rt.store.verdicts([wire])[wire].by == AUTOMATIC_BY

    assert await cycle(rt, feed_server, [FIRST, WIRE, OTHER_FIGURE, AGENCY]) == 1
    assert rt.lessons.learnt == 2  # claimwatch's own verdict changed nothing to learn
    agency = by_url(rt.store, feed_server, "g4")
    assert rt.store.verdicts([agency])[agency].by == AUTOMATIC_BY

    rt.store.record_verdict(Verdict(wire, "confirmed", "ana", NOW))
    assert await cycle(rt, feed_server, [FIRST, WIRE, OTHER_FIGURE, AGENCY, *COPIES]) == 1
    assert rt.lessons.learnt == 3
    copy = by_url(rt.store, feed_server, "g5")
    assert copy not in rt.store.verdicts()  # alerted: the analyst's confirm overruled
    assert rt.store.delivery_counts() == {("log", "delivered"): 3}  # g1, g3, g5


async def test_replay_holds_back_what_the_analyst_dismissed(
    tmp_path: Path, config: Config, baselines: tuple[Baseline, ...]
) -> None:
    def saved(name: str, *items: tuple[str, str, str]) -> Path:
        path = tmp_path / name
        records = [
            {"id": guid, "title": title, "text": text, "url": f"https://x.example/{guid}",
             "published": f"2022-01-1{n}T08:00:00Z", "source": "Wire"}
            for n, (guid, title, text) in enumerate(items)
        ]  # fmt: skip
        path.write_text("\n".join(json.dumps(r) for r in records), encoding="utf-8")
        return path

    store = open_store(config.state)
    try:
        await replay(config, baselines, store, collect([saved("a.jsonl", FIRST)]).items)
        (first,) = store.all_alerts()
        store.record_verdict(Verdict(first.alert_id, "dismissed", "ana", NOW))
        later = collect([saved("b.jsonl", WIRE, OTHER_FIGURE)]).items
        report = await replay(config, baselines, store, later)
        assert report.alerts == {"contradiction": 2}
        calls = {
            a.entry_id: store.verdicts([a.alert_id]).get(a.alert_id) for a in store.all_alerts()
        }
        held = calls["g2"]
        assert held is not None and held.by == AUTOMATIC_BY and held.verdict == "dismissed"
        assert calls["g3"] is None
    finally:
        store.close()
