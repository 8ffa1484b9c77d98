"""Deliver stored alerts to every sink: per-sink state, capped retries, permanent refusals kept.

Alerts reach the outbox only through the store (written with their entry), so nothing is
fire-and-forget. Each sink drains its own queue: a sink that fails is skipped until its
``next_attempt`` while the others go on. A delivery is marked delivered only after the sink
returned, so a crash in between repeats it (at least once; ``alert_id`` lets readers dedupe,
and the email sink's Message-ID is derived from it). A sink may decline an alert on purpose
(``skipped``: recorded, not retried).

A digest sink (``digest_period`` > 0) is not drained alert by alert: once a period is over,
its alerts (detected in ``[start, start + period)``, periods aligned to the Unix epoch in UTC)
go out as one ``Digest``, and every alert of it is marked with the digest's outcome.

An attempt is recorded before it is made: the deliveries are marked as handed to the sink
(store ``mark_sending``) in a committed transaction, and the outcome clears the mark. When the
process stops in between (killed, or a full disk refuses the record of a sent email), the
outcome is unknown: the next drain holds the delivery for ``hold`` seconds (``[outbox]
unknown_hold``) and then sends it again, logging why, at most ``retries`` times; after that it
is refused (``alerts --retry`` re-queues it; see doubts.py). So a restart loop sends an email
at most once more per hold, not once per restart.

Several daemons share one outbox: an outbox with an ``owner`` claims the deliveries it reads
for ``lease`` seconds, so no other daemon is handed them meanwhile; recording the outcome ends
the claim, and a daemon that dies loses its claims when they expire. A sink's queue stops at a
failure or before its claim runs out, and gives back the claims it did not use.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from claimwatch import doubts
from claimwatch.config import Config, OutboxConfig
from claimwatch.logs import log_event
from claimwatch.sinks import SKIPPED, DeliveryError, Digest, DigestSink, Sink
from claimwatch.store import Delivery, DeliveryUpdate, Store

RETRY_BASE = 30.0  # seconds before the first retry
RETRY_CAP = 3600.0  # never wait longer than this between retries
BATCH = 100
CLAIM = 300.0  # seconds a claimed delivery stays this outbox's (the daemon's [scheduler] lease)
CLAIM_USE = 0.8  # share of a claim spent delivering; the rest is a margin
DIGEST_BATCH = 1000  # alerts read per digest flush
_DEFAULTS = OutboxConfig()  # ``[outbox]`` as shipped: unknown_hold, unknown_retries

logger = logging.getLogger(__name__)

# Told of each outcome: (sink, "delivered" | "failed" | "refused" | "skipped", alerts); metrics.
OutcomeHook = Callable[[str, str, int], None]


def retry_delay(attempts: int, *, base: float = RETRY_BASE, cap: float = RETRY_CAP) -> float:
    """Seconds to wait after the ``attempts``-th failed attempt: doubling, capped."""
    return min(base * 2.0 ** min(max(attempts - 1, 0), 32), cap)


def period_start(moment: datetime, period: float) -> datetime:
    """Start of the digest period holding ``moment``: periods are aligned to the Unix epoch."""
    seconds = moment.timestamp()
    return datetime.fromtimestamp(seconds - seconds % period, UTC)


def digest_sinks(sinks: Mapping[str, Sink]) -> dict[str, DigestSink]:
    """The sinks that take one digest per period instead of alerts one by one."""
    return {
        name: sink
        for name, sink in sinks.items()
        if isinstance(sink, DigestSink) and sink.digest_period > 0
    }


def digests(deliveries: Iterable[Delivery], period: float) -> list[tuple[Digest, list[Delivery]]]:
    """Deliveries grouped into one digest per period, oldest period first."""
    groups: dict[datetime, list[Delivery]] = {}
    for delivery in deliveries:
        groups.setdefault(period_start(delivery.alert.detected_at, period), []).append(delivery)
    return [
        (Digest(start, start + timedelta(seconds=period), tuple(d.alert for d in group)), group)
        for start, group in sorted(groups.items())
    ]


@dataclass(frozen=True, slots=True)
class DrainReport:
    delivered: int = 0
    failed: int = 0
    refused: int = 0
    skipped: int = 0

    def __add__(self, other: DrainReport) -> DrainReport:
        return DrainReport(
            self.delivered + other.delivered,
            self.failed + other.failed,
            self.refused + other.refused,
            self.skipped + other.skipped,
        )


def _utcnow() -> datetime:
    return datetime.now(UTC)


class Outbox:
    """Drains due deliveries; one drain at a time per process."""

    def __init__(
        self,
        store: Store,
        sinks: Mapping[str, Sink],
        *,
        clock: Callable[[], datetime] = _utcnow,
        on_outcome: OutcomeHook | None = None,
        owner: str = "",
        lease: float = CLAIM,
        hold: float = _DEFAULTS.unknown_hold,
        retries: int = _DEFAULTS.unknown_retries,
    ) -> None:
        self.store = store
        self.sinks = dict(sinks)
        self.owner = owner  # "": nothing is claimed (one process has the outbox to itself)
        self.lease = lease  # seconds; a reload may change it between drains
        self.hold = hold  # seconds; as lease
        self.retries = retries
        self.total = DrainReport()  # every drain of this outbox so far (``once``'s exit code)
        self._clock = clock
        self._on_outcome = on_outcome
        self._lock = asyncio.Lock()
        self._doubts_told = False

    def apply(self, config: Config) -> Outbox:
        """Take the settings ``[scheduler]`` and ``[outbox]`` give (at start and on reload)."""
        self.lease = config.scheduler.lease
        self.hold = config.outbox.unknown_hold
        self.retries = config.outbox.unknown_retries
        return self

    async def drain(self) -> DrainReport:
        """Deliver everything due now, then every digest whose period is over.

        A sink stops for this drain at its first failure; the others go on.
        """
        async with self._lock:
            if not self._doubts_told:  # once per process: what an earlier one left
                self._doubts_told = True
                doubts.tell(self.store.in_doubt(self._clock(), doubts.TOLD + 1), self.retries)
            sinks = dict(self.sinks)  # a reload may swap them; this drain keeps its own
            periodic = digest_sinks(sinks)
            single = {name: sink for name, sink in sinks.items() if name not in periodic}
            total = await self._drain_single(single)
            for name, sink in periodic.items():
                total += await self._flush_digests(name, sink)
            self.total += total
            return total

    async def _drain_single(self, sinks: Mapping[str, Sink]) -> DrainReport:
        total, halted = DrainReport(), set[str]()
        while True:
            active = [name for name in sinks if name not in halted]
            now = self._clock()
            due = self._claim(active, now)
            if not due:
                return total
            stop_at = now + timedelta(seconds=self.lease * CLAIM_USE)
            reports = await asyncio.gather(
                *(
                    self._drain_sink(
                        sinks[name], [d for d in due if d.sink == name], halted, stop_at
                    )
                    for name in active
                )
            )
            for report in reports:
                total += report

    def _claim(self, sinks: Sequence[str], now: datetime) -> list[Delivery]:
        """The due deliveries of ``sinks`` (claimed, with an owner)."""
        return self.store.due_deliveries(sinks, now, BATCH, **self._lease(now))

    def _lease(self, now: datetime) -> dict[str, Any]:
        """The claim to make of what is read: for ``lease`` seconds with an owner, else none."""
        if not self.owner:
            return {}
        return {"owner": self.owner, "lease_until": now + timedelta(seconds=self.lease)}

    async def replace_sinks(self, sinks: Mapping[str, Sink]) -> dict[str, Sink]:
        """Swap the sinks between drains (config reload); return the old ones to close."""
        async with self._lock:
            old, self.sinks = self.sinks, dict(sinks)
            return old

    async def _drain_sink(
        self, sink: Sink, queue: list[Delivery], halted: set[str], stop_at: datetime
    ) -> DrainReport:
        """Deliver ``queue`` in order; stop at a failure, or when its claim nears its end.
        Claims on what was not attempted are given back at once rather than left to expire."""
        report = DrainReport()
        for position, delivery in enumerate(queue):
            if self.owner and self._clock() >= stop_at:
                self.store.release_claims(queue[position:], self.owner)
                break
            outcome = await self._deliver(sink, delivery)
            report += outcome
            if outcome.failed:  # a refusal concerns one alert; a failure, the sink
                halted.add(delivery.sink)
                if self.owner:
                    self.store.release_claims(queue[position + 1 :], self.owner)
                break
        return report

    def _attempt(self, group: Sequence[Delivery]) -> DrainReport | None:
        """Record the attempt about to be made on ``group`` (one alert, or one digest), or
        refuse it when earlier attempts of unknown outcome used up the retries."""
        if (why := doubts.given_up(group, self.retries)) is not None:
            return self._refused(group, why)
        now = self._clock()
        self.store.mark_sending(group, now, now + timedelta(seconds=self.hold))
        return None

    async def _deliver(self, sink: Sink, delivery: Delivery) -> DrainReport:
        alert, name = delivery.alert, delivery.sink
        if (given_up := self._attempt([delivery])) is not None:
            return given_up
        try:
            outcome = await sink.deliver(alert)
        except DeliveryError as exc:
            if exc.permanent:
                return self._refused([delivery], exc.message)
            return self._failed([delivery], exc.message, logging.WARNING)
        except Exception as exc:  # a bug in one sink must not stop the others
            return self._failed([delivery], f"{type(exc).__name__}: {exc}", logging.CRITICAL)
        if outcome == SKIPPED:
            self.store.record([alert.alert_id], name, DeliveryUpdate("skipped", at=self._clock()))
            log_event(
                logger,
                "alert.delivery",
                level=logging.DEBUG,
                status="skipped",
                alert_id=alert.alert_id,
                sink=name,
            )
            self._tell(name, "skipped", 1)
            return DrainReport(skipped=1)
        return self._delivered([delivery])

    async def _flush_digests(self, name: str, sink: DigestSink) -> DrainReport:
        """Send the digest of every finished period with due alerts, oldest first."""
        period, now = sink.digest_period, self._clock()
        before = period_start(now, period)
        due = self.store.due_digest(name, before, now, DIGEST_BATCH, **self._lease(now))
        report = DrainReport()
        for digest, group in digests(due, period):
            outcome = await self._deliver_digest(sink, digest, group)
            report += outcome
            if outcome.failed:
                break
        return report

    async def _deliver_digest(
        self, sink: DigestSink, digest: Digest, group: list[Delivery]
    ) -> DrainReport:
        if (given_up := self._attempt(group)) is not None:
            return given_up
        try:
            await sink.deliver_digest(digest)
        except DeliveryError as exc:
            if exc.permanent:
                return self._refused(group, exc.message)
            return self._failed(group, exc.message, logging.WARNING)
        except Exception as exc:
            return self._failed(group, f"{type(exc).__name__}: {exc}", logging.CRITICAL)
        return self._delivered(group)

    def _delivered(self, group: Sequence[Delivery]) -> DrainReport:
        ids, name = [d.alert.alert_id for d in group], group[0].sink
        self.store.record(ids, name, DeliveryUpdate("delivered", at=self._clock()))
        for alert_id in ids:
            log_event(logger, "alert.delivery", status="delivered", alert_id=alert_id, sink=name)
        self._tell(name, "delivered", len(ids))
        return DrainReport(delivered=len(ids))

    def _failed(self, group: Sequence[Delivery], error: str, level: int) -> DrainReport:
        attempts = max(d.attempts for d in group) + 1
        due = self._clock() + timedelta(seconds=retry_delay(attempts))
        ids, name = [d.alert.alert_id for d in group], group[0].sink
        self.store.record(ids, name, DeliveryUpdate("failed", error=error, next_attempt=due))
        log_event(
            logger,
            "alert.delivery",
            level=level,
            status="failed",
            alert_id=ids[0],
            count=len(ids) if len(ids) > 1 else None,  # a digest: its first alert and count
            sink=name,
            attempts=attempts,
            next_attempt=due,
            error=error,
        )
        self._tell(name, "failed", len(ids))
        return DrainReport(failed=1)

    def _refused(self, group: Sequence[Delivery], error: str) -> DrainReport:
        ids, name = [d.alert.alert_id for d in group], group[0].sink
        self.store.record(ids, name, DeliveryUpdate("refused", error=error))
        log_event(
            logger,
            "alert.delivery",
            level=logging.ERROR,
            status="refused",
            alert_id=ids[0],
            count=len(ids) if len(ids) > 1 else None,  # a digest: its first alert and count
            sink=name,
            error=error,
        )
        self._tell(name, "refused", len(ids))
        return DrainReport(refused=len(ids))

    def _tell(self, sink: str, outcome: str, count: int) -> None:
        if self._on_outcome is not None:
            self._on_outcome(sink, outcome, count)
