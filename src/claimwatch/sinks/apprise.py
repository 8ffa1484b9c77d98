"""The Apprise sink: the same alerts to chat and webhook channels (Slack, Matrix, ntfy, ...).

An optional extra (``pip install 'claimwatch[apprise]'``): the library is imported only when
``[alerts.apprise]`` is configured. Each URL gets its own Apprise object, so when one channel
fails the outbox's retry goes only to the channels that have not had the alert yet (kept in
memory: after a restart a retry may repeat a channel that already had it). Apprise tells
success from failure but not why, so every failure is transient; its own log lines say why.
Repeats (``novel: false``) are skipped unless ``repeats = true``.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence
from datetime import UTC
from typing import TYPE_CHECKING, Any

from claimwatch.alerts import TEST_KIND, Alert
from claimwatch.sinks.base import SKIPPED, DeliveryError, Skipped

if TYPE_CHECKING:
    from claimwatch.config import Config

NAME = "apprise"
NOTIFY_TIMEOUT = 120.0  # seconds for one channel; Apprise's own socket timeouts come first
_SPACES = re.compile(r"[\s\x00-\x1f\x7f]+")
_KIND_TEXT = {"contradiction": "contradiction", "follow_up": "follow-up", TEST_KIND: "test alert"}


def _flat(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def notification(alert: Alert) -> tuple[str, str]:
    """(title, plain-text body) of one alert; Apprise escapes it for each service's format."""
    kind = _KIND_TEXT.get(alert.kind, alert.kind)
    if alert.kind == TEST_KIND:
        sent = alert.detected_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
        body = [_flat(alert.reason), f"Sent by {_flat(alert.evidence)}, at {sent}"]
        body.append(f"alert {alert.alert_id}")
        return f"claimwatch: {kind} · not about any claim", "\n".join(body)
    title = f"claimwatch: {kind} · {alert.claim_id}"
    published = (
        alert.published.astimezone(UTC).strftime("%Y-%m-%d") if alert.published else "undated"
    )
    lines = [
        _flat(alert.reason),
        f"“{_flat(alert.evidence)}”",
        f"{_flat(alert.article_title) or '(untitled)'} ({_flat(alert.feed)}, {published})",
        _flat(alert.article_url or ""),
        f"baseline {alert.baseline_id} · alert {alert.alert_id}",
    ]
    return title, "\n".join(line for line in lines if line)


class AppriseSink:
    """``[alerts.apprise] urls = [...]``: every URL gets every alert once."""

    def __init__(self, urls: Sequence[str], *, repeats: bool = False) -> None:
        import apprise  # the optional extra; config validation checked it is installed

        self.repeats = repeats
        self._channels: list[Any] = []
        for url in urls:
            channel = apprise.Apprise()
            channel.add(url)
            self._channels.append(channel)
        self._types = {"contradiction": apprise.NotifyType.WARNING}
        self._default_type = apprise.NotifyType.INFO
        self._done: dict[str, set[int]] = {}  # alert_id -> channels that already have it

    @classmethod
    def from_config(cls, config: Config) -> AppriseSink:
        section = config.alerts.apprise
        assert section is not None, "the registry builds only configured sinks"
        return cls([url.get_secret_value() for url in section.urls], repeats=section.repeats)

    async def deliver(self, alert: Alert) -> Skipped | None:
        if not alert.novel and not self.repeats:
            return SKIPPED
        title, body = notification(alert)
        done = self._done.setdefault(alert.alert_id, set())
        failed = []
        for index, channel in enumerate(self._channels):
            if index in done:
                continue
            if await self._notify(channel, title, body, alert.kind):
                done.add(index)
            else:
                failed.append(index + 1)
        if failed:
            raise DeliveryError(
                f"channel(s) {', '.join(map(str, failed))} of {len(self._channels)} did not take "
                "the notification (the apprise log lines say why)",
                sink=NAME,
            )
        del self._done[alert.alert_id]
        return None

    async def _notify(self, channel: Any, title: str, body: str, kind: str) -> bool:
        notify_type = self._types.get(kind, self._default_type)
        try:
            async with asyncio.timeout(NOTIFY_TIMEOUT):
                result = await channel.async_notify(
                    body=body, title=title, notify_type=notify_type, body_format="text"
                )
        except TimeoutError:
            return False
        return bool(result)

    async def aclose(self) -> None:
        self._channels.clear()
