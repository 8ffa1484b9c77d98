"""The claim status page: statuses, escaping, safe links, the charts' SVG, an empty database."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest

from claimwatch.alerts import Alert
from claimwatch.baselines import Baseline, load_baseline
from claimwatch.report import build_report
from claimwatch.report.axes import time_ticks, value_ticks
from claimwatch.report.status import overview
from claimwatch.report.svg import source_styles
from tests.freedonia import BRIDGE, TROOPS, baseline

NOW = datetime(2022, 3, 1, 8, 0, tzinfo=UTC)
DAY1 = datetime(2022, 1, 10, 12, 0, tzinfo=UTC)
SVG = "{http://www.w3.org/2000/svg}"

WITHDRAWAL = """\
  - id: withdrawal
    statement: The peacekeepers will leave Freedonia soon.
    about: ["peacekeep*"]
    expect:
      - type: state
        holds: the peacekeepers present for now
        changes:
          - name: withdrawal
            terms: "withdraw*|leav*|left"
"""
CASUALTIES = """\
  - id: casualties
    statement: There were casualties in Freedonia.
    about: ["killed|dead|injur*"]
    expect:
      - type: unquantified
        measures:
          deaths: "killed|dead"
          injured: "injur*"
"""


@pytest.fixture
def freedonia(tmp_path: Path) -> Baseline:
    path = tmp_path / "freedonia.yaml"
    path.write_text(baseline(TROOPS, BRIDGE, WITHDRAWAL, CASUALTIES), encoding="utf-8")
    return load_baseline(path)


def alert(
    claim_id: str,
    kind: str = "follow_up",
    *,
    fact: str = "f",
    value: float | None = None,
    day: int = 0,
    feed: str = "Gazette",
    title: str = "A report",
    url: str | None = "https://news.example/a",
    evidence: str = "A sentence about it.",
    published: bool = True,
    novel: bool = True,
) -> Alert:
    moment = DAY1 + timedelta(days=day)
    return Alert(
        alert_id=f"{claim_id}-{kind}-{day}-{feed}",
        kind=kind,  # type: ignore[arg-type]
        baseline_id="freedonia" if claim_id else "",
        claim_id=claim_id,
        article_url=url,
        article_title=title,
        feed=feed,
        entry_id=f"e{day}",
        published=moment if published else None,
        evidence=evidence,
        reason="Why it matters.",
        detected_at=moment + timedelta(hours=1),
        novel=novel,
        value=value,
        fact=fact,
        score=0.9,
        highlight=None,
    )


class Links(HTMLParser):
    """Every href on the page, and whether a script element appears."""

    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.tags: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.hrefs += [value or "" for name, value in attrs if name == "href"]


def parsed(page: str) -> Links:
    links = Links()
    links.feed(page)
    links.close()
    return links


def svgs(page: str) -> list[ET.Element]:
    """Every inline chart, parsed as XML: it must be well-formed."""
    return [ET.fromstring(m) for m in re.findall(r"<svg .*?</svg>", page, flags=re.S)]


def chart(page: str, label: str) -> ET.Element:
    found = [s for s in svgs(page) if s.get("aria-label") == label]
    assert len(found) == 1, [s.get("aria-label") for s in svgs(page)]
    return found[0]


def mark_positions(svg: ET.Element) -> dict[str, tuple[float, float]]:
    """Marker centre by the tip that names it (circles: every source up to the tenth)."""
    out = {}
    for group in svg.iter(f"{SVG}g"):
        circle, tip = group.find(f"{SVG}circle"), group.find(f"{SVG}title")
        if circle is not None and tip is not None:
            out[tip.text or ""] = (float(circle.get("cx", 0)), float(circle.get("cy", 0)))
    return out


# ---- status -------------------------------------------------------------------------------


def test_statuses_counts_and_latest_evidence(freedonia: Baseline) -> None:
    alerts = [
        alert("troops", "contradiction", fact="value:3000", value=3000, day=0, feed="Wire"),
        alert("troops", "contradiction", fact="value:2000", value=2000, day=2, feed="Post"),
        alert("troops", "contradiction", fact="value:2000", value=2000, day=3, novel=False),
        alert("casualties", fact="deaths:12", value=12, day=1),
        alert("casualties", fact="deaths:15", value=15, day=5, feed="Post"),
        alert("casualties", fact="injured:40", value=40, day=4, published=False),
        alert("casualties", fact="deaths:20", value=20, day=9, feed="Wire"),
    ]
    view = overview([freedonia], alerts, since=NOW)
    claims = {c.claim.id: c for c in view.baselines[0].claims}
    troops, casualties = claims["troops"], claims["casualties"]
    assert (troops.status, troops.contradictions, troops.follow_ups) == ("contradicted", 3, 0)
    assert troops.new_facts == 2
    assert troops.sources == (("Gazette", 1), ("Post", 1), ("Wire", 1))
    assert casualties.status == "followed up"
    assert [a.fact for a in casualties.latest] == ["deaths:20", "deaths:15", "injured:40"]
    assert casualties.last_report == DAY1 + timedelta(days=9)
    assert claims["bridge"].status == claims["withdrawal"].status == "unchallenged"
    assert view.baselines[0].count("unchallenged") == 2
    assert view.reports == len(alerts)


def test_feed_alerts_are_feed_health_not_claims(freedonia: Baseline) -> None:
    failing = alert("", "feed_failing", feed="Flaky", evidence="HTTP 503 <b>busy</b>", day=1)
    recovered = alert("", "feed_recovered", feed="Back", day=2)
    stray = alert("ferry", "contradiction")  # a claim no loaded baseline holds any more
    view = overview([freedonia], [failing, recovered, stray], since=NOW)
    assert view.reports == 0
    assert [(f.feed, f.kind) for f in view.feeds] == [
        ("Flaky", "feed_failing"),
        ("Back", "feed_recovered"),
    ]
    assert view.unknown_claims == 1
    page = build_report([freedonia], [failing, recovered, stray], now=NOW)
    assert "Feed health" in page
    assert "HTTP 503 &lt;b&gt;busy&lt;/b&gt;" in page
    assert "1 stored alert concern" in page


# ---- escaping and links -------------------------------------------------------------------

HOSTILE = '<script>alert("x")</script>'


def test_article_text_is_escaped_everywhere(freedonia: Baseline) -> None:
    alerts = [
        alert(
            "troops",
            "contradiction",
            fact="value:3000",
            value=3000,
            title=HOSTILE,
            evidence=f"Some 3,000 troops {HOSTILE} <img src=x onerror=alert(1)>",
            feed=f"Feed {HOSTILE}",
        ),
        alert("withdrawal", fact="withdrawal:started", title=HOSTILE, feed="<i>f</i>"),
    ]
    page = build_report([freedonia], alerts, now=NOW)
    assert "<script" not in page
    assert "<img" not in page
    assert "<i>f</i>" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert "script" not in parsed(page).tags
    tips = [t.text or "" for s in svgs(page) for t in s.iter(f"{SVG}title")]
    assert any(HOSTILE in tip for tip in tips)  # kept as text inside the SVG, not as markup


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", " JavaScript:alert(1)", "data:text/html,x", "//evil", None]
)
def test_only_http_links_become_links(freedonia: Baseline, url: str | None) -> None:
    alerts = [
        alert("troops", "contradiction", fact="value:3000", value=3000, url=url),
        alert("bridge", "contradiction", url=url, day=1),
        alert("withdrawal", fact="withdrawal:completed", url=url, day=2),
    ]
    hrefs = parsed(build_report([freedonia], alerts, now=NOW)).hrefs
    assert hrefs, "the claim table links to the claims"
    assert all(h.startswith(("#", "https://", "http://")) for h in hrefs), hrefs


def test_http_links_are_kept(freedonia: Baseline) -> None:
    url = "https://news.example/a?x=1&y=2"
    page = build_report([freedonia], [alert("bridge", "contradiction", url=url)], now=NOW)
    assert url in parsed(page).hrefs
    assert 'href="https://news.example/a?x=1&amp;y=2"' in page


# ---- charts -------------------------------------------------------------------------------


def test_figure_chart_marks_every_report_around_the_reference_line(freedonia: Baseline) -> None:
    alerts = [
        alert("troops", "contradiction", fact="value:3000", value=3000, day=0, feed="Wire"),
        alert("troops", "contradiction", fact="value:2030", value=2030, day=1, feed="Post"),
        alert("troops", "contradiction", fact="value:2000", value=2000, day=2, feed="Wire"),
    ]
    page = build_report([freedonia], alerts, now=NOW)
    svg = chart(page, "Reported figures: About 2,500 peacekeepers were sent to Freedonia.")
    marks = mark_positions(svg)
    assert len(marks) == 3  # one mark per report
    (x3000, y3000), (_, y2030), (x2000, y2000) = (
        marks[f"{feed} · 2022-01-{day} · {value} · A report"]
        for feed, day, value in (
            ("Wire", 10, "3,000"),
            ("Post", 11, "2,030"),
            ("Wire", 12, "2,000"),
        )
    )
    reference = svg.find(f".//{SVG}line[@class='reference']")
    assert reference is not None
    ry = float(reference.get("y1", 0))
    assert y3000 < ry < y2030 < y2000  # SVG y grows downwards
    assert x3000 < x2000  # later reports further right
    legend = "".join(t.text or "" for t in svg.iter(f"{SVG}text") if t.get("class") == "legend")
    assert "Post" in legend and "Wire" in legend and "baseline figure" in legend
    assert 'fill="#4e79a7"' in ET.tostring(svg, encoding="unicode")  # sources have colours


def test_unquantified_claim_charts_each_reported_measure(freedonia: Baseline) -> None:
    alerts = [
        alert("casualties", fact="deaths:12", value=12),
        alert("casualties", fact="deaths:30", value=30, day=3),
    ]
    page = build_report([freedonia], alerts, now=NOW)
    svg = chart(page, "Deaths, as reported · There were casualties in Freedonia.")
    assert svg.find(f".//{SVG}line[@class='reference']") is None  # the claim gave no figure
    assert len(mark_positions(svg)) == 2
    assert "No figure reported yet for injured." in page  # its evidence quotes no figure


def test_state_axis_orders_the_stages_in_time(freedonia: Baseline) -> None:
    alerts = [
        alert("withdrawal", fact="withdrawal:announced", day=0, feed="Wire"),
        alert("withdrawal", fact="withdrawal:completed", day=6, feed="Post"),
        alert("withdrawal", "contradiction", fact="contra:indefinitely", day=3, feed="Wire"),
    ]
    page = build_report([freedonia], alerts, now=NOW)
    svg = chart(page, "Reported changes: the peacekeepers present for now")
    labels = [t.text for t in svg.iter(f"{SVG}text") if "lane-label" in (t.get("class") or "")]
    assert labels == [
        "withdrawal announced",
        "withdrawal started",
        "withdrawal completed",
        "contradicted",
    ]
    marks = mark_positions(svg)
    announced = marks["Wire · 2022-01-10 · A report"]
    completed = marks["Post · 2022-01-16 · A report"]
    contradicted = marks["Wire · 2022-01-13 · A report"]
    assert announced[0] < contradicted[0] < completed[0]
    assert announced[1] < completed[1] < contradicted[1]  # lanes top to bottom


def test_many_sources_stay_apart_in_one_chart() -> None:
    styles = source_styles([f"feed {i}" for i in range(25)])
    assert len({(s.colour, s.shape) for s in styles.values()}) == 25


def test_value_and_time_ticks() -> None:
    assert value_ticks(2800) == [0, 1000, 2000, 3000]
    assert value_ticks(12) == [0, 5, 10, 15]
    days = time_ticks(DAY1 - timedelta(days=1), DAY1 + timedelta(days=4))
    assert [label for _, label in days] == ["10 Jan", "11 Jan", "12 Jan", "13 Jan", "14 Jan"]
    fortnight = time_ticks(DAY1, DAY1 + timedelta(days=14))
    assert [label for _, label in fortnight] == [f"{d} Jan" for d in range(11, 24, 2)]
    year = time_ticks(DAY1, DAY1 + timedelta(days=380))
    assert 2 <= len(year) <= 7
    assert all(re.fullmatch(r"[A-Z][a-z]{2} 20\d\d", label) for _, label in year)


# ---- the page -----------------------------------------------------------------------------


def test_empty_database_gives_a_sensible_page(freedonia: Baseline) -> None:
    page = build_report([freedonia], [], now=NOW)
    assert page.startswith("<!DOCTYPE html>")
    assert '<details class="baseline quiet" id="b-freedonia">' in page  # one collapsed line
    assert page.count('<span class="badge st-unchallenged">') == 4  # a line per claim
    assert '<table class="claims">' not in page and '<article class="claim"' not in page
    assert "every claim is unchallenged" in page
    assert not svgs(page)  # no empty chart
    assert "Feed health" not in page


def test_no_baselines_gives_a_sensible_page() -> None:
    page = build_report([], [], now=NOW)
    assert "No baselines are loaded" in page
    assert "1 Mar 2022 08:00 UTC" in page


def test_page_is_self_contained_and_prints(freedonia: Baseline) -> None:
    alerts = [alert("troops", "contradiction", fact="value:3000", value=3000)]
    page = build_report([freedonia], alerts, now=NOW)
    tags = parsed(page).tags
    assert not tags & {"script", "link", "img", "iframe", "object"}
    assert "url(" not in page and "@import" not in page
    assert "@media print" in page
    assert "Test Gazette, 9 January 2022" in page
