"""``claimwatch once`` with the shipped seed baseline: the expected alert lines and novelty."""

from __future__ import annotations

import shutil
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

from tests.e2e.helpers import Workdir
from tests.servers import HTML_TYPE, FeedServer

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]

# Our own short reports, dated after the baseline; two outlets repeat one troop figure.
REPORTS = {
    "wire-a": [
        (
            "a1",
            "Thu, 13 Jan 2022 09:00:00 GMT",
            "Peacekeepers begin leaving Kazakhstan",
            "The CSTO said its force in Kazakhstan had numbered 2,030 servicemen. "
            "The first units began withdrawing from Almaty on Thursday, the alliance said.",
        ),
        (
            "a2",
            "Sat, 15 Jan 2022 12:00:00 GMT",
            "Kazakhstan gives death toll",
            "Prosecutors in Kazakhstan said 225 people were killed during the unrest.",
        ),
        (
            "a3",
            "Sun, 16 Jan 2022 12:00:00 GMT",
            "Kazakh tennis player wins in Adelaide",
            "A Kazakh tennis player won her first-round match in Adelaide on Sunday.",
        ),
    ],
    "wire-b": [
        (
            "b1",
            "Fri, 14 Jan 2022 08:00:00 GMT",
            "Alliance confirms size of Kazakhstan mission",
            "A CSTO spokesman confirmed that 2,030 peacekeepers had been sent to Kazakhstan.",
        ),
    ],
}


def _feed(server: FeedServer, items: list[tuple[str, str, str, str]]) -> str:
    body = "".join(
        f"<item><guid>{server.url('/p/' + guid)}</guid><title>{escape(title)}</title>"
        f"<link>{server.url('/p/' + guid)}</link><pubDate>{date}</pubDate>"
        f"<description>{escape(text)}</description></item>"
        for guid, date, title, text in items
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>{body}</channel></rss>'
    )


def _page(title: str, text: str) -> str:
    article = f"<article><h1>{escape(title)}</h1><p>{escape(text)}</p></article>"
    return f"<html><body>{article}</body></html>"


def test_seed_baseline_alert_lines(work: Workdir) -> None:
    (work.root / "baselines" / "freedonia.yaml").unlink()
    shutil.copy(ROOT / "baselines" / "kazakhstan-2022-01.yaml", work.root / "baselines")
    for feed, items in REPORTS.items():
        work.server.route(f"/{feed}.xml", _feed(work.server, items))
        for guid, _, title, text in items:
            work.server.route(f"/p/{guid}", _page(title, text), content_type=HTML_TYPE)
    work.write_config(list(REPORTS))

    result = work.run("once")
    assert result.returncode == 0, result.stderr
    alerts = work.alerts()
    got = {(a["article_url"].rsplit("/", 1)[1], a["claim_id"], a["kind"]) for a in alerts}
    assert got == {
        ("a1", "csto-troop-count", "contradiction"),
        ("a1", "csto-withdrawal", "follow_up"),
        ("b1", "csto-troop-count", "contradiction"),
        ("a2", "casualties", "follow_up"),
    }, alerts
    troops = [a for a in alerts if a["claim_id"] == "csto-troop-count"]
    assert {a["value"] for a in troops} == {2030}
    assert sorted(a["novel"] for a in troops) == [False, True]  # one outlet repeats the other
    (toll,) = [a for a in alerts if a["claim_id"] == "casualties"]
    assert toll["value"] == 225 and "225" in toll["evidence"] and toll["novel"] is True
    withdrawal = next(a for a in alerts if a["claim_id"] == "csto-withdrawal")
    assert "started" in withdrawal["reason"]
