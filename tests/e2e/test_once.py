"""``claimwatch once`` as a subprocess against the loopback feed server."""

from __future__ import annotations

import json

import pytest

from tests.e2e.helpers import Workdir
from tests.smtp_server import SmtpServer

pytestmark = pytest.mark.slow

CONTRACT = {
    "alert_id",
    "kind",
    "claim_id",
    "baseline_id",
    "article_url",
    "article_title",
    "feed",
    "published",
    "evidence",
    "reason",
    "detected_at",
    "novel",
    "value",
}


def test_once_writes_alert_lines(work: Workdir) -> None:
    work.serve_news()
    work.write_config(["news"])
    result = work.run("once")
    assert result.returncode == 0, result.stderr
    alerts = work.alerts()
    assert alerts, result.stderr
    for alert in alerts:
        assert set(alert) >= CONTRACT
        assert alert["feed"] == "news" and alert["baseline_id"] == "freedonia"
        assert alert["article_url"] == work.server.url("/articles/g1")
        assert alert["novel"] is True
    pages = {r.path for r in work.server.requests if r.path.startswith("/articles/")}
    assert pages == {"/articles/g1"}  # fetch_articles = relevant
    assert work.integrity() == "ok"


def test_second_run_is_conditional_and_adds_nothing(work: Workdir) -> None:
    work.serve_news()
    work.write_config(["news"])
    assert work.run("once").returncode == 0
    first_alerts = work.alerts()
    entries = work.query("SELECT feed, entry_id, processed_at FROM entries ORDER BY entry_id")
    work.server.clear_requests()

    result = work.run("once", "--log-format", "json")
    assert result.returncode == 0, result.stderr
    (request,) = work.server.requests_for("/news.xml")
    assert request.headers["if-none-match"] == '"v1"'
    events = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    (poll,) = [e for e in events if e["event"] == "feed.poll"]
    assert (poll["status"], poll["http_status"]) == ("not_modified", 304)
    assert not [r for r in work.server.requests if r.path.startswith("/articles/")]
    assert work.alerts() == first_alerts
    assert work.query("SELECT feed, entry_id, processed_at FROM entries ORDER BY entry_id") == (
        entries
    )


def test_alerts_command_lists_delivery_state(work: Workdir) -> None:
    work.serve_news()
    work.write_config(["news"])
    assert work.run("once").returncode == 0
    listing = work.run("alerts")
    assert listing.returncode == 0, listing.stderr
    assert "freedonia/bridge" in listing.stdout and "log: delivered" in listing.stdout
    as_json = work.run("alerts", "--json", "--limit", "1")
    (line,) = as_json.stdout.splitlines()
    assert json.loads(line)["deliveries"] == {"log": "delivered"}


def test_alerts_to_stdout(work: Workdir) -> None:
    work.serve_news()
    work.write_config(["news"], alert_path="-")
    result = work.run("once")
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert lines and all(set(line) >= CONTRACT for line in lines)


def test_a_failing_feed_is_reported_and_others_go_on(work: Workdir) -> None:
    work.serve_news()
    work.server.route("/broken.xml", status=500)
    work.write_config(["broken", "news"])
    result = work.run("once", "--log-format", "json")
    assert result.returncode == 0, result.stderr
    assert work.alerts()
    events = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    (failure,) = [e for e in events if e["event"] == "feed.poll" and e["feed"] == "broken"]
    assert failure["status"] == "failed" and failure["http_status"] == 500
    assert failure["url"] == work.server.url("/broken.xml") and "500" in failure["error"]
    assert work.query("SELECT consecutive_failures FROM feeds WHERE name = 'broken'") == [(1,)]


def test_once_exits_3_when_every_feed_failed_and_4_when_a_delivery_was_refused(
    work: Workdir,
) -> None:
    work.server.route("/broken.xml", status=500)
    work.write_config(["broken"])
    failed = work.run("once")
    assert failed.returncode == 3, failed.stderr
    assert "1 feeds failed" in failed.stderr

    work.serve_news()
    with SmtpServer() as smtp:
        smtp.replies.append("550 5.1.1 no such mailbox")
        email = [
            "[alerts.email]",
            'host = "127.0.0.1"',
            f"port = {smtp.port}",
            'security = "none"',
            'sender = "claimwatch@example.org"',
            'recipients = ["desk@example.org"]',
        ]
        work.write_config(["news"], sections=email)
        refused = work.run("once")
    assert refused.returncode == 4, refused.stderr
    assert "1 deliveries refused" in refused.stderr and "550 5.1.1" in refused.stderr
    assert len(work.alerts()) == 1  # the other sink delivered
