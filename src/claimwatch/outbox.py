"""Deliver stored alerts to every sink: per-sink state, capped retries, permanent refusals kept.

Alerts reach the outbox only through the store (written with their entry), so nothing is
fire-and-forget. Each sink drains its own queue: a sink that fails is skipped until its
``next_attempt`` while the others go on. A delivery is marked delivered only after the sink
returned, so a crash in between repeats it (at least once; ``alert_id`` lets readers dedupe).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from claimwatch.logs import log_event
from claimwatch.sinks import DeliveryError, Sink
from claimwatch.store import Delivery, Store

RETRY_BASE = 30.0  # seconds before the first retry
RETRY_CAP = 3600.0  # never wait longer than this between retries
BATCH = 100

logger = logging.getLogger(__name__)


def retry_delay(attempts: int, *, base: float = RETRY_BASE, cap: float = RETRY_CAP) -> float:
    """Seconds to wait after the ``attempts``-th failed attempt: doubling, capped."""
    return min(base * 2.0 ** min(max(attempts - 1, 0), 32), cap)


@dataclass(frozen=True, slots=True)
class DrainReport:
    delivered: int = 0
    failed: int = 0
    refused: int = 0

    def __add__(self, other: DrainReport) -> DrainReport:
        return DrainReport(
            self.delivered + other.delivered,
            self.failed + other.failed,
            self.refused + other.refused,
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
    ) -> None:
        self.store = store
        self.sinks = dict(sinks)
        self._clock = clock
        self._lock = asyncio.Lock()

    async def drain(self) -> DrainReport:
        """Deliver everything due now; stop a sink for this drain at its first failure."""
        async with self._lock:
            sinks = dict(self.sinks)  # a reload may swap them; this drain keeps its own
            total, halted = DrainReport(), set[str]()
            while True:
                active = [name for name in sinks if name not in halted]
                due = self.store.due_deliveries(active, self._clock(), BATCH)
                if not due:
                    return total
                reports = await asyncio.gather(
                    *(
                        self._drain_sink(sinks[name], [d for d in due if d.sink == name], halted)
                        for name in active
                    )
                )
                for report in reports:
                    total += report

    async def replace_sinks(self, sinks: Mapping[str, Sink]) -> dict[str, Sink]:
        """Swap the sinks between drains (config reload); return the old ones to close."""
        async with self._lock:
            old, self.sinks = self.sinks, dict(sinks)
            return old

    async def _drain_sink(self, sink: Sink, queue: list[Delivery], halted: set[str]) -> DrainReport:
        report = DrainReport()
        for delivery in queue:
            outcome = await self._deliver(sink, delivery)
            report += outcome
            if outcome.failed:  # a refusal concerns one alert; a failure, the sink
                halted.add(delivery.sink)
                break
        return report

    async def _deliver(self, sink: Sink, delivery: Delivery) -> DrainReport:
        alert, name = delivery.alert, delivery.sink
        try:
            await sink.deliver(alert)
        except DeliveryError as exc:
            if exc.permanent:
                return self._refused(delivery, exc.message)
            return self._failed(delivery, exc.message, logging.WARNING)
        except Exception as exc:  # a bug in one sink must not stop the others
            return self._failed(delivery, f"{type(exc).__name__}: {exc}", logging.CRITICAL)
        self.store.record_delivered(alert.alert_id, name, self._clock())
        log_event(logger, "alert.delivery", status="delivered", alert_id=alert.alert_id, sink=name)
        return DrainReport(delivered=1)

    def _failed(self, delivery: Delivery, error: str, level: int) -> DrainReport:
        attempts = delivery.attempts + 1
        due = self._clock() + timedelta(seconds=retry_delay(attempts))
        self.store.record_failed(delivery.alert.alert_id, delivery.sink, error, due)
        log_event(
            logger,
            "alert.delivery",
            level=level,
            status="failed",
            alert_id=delivery.alert.alert_id,
            sink=delivery.sink,
            attempts=attempts,
            next_attempt=due,
            error=error,
        )
        return DrainReport(failed=1)

    def _refused(self, delivery: Delivery, error: str) -> DrainReport:
        self.store.record_refused(delivery.alert.alert_id, delivery.sink, error)
        log_event(
            logger,
            "alert.delivery",
            level=logging.ERROR,
            status="refused",
            alert_id=delivery.alert.alert_id,
            sink=delivery.sink,
            error=error,
        )
        return DrainReport(refused=1)
