"""The made-up story many tests watch: a Freedonia baseline built from a few claims.

Every claim is plain YAML in the baseline format, so tests compose the baseline they need
(``baseline(BRIDGE, FERRY)``) and feeds about Freedonia trigger exactly those claims.
"""

from __future__ import annotations

HEADER = """\
id: freedonia
title: Freedonia test baseline
source: {outlet: Test Gazette, date: 2022-01-09}
subject: {terms: ["Freedonia"]}
claims:
"""
BRIDGE = """\
  - id: bridge
    statement: The Freedonia bridge stayed open.
    about: ["bridge"]
    expect:
      - type: assertion
        contradicted_by: ["bridge + closed|shut"]
"""
FERRY = """\
  - id: ferry
    statement: The Freedonia ferry kept running.
    about: ["ferry"]
    expect:
      - type: assertion
        contradicted_by: ["ferry + suspended|halted"]
"""
PEACEKEEPERS = """\
  - id: troops
    statement: About 2,500 peacekeepers were sent.
    about: ["peacekeep*"]
    expect:
      - type: quantity
        value: 2500
        counts: ["peacekeep*"]
"""
TROOPS = """\
  - id: troops
    statement: About 2,500 peacekeepers were sent to Freedonia.
    about: ["peacekeep*|troops"]
    expect:
      - type: quantity
        value: 2500
        counts: ["peacekeep*|troops|soldiers"]
"""
CONFIG = """\
state = "var/state.db"
baselines = ["baselines"]
[alerts.log]
path = "var/alerts.jsonl"
[[feeds]]
name = "news"
url = "https://example.org/feed.xml"
interval = "10m"
"""  # a config for a folder holding ``baselines/`` (offline: the feed is never polled here)


def baseline(*claims: str) -> str:
    """The Freedonia baseline holding ``claims`` (YAML blocks above), in that order."""
    return HEADER + "".join(claims)
