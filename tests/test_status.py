"""``claimwatch status``: tables built from a real SQLite store, printed as plain text."""

from __future__ import annotations

import io
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from rich.console import Console

from claimwatch.alerts import Alert
from claimwatch.baselines import Baseline, load_baselines
from claimwatch.config import Config, OutboxConfig, load_config
from claimwatch.feeds import FeedState
from claimwatch.status import (
    DOUBTS_SHOWN,
    PIPED_WIDTH,
    Snapshot,
    claim_lines,
    console_for,
    doubts_table,
    read_snapshot,
    render,
)
from claimwatch.status_json import status_document
from claimwatch.store import InDoubt, open_store
from claimwatch.store.identity import marker_path
from tests import replay_corpus
from tests.commands import claimwatch

T0 = datetime(2022, 1, 11, 7, tzinfo=UTC)


def alert(n: int, claim: str, kind: str, published: datetime | None, **more: object) -> Alert:
    fields: dict[str, object] = {
        "alert_id": f"a{n}",
        "kind": kind,
        "baseline_id": "freedonia",
        "claim_id": claim,
        "article_url": f"https://x.example/{n}",
        "article_title": f"Report {n}",
        "feed": "news",
        "entry_id": f"e{n}",
        "published": published,
        "evidence": "The bridge was closed.",
        "reason": "closed",
        "detected_at": datetime(2024, 1, 1, tzinfo=UTC),
        "novel": True,
        "value": None,
        "fact": f"f{n}",
        "score": 1.0,
    }
    fields.update(more)
    return Alert(**fields)  # type: ignore[arg-type]


@pytest.fixture
def inputs(tmp_path: Path) -> tuple[Config, tuple[Baseline, ...]]:
    config = load_config(replay_corpus.write_workdir(tmp_path))
    return config, load_baselines(config.baselines)


def text_of(config: Config, baselines: tuple[Baseline, ...], snapshot: Snapshot | None) -> str:
    out = io.StringIO()
    render(console_for(out), config, baselines, snapshot, ["log"])
    return out.getvalue()


def row(text: str, first: str) -> list[str]:
    """The cells of the table row whose first cell is ``first`` (cells are 2+ spaces apart)."""
    for line in text.splitlines():
        cells = re.split(r"\s{2,}", line.strip())
        if cells[0] == first:
            return cells
    raise AssertionError(f"no row {first!r} in:\n{text}")


def test_claim_lines_count_per_claim_and_date_the_latest_report(
    inputs: tuple[Config, tuple[Baseline, ...]],
) -> None:
    _, baselines = inputs
    alerts = [
        alert(1, "bridge", "contradiction", T0),
        alert(2, "bridge", "contradiction", T0.replace(day=13)),
        alert(3, "bridge", "follow_up", None),  # undated: does not win over dated reports
        alert(4, "gone", "follow_up", None),  # a claim no baseline holds any longer
        alert(5, "", "feed_failing", T0, baseline_id=""),  # feed alerts are no claims
    ]
    lines = {line.claim_id: line for line in claim_lines(baselines, alerts)}
    assert list(lines) == ["bridge", "troops", "gone"]
    assert (lines["bridge"].contradictions, lines["bridge"].follow_ups) == (2, 1)
    assert lines["bridge"].latest == T0.replace(day=13)
    assert (lines["troops"].contradictions, lines["troops"].latest) == (0, None)
    assert lines["gone"].latest == datetime(2024, 1, 1, tzinfo=UTC)  # only detection known
    assert lines["gone"].statement == "(no longer in a baseline)"


def test_no_state_yet_shows_empty_tables_and_creates_nothing(
    inputs: tuple[Config, tuple[Baseline, ...]],
) -> None:
    config, baselines = inputs
    snapshot = read_snapshot(config)
    assert snapshot is None
    text = text_of(config, baselines, snapshot)
    assert "no state yet" in text and str(config.state) in text
    assert "news" in text and "The Freedonia bridge stayed open." in text
    assert not config.state.exists() and not config.state.parent.exists()


def test_status_reads_feeds_outbox_and_claims_from_the_store(
    inputs: tuple[Config, tuple[Baseline, ...]],
) -> None:
    config, baselines = inputs
    store = open_store(config.state)
    try:
        feed = config.feeds[0]
        state = FeedState(
            url=feed.url,
            consecutive_failures=3,
            last_success=T0,
            last_error="HTTP 503 [bold]busy[/bold]",
            next_attempt=T0.replace(hour=9),
        )
        store.save_feed_state(feed.name, feed.url, state)
        stored = [alert(1, "bridge", "contradiction", T0), alert(2, "troops", "follow_up", T0)]
        store.add_alerts(stored, ["log", "email"])
        store.record_delivered("a1", "log", T0)
        store.record_refused("a2", "email", "550 no such user")
    finally:
        store.close()
    snapshot = read_snapshot(config)
    assert snapshot is not None and len(snapshot.alerts) == 2
    text = text_of(config, baselines, snapshot)
    assert "2022-01-11 07:00" in text and "2022-01-11 09:00" in text
    assert "HTTP 503 [bold]busy[/bold]" in text  # stored text is never taken as markup
    # outbox: sink, pending, failed, delivered, refused
    assert row(text, "log") == ["log", "1", "0", "1", "0"]
    assert row(text, "email") == ["email", "1", "0", "0", "1"]
    assert "\x1b[" not in text  # no colour codes when not on a terminal


def test_deliveries_of_unknown_outcome_are_listed_with_their_next_attempt(
    inputs: tuple[Config, tuple[Baseline, ...]],
) -> None:
    config, baselines = inputs
    store = open_store(config.state)
    try:
        store.add_alerts([alert(1, "bridge", "contradiction", T0)], ["email"])
        (due,) = store.due_deliveries(["email"], T0)
        store.mark_sending([due], T0, T0.replace(hour=7, minute=30))  # then the process died
    finally:
        store.close()
    snapshot = read_snapshot(config)
    assert snapshot is not None
    text = text_of(config, baselines, snapshot)
    assert "Unknown outcome: the process stopped while sending" in text
    assert "after the hold of 30 min, at most 2 times" in text
    assert row(text, "a1") == ["a1", "email", "2022-01-11 07:00", "1", "2022-01-11 07:30"]


def test_a_lost_state_is_pointed_out(inputs: tuple[Config, tuple[Baseline, ...]]) -> None:
    config, baselines = inputs
    config.state.parent.mkdir(parents=True)
    marker_path(config.state).write_text('{"state_id": "x"}', encoding="utf-8")
    text = text_of(config, baselines, read_snapshot(config))
    assert "does not exist, but" in text and "refuse to start over" in text.replace("\n", " ")


def test_disabled_feeds_say_why(inputs: tuple[Config, tuple[Baseline, ...]]) -> None:
    config, baselines = inputs
    feed = config.feeds[0]
    gone = FeedState(url=feed.url, disabled_reason="HTTP 410 Gone")
    text = text_of(config, baselines, Snapshot(feeds={feed.name: gone}))
    assert "HTTP 410 Gone" in text
    off = config.model_copy(update={"feeds": (feed.model_copy(update={"enabled": False}),)})
    assert "in config" in text_of(off, baselines, Snapshot())


def test_piped_output_has_a_sane_width(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COLUMNS", raising=False)
    assert console_for(io.StringIO()).width == PIPED_WIDTH
    monkeypatch.setenv("COLUMNS", "200")
    assert console_for(io.StringIO()).width == 200


@pytest.mark.parametrize(("count", "more"), [(DOUBTS_SHOWN, False), (DOUBTS_SHOWN + 1, True)])
def test_unknown_outcomes_say_when_more_are_left_out(count: int, more: bool) -> None:
    since = datetime(2022, 1, 20, 12, tzinfo=UTC)
    doubts = [InDoubt(f"a{n}", "email", since, 0, None) for n in range(count)]
    console = Console(width=200, record=True)
    console.print(doubts_table(doubts, OutboxConfig()))
    text = console.export_text()
    assert (f"showing the first {DOUBTS_SHOWN}" in text) is more
    assert f"a{DOUBTS_SHOWN - 1} " in text and f"a{DOUBTS_SHOWN} " not in text


# ---- status --json -----------------------------------------------------------------------


def iso_utc(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    assert moment.utcoffset() == timedelta(0), text
    return moment


def test_status_json_through_the_command(inputs: tuple[Config, tuple[Baseline, ...]]) -> None:
    config, _ = inputs
    store = open_store(config.state)
    try:
        feed = config.feeds[0]
        failing = FeedState(
            url=feed.url,
            consecutive_failures=2,
            last_success=T0,
            last_error="HTTP 503",
            next_attempt=T0.replace(hour=9),
            failing_since=T0.replace(hour=8),
        )
        store.save_feed_state(feed.name, feed.url, failing)
        stored = [
            alert(1, "bridge", "contradiction", T0),
            alert(2, "bridge", "follow_up", None),
            alert(3, "gone", "follow_up", T0),  # a claim no baseline holds any longer
            alert(4, "", "feed_failing", T0, baseline_id=""),  # a feed alert: no claim
        ]
        store.add_alerts(stored, ["log", "email"])
        store.record_delivered("a1", "log", T0)
        store.record_refused("a2", "email", "550 no such user")
        (due,) = [d for d in store.due_deliveries(["email"], T0) if d.alert.alert_id == "a1"]
        store.mark_sending([due], T0, T0.replace(minute=30))  # then the process died
    finally:
        store.close()
    started = datetime.now(UTC)
    result = claimwatch("status", "--json", "--config", str(config.path))
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert started <= iso_utc(document["generated_at"]) <= datetime.now(UTC)
    assert document["state"] == {"location": str(config.state), "exists": True, "note": None}
    (news,) = document["feeds"]
    assert news == {
        "name": "news",
        "url": feed.url,
        "current_url": feed.url,
        "enabled": True,
        "status": "failing",
        "last_success": "2022-01-11T07:00:00+00:00",
        "consecutive_failures": 2,
        "failing_since": "2022-01-11T08:00:00+00:00",
        "last_error": "HTTP 503",
        "next_poll": "2022-01-11T09:00:00+00:00",
        "disabled_reason": None,
    }
    assert document["outbox"] == {
        "log": {"configured": True, "pending": 3, "failed": 0, "delivered": 1, "refused": 0},
        "email": {"configured": False, "pending": 3, "failed": 0, "delivered": 0, "refused": 1},
    }
    (doubt,) = document["unknown_outcome"]
    assert doubt == {
        "alert_id": "a1",
        "sink": "email",
        "sent_at": "2022-01-11T07:00:00+00:00",
        "unknown_attempts": 1,
        "next_attempt": "2022-01-11T07:30:00+00:00",
    }
    assert document["unknown_outcome_more"] is False
    claims = {c["claim_id"]: c for c in document["claims"]}
    assert list(claims) == ["bridge", "troops", "gone"]
    bridge = claims["bridge"]
    assert (bridge["in_baseline"], bridge["contradictions"], bridge["follow_ups"]) == (True, 1, 1)
    assert bridge["statement"] == "The Freedonia bridge stayed open."
    assert bridge["latest"] == "2022-01-11T07:00:00+00:00"
    assert [a["alert_id"] for a in bridge["alerts"]] == ["a1", "a2"]
    assert bridge["alerts"][0]["published"] == "2022-01-11T07:00:00+00:00"
    assert claims["troops"]["alerts"] == [] and claims["troops"]["latest"] is None
    assert (claims["gone"]["in_baseline"], claims["gone"]["statement"]) == (False, None)

    listing = claimwatch("alerts", "--json", "--config", str(config.path))
    lines = [json.loads(line) for line in listing.stdout.splitlines()]
    assert [line["alert_id"] for line in lines] == ["a4", "a3", "a2", "a1"]  # newest first
    assert all(iso_utc(line["detected_at"]) for line in lines)
    assert lines[3]["deliveries"] == {"email": "pending", "log": "delivered"}


def test_status_json_without_a_state(inputs: tuple[Config, tuple[Baseline, ...]]) -> None:
    config, baselines = inputs
    document = status_document(config, baselines, read_snapshot(config), ["log"], T0)
    assert document["generated_at"] == "2022-01-11T07:00:00+00:00"
    assert document["state"]["exists"] is False and "no state yet" in document["state"]["note"]
    assert [f["status"] for f in document["feeds"]] == ["not_polled"]
    assert document["outbox"]["log"]["pending"] == 0
    assert [c["claim_id"] for c in document["claims"]] == ["bridge", "troops"]
    assert not config.state.exists()


def test_status_json_says_why_a_feed_is_disabled(
    inputs: tuple[Config, tuple[Baseline, ...]],
) -> None:
    config, baselines = inputs
    feed = config.feeds[0]
    gone = Snapshot(feeds={feed.name: FeedState(url=feed.url, disabled_reason="HTTP 410 Gone")})
    (entry,) = status_document(config, baselines, gone, [], T0)["feeds"]
    assert (entry["status"], entry["disabled_reason"]) == ("disabled", "HTTP 410 Gone")
    off = config.model_copy(update={"feeds": (feed.model_copy(update={"enabled": False}),)})
    (entry,) = status_document(off, baselines, Snapshot(), [], T0)["feeds"]
    assert (entry["status"], entry["disabled_reason"], entry["next_poll"]) == (
        "disabled",
        "in config",
        None,
    )
    ok = Snapshot(feeds={feed.name: FeedState(url=feed.url, last_success=T0)})
    assert status_document(config, baselines, ok, [], T0)["feeds"][0]["status"] == "ok"
