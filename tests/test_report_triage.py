"""The status page for triage: overview first, latest activity first, quiet claims and
baselines collapsed, filters (anchors in the file, query links when served), figure summaries
that match the evidence, and axis labels that fit."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime, time
from pathlib import Path

import pytest

from bench.accuracy import CORPUS_DIR, ROOT, parse_item
from claimwatch.alerts import Alert, FactKey, build
from claimwatch.articles import Article
from claimwatch.baselines import Baseline, load_baseline, load_baselines
from claimwatch.demo import reports
from claimwatch.entries import Entry
from claimwatch.matching import Document, match
from claimwatch.report import FilterError, PageFilter, PageView, build_report, parse_filter
from claimwatch.report.axes import compact_label
from claimwatch.report.cards import gist
from claimwatch.report.svg import text_width
from tests.freedonia import BRIDGE, TROOPS, baseline
from tests.test_report import CASUALTIES, NOW, SVG, WITHDRAWAL, alert, parsed, svgs

QUIET = """\
id: quiet
title: A story nobody followed up
source: {outlet: Test Post, date: 2022-01-05}
subject: {terms: ["Sylvania"]}
claims:
  - id: rain
    statement: It rained in Sylvania all week.
    about: ["rain*"]
    expect:
      - type: assertion
        contradicted_by: ["dry|drought"]
"""


@pytest.fixture
def stories(tmp_path: Path) -> list[Baseline]:
    """A quiet baseline first in file order, then the Freedonia story coverage moves."""
    (tmp_path / "quiet.yaml").write_text(QUIET, encoding="utf-8")
    (tmp_path / "freedonia.yaml").write_text(
        baseline(TROOPS, BRIDGE, WITHDRAWAL, CASUALTIES), encoding="utf-8"
    )
    return [load_baseline(tmp_path / "quiet.yaml"), load_baseline(tmp_path / "freedonia.yaml")]


MOVES = [
    alert("troops", "contradiction", fact="value:3000", value=3000, day=0, feed="Wire"),
    alert("casualties", fact="deaths:12", value=12, day=2, feed="Post"),
    alert("bridge", "contradiction", day=5, feed="Post"),
    alert("troops", "contradiction", fact="value:2000", value=2000, day=1, feed="Post"),
    alert("casualties", fact="deaths:20", value=20, day=3, feed="Wire"),
]


def ids_in_order(page: str, pattern: str) -> list[str]:
    return re.findall(pattern, page)


def section(page: str, start: str, end: str) -> str:
    return page[page.index(start) : page.index(end, page.index(start))]


# ---- layout and order -----------------------------------------------------------------------


def test_the_overview_comes_first(stories: list[Baseline]) -> None:
    page = build_report(stories, MOVES, now=NOW)
    first_baseline = page.index('<section class="baseline"')
    for part in ('<nav class="filters"', '<table class="overview">', "Latest activity"):
        assert page.index(part) < first_baseline
    rows = re.findall(r"<tr><td><a href=\"#b-([\w-]+)\">.*?</a></td>(.*?)</tr>", page)
    counts = {ident: re.findall(r'<td class="n">(\d+)</td>', cells) for ident, cells in rows}
    # alerts, contradictions, follow-ups, new, claims challenged, unchallenged
    assert counts["freedonia"] == ["5", "3", "2", "0", "3", "1"]
    assert counts["quiet"] == ["0", "0", "0", "0", "0", "1"]
    assert [ident for ident, _ in rows] == ["freedonia", "quiet"]  # activity first


def test_claims_come_in_order_of_latest_activity(stories: list[Baseline]) -> None:
    page = build_report(stories, MOVES, now=NOW)
    cards = ids_in_order(page, r'<article class="claim" id="c-freedonia-(\w+)">')
    assert cards == ["bridge", "casualties", "troops"]  # newest report first
    activity = section(page, '<ol class="activity">', "</ol>")
    assert ids_in_order(activity, r'href="#c-freedonia-(\w+)"') == cards
    assert "contradicted by Wire: 2,000" not in activity  # the latest troops report is Post's
    assert "contradicted by Post: 2,000" in activity
    toc = section(page, '<nav class="toc"', "</nav>")
    assert ids_in_order(toc, r'href="#(b-\w+|c-\w+-\w+)"') == [
        "b-freedonia",
        *(f"c-freedonia-{c}" for c in [*cards, "withdrawal"]),
        "b-quiet",
        "c-quiet-rain",
    ]


def test_unchallenged_claims_and_quiet_baselines_are_one_line(stories: list[Baseline]) -> None:
    page = build_report(stories, MOVES, now=NOW)
    line = re.search(r'<li id="c-freedonia-withdrawal" title=[^>]*>(.*?)</li>', page)
    assert line is not None and "The peacekeepers will leave Freedonia soon." in line.group(1)
    assert "<svg" not in line.group(1)
    assert 'aria-label="Reported changes: the peacekeepers present for now"' not in page
    assert len(svgs(page)) == 2  # troops' figures and casualties' deaths, nothing empty
    quiet = page.index('<details class="baseline quiet" id="b-quiet">')
    assert quiet > page.index('<section class="baseline" id="b-freedonia">')
    assert "1 claim, none challenged yet" in page
    assert '<section class="baseline" id="b-quiet">' not in page


def test_new_counts_what_was_found_since(stories: list[Baseline]) -> None:
    since = MOVES[4].detected_at  # casualties' 20 deaths and the bridge were found since
    page = build_report(stories, MOVES, now=NOW, view=PageView(PageFilter(since=since)))
    assert "2 new since 13 Jan 2022 13:00 UTC" in page
    bridge = section(page, 'id="c-freedonia-bridge"', "</article>")
    assert '<span class="badge new">new</span>' in bridge
    troops = section(page, 'id="c-freedonia-troops"', "</article>")
    assert "badge new" not in troops


# ---- filters --------------------------------------------------------------------------------


def targets(page: str) -> set[str]:
    return set(re.findall(r'\sid="([^"]+)"', page))


def test_file_filters_are_anchors_into_the_index(stories: list[Baseline]) -> None:
    page = build_report(stories, MOVES, now=NOW)
    hrefs = parsed(page).hrefs
    assert not [h for h in hrefs if h.startswith("?")]  # a file cannot be rendered again
    fragments = {h[1:] for h in hrefs if h.startswith("#")}
    assert fragments <= targets(page), fragments - targets(page)  # every link lands somewhere
    for group in ("f-status-contradicted", "f-status-followed-up", "f-kind-follow-up"):
        assert f'href="#{group}"' in page
    contradicted = section(page, '<details id="f-status-contradicted">', "</details>")
    assert ids_in_order(contradicted, r'href="#c-freedonia-(\w+)"') == ["bridge", "troops"]
    unchallenged = section(page, '<details id="f-status-unchallenged">', "</details>")
    assert ids_in_order(unchallenged, r'href="#c-(\w+-\w+)"') == [
        "freedonia-withdrawal",
        "quiet-rain",
    ]
    sources = section(page, '<details id="f-sources">', "</details>")
    assert re.search(r"<li id=\"f-src-\w+\">Post: .*bridge.*casualties.*troops", sources)


def test_served_filters_are_query_links(stories: list[Baseline]) -> None:
    chosen = PageFilter(kind="contradiction")
    page = build_report(stories, MOVES, now=NOW, view=PageView(chosen, served=True))
    hrefs = parsed(page).hrefs
    assert "?status=contradicted&kind=contradiction" in hrefs  # the other choices are kept
    assert "?kind=contradiction&source=Post" in hrefs
    assert "?" in hrefs  # show everything
    assert '<a href="?kind=contradiction" aria-current="true" class="on">all</a>' in page
    assert '<section class="index"' not in page  # the links filter; no index needed


def test_a_filter_narrows_what_is_shown_not_the_status(stories: list[Baseline]) -> None:
    by_source = build_report(
        stories, MOVES, now=NOW, view=PageView(PageFilter(source="Wire"), served=True)
    )
    cards = ids_in_order(by_source, r'<article class="claim" id="c-freedonia-(\w+)">')
    assert cards == ["casualties", "troops"]  # the bridge has no report from Wire
    troops = section(by_source, 'id="c-freedonia-troops"', "</article>")
    assert "st-contradicted" in troops and "1 of 2 shown by the filter" in troops
    assert "2022-01-11" not in troops  # Post's report of 11 January is not shown
    assert "Showing only source Wire" in by_source
    quiet = build_report(
        stories, MOVES, now=NOW, view=PageView(PageFilter(status="unchallenged"), served=True)
    )
    assert '<article class="claim"' not in quiet
    assert ids_in_order(quiet, r'<li id="c-(\w+-\w+)" title=') == [
        "freedonia-withdrawal",
        "quiet-rain",
    ]
    follow_ups = build_report(
        stories, MOVES, now=NOW, view=PageView(PageFilter(kind="follow_up"), served=True)
    )
    assert ids_in_order(follow_ups, r'<article class="claim" id="c-freedonia-(\w+)">') == [
        "casualties"
    ]


def test_parse_filter_reads_the_forms_people_type() -> None:
    assert parse_filter({"status": "followed-up", "kind": "follow-up", "source": " Wire "}) == (
        PageFilter(status="followed up", kind="follow_up", source="Wire")
    )
    assert parse_filter({"status": "Followed up", "kind": "FOLLOW_UP"}) == PageFilter(
        status="followed up", kind="follow_up"
    )
    assert parse_filter({"status": "all", "kind": "", "page": "2"}) == PageFilter()
    since = parse_filter({"since": "2022-01-12"}).since
    assert since == datetime(2022, 1, 12, tzinfo=UTC)
    for query, named in [
        ({"status": "wrong"}, "status: 'wrong' is not one of all, contradicted"),
        ({"kind": "feed_failing"}, "kind: 'feed_failing'"),
        ({"since": "yesterday"}, "since: 'yesterday'"),
        ({"source": "x" * 301}, "source: longer than"),
    ]:
        with pytest.raises(FilterError, match=re.escape(named)):
            parse_filter(query)


# ---- figure summaries, on alerts the detector makes -----------------------------------------


def detected(
    baselines: Iterable[Baseline], texts: Iterable[tuple[str, str, str, datetime]]
) -> list[Alert]:
    """Alerts as the pipeline builds them: matched, novelty counted, in the given order."""
    chosen, known, alerts = list(baselines), set[FactKey](), []
    for ident, title, text, published in texts:
        entry = Entry("Wire", ident, f"https://news.example/{ident}", title, published, text)
        findings = match(Document(title, text, published), chosen)
        made = build(
            findings, article=Article(entry, text, "entry"), detected_at=NOW, known_facts=known
        )
        known.update(a.fact_key for a in made)
        alerts += made
    return alerts


def corpus(*names: str) -> list[tuple[str, str, str, datetime]]:
    items = [parse_item(CORPUS_DIR / f"{name}.txt") for name in names]
    return [
        (i.id, i.title, i.text, datetime.combine(i.published or NOW.date(), time(12), tzinfo=UTC))
        for i in items
    ]


def demo(*slugs: str) -> list[tuple[str, str, str, datetime]]:
    chosen = [r for r in reports() if r["slug"] in slugs]
    return [
        (r["slug"], r["title"], r["text"], datetime.fromisoformat(r["published"])) for r in chosen
    ]


@pytest.fixture(scope="module")
def shipped() -> dict[str, Baseline]:
    paths = [
        ROOT / "baselines" / f"{name}.yaml" for name in ("ever-given-2021-03", "kazakhstan-2022-01")
    ]
    return {b.id: b for b in load_baselines(paths)}


def test_queue_figures_in_the_evidence_are_not_called_missing(shipped: dict[str, Baseline]) -> None:
    """The detector fires on "rose to" and "peak" and carries no figure; the evidence gives
    369 and 422 ships: the page says so instead of "no figure reported yet"."""
    story = shipped["ever-given-2021-03"]
    alerts = detected([story], corpus("eg-queue-02", "eg-queue-01"))
    ships = [a for a in alerts if a.claim_id == "ships-waiting"]
    assert ships and all(a.value is None for a in ships)
    page = build_report([story], alerts, now=NOW)
    card = section(page, 'id="c-ever-given-2021-03-ships-waiting"', "</article>")
    assert "no figure reported yet" not in card.lower()
    note = re.search(r'<p class="muted figure-note">(.*?)</p>', card)
    assert note is not None
    assert note.group(1) == (
        "No figure read for more than 150 ships waiting; figures in the evidence: 369, 422."
    )
    assert "<svg" not in card  # no empty chart beside them


def test_injured_figure_in_the_evidence_is_named(shipped: dict[str, Baseline]) -> None:
    story = shipped["kazakhstan-2022-01"]
    alerts = detected([story], demo("toll-rises"))
    assert any(a.claim_id == "investigation" and a.value == 9900 for a in alerts)
    page = build_report([story], alerts, now=NOW)
    card = section(page, 'id="c-kazakhstan-2022-01-investigation"', "</article>")
    assert "4,500 people were injured" in card  # the evidence
    assert "No figure reported yet" not in card
    assert "No figure read for released; figures in the evidence: More than 4,500." in card


def test_state_wording_stays_with_what_the_alert_says(shipped: dict[str, Baseline]) -> None:
    story = shipped["kazakhstan-2022-01"]
    alerts = detected([story], demo("csto-first-units-leave"))
    (withdrawal,) = [a for a in alerts if a.claim_id == "csto-withdrawal"]
    stage = withdrawal.fact.partition(":")[2]
    page = build_report([story], alerts, now=NOW)
    card = section(page, 'id="c-kazakhstan-2022-01-csto-withdrawal"', "</article>")
    assert f"Reported: withdrawal {stage} in 1 report." in card  # the alert's own stage
    activity = section(page, '<ol class="activity">', "</ol>")
    assert f"withdrawal {stage} (“left”)" in activity  # and the words it rests on
    claim = next(c for c in story.claims if c.id == "csto-withdrawal")
    vague = alert("csto-withdrawal", fact="withdrawal:ongoing")
    assert gist(vague, claim) == "withdrawal reported"  # no stage the page could name


# ---- axes -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "unit", "label"),
    [
        (9.6e9, "USD", "$9.6 bn"),
        (9.6e9, None, "9.6 bn"),
        (1.2e8, None, "120 m"),
        (1.25e9, "EUR", "€1.25 bn"),
        (2e9, "currency", "2 bn"),
        (1.5e8, "KZT", "150 m KZT"),
        (450_000, "USD", "$450,000"),
        (0, "USD", "$0"),
        (2500, None, "2,500"),
        (12.5, None, "12.5"),
        (948, "ft", "948 ft"),
        (12_000, "t", "12k t"),
        (3.2e6, "m", "3.2M m"),
    ],
)
def test_compact_labels(value: float, unit: str | None, label: str) -> None:
    assert compact_label(value, unit) == label


MONEY = """\
  - id: trade
    statement: About $9.6 billion of trade is held up every day in Freedonia.
    frame: money
    matter: damages
    value: 9600000000
    unit: USD
    about: "trade"
"""


def test_money_axis_labels_fit_the_margin(tmp_path: Path) -> None:
    (tmp_path / "money.yaml").write_text(baseline(MONEY), encoding="utf-8")
    story = load_baseline(tmp_path / "money.yaml")
    alerts = [
        alert("trade", "contradiction", fact="value:15000000000", value=15e9, day=1),
        alert("trade", "contradiction", fact="value:12000000000", value=12e9, day=2),
    ]
    (svg,) = svgs(build_report([story], alerts, now=NOW))
    ticks = [t.text or "" for t in svg.iter(f"{SVG}text") if t.get("class") == "tick"]
    values = [t for t in ticks if t.startswith("$")]
    assert values == ["$0", "$5 bn", "$10 bn", "$15 bn", "$20 bn"]
    left = min(
        float(line.get("x1", 0)) for line in svg.iter(f"{SVG}line") if line.get("class") == "grid"
    )
    assert left >= 6 + max(text_width(v, 11) for v in values)  # nothing cut at the edge
    marks = [t.text for t in svg.iter(f"{SVG}text") if t.get("class") == "value"]
    assert marks == ["$15 bn", "$12 bn"]
    assert "baseline: about $9.6 bn" in [t.text for t in svg.iter(f"{SVG}text")]
