"""``claimwatch run`` with ``[http] listen``: health, metrics and the page from a real process."""

from __future__ import annotations

import signal
import socket
from collections.abc import Callable, Iterator

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.e2e.helpers import Service, Workdir, eventually

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def listen_on(work: Workdir, port: int) -> None:
    """The work folder's config, serving on 127.0.0.1:``port``."""
    text = work.config.read_text(encoding="utf-8")
    work.config.write_text(
        text.replace("[http]\n", f'[http]\nlisten = "127.0.0.1:{port}"\n', 1), encoding="utf-8"
    )


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(trust_env=False, timeout=5) as client:
        yield client


def answers(http: httpx.Client, url: str) -> bool:
    try:
        return http.get(url).status_code == 200
    except httpx.TransportError:
        return False


def samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def test_health_metrics_and_page_of_a_running_service(
    work: Workdir, service_factory: Callable[..., Service], http: httpx.Client
) -> None:
    work.serve_news()
    work.write_config(["news"])
    port = free_port()
    listen_on(work, port)
    base = f"http://127.0.0.1:{port}"
    service = service_factory()
    eventually(lambda: answers(http, base + "/healthz"), what="/healthz")
    assert http.get(base + "/healthz").text == "ok\n"
    eventually(lambda: bool(work.alerts()), what="an alert line")

    def polled() -> bool:
        found = samples(http.get(base + "/metrics").text)
        key = ("claimwatch_feed_polls_total", frozenset({("feed", "news"), ("outcome", "fetched")}))
        return found.get(key, 0) >= 1

    eventually(polled, what="the poll counted")
    found = samples(http.get(base + "/metrics").text)
    assert found[("claimwatch_entries_processed_total", frozenset({("feed", "news")}))] == 2
    claim = {("baseline_id", "freedonia"), ("claim_id", "bridge"), ("kind", "contradiction")}
    assert found[("claimwatch_findings_total", frozenset(claim))] == 1
    delivered = frozenset({("sink", "log"), ("outcome", "delivered")})
    assert found[("claimwatch_alert_deliveries_total", delivered)] == 1
    assert found[("claimwatch_outbox_backlog", frozenset({("sink", "log")}))] == 0
    assert any(name == "process_resident_memory_bytes" for name, _ in found)

    page = http.get(base + "/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "<svg" in page.text or "<table" in page.text
    assert http.get(base + "/nope").status_code == 404

    service.signal(signal.SIGTERM)
    assert service.wait() == 0
    with pytest.raises(httpx.ConnectError):
        http.get(base + "/healthz")
    assert [e["status"] for e in service.events("web.listen")] == ["serving", "stopped"]


def test_sighup_moves_the_server_to_a_new_address(
    work: Workdir, service_factory: Callable[..., Service], http: httpx.Client
) -> None:
    work.serve_news()
    work.write_config(["news"])
    first, second = free_port(), free_port()
    listen_on(work, first)
    service = service_factory()
    eventually(lambda: answers(http, f"http://127.0.0.1:{first}/healthz"), what="first port")
    work.write_config(["news"])
    listen_on(work, second)
    service.signal(signal.SIGHUP)
    eventually(lambda: answers(http, f"http://127.0.0.1:{second}/healthz"), what="second port")
    with pytest.raises(httpx.ConnectError):
        http.get(f"http://127.0.0.1:{first}/healthz")
    service.signal(signal.SIGTERM)
    assert service.wait() == 0


def test_a_taken_port_stops_the_start_with_a_clear_error(work: Workdir) -> None:
    work.serve_news()
    work.write_config(["news"])
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = int(holder.getsockname()[1])
        listen_on(work, port)
        result = work.run("run")
    assert result.returncode == 1
    assert "[http] listen" in result.stderr and f"127.0.0.1:{port}" in result.stderr
    assert not work.server.requests_for("/news.xml")  # nothing was polled
