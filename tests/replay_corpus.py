"""A folder of saved Freedonia coverage in every format ``claimwatch replay`` reads.

Dates are chosen so that publication order differs from file-name order: the earliest
report (11 Jan) is in ``b_export.jsonl``, the latest dated one (14 Jan) in ``a_feed.xml``.
Each dated report triggers one alert; the undated ones come last.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests import freedonia

BASELINE = freedonia.baseline(freedonia.BRIDGE, freedonia.TROOPS)

CONFIG = freedonia.CONFIG

FEED = """\
<?xml version="1.0"?>
<rss version="2.0"><channel><title>Freedonia Wire</title>
<item><guid>wire-1</guid><title>Freedonia bridge closed</title>
<link>https://wire.example/1</link>
<description>The bridge in Freedonia was closed by the authorities.</description>
<pubDate>Wed, 12 Jan 2022 10:00:00 GMT</pubDate></item>
<item><guid>wire-2</guid><title>More troops for Freedonia</title>
<link>https://wire.example/2</link>
<description>Some 3,000 troops have now arrived in Freedonia, officials said.</description>
<pubDate>Fri, 14 Jan 2022 10:00:00 GMT</pubDate></item>
</channel></rss>
"""

PAGE = (
    "<html><head><title>Freedonia bridge shut again</title>"
    '<meta property="article:published_time" content="2022-01-13T09:00:00+01:00">'
    '<meta property="og:site_name" content="Freedonia Gazette">'
    '<link rel="canonical" href="https://gazette.example/bridge"></head><body><article>'
    + "".join(
        f"<p>Paragraph {n}: the old bridge in Freedonia was shut by the police on Thursday, "
        "and traffic was sent around the river while engineers looked at it.</p>"
        for n in range(4)
    )
    + "</article></body></html>"
)

EXPORT = [
    {
        "title": "Freedonia bridge closed to traffic",
        "text": "The bridge in Freedonia was closed early on Tuesday.",
        "url": "https://daily.example/bridge",
        "published": "2022-01-11T07:00:00Z",
        "source": "Freedonia Daily",
    },
    {
        "title": "Weather in Sylvania",
        "content": "It rained in Sylvania all week.",
        "published": "2022-01-12",
    },
]

TEXT = """\
Freedonia: the bridge is closed

Residents said the bridge in Freedonia was closed for the whole week.
"""

DATED = ("2022-01-11", "2022-01-12", "2022-01-13", "2022-01-14")  # the alerts' dates, in order


def write_workdir(root: Path) -> Path:
    """claimwatch.toml and the baseline in ``root``; returns the config path."""
    (root / "baselines").mkdir()
    (root / "baselines" / "freedonia.yaml").write_text(BASELINE, encoding="utf-8")
    config = root / "claimwatch.toml"
    config.write_text(CONFIG, encoding="utf-8")
    return config


def write_corpus(folder: Path) -> Path:
    """The saved coverage in ``folder`` (created), one file per format plus a nested one."""
    folder.mkdir(parents=True)
    (folder / "a_feed.xml").write_text(FEED, encoding="utf-8")
    lines = "\n".join(json.dumps(record) for record in EXPORT)
    (folder / "b_export.jsonl").write_text(lines + "\n", encoding="utf-8")
    (folder / "pages").mkdir()
    (folder / "pages" / "c_page.html").write_text(PAGE, encoding="utf-8")
    (folder / "d_note.txt").write_text(TEXT, encoding="utf-8")
    (folder / "README.md").write_text("not coverage: skipped", encoding="utf-8")
    return folder
