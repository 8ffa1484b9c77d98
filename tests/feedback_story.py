"""A made-up story for the feedback tests: a baseline in frames and a helper that turns a
text into the alerts the real detector and ``alerts.build`` make of it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from claimwatch.alerts import Alert, build
from claimwatch.articles import Article
from claimwatch.baselines import Baseline, load_baseline
from claimwatch.entries import Entry
from claimwatch.matching import Document, match
from claimwatch.verdicts import Verdict, VerdictKind

BASELINE = """\
# A ferry lost off Marlow (made up for the tests); comments must survive edits.
id: marlow-ferry
title: "Ferry capsizes off Marlow (early report)"
source: {outlet: Example Courier, url: https://example.org/ferry, date: 2023-03-12}
since: 2023-03-12
languages: [en]
entities:
  vessel: "Silver Tern"
  place: "Marlow|Marlow Point"   # the story's places
  organisation: "Marine Accident Investigation Branch|MAIB"
claims:
  - id: missing
    statement: Fourteen passengers are missing.
    frame: people-count
    fate: missing
    value: 14
    approx: exact
    about: "passenger*|people|crew"
  - id: harbour-closed
    statement: The harbour is closed to shipping until further notice.
    frame: state
    state: closure
    about: "harbour|port"   # the harbour of Marlow
  - id: no-foul-play
    statement: Police see no sign of foul play.
    frame: none
    of: intent
"""

MOMENT = dt.datetime(2023, 3, 14, 9, tzinfo=dt.UTC)


def ferry_baseline(folder: Path, text: str = BASELINE) -> Baseline:
    path = folder / "marlow-ferry.yaml"
    path.write_text(text, encoding="utf-8")
    return load_baseline(path)


def alerts_of(baseline: Baseline, text: str, url: str) -> list[Alert]:
    """What the detector alerts on ``text``, published at ``url`` by a wire feed."""
    entry = Entry("wire", url, url, "Silver Tern news", MOMENT, text)
    findings = match(Document(entry.title, text, MOMENT), [baseline])
    return build(
        findings, article=Article(entry, text, "entry"), detected_at=MOMENT, known_facts=()
    )


def alert_of(baseline: Baseline, text: str, url: str) -> Alert:
    (alert,) = alerts_of(baseline, text, url)
    return alert


def judged(alert: Alert, verdict: VerdictKind, minutes: int = 0) -> tuple[Alert, Verdict]:
    at = MOMENT + dt.timedelta(minutes=minutes)
    return alert, Verdict(alert.alert_id, verdict, "analyst", at)
