"""What an analyst's calls change: the status tables and JSON, the page (file and served), and
the deliveries of a muted claim in a real pipeline pass against a loopback feed server."""

from __future__ import annotations

import asyncio
import json
import logging
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from claimwatch.baselines import Baseline, load_baselines
from claimwatch.pipeline import run_once
from claimwatch.report import PageFilter, build_report
from claimwatch.status import claim_lines
from claimwatch.store import open_store
from claimwatch.triage import Triage
from claimwatch.verdicts import ClaimState, Verdict
from claimwatch.webpage import LivePage
from tests import freedonia
from tests.commands import claimwatch
from tests.servers import FeedServer
from tests.test_pipeline import RELEVANT, make_config, rss
from tests.test_status import alert

NOW = datetime(2022, 1, 20, 12, tzinfo=UTC)
T0 = datetime(2022, 1, 11, 7, tzinfo=UTC)


@pytest.fixture
def story(tmp_path: Path) -> tuple[Baseline, ...]:
    path = tmp_path / "freedonia.yaml"
    path.write_text(freedonia.baseline(freedonia.BRIDGE, freedonia.TROOPS), encoding="utf-8")
    return load_baselines([path])


def said(alert_id: str, verdict: str, **more: object) -> Verdict:
    return Verdict(alert_id, verdict, "ana", NOW, **more)  # type: ignore[arg-type]


def held(claim: str, state: str, note: str | None = None) -> ClaimState:
    return ClaimState("freedonia", claim, state, "ana", NOW, note)  # type: ignore[arg-type]


# a contradiction of the bridge a reader found wrong, one confirmed, and a figure
ALERTS = [
    alert(1, "bridge", "contradiction", T0, evidence="The bridge was shut by a storm."),
    alert(2, "troops", "contradiction", T0, value=2030.0, evidence="Some 2,030 soldiers came."),
    alert(3, "troops", "contradiction", T0 + timedelta(days=1), value=2400.0),
]
CALLS = Triage(
    {"a1": said("a1", "dismissed", reason="wrong-story"), "a3": said("a3", "confirmed")},
    {("freedonia", "troops"): held("troops", "closed", "settled: 2,400 in the end")},
)


def test_status_lines_leave_dismissed_alerts_out(story: tuple[Baseline, ...]) -> None:
    lines = {line.claim_id: line for line in claim_lines(story, ALERTS, CALLS)}
    bridge, troops = lines["bridge"], lines["troops"]
    assert (bridge.contradictions, bridge.dismissed, bridge.latest) == (0, 1, None)
    assert (troops.contradictions, troops.confirmed, troops.unjudged) == (2, 1, 1)
    assert troops.state == held("troops", "closed", "settled: 2,400 in the end")
    plain = {line.claim_id: line for line in claim_lines(story, ALERTS)}
    assert plain["bridge"].contradictions == 1  # without the calls, as before


def counted(page: str) -> str:
    """The page without its folded lists of dismissed reports."""
    return re.sub(r'<details class="dismissed">.*?</details>', "", page, flags=re.S)


def test_the_page_leaves_dismissed_alerts_out_and_marks_the_calls(
    story: tuple[Baseline, ...],
) -> None:
    before = build_report(story, ALERTS, now=NOW)
    whole = build_report(story, ALERTS, now=NOW, triage=CALLS)
    page = counted(whole)
    assert "shut by a storm" in before and "shut by a storm" not in page
    assert "shut by a storm" in whole.split('class="dismissed"', 1)[1]  # folded, to overrule
    bridge_line = page.split('id="c-freedonia-bridge"', 1)[1].split("</li>", 1)[0]
    assert "unchallenged" in bridge_line and "1 dismissed" in bridge_line
    card = page.split('id="c-freedonia-troops"', 1)[1].split("</article>", 1)[0]
    assert '<span class="badge h-closed">closed</span>' in card
    assert "Closed by ana" in card and "settled: 2,400 in the end" in card
    assert card.count('class="badge confirmed"') == 1 and "1 confirmed" in card
    dismissed_figure = build_report(
        story, ALERTS, now=NOW, triage=Triage({"a2": said("a2", "dismissed")})
    )
    assert "2,030" in before and "2,030" not in counted(dismissed_figure)  # nor in the charts


def test_the_served_page_follows_new_calls(
    tmp_path: Path, story: tuple[Baseline, ...], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("claimwatch.webpage.CALLS_FOR", 0.0)  # calls made elsewhere: read now
    state = tmp_path / "state.db"
    store = open_store(state)
    store.add_alerts(ALERTS, ["log"])

    async def pages() -> tuple[str, str, LivePage]:
        live = LivePage(state)
        try:
            first = await live.get(story, NOW)
            store.record_verdict(said("a1", "dismissed"))
            return first, await live.get(story, NOW), live
        finally:
            live.close()

    try:
        first, second, live = asyncio.run(pages())
    finally:
        store.close()
    assert "shut by a storm" in counted(first) and "shut by a storm" not in counted(second)
    assert (live.loads, live.renders) == (1, 2)  # the alerts were not read again


def test_a_muted_claim_keeps_its_alerts_but_delivers_none(
    tmp_path: Path, feed_server: FeedServer, caplog: pytest.LogCaptureFixture
) -> None:
    config = make_config(tmp_path, feed_server, {"name": "news", "fetch_articles": "none"})
    baselines = load_baselines(config.baselines)
    store = open_store(config.state)
    store.record_claim_state(held("bridge", "muted"))
    store.close()
    feed_server.route("/news.xml", rss(feed_server, [RELEVANT]))
    with caplog.at_level(logging.INFO, logger="claimwatch"):
        asyncio.run(run_once(config, baselines))
    news = [r.claimwatch_fields for r in caplog.records if r.getMessage() == "alert.new"]  # type: ignore[attr-defined]
    assert [(f["claim_id"], f["status"]) for f in news] == [("bridge", "muted")]
    log = config.alert_log_path
    assert log is not None and not (log.exists() and log.read_text(encoding="utf-8").strip())

    store = open_store(config.state)
    (muted,) = store.all_alerts()
    assert store.delivery_counts() == {}
    store.close()
    listed = tmp_path / "listing.toml"  # the same state, for the command
    listed.write_text('state = "state.db"\nbaselines = ["baseline.yaml"]\n', encoding="utf-8")
    listing = claimwatch("alerts", "--config", str(listed))
    assert f"{muted.alert_id} " in listing.stdout
    assert "no deliveries (the claim is muted)" in listing.stdout

    store = open_store(config.state)
    store.record_claim_state(held("bridge", "open"))
    store.close()
    again = ("g3", "Freedonia bridge shut again", "The bridge in Freedonia was shut on Friday.")
    feed_server.route("/news.xml", rss(feed_server, [RELEVANT, again]))
    asyncio.run(run_once(config, baselines))
    written = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert [r["article_title"] for r in written] == [
        again[1]
    ]  # the new one only: alerts stored while muted stay undelivered
    assert muted.alert_id not in {r["alert_id"] for r in written}


@pytest.mark.slow
def test_demo_keep_then_report_shows_its_alerts(tmp_path: Path) -> None:
    result = claimwatch("-q", "demo", "--keep", "demo", cwd=tmp_path)  # relative to here
    assert result.returncode == 0, result.stderr
    command = "claimwatch report --config demo/claimwatch.toml --out demo/report.html"
    assert command in result.stdout
    page = claimwatch(*command.split()[1:-1], "-", cwd=tmp_path)
    assert page.returncode == 0, page.stderr
    assert "First CSTO units leave Kazakhstan" in page.stdout and "2,030" in page.stdout
    assert "No coverage has been judged relevant yet" not in page.stdout
    assert {p.name for p in (tmp_path / "demo").iterdir()} >= {"demo.db", "alerts.jsonl"}
    again = claimwatch("-q", "demo", "--keep", "demo", cwd=tmp_path)
    assert again.returncode == 2 and "not empty" in again.stderr


def test_readers_with_their_own_last_visit_do_not_push_each_other_out(
    tmp_path: Path, story: tuple[Baseline, ...]
) -> None:
    state = tmp_path / "state.db"
    store = open_store(state)
    store.add_alerts(ALERTS, ["log"])
    store.close()
    readers = [PageFilter(since=NOW - timedelta(hours=hours)) for hours in (1, 5)]

    async def pages() -> LivePage:
        live = LivePage(state)
        try:
            for chosen in readers * 3:  # two readers reloading in turn
                await live.get(story, NOW, chosen)
            return live
        finally:
            live.close()

    live = asyncio.run(pages())
    assert (live.loads, live.renders) == (1, 2)  # one render per reader, then reused
