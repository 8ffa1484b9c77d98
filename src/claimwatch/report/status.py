"""Baselines + alerts -> where each claim stands. Pure: the page and the charts read these records.

A claim is *contradicted* once any report contradicts it, *followed up* once any report adds a
fact to it, and *unchallenged* otherwise. Feed alerts (failing, recovered) concern no claim:
they become a feed-health line per feed. Alerts of claims no loaded baseline holds any more are
counted, not shown, so an edited baseline never hides that they exist.

Claims come in order of latest activity (the newest report first, unchallenged ones last in
file order), and so do baselines: what moved is what an analyst looks at first.

An analyst's calls (triage.py) weigh in: an alert dismissed as a false alarm is left out of
its claim altogether (status, figures, timelines, evidence; only counted as dismissed), a
confirmed one is marked, and a muted or closed claim carries its state.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from claimwatch.alerts import FEED_KINDS, Alert
from claimwatch.baselines import Baseline, Claim
from claimwatch.triage import NO_TRIAGE, Triage
from claimwatch.verdicts import ClaimState

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
    alerts: tuple[Alert, ...]  # every alert of the claim, in report order
    confirmed: frozenset[str] = frozenset()  # ids of its alerts an analyst confirmed
    # its alerts dismissed as false alarms, newest first: in none of the above, shown folded
    dismissed_alerts: tuple[Alert, ...] = ()
    hold: ClaimState | None = None  # muted or closed; None when open

    @property
    def dismissed(self) -> int:
        return len(self.dismissed_alerts)

    @property
    def latest(self) -> tuple[Alert, ...]:
        """Its newest reports, newest first, at most LATEST."""
        return tuple(reversed(self.alerts[-LATEST:]))

    @property
    def last_report(self) -> datetime | None:
        return reported_at(self.latest[0]) if self.latest else None

    def new_since(self, since: datetime) -> int:
        """Alerts claimwatch found at or after ``since`` (detection, not publication)."""
        return sum(utc(a.detected_at) >= since for a in self.alerts)


@dataclass(frozen=True, slots=True)
class BaselineStatus:
    baseline: Baseline
    claims: tuple[ClaimStatus, ...]

    def count(self, status: Status) -> int:
        return sum(c.status == status for c in self.claims)

    def tally(self, kind: str) -> int:
        """Alerts of ``kind`` (contradiction, follow_up) over every claim."""
        return sum(a.kind == kind for c in self.claims for a in c.alerts)

    @property
    def alerts(self) -> int:
        return sum(len(c.alerts) for c in self.claims)

    @property
    def challenged(self) -> int:
        return sum(c.status != "unchallenged" for c in self.claims)

    @property
    def last_report(self) -> datetime | None:
        return max((c.last_report for c in self.claims if c.last_report), default=None)

    def new_since(self, since: datetime) -> int:
        return sum(c.new_since(since) for c in self.claims)


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
    since: datetime  # alerts found from then on count as new


def by_activity(last_report: datetime | None) -> tuple[bool, float]:
    """A sort key: the latest report first, never-reported last (``sorted`` keeps their order)."""
    return (last_report is None, -last_report.timestamp() if last_report else 0.0)


def claim_status(
    claim: Claim, alerts: Sequence[Alert], triage: Triage = NO_TRIAGE, baseline_id: str = ""
) -> ClaimStatus:
    """The status of one claim from its own alerts, the dismissed ones left out."""
    counted = triage.counted(alerts)
    ordered = tuple(sorted(counted, key=reported_at))
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
        alerts=ordered,
        confirmed=frozenset(a.alert_id for a in ordered if triage.confirmed(a)),
        dismissed_alerts=tuple(
            sorted((a for a in alerts if not triage.counts(a)), key=reported_at, reverse=True)
        ),
        hold=triage.hold(baseline_id, claim.id),
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


def _baseline_status(
    baseline: Baseline, by_claim: dict[tuple[str, str], list[Alert]], triage: Triage
) -> BaselineStatus:
    claims = [
        claim_status(c, by_claim.pop((baseline.id, c.id), []), triage, baseline.id)
        for c in baseline.claims
    ]
    return BaselineStatus(baseline, tuple(sorted(claims, key=lambda c: by_activity(c.last_report))))


def overview(
    baselines: Sequence[Baseline],
    alerts: Sequence[Alert],
    *,
    since: datetime,
    triage: Triage = NO_TRIAGE,
) -> Overview:
    """Every baseline's claims with their status, latest activity first, and the feeds' health."""
    by_claim: dict[tuple[str, str], list[Alert]] = {}
    for alert in alerts:
        if alert.kind not in FEED_KINDS:
            by_claim.setdefault((alert.baseline_id, alert.claim_id), []).append(alert)
    shown = [_baseline_status(b, by_claim, triage) for b in baselines]
    return Overview(
        baselines=tuple(sorted(shown, key=lambda b: by_activity(b.last_report))),
        feeds=feed_health(alerts),
        unknown_claims=sum(len(triage.counted(group)) for group in by_claim.values()),
        reports=sum(b.alerts for b in shown),
        since=utc(since),
    )
