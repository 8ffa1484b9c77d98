"""The Apprise sink against a loopback webhook (``json://127.0.0.1:PORT/path``), through the outbox.

Skipped when the optional ``apprise`` package is not installed.
"""

from __future__ import annotations

import dataclasses
import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("apprise")
# Apprise's plugin loader imports the deprecated ``imghdr`` module (Python 3.11).
pytestmark = pytest.mark.filterwarnings("ignore:'imghdr' is deprecated:DeprecationWarning")

from claimwatch.alerts import Alert  # noqa: E402
from claimwatch.cli import redact  # noqa: E402
from claimwatch.config import config_from_mapping  # noqa: E402
from claimwatch.entries import Entry  # noqa: E402
from claimwatch.errors import ConfigError  # noqa: E402
from claimwatch.outbox import RETRY_BASE, DrainReport, Outbox  # noqa: E402
from claimwatch.sinks import DeliveryError, Sink, configured_sinks  # noqa: E402
from claimwatch.sinks.apprise import AppriseSink, notification  # noqa: E402
from claimwatch.store import Store, open_store  # noqa: E402
from tests.smtp_server import closed_port  # noqa: E402
from tests.test_sinks_smtp import Clock  # noqa: E402

NOW = datetime(2022, 1, 20, 12, 0, tzinfo=UTC)


class Webhook:
    """A loopback HTTP endpoint that records JSON POSTs; ``status[path]`` sets its answer."""

    def __init__(self) -> None:
        self.received: list[tuple[str, dict[str, Any]]] = []
        self.status: dict[str, int] = {}
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                code = owner.status.get(self.path, 200)
                if code == 200:
                    owner.received.append((self.path, json.loads(body)))
                self.send_response(code)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet."""

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def url(self, path: str) -> str:
        return f"json://127.0.0.1:{self._httpd.server_address[1]}{path}"

    def paths(self) -> list[str]:
        return [path for path, _ in self.received]

    def __enter__(self) -> Webhook:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(5)


@pytest.fixture
def webhook() -> Iterator[Webhook]:
    with Webhook() as running:
        yield running


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = open_store(tmp_path / "state.db")
    yield opened
    opened.close()


def alert(alert_id: str, *, novel: bool = True, **changes: Any) -> Alert:
    base = Alert(
        alert_id=alert_id,
        kind="contradiction",
        baseline_id="freedonia",
        claim_id="bridge",
        article_url="https://news.example.org/bridge",
        article_title="Bridge\nclosed",
        feed="wire",
        entry_id=alert_id,
        published=NOW,
        evidence="The bridge was closed on Tuesday.",
        reason="The article says the bridge was closed.",
        detected_at=NOW,
        novel=novel,
        value=None,
        fact=f"fact:{alert_id}",
        score=0.7,
    )
    return dataclasses.replace(base, **changes)


def add(store: Store, sinks: dict[str, Sink], *alerts: Alert) -> None:
    for item in alerts:
        entry = Entry("wire", item.entry_id, None, "T", None, "")
        store.commit_entry(entry, "h", [item], list(sinks), NOW)


def test_notification_text() -> None:
    title, body = notification(alert("a1"))
    assert title == "claimwatch: contradiction · bridge"
    assert body.splitlines() == [
        "The article says the bridge was closed.",
        "“The bridge was closed on Tuesday.”",
        "Bridge closed (wire, 2022-01-20)",
        "https://news.example.org/bridge",
        "baseline freedonia · alert a1",
    ]


async def test_novel_alerts_are_posted_and_repeats_skipped(store: Store, webhook: Webhook) -> None:
    sinks: dict[str, Sink] = {"apprise": AppriseSink([webhook.url("/hook")])}
    add(store, sinks, alert("a1"), alert("a2", novel=False))
    assert await Outbox(store, sinks, clock=Clock(NOW)).drain() == DrainReport(
        delivered=1, skipped=1
    )
    ((path, payload),) = webhook.received
    assert path == "/hook"
    assert payload["title"] == "claimwatch: contradiction · bridge"
    assert "The bridge was closed on Tuesday." in payload["message"]
    assert payload["type"] == "warning"


async def test_repeats_are_sent_when_asked(webhook: Webhook) -> None:
    await AppriseSink([webhook.url("/hook")], repeats=True).deliver(alert("a2", novel=False))
    assert webhook.paths() == ["/hook"]


async def test_a_failing_channel_is_retried_alone(store: Store, webhook: Webhook) -> None:
    clock = Clock(NOW)
    webhook.status["/down"] = 500
    sinks: dict[str, Sink] = {"apprise": AppriseSink([webhook.url("/up"), webhook.url("/down")])}
    add(store, sinks, alert("a1"))
    outbox = Outbox(store, sinks, clock=clock)
    assert await outbox.drain() == DrainReport(failed=1)
    (status,) = store.recent_alerts(1)
    assert status.deliveries[0].state == "failed"
    assert "channel(s) 2 of 2" in str(status.deliveries[0].last_error)
    assert "127.0.0.1" not in str(status.deliveries[0].last_error)  # URLs may hold tokens
    webhook.status.pop("/down")
    clock.advance(RETRY_BASE)
    assert await outbox.drain() == DrainReport(delivered=1)
    assert webhook.paths() == ["/up", "/down"]  # /up got it once, not again on the retry


async def test_an_unreachable_endpoint_is_a_transient_failure() -> None:
    with closed_port() as reserved:
        sink = AppriseSink([f"json://127.0.0.1:{reserved.getsockname()[1]}/hook"])
        with pytest.raises(DeliveryError) as caught:
            await sink.deliver(alert("a1"))
    assert not caught.value.permanent and "channel(s) 1 of 1" in str(caught.value)


# ---- config ----------------------------------------------------------------------------------


def apprise_config(tmp_path: Path, **section: Any) -> Any:
    return config_from_mapping({"alerts": {"apprise": section}}, path=tmp_path / "c.toml")


def test_config_builds_the_sink_and_dump_hides_the_urls(tmp_path: Path, webhook: Webhook) -> None:
    url = webhook.url("/hook?token=s3cret")
    config = apprise_config(tmp_path, urls=[url], repeats=True)
    sink = configured_sinks(config)["apprise"]
    assert isinstance(sink, AppriseSink) and sink.repeats
    dumped = json.dumps(redact(config.model_dump(mode="json")))
    assert "s3cret" not in dumped and "127.0.0.1" not in dumped


@pytest.mark.parametrize(
    ("urls", "words"),
    [
        ([], "at least 1"),
        (["not a url"], "must be an Apprise URL"),
        (["mailto://user:pw@example.org"], "use [alerts.email] for email"),
        (["nosuchservice://x"], "Apprise cannot use urls[0]"),
    ],
)
def test_invalid_apprise_sections(tmp_path: Path, urls: list[str], words: str) -> None:
    with pytest.raises(ConfigError) as caught:
        apprise_config(tmp_path, urls=urls)
    assert words in str(caught.value)
    assert "pw@" not in str(caught.value)
