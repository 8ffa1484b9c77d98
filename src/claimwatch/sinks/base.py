"""What every sink is and how it fails; kept apart so sink modules need not import the registry.

A sink either takes alerts one by one (``deliver``), or, when its ``digest_period`` is above
zero, takes them as one ``Digest`` per period (``deliver_digest``). ``deliver`` may decline an
alert on purpose by returning ``SKIPPED`` (the email sink skips repeats); the outbox records
that, so a skipped alert is accounted for, not lost.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Final, Literal, Protocol, runtime_checkable

from claimwatch.errors import ClaimwatchError

if TYPE_CHECKING:
    from claimwatch.alerts import Alert
    from claimwatch.config import Config

SKIPPED: Final = "skipped"
Skipped = Literal["skipped"]


class DeliveryError(ClaimwatchError):
    """One alert could not be delivered; ``permanent`` failures are never retried."""

    def __init__(self, message: str, *, sink: str, permanent: bool = False) -> None:
        super().__init__(message, subject=sink)
        self.sink = sink
        self.permanent = permanent


@dataclass(frozen=True, slots=True)
class Digest:
    """The alerts detected in one period ``[start, end)``, oldest first."""

    start: datetime
    end: datetime
    alerts: tuple[Alert, ...]


class Sink(Protocol):
    async def deliver(self, alert: Alert) -> Skipped | None:
        """Deliver one alert completely, return SKIPPED to decline it, or raise DeliveryError."""

    async def aclose(self) -> None:
        """Release connections or files; called once at shutdown."""


@runtime_checkable
class DigestSink(Sink, Protocol):
    """A sink that can also send one digest per period (``digest_period`` 0: per alert)."""

    digest_period: float

    async def deliver_digest(self, digest: Digest) -> None:
        """Deliver the whole digest, or raise DeliveryError (it is retried as one)."""


class SinkType(Protocol):
    """A sink class: built from the whole config, reading its own ``[alerts.<name>]``."""

    def from_config(self, config: Config) -> Sink: ...
