"""What every sink is and how it fails; kept apart so sink modules need not import the registry."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from claimwatch.errors import ClaimwatchError

if TYPE_CHECKING:
    from claimwatch.alerts import Alert
    from claimwatch.config import Config


class DeliveryError(ClaimwatchError):
    """One alert could not be delivered; ``permanent`` failures are never retried."""

    def __init__(self, message: str, *, sink: str, permanent: bool = False) -> None:
        super().__init__(message, subject=sink)
        self.sink = sink
        self.permanent = permanent


class Sink(Protocol):
    async def deliver(self, alert: Alert) -> None:
        """Deliver one alert completely, or raise DeliveryError."""

    async def aclose(self) -> None:
        """Release connections or files; called once at shutdown."""


class SinkType(Protocol):
    """A sink class: built from the whole config, reading its own ``[alerts.<name>]``."""

    def from_config(self, config: Config) -> Sink: ...
