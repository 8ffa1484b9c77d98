"""The status page in a real browser: a SQLite state filled from the test corpus, rendered,
loaded in headless Chromium, its DOM, its layout and a screenshot checked.

Skipped where Chromium is missing, except in CI (CI=true), where it must be there.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime, time
from pathlib import Path

import pytest
from PIL import Image

from bench.accuracy import CORPUS_DIR, ROOT, parse_item
from claimwatch.alerts import Alert, build, claim_keys
from claimwatch.articles import Article
from claimwatch.baselines import Baseline, load_baselines
from claimwatch.entries import Entry
from claimwatch.matching import Document, match
from claimwatch.report import build_report
from claimwatch.store import open_store

pytestmark = pytest.mark.slow

CHROMIUM = os.environ.get("CLAIMWATCH_CHROMIUM", "/usr/bin/chromium")
NOW = datetime(2023, 2, 1, 9, 30, tzinfo=UTC)
BROWSER_TIMEOUT = 90  # seconds; a cold Chromium start on a loaded CI machine is slow
# The same alerts on the page as it was before the overview and the collapsed claims (claims
# in file order, a card and a chart for every claim), measured at 1280 px in this Chromium.
HEIGHT_BEFORE = 27_610
# Where the parts of the page sit once laid out: a copy of the page (never the page itself,
# which has no script) writes them into the DOM for --dump-dom to show.
MEASURE = """<script>
const at = (css) => { const e = document.querySelector(css);
  return e ? e.getBoundingClientRect().top + window.scrollY : -1; };
const lines = [...document.querySelectorAll("ul.quiet li")].map((e) => e.offsetHeight);
document.body.dataset.layout = JSON.stringify({
  height: document.documentElement.scrollHeight,
  overview: at("table.overview"), activity: at("ol.activity"),
  baseline: at("section.baseline"), lines: lines.length, tallest: Math.max(0, ...lines),
});
</script>"""


def _chromium() -> str:
    found = shutil.which(CHROMIUM) or shutil.which("chromium")
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is required in CI (apt-get install chromium)")
        pytest.skip("chromium is not installed")
    return found


def _source(path: Path) -> str:
    """The corpus header's ``source:`` (the outlet), used as the feed name."""
    header = path.read_text(encoding="utf-8").partition("\n---\n")[0]
    for line in header.splitlines():
        key, _, value = line.partition(":")
        if key.strip() == "source" and value.strip():
            return value.strip()
    return "unknown"


def _fill(db: Path, baselines: tuple[Baseline, ...]) -> list[Alert]:
    """Every corpus item through the detector and into a real store, in publication order."""
    paths = sorted(CORPUS_DIR.glob("*.txt"))
    items = sorted(
        ((parse_item(p), _source(p)) for p in paths),
        key=lambda pair: (pair[0].published is None, pair[0].published or NOW.date()),
    )
    store = open_store(db)
    try:
        for item, source in items:
            published = (
                datetime.combine(item.published, time(12), tzinfo=UTC) if item.published else None
            )
            entry = Entry(
                feed=source,
                entry_id=item.id,
                url=f"https://news.example/{item.id}",
                title=item.title,
                published=published,
                summary=item.text,
            )
            findings = match(Document(item.title, item.text, published), list(baselines))
            alerts = build(
                findings,
                article=Article(entry, item.text, "entry"),
                detected_at=NOW,
                known_facts=store.known_facts(claim_keys(findings)),
            )
            store.add_alerts(alerts, sinks=("log",))
        return store.all_alerts()
    finally:
        store.close()


@dataclass(frozen=True)
class Rendered:
    page: Path
    baselines: tuple[Baseline, ...]
    alerts: list[Alert]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Rendered:
    folder = tmp_path_factory.mktemp("report")
    baselines = load_baselines(sorted((ROOT / "baselines").glob("*.yaml")))  # one stays quiet
    alerts = _fill(folder / "state.db", baselines)
    page = folder / "report.html"
    page.write_text(build_report(baselines, alerts, now=NOW), encoding="utf-8")
    return Rendered(page, baselines, alerts)


def _run_chromium(
    page: Path, profile: Path, *extra: str, window: str = "1280,2400"
) -> subprocess.CompletedProcess[str]:
    command = [
        _chromium(),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        f"--user-data-dir={profile}",
        f"--window-size={window}",
        *extra,
        page.as_uri(),
    ]
    return subprocess.run(
        command, capture_output=True, text=True, timeout=BROWSER_TIMEOUT, check=False
    )


def test_the_corpus_fills_the_store(rendered: Rendered) -> None:
    alerts = rendered.alerts
    kinds = {a.kind for a in alerts}
    assert kinds == {"contradiction", "follow_up"}
    assert len(alerts) >= 60
    assert any(a.claim_id == "csto-troop-count" and a.value for a in alerts)
    assert any(a.fact.startswith("withdrawal:") for a in alerts)


def test_dom_has_the_claim_table_and_charts(rendered: Rendered, tmp_path: Path) -> None:
    result = _run_chromium(rendered.page, tmp_path / "profile", "--dump-dom")
    assert result.returncode == 0, result.stderr[-2000:]
    dom = result.stdout
    assert '<table class="claims">' in dom
    challenged = {a.claim_id for a in rendered.alerts if a.baseline_id == "kazakhstan-2022-01"}
    rows = re.findall(r'<tr><td><a href="#c-kazakhstan-2022-01-([\w-]+)"', dom)
    assert sorted(rows) == sorted(challenged)  # a row per challenged claim
    story = next(b for b in rendered.baselines if b.id == "kazakhstan-2022-01")
    quiet = len(story.claims) - len(challenged)  # one line each
    assert dom.count('<li id="c-kazakhstan-2022-01-') == quiet
    assert dom.count('<svg class="chart"') >= 8
    assert 'aria-label="Reported figures: about 2,500 CSTO peacekeepers"' in dom
    assert 'class="reference"' in dom
    assert "Reported changes: the temporary CSTO deployment" in dom
    assert "<script" not in dom


def test_the_overview_is_on_the_first_screen_and_the_page_is_shorter(
    rendered: Rendered, tmp_path: Path
) -> None:
    measured = tmp_path / "measured.html"
    page = rendered.page.read_text(encoding="utf-8")
    measured.write_text(page.replace("</body>", MEASURE + "</body>"), encoding="utf-8")
    result = _run_chromium(measured, tmp_path / "profile", "--dump-dom", window="1280,900")
    assert result.returncode == 0, result.stderr[-2000:]
    found = re.search(r'data-layout="([^"]+)"', result.stdout)
    assert found is not None, "the measuring script did not run"
    layout = json.loads(found.group(1).replace("&quot;", '"'))
    print(f"page height {layout['height']} px, before {HEIGHT_BEFORE} px: {layout}")
    assert 0 < layout["overview"] < layout["activity"] < 900  # on the first screen
    assert layout["activity"] < layout["baseline"]  # before any baseline
    assert layout["lines"] >= 1 and layout["tallest"] < 30  # unchallenged claims: one line
    assert layout["height"] < 0.8 * HEIGHT_BEFORE


def test_screenshot_is_not_blank(rendered: Rendered, tmp_path: Path) -> None:
    shot = tmp_path / "report.png"
    result = _run_chromium(rendered.page, tmp_path / "profile", f"--screenshot={shot}")
    assert result.returncode == 0, result.stderr[-2000:]
    with Image.open(shot) as image:
        assert image.size == (1280, 2400)
        rgb = image.convert("RGB")
        colours = rgb.getcolors(maxcolors=1 << 20) or []
        bbox = rgb.point(lambda v: 255 - v).getbbox()  # where anything is not white
    assert len(colours) >= 50, "the page rendered as a few flat colours"
    white = max((count for count, colour in colours if colour == (255, 255, 255)), default=0)
    assert white < 0.97 * 1280 * 2400, "the page is all white"
    assert bbox is not None and bbox[3] > 1500, "content stops near the top of the page"
    saturated = sum(count for count, (r, g, b) in colours if max(r, g, b) - min(r, g, b) > 80)
    assert saturated > 500, "no coloured status badges or chart marks"
