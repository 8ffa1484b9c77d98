"""Baselines + alerts -> where each claim stands. Pure: the page and the charts read these records.

A claim is *contradicted* once any report contradicts it, *followed up* once any report adds a
fact to it, and *unchallenged* otherwise. Feed alerts (failing, recovered) concern no claim:
they become a feed-health line per feed. Alerts of claims no loaded baseline holds any more are
counted, not shown, so an edited baseline never hides that they exist.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from claimwatch.alerts import FEED_KINDS, Alert
from claimwatch.baselines import Baseline, Claim

LATEST = 3  # pieces of evidence shown per claim
Status = Literal["unchallenged", "followed up", "contradicted"]
STATUSES: tuple[Status, ...] = ("contradicted", "followed up", "unchallenged")


def utc(moment: datetime) -> datetime:
    """Aware UTC; a naive time is taken as UTC, as the store writes them."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def reported_at(alert: Alert) -> datetime:
    """When the report appeared: its publication date, else when claimwatch saw it."""
    return utc(alert.published or alert.detected_at)


@dataclass(frozen=True, slots=True)
class ClaimStatus:
    claim: Claim
    status: Status
    contradictions: int
    follow_ups: int
    new_facts: int  # alerts that reported a fact not alerted before for the claim
    sources: tuple[tuple[str, int], ...]  # (feed, reports), most reports first
    latest: tuple[Alert, ...]  # newest first, at most LATEST
    alerts: tuple[Alert, ...]  # every alert of the claim, in report order

    @property
    def last_report(self) -> datetime | None:
        return reported_at(self.latest[0]) if self.latest else None


@dataclass(frozen=True, slots=True)
class BaselineStatus:
    baseline: Baseline
    claims: tuple[ClaimStatus, ...]

    def count(self, status: Status) -> int:
        return sum(c.status == status for c in self.claims)


@dataclass(frozen=True, slots=True)
class FeedHealth:
    """A feed's latest health alert: failing since when and why, or recovered."""

    feed: str
    kind: str  # feed_failing | feed_recovered
    since: datetime | None
    error: str
    reason: str
    url: str | None
    detected_at: datetime


@dataclass(frozen=True, slots=True)
class Overview:
    baselines: tuple[BaselineStatus, ...]
    feeds: tuple[FeedHealth, ...]
    unknown_claims: int  # alerts about claims that no loaded baseline holds
    reports: int  # claim alerts shown


def claim_status(claim: Claim, alerts: Sequence[Alert]) -> ClaimStatus:
    """The status of one claim from its own alerts."""
    ordered = tuple(sorted(alerts, key=reported_at))
    contradictions = sum(a.kind == "contradiction" for a in ordered)
    follow_ups = sum(a.kind == "follow_up" for a in ordered)
    status: Status = "unchallenged"
    if contradictions:
        status = "contradicted"
    elif follow_ups:
        status = "followed up"
    sources = Counter(a.feed for a in ordered)
    return ClaimStatus(
        claim=claim,
        status=status,
        contradictions=contradictions,
        follow_ups=follow_ups,
        new_facts=sum(a.novel for a in ordered),
        sources=tuple(sorted(sources.items(), key=lambda item: (-item[1], item[0]))),
        latest=tuple(reversed(ordered[-LATEST:])),
        alerts=ordered,
    )


def feed_health(alerts: Sequence[Alert]) -> tuple[FeedHealth, ...]:
    """The latest health alert of each feed that ever had one, failing feeds first."""
    latest: dict[str, Alert] = {}
    for alert in sorted((a for a in alerts if a.kind in FEED_KINDS), key=lambda a: a.detected_at):
        latest[alert.feed] = alert
    rows = [
        FeedHealth(
            feed=a.feed,
            kind=a.kind,
            since=utc(a.published) if a.published else None,
            error=a.evidence,
            reason=a.reason,
            url=a.article_url,
            detected_at=utc(a.detected_at),
        )
        for a in latest.values()
    ]
    return tuple(sorted(rows, key=lambda r: (r.kind != "feed_failing", r.feed)))


def overview(baselines: Sequence[Baseline], alerts: Sequence[Alert]) -> Overview:
    """Every baseline's claims with their status, and the feeds' health."""
    by_claim: dict[tuple[str, str], list[Alert]] = {}
    for alert in alerts:
        if alert.kind not in FEED_KINDS:
            by_claim.setdefault((alert.baseline_id, alert.claim_id), []).append(alert)
    shown = [
        BaselineStatus(b, tuple(claim_status(c, by_claim.pop((b.id, c.id), [])) for c in b.claims))
        for b in baselines
    ]
    reports = sum(len(c.alerts) for b in shown for c in b.claims)
    return Overview(
        baselines=tuple(shown),
        feeds=feed_health(alerts),
        unknown_claims=sum(len(group) for group in by_claim.values()),
        reports=reports,
    )
