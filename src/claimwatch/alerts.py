"""Finding -> Alert: a stable alert_id, novelty against earlier alerts, the JSON Lines contract.

``build`` is pure: the caller passes the facts already alerted (from the store) and the time.
An alert is *novel* unless the same fact was already alerted for the same claim and kind;
a repeated fact is still an alert (every finding is reported), only marked ``novel: false``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from claimwatch.articles import Article
from claimwatch.matching.explain import ClaimExplanation, Explanation
from claimwatch.matching.findings import Finding, Kind
from claimwatch.why import for_alert

ALERT_ID_LENGTH = 20  # hex characters of the sha256

FeedKind = Literal["feed_failing", "feed_recovered"]  # operator alerts about a feed (health.py)
FEED_KINDS: tuple[FeedKind, ...] = ("feed_failing", "feed_recovered")
TestKind = Literal["test"]  # ``claimwatch alerts test``: sent at once, never stored (sinkcheck.py)
TEST_KIND: TestKind = "test"
AlertKind = Kind | FeedKind | TestKind
ClaimKey = tuple[str, str, str]  # (baseline_id, claim_id, kind)
FactKey = tuple[str, str, str, str]  # (baseline_id, claim_id, kind, fact)


@dataclass(frozen=True, slots=True)
class Alert:
    """One alert, exactly the fields of one JSON Lines record (plus ``entry_id``).

    A feed alert (``FEED_KINDS``, see health.py) has no baseline or claim; its ``published``
    is since when the feed is in trouble and its ``evidence`` the last error. A test alert
    (``TEST_KIND``) is about no claim either: ``evidence`` names the claimwatch and config
    that sent it, ``reason`` says it is a test.
    """

    alert_id: str
    kind: AlertKind
    baseline_id: str
    claim_id: str
    article_url: str | None
    article_title: str
    feed: str
    entry_id: str
    published: datetime | None
    evidence: str
    reason: str
    detected_at: datetime
    novel: bool
    value: float | None
    fact: str
    score: float
    highlight: tuple[int, int] | None = None  # span of the decisive phrase in ``evidence``
    why: ClaimExplanation | None = None  # what fired and what else was decided (why.py)

    @property
    def claim_key(self) -> ClaimKey:
        return (self.baseline_id, self.claim_id, self.kind)

    @property
    def fact_key(self) -> FactKey:
        return (self.baseline_id, self.claim_id, self.kind, self.fact)


def alert_id(article_key: str, baseline_id: str, claim_id: str, kind: str) -> str:
    """Stable id: the same article, claim and kind always give the same id."""
    material = "\x1f".join((article_key, baseline_id, claim_id, kind)).encode("utf-8")
    return hashlib.sha256(material).hexdigest()[:ALERT_ID_LENGTH]


def article_key(feed: str, entry_id: str, url: str | None) -> str:
    """The article's identity: its canonical URL, else its feed and entry id."""
    return url if url else f"{feed}\x1f{entry_id}"


def strongest(findings: Iterable[Finding]) -> list[Finding]:
    """One finding per (baseline, claim, kind): the highest score, first one on a tie."""
    best: dict[ClaimKey, Finding] = {}
    for finding in findings:
        key = (finding.baseline_id, finding.claim_id, finding.kind)
        kept = best.get(key)
        if kept is None or finding.score > kept.score:
            best[key] = finding
    return list(best.values())


def claim_keys(findings: Iterable[Finding]) -> set[ClaimKey]:
    """The (baseline, claim, kind) triples whose known facts ``build`` needs."""
    return {(f.baseline_id, f.claim_id, f.kind) for f in findings}


def build(
    findings: Sequence[Finding],
    *,
    article: Article,
    detected_at: datetime,
    known_facts: Iterable[FactKey],
    explanation: Explanation | None = None,
) -> list[Alert]:
    """Alerts for one article's findings; novelty counts earlier alerts and this batch.
    With the findings' ``explanation`` (why.explain), each alert keeps its claim's why."""
    entry = article.entry
    key = article_key(entry.feed, entry.entry_id, entry.url)
    seen = set(known_facts)
    alerts: list[Alert] = []
    for finding in strongest(findings):
        fact = (finding.baseline_id, finding.claim_id, finding.kind, finding.fact)
        alerts.append(
            Alert(
                alert_id=alert_id(key, finding.baseline_id, finding.claim_id, finding.kind),
                kind=finding.kind,
                baseline_id=finding.baseline_id,
                claim_id=finding.claim_id,
                article_url=entry.url,
                article_title=entry.title,
                feed=entry.feed,
                entry_id=entry.entry_id,
                published=entry.published,
                evidence=finding.evidence,
                reason=finding.reason,
                detected_at=detected_at,
                novel=fact not in seen,
                value=finding.value,
                fact=finding.fact,
                score=finding.score,
                highlight=finding.highlight,
                why=None
                if explanation is None
                else for_alert(explanation, finding.baseline_id, finding.claim_id, finding.kind),
            )
        )
        seen.add(fact)
    return alerts


def iso(moment: datetime | None) -> str | None:
    """ISO 8601 in UTC with a ``Z``-free ``+00:00`` offset, or None."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat()


def to_json(alert: Alert) -> dict[str, Any]:
    """The JSON Lines record: flat, stable keys, dates as ISO 8601 UTC strings.

    A feed alert adds ``since`` and ``error``, the same as ``published`` and ``evidence``; a
    test alert adds ``"test": true``, so that readers of the log can skip it. ``why`` is the
    one nested value: the detector's explanation (why.py), null where none was kept.
    """
    record = {
        "alert_id": alert.alert_id,
        "kind": alert.kind,
        "baseline_id": alert.baseline_id,
        "claim_id": alert.claim_id,
        "article_url": alert.article_url,
        "article_title": alert.article_title,
        "feed": alert.feed,
        "published": iso(alert.published),
        "evidence": alert.evidence,
        "reason": alert.reason,
        "detected_at": iso(alert.detected_at),
        "novel": alert.novel,
        "value": alert.value,
        "fact": alert.fact,
        "score": round(alert.score, 3),
        "why": alert.why.to_dict() if alert.why is not None else None,
    }
    if alert.kind in FEED_KINDS:
        record.update(since=iso(alert.published), error=alert.evidence)
    if alert.kind == TEST_KIND:
        record["test"] = True
    return record
