"""An alert's why: the fired claims explained as a whole trace would, kept bounded with the
alert (schema 7, both engines), and shown by ``alerts``, ``alerts --json``, the alert log,
email and the status page; alerts stored without one still show as before."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import AsyncIterator, Iterator
from contextlib import closing
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bench.accuracy import load_own_corpus
from claimwatch import pipeline
from claimwatch.alerts import to_json
from claimwatch.baselines import Baseline, load_baselines
from claimwatch.config import Config, load_config
from claimwatch.matching import Document, match
from claimwatch.matching.explain import ClaimExplanation, Explanation, Fired, Note
from claimwatch.matching.trace import Trace
from claimwatch.pipeline import Runtime, open_runtime, run_feed
from claimwatch.report import build_report
from claimwatch.sinks.email_render import alert_html, alert_text
from claimwatch.store import open_store
from claimwatch.store.migrations import LATEST, MIGRATIONS, PG_MIGRATIONS, statements
from claimwatch.why import MAX_BYTES, NOTES_KEPT, SENTENCE_LIMIT, dumps, explain, for_alert, loads
from tests import freedonia, pg
from tests.commands import claimwatch
from tests.servers import FeedServer
from tests.test_pipeline import rss
from tests.test_status import alert

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2022, 1, 20, 12, 0, tzinfo=UTC)
CLOSED = (
    "g1",
    "Freedonia bridge closed",
    "The bridge in Freedonia was closed on Tuesday. Officials said the bridge was not shut "
    "for long.",
)


# ---- what the pipeline keeps ----------------------------------------------------------------


def test_the_fired_claims_alone_are_explained_as_a_whole_trace_explains_them() -> None:
    """The cheap second run (the fired claims only) records what tracing the first would."""
    baselines = load_baselines([ROOT / "baselines" / "kazakhstan-2022-01.yaml"])
    published = datetime(2022, 1, 14, 12, tzinfo=UTC)
    checked = 0
    for item in load_own_corpus()[::3]:  # bench/matching_speed.py checks every one
        document = Document(item.title, item.text, published)
        findings = match(document, baselines)
        if not findings:
            assert explain(document, baselines, findings) is None
            continue
        whole = Trace()
        assert match(document, baselines, trace=whole) == findings
        fired = explain(document, baselines, findings)
        assert fired is not None
        for f in findings:
            mine = fired.claim(f.baseline_id, f.claim_id)
            assert mine is not None and mine == whole.explanation().claim(f.baseline_id, f.claim_id)
            assert any(x.kind == f.kind and x.sentence == f.evidence for x in mine.fired)
        checked += 1
    assert checked >= 15


def long_note(n: int, code: str) -> Note:
    return Note(code, f"detail {n} " + "x" * 900, "A sentence. " * 200, "q" * 500, "e" * 400)


def test_a_why_is_bounded_whatever_the_article() -> None:
    fired = Fired("contradiction", "figure", "f" * 900, "S" * 5000, "Q" * 900, "2,030", "R", 0.9)
    codes = ["about_spread", "restatement", "negated", "nothing_said", "not_grounded"] * 30
    notes = tuple(long_note(n, code) for n, code in enumerate(codes))
    claim = ClaimExplanation("c1", (fired,), None, notes, 7, 3)
    explanation = Explanation.from_dict(
        {"baselines": [{"baseline_id": "b", "scope": None, "setting": None, "claims": []}]}
    )
    explanation = Explanation((replace(explanation.baselines[0], claims=(claim,)),))
    why = for_alert(explanation, "b", "c1", "contradiction")
    assert why is not None
    assert len(dumps(why).encode("utf-8")) <= MAX_BYTES
    assert 0 < len(why.notes) <= NOTES_KEPT
    assert why.more_notes == 7 + len(notes) - len(why.notes)  # every decision still counted
    assert {n.code for n in why.notes} == {"restatement"}  # the closest to firing
    assert [n.detail for n in why.notes] == sorted((n.detail for n in why.notes), key=len)
    assert len(why.fired[0].sentence) <= SENTENCE_LIMIT and why.fired[0].figure == "2,030"
    assert loads(dumps(why)) == why
    assert for_alert(explanation, "b", "c1", "follow_up") == replace(why, fired=())
    assert for_alert(explanation, "b", "nope", "contradiction") is None
    assert loads(None) is None and loads("{not json") is None and loads('{"a": 1}') is None


# ---- a real pass: loopback feed, SQLite state, the commands and the page -------------------


@pytest.fixture
def config(tmp_path: Path, feed_server: FeedServer) -> Config:
    """A config file (the commands read it too) for one feed on the loopback server."""
    (tmp_path / "baseline.yaml").write_text(freedonia.baseline(freedonia.BRIDGE), "utf-8")
    path = tmp_path / "claimwatch.toml"
    path.write_text(
        'state = "state.db"\nbaselines = ["baseline.yaml"]\n'
        "[http]\nallow_private_addresses = true\n[scheduler]\njitter = 0\n"
        '[alerts.log]\npath = "alerts.jsonl"\n'
        f'[[feeds]]\nname = "news"\nurl = "{feed_server.url("/news.xml")}"\n'
        'fetch_articles = "none"\n',
        encoding="utf-8",
    )
    return load_config(path)


@pytest.fixture
async def rt(config: Config) -> AsyncIterator[Runtime]:
    store = open_store(config.state)
    runtime = open_runtime(config, load_baselines(config.baselines), store)
    yield runtime
    await pipeline.close_runtime(runtime)
    store.close()


async def test_a_pipeline_pass_stores_each_alert_with_its_why(
    rt: Runtime, config: Config, feed_server: FeedServer
) -> None:
    feed_server.route("/news.xml", rss(feed_server, [CLOSED]))
    report = await run_feed(rt, config.feeds[0])
    assert report.alerts == 1
    (stored,) = rt.store.all_alerts()
    why = stored.why
    assert why is not None and why.claim_id == "bridge"
    (fired,) = why.fired
    assert (fired.kind, fired.rule, fired.sentence) == ("contradiction", "contra", stored.evidence)
    assert fired.expectation == "assertion" and fired.quote in stored.evidence
    assert config.alert_log_path is not None
    (line,) = config.alert_log_path.read_text(encoding="utf-8").splitlines()
    assert json.loads(line)["why"] == why.to_dict()  # the alert log: a new key only

    earlier = datetime(2022, 1, 1, tzinfo=UTC)  # before the article: not the newest evidence
    rt.store.add_alerts([alert(9, "bridge", "follow_up", earlier, alert_id="old0")], [])
    listed = claimwatch("alerts", "--config", str(config.path))
    assert listed.returncode == 0, listed.stderr
    assert "why: words that contradict the claim [assertion]" in listed.stdout
    assert listed.stdout.count("why:") == 1  # the alert stored without one lists as before
    records = [
        json.loads(x)
        for x in claimwatch("alerts", "--json", "--config", str(config.path)).stdout.splitlines()
    ]
    assert {r["alert_id"]: r["why"] for r in records} == {
        stored.alert_id: why.to_dict(),
        "old0": None,
    }

    page = build_report(load_baselines(config.baselines), rt.store.all_alerts(), now=NOW)
    assert page.count('<details class="alert-why"><summary>why</summary>') == 1
    assert "<dt>rule</dt><dd>words that contradict the claim</dd>" in page
    assert f"<dd>“{fired.quote}”</dd>" in page


@pytest.fixture
def freedonia_bridge(tmp_path: Path) -> tuple[Baseline, ...]:
    path = tmp_path / "freedonia.yaml"
    path.write_text(freedonia.baseline(freedonia.BRIDGE), encoding="utf-8")
    return load_baselines([path])


def test_the_page_email_and_json_of_an_alert_without_a_why(
    freedonia_bridge: tuple[Baseline, ...],
) -> None:
    baselines = freedonia_bridge
    plain = alert(1, "bridge", "contradiction", NOW)
    page = build_report(baselines, [plain], now=NOW + timedelta(hours=1))
    assert "The bridge was closed." in page and "alert-why" not in page.split("</style>")[1]
    assert to_json(plain)["why"] is None
    assert "Rule:" not in alert_text(plain) and "Rule:" not in alert_html(plain)


def test_email_names_the_rule_and_expectation_the_page_escapes_them(
    freedonia_bridge: tuple[Baseline, ...],
) -> None:
    fired = Fired("contradiction", "figure", "troops: figure 2,500 <about>", "S.", "2,030", "2,030",
                  "R.", 0.9)  # fmt: skip
    note = Note("restatement", "restates <it>", "Another <b>sentence</b>.", None, None)
    why = ClaimExplanation("bridge", (fired,), None, (note,), 2, 1)
    judged = alert(1, "bridge", "contradiction", NOW, why=why)
    text = alert_text(judged)
    rule = "a figure for what the claim counts, against the claim's [troops: figure 2,500 <about>]"
    assert f"Rule:      {rule}" in text
    assert "troops: figure 2,500 &lt;about&gt;" in alert_html(judged)
    page = build_report(freedonia_bridge, [judged], now=NOW + timedelta(hours=1))
    block = page.split('<details class="alert-why">', 1)[1].split("</details>", 1)[0]
    assert "&lt;about&gt;" in block and "<about>" not in block
    assert "restates &lt;it&gt;" in block and "Another &lt;b&gt;sentence" in block
    assert "and 2 more decisions" in block


# ---- the store: schema 7 on both engines -------------------------------------------------


@pytest.fixture(params=pg.ENGINES)
def location(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Path | str]:
    with pg.state_location(str(request.param), tmp_path) as where:
        yield where


V6_INSERT = (
    "INSERT INTO alerts (alert_id, kind, baseline_id, claim_id, article_url, article_title, "
    "feed, entry_id, published, evidence, reason, detected_at, novel, value, fact, score) "
    "VALUES ('old1', 'contradiction', 'freedonia', 'bridge', NULL, 'Old', 'news', 'e1', NULL, "
    "'The bridge was closed.', 'closed', '2022-01-19T12:00:00.000000+00:00', 1, NULL, 'f1', 0.9)"
)


def schema_6(location: Path | str) -> None:
    """A state as the previous version left it (schema 6), holding one alert."""
    if isinstance(location, Path):
        with closing(sqlite3.connect(location, isolation_level=None)) as db:
            db.execute("BEGIN")
            for script in MIGRATIONS[:6]:
                for statement in statements(script):
                    db.execute(statement)
            db.execute(V6_INSERT)
            db.execute("PRAGMA user_version = 6")
            db.execute("COMMIT")
        return
    import psycopg

    with psycopg.connect(location, autocommit=True) as db, db.transaction():
        db.execute(b"CREATE TABLE schema_version (version INTEGER NOT NULL)")
        for script in PG_MIGRATIONS[:6]:
            db.execute(script.encode())
        db.execute(V6_INSERT.encode())
        db.execute(b"INSERT INTO schema_version (version) VALUES (6)")


def test_schema_7_keeps_old_alerts_and_stores_the_why(location: Path | str) -> None:
    assert LATEST == 7
    schema_6(location)
    why = ClaimExplanation(
        "bridge",
        (Fired("contradiction", "contra", "assertion", "The bridge was shut.", "shut", None,
               "Says “shut”.", 0.8),),
        None,
        (Note("negated", "“closed” negated", "It was not closed.", "not closed", "assertion"),),
        0,
        2,
    )  # fmt: skip
    new = alert(2, "bridge", "contradiction", NOW, why=why)
    store = open_store(location)
    try:
        assert store.migrated_from == 6
        (old,) = store.all_alerts()
        assert old.alert_id == "old1" and old.why is None
        assert store.add_alerts([new], ["log"]) == [new]
    finally:
        store.close()
    again = open_store(location)
    try:
        assert again.migrated_from == LATEST
        assert [a.why for a in again.all_alerts()] == [None, why]
        assert [s.alert.why for s in again.recent_alerts(5)] == [why, None]
        assert [d.alert for d in again.due_deliveries(["log"], NOW)] == [new]  # the outbox's read
    finally:
        again.close()
    stored = pg.query(location, "SELECT why FROM alerts WHERE alert_id = 'a2'")
    assert json.loads(str(stored[0][0]))["fired"][0]["quote"] == "shut"
