"""Prometheus metrics of one running service, in a registry of its own.

One ``Metrics`` per daemon (kept across reloads); tests make as many as they like, since
nothing touches prometheus-client's global registry. Labels are feed names, sink names and
baseline/claim ids, all from the config and baselines: never URLs, entry ids or article text.

The pipeline reports each feed cycle (``feed_cycle``) and each processed entry
(``entry_processed``), the outbox each delivery outcome (``delivery``); the outbox backlog is
read from the store when ``/metrics`` is scraped (``set_backlog``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    Info,
    PlatformCollector,
    ProcessCollector,
    generate_latest,
)

from claimwatch import __version__
from claimwatch.alerts import Alert
from claimwatch.baselines import Baseline
from claimwatch.matching import Finding

POLL_OUTCOMES = ("fetched", "not_modified", "failed", "gone")  # feeds.Outcome
FAILED = ("failed", "gone")
SUCCEEDED = ("fetched", "not_modified")
FINDING_KINDS = ("contradiction", "follow_up")
BACKLOG_STATES = ("pending", "failed")  # deliveries still to be made
CYCLE_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0)


class Metrics:
    """The service's counters, gauges and histograms; ``render`` gives the exposition text."""

    def __init__(self, *, process: bool = True) -> None:
        self.registry = CollectorRegistry()
        reg = self.registry
        if process:  # process_* (CPU, memory, open files) and python_info
            ProcessCollector(registry=reg)
            PlatformCollector(registry=reg)
        Info("claimwatch", "The running claimwatch.", registry=reg).info({"version": __version__})
        self.polls = Counter(
            "claimwatch_feed_polls", "Feed polls by outcome (not_modified: HTTP 304).",
            ["feed", "outcome"], registry=reg,
        )  # fmt: skip
        self.failures = Counter(
            "claimwatch_feed_failures", "Feed polls that failed (outcome failed or gone).",
            ["feed"], registry=reg,
        )  # fmt: skip
        self.disabled = Gauge(
            "claimwatch_feed_disabled", "1 while a feed is disabled (gone, or moved too often).",
            ["feed"], registry=reg,
        )  # fmt: skip
        self.last_success = Gauge(
            "claimwatch_feed_last_success_timestamp_seconds",
            "When the feed last answered (fetched or not modified), Unix time.",
            ["feed"], registry=reg,
        )  # fmt: skip
        self.cycle_seconds = Histogram(
            "claimwatch_feed_cycle_seconds",
            "Duration of one feed cycle: poll, parse, entries, store.",
            ["feed"], buckets=CYCLE_BUCKETS, registry=reg,
        )  # fmt: skip
        self.entries = Counter(
            "claimwatch_entries_processed", "New or changed feed entries processed.",
            ["feed"], registry=reg,
        )  # fmt: skip
        self.findings = Counter(
            "claimwatch_findings", "Detector findings (repeats included) by claim and kind.",
            ["baseline_id", "claim_id", "kind"], registry=reg,
        )  # fmt: skip
        self.alerts = Counter(
            "claimwatch_alerts_stored", "Alerts stored for delivery, by kind.",
            ["kind"], registry=reg,
        )  # fmt: skip
        self.deliveries = Counter(
            "claimwatch_alert_deliveries",
            "Alert delivery outcomes per sink (an alert in a digest counts once).",
            ["sink", "outcome"], registry=reg,
        )  # fmt: skip
        self.backlog = Gauge(
            "claimwatch_outbox_backlog",
            "Deliveries still to make per sink (pending or failed and retried), read at scrape.",
            ["sink"], registry=reg,
        )  # fmt: skip
        self._feeds: set[str] = set()
        self.last_poll_success: datetime | None = None  # any feed's; /healthz reads it

    # ---- what is configured --------------------------------------------------------

    def track(self, feeds: Iterable[str], baselines: Sequence[Baseline]) -> None:
        """Show zeros for configured feeds and claims; forget feeds no longer configured."""
        names = set(feeds)
        for name in self._feeds - names:
            self._forget_feed(name)
        for name in names:
            for outcome in POLL_OUTCOMES:
                self.polls.labels(name, outcome)
            self.failures.labels(name)
            self.entries.labels(name)
        for baseline in baselines:
            for claim in baseline.claims:
                for kind in FINDING_KINDS:
                    self.findings.labels(baseline.id, claim.id, kind)
        self._feeds = names

    def _forget_feed(self, name: str) -> None:
        for outcome in POLL_OUTCOMES:
            self._remove(self.polls, name, outcome)
        for metric in (self.failures, self.disabled, self.last_success, self.cycle_seconds):
            self._remove(metric, name)
        self._remove(self.entries, name)

    @staticmethod
    def _remove(metric: Counter | Gauge | Histogram, *labels: str) -> None:
        with contextlib.suppress(KeyError):  # never observed
            metric.remove(*labels)

    # ---- what happened -------------------------------------------------------------

    def feed_cycle(
        self, feed: str, outcome: str, seconds: float, now: datetime, health: str | None = None
    ) -> None:
        """One feed cycle ended: a FeedReport's ``outcome`` (``disabled`` included) and the
        feed alert it stored (``health``), if any."""
        self._feeds.add(feed)
        if health is not None:
            self.alerts.labels(health).inc()
        self.disabled.labels(feed).set(1 if outcome == "disabled" else 0)
        if outcome == "disabled":
            return  # nothing was polled
        self.polls.labels(feed, outcome).inc()
        if outcome in FAILED:
            self.failures.labels(feed).inc()
        elif outcome in SUCCEEDED:
            self.last_success.labels(feed).set(now.timestamp())
            self.last_poll_success = max(now, self.last_poll_success or now)
        self.cycle_seconds.labels(feed).observe(seconds)

    def entry_processed(
        self, feed: str, findings: Sequence[Finding], stored: Sequence[Alert]
    ) -> None:
        self.entries.labels(feed).inc()
        for finding in findings:
            self.findings.labels(finding.baseline_id, finding.claim_id, finding.kind).inc()
        for alert in stored:
            self.alerts.labels(alert.kind).inc()

    def delivery(self, sink: str, outcome: str, count: int) -> None:
        """``count`` alerts had ``outcome`` (delivered, failed, refused, skipped) at ``sink``."""
        self.deliveries.labels(sink, outcome).inc(count)

    def set_backlog(self, counts: Mapping[tuple[str, str], int]) -> None:
        """From ``Store.delivery_counts()``: every sink with deliveries, zero when none due."""
        backlog: dict[str, int] = {}
        for (sink, state), count in counts.items():
            backlog[sink] = backlog.get(sink, 0) + (count if state in BACKLOG_STATES else 0)
        self.backlog.clear()
        for sink, count in backlog.items():
            self.backlog.labels(sink).set(count)

    def render(self) -> bytes:
        """The Prometheus text exposition format (``prometheus_client.CONTENT_TYPE_LATEST``)."""
        return generate_latest(self.registry)
