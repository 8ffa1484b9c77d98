"""Metrics: the counters themselves, and what the pipeline and the outbox record into them."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from claimwatch import __version__, pipeline
from claimwatch.baselines import load_baselines
from claimwatch.matching import Finding
from claimwatch.metrics import Metrics
from claimwatch.outbox import Outbox
from claimwatch.pipeline import Runtime, open_runtime, run_feed
from claimwatch.sinks import Sink
from claimwatch.store import Store, open_store
from tests.servers import FeedServer
from tests.test_outbox import Clock, RecordingSink, add
from tests.test_pipeline import OTHER, RELEVANT, make_config, rss

NOW = datetime(2022, 1, 20, 12, 0, tzinfo=UTC)


def value(metrics: Metrics, name: str, **labels: str) -> float | None:
    return metrics.registry.get_sample_value(name, labels)


def families(metrics: Metrics) -> dict[str, list[tuple[dict[str, str], float]]]:
    """The rendered text, parsed back: family name -> [(labels, value)] of its samples."""
    text = metrics.render().decode("utf-8")
    return {
        family.name: [(sample.labels, sample.value) for sample in family.samples]
        for family in text_string_to_metric_families(text)
    }


def test_each_metrics_object_has_its_own_registry() -> None:
    first, second = Metrics(), Metrics()
    first.feed_cycle("news", "fetched", 0.2, NOW)
    assert value(first, "claimwatch_feed_polls_total", feed="news", outcome="fetched") == 1
    assert value(second, "claimwatch_feed_polls_total", feed="news", outcome="fetched") is None


def test_render_is_the_exposition_format_with_process_metrics() -> None:
    metrics = Metrics()
    metrics.feed_cycle("news", "not_modified", 0.01, NOW)
    found = families(metrics)
    assert found["claimwatch_feed_polls"] == [({"feed": "news", "outcome": "not_modified"}, 1.0)]
    assert found["claimwatch_info"] == [({"version": __version__}, 1.0)]
    assert "process_cpu_seconds" in found  # /proc is readable here
    assert "process_cpu_seconds" not in families(Metrics(process=False))


@pytest.mark.parametrize(
    ("outcome", "polls", "failures", "success"),
    [
        ("fetched", 1, 0, NOW.timestamp()),
        ("not_modified", 1, 0, NOW.timestamp()),
        ("failed", 1, 1, None),
        ("gone", 1, 1, None),
        ("disabled", None, 0, None),
    ],
)
def test_a_feed_cycle_counts_by_outcome(
    outcome: str, polls: int | None, failures: int, success: float | None
) -> None:
    metrics = Metrics()
    metrics.track(["news"], ())
    metrics.feed_cycle("news", outcome, 1.5, NOW)
    assert value(metrics, "claimwatch_feed_polls_total", feed="news", outcome=outcome) == polls
    assert value(metrics, "claimwatch_feed_failures_total", feed="news") == failures
    stamp = value(metrics, "claimwatch_feed_last_success_timestamp_seconds", feed="news")
    assert stamp == success
    assert value(metrics, "claimwatch_feed_disabled", feed="news") == (outcome == "disabled")
    cycles = value(metrics, "claimwatch_feed_cycle_seconds_count", feed="news")
    assert cycles == (None if outcome == "disabled" else 1)


def test_feed_alerts_of_a_cycle_are_counted() -> None:
    metrics = Metrics()
    metrics.feed_cycle("news", "failed", 0.1, NOW, "feed_failing")
    assert value(metrics, "claimwatch_alerts_stored_total", kind="feed_failing") == 1


def test_track_shows_zeros_and_forgets_removed_feeds(tmp_path: Path) -> None:
    (tmp_path / "b.yaml").write_text(
        "id: b\ntitle: B\nsource: {outlet: O, date: 2022-01-09}\nsubject: {terms: [X]}\n"
        "claims:\n  - id: c1\n    statement: S.\n    about: [a]\n    expect:\n"
        "      - type: assertion\n        contradicted_by: ['a + closed']\n",
        encoding="utf-8",
    )
    baselines = load_baselines([tmp_path / "b.yaml"])
    metrics = Metrics()
    metrics.track(["one", "two"], baselines)
    assert value(metrics, "claimwatch_feed_polls_total", feed="two", outcome="not_modified") == 0
    labels = {"baseline_id": "b", "claim_id": "c1", "kind": "contradiction"}
    assert value(metrics, "claimwatch_findings_total", **labels) == 0
    metrics.feed_cycle("two", "fetched", 0.3, NOW)
    metrics.track(["one"], baselines)
    assert value(metrics, "claimwatch_feed_polls_total", feed="two", outcome="fetched") is None
    assert value(metrics, "claimwatch_feed_cycle_seconds_count", feed="two") is None
    assert value(metrics, "claimwatch_feed_polls_total", feed="one", outcome="fetched") == 0


def test_entry_findings_and_deliveries() -> None:
    metrics = Metrics()
    finding = Finding("b", "c1", "follow_up", "E.", "R.", "value:3", 0.8)
    metrics.entry_processed("news", [finding, finding], [])
    metrics.delivery("log", "delivered", 3)
    metrics.delivery("email", "failed", 1)
    assert value(metrics, "claimwatch_entries_processed_total", feed="news") == 1
    labels = {"baseline_id": "b", "claim_id": "c1", "kind": "follow_up"}
    assert value(metrics, "claimwatch_findings_total", **labels) == 2
    assert value(metrics, "claimwatch_alert_deliveries_total", sink="log", outcome="delivered") == 3
    assert value(metrics, "claimwatch_alert_deliveries_total", sink="email", outcome="failed") == 1


def test_backlog_counts_pending_and_failed_per_sink() -> None:
    metrics = Metrics()
    metrics.set_backlog(
        {
            ("log", "delivered"): 5,
            ("email", "pending"): 2,
            ("email", "failed"): 1,
            ("x", "refused"): 4,
        }
    )
    assert value(metrics, "claimwatch_outbox_backlog", sink="email") == 3
    assert value(metrics, "claimwatch_outbox_backlog", sink="log") == 0
    assert value(metrics, "claimwatch_outbox_backlog", sink="x") == 0
    metrics.set_backlog({("log", "delivered"): 6})
    assert value(metrics, "claimwatch_outbox_backlog", sink="email") is None


# ---- the hooks -----------------------------------------------------------------------


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = open_store(tmp_path / "state.db")
    yield opened
    opened.close()


async def test_the_outbox_reports_each_outcome(store: Store) -> None:
    metrics = Metrics()
    sinks: dict[str, Sink] = {"up": RecordingSink(), "down": RecordingSink(failures=9)}
    sinks["no"] = RecordingSink(failures=1, permanent=True)
    add(store, sinks, "a1", "a2")
    outbox = Outbox(store, sinks, clock=Clock(), on_outcome=metrics.delivery)
    await outbox.drain()
    deliveries = "claimwatch_alert_deliveries_total"
    assert value(metrics, deliveries, sink="up", outcome="delivered") == 2
    assert value(metrics, deliveries, sink="down", outcome="failed") == 1  # halted at the first
    assert value(metrics, deliveries, sink="no", outcome="refused") == 1
    assert value(metrics, deliveries, sink="no", outcome="delivered") == 1


@pytest.fixture
async def counted(tmp_path: Path, feed_server: FeedServer) -> AsyncIterator[Runtime]:
    config = make_config(tmp_path, feed_server, {"name": "news", "fetch_articles": "none"})
    store = open_store(config.state)
    metrics = Metrics()
    runtime = open_runtime(config, load_baselines(config.baselines), store, metrics=metrics)
    yield runtime
    await pipeline.close_runtime(runtime)
    store.close()


async def test_the_pipeline_counts_polls_entries_findings_and_deliveries(
    counted: Runtime, feed_server: FeedServer
) -> None:
    metrics = counted.metrics
    assert metrics is not None
    feed_server.route("/news.xml", rss(feed_server, [RELEVANT, OTHER]), etag='"v1"')
    first = await run_feed(counted, counted.config.feeds[0])
    await run_feed(counted, counted.config.feeds[0])
    assert first.alerts == 1
    polls = "claimwatch_feed_polls_total"
    assert value(metrics, polls, feed="news", outcome="fetched") == 1
    assert value(metrics, polls, feed="news", outcome="not_modified") == 1
    assert value(metrics, "claimwatch_entries_processed_total", feed="news") == 2
    labels = {"baseline_id": "freedonia", "claim_id": "bridge", "kind": "contradiction"}
    assert value(metrics, "claimwatch_findings_total", **labels) == 1
    assert value(metrics, "claimwatch_alerts_stored_total", kind="contradiction") == 1
    deliveries = "claimwatch_alert_deliveries_total"
    assert value(metrics, deliveries, sink="log", outcome="delivered") == 1
    assert value(metrics, "claimwatch_feed_cycle_seconds_count", feed="news") == 2


async def test_a_failed_poll_is_counted(counted: Runtime, feed_server: FeedServer) -> None:
    assert counted.metrics is not None
    feed_server.route("/news.xml", status=500)
    await run_feed(counted, counted.config.feeds[0])
    assert value(counted.metrics, "claimwatch_feed_failures_total", feed="news") == 1
    polls = "claimwatch_feed_polls_total"
    assert value(counted.metrics, polls, feed="news", outcome="failed") == 1
