"""Where alerts go. A ``Sink`` delivers one alert; ``SINKS`` maps config section -> sink class.

Adding a channel is one module and one registry entry: ``[alerts.<name>]`` in the config
turns the sink on, and the outbox gives it its own delivery state. Sinks never retry on
their own; they raise DeliveryError and the outbox decides (``permanent=True``: never retry).
A sink may decline an alert (``SKIPPED``) or take one ``Digest`` per period (``DigestSink``).
"""

from __future__ import annotations

from claimwatch.config import Config
from claimwatch.sinks.apprise import AppriseSink
from claimwatch.sinks.base import (
    SKIPPED,
    DeliveryError,
    Digest,
    DigestSink,
    Sink,
    SinkType,
)
from claimwatch.sinks.jsonl import JsonlSink
from claimwatch.sinks.smtp import SmtpSink

__all__ = [
    "SINKS",
    "SKIPPED",
    "DeliveryError",
    "Digest",
    "DigestSink",
    "Sink",
    "SinkType",
    "configured_sinks",
]


SINKS: dict[str, SinkType] = {"log": JsonlSink, "email": SmtpSink, "apprise": AppriseSink}


def enabled_sinks(config: Config) -> list[str]:
    """Names of the registry's sinks that have an ``[alerts.<name>]`` section."""
    return [name for name in SINKS if getattr(config.alerts, name, None) is not None]


def configured_sinks(config: Config) -> dict[str, Sink]:
    """The sinks the config turns on, by registry name."""
    return {name: SINKS[name].from_config(config) for name in enabled_sinks(config)}
