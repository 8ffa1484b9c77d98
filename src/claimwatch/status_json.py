"""``claimwatch status --json``: what ``status`` shows, as one JSON document for scripts.

The keys are the contract (the README lists them): they are always present, null where
there is no value, and times are ISO 8601 in UTC. The data is the same Snapshot the tables
are drawn from (status.py); only the shape differs. A claim's alerts are all listed, each with
its verdict; the counts leave the dismissed ones out, as the tables do.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from claimwatch.alerts import FEED_KINDS, Alert, iso, to_json
from claimwatch.baselines import Baseline
from claimwatch.config import Config, FeedConfig
from claimwatch.feeds import FeedState
from claimwatch.status import (
    DELIVERY_STATES,
    DOUBTS_SHOWN,
    ClaimLine,
    Snapshot,
    claim_lines,
    feed_disabled,
    missing_text,
    outbox_sinks,
)
from claimwatch.triage import NO_TRIAGE, Triage, verdict_json

if TYPE_CHECKING:
    from claimwatch.store import InDoubt


def status_document(
    config: Config,
    baselines: Sequence[Baseline],
    snapshot: Snapshot | None,
    sinks: Sequence[str],
    now: datetime,
) -> dict[str, Any]:
    """The whole status; ``snapshot`` None: there is no state database yet."""
    found = snapshot or Snapshot()
    return {
        "generated_at": iso(now),
        "config": str(config.path),
        "state": {
            "location": config.state_display,
            "exists": snapshot is not None,
            "note": missing_text(config) if snapshot is None else None,
        },
        "feeds": [feed_json(feed, found.feeds.get(feed.name)) for feed in config.feeds],
        "outbox": outbox_json(sinks, found.deliveries),
        "unknown_outcome": [doubt_json(d) for d in found.doubts[:DOUBTS_SHOWN]],
        "unknown_outcome_more": len(found.doubts) > DOUBTS_SHOWN,
        "claims": claims_json(baselines, found.alerts, found.triage),
    }


def dumps(document: Mapping[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2)


def feed_json(feed: FeedConfig, state: FeedState | None) -> dict[str, Any]:
    known = state or FeedState(url=feed.url)
    disabled = feed_disabled(feed, known)
    return {
        "name": feed.name,
        "url": feed.url,
        "current_url": known.url,  # differs after repeated permanent redirects
        "enabled": feed.enabled,
        "status": feed_status(known, disabled=disabled is not None),
        "last_success": iso(known.last_success),
        "consecutive_failures": known.consecutive_failures,
        "failing_since": iso(known.failing_since),
        "last_error": known.last_error,
        "next_poll": iso(known.next_attempt) if disabled is None else None,
        "disabled_reason": disabled,
    }


def feed_status(state: FeedState, *, disabled: bool) -> str:
    """One word: disabled, failing (the last poll failed), not_polled or ok."""
    if disabled:
        return "disabled"
    if state.consecutive_failures:
        return "failing"
    return "not_polled" if state.last_success is None else "ok"


def outbox_json(
    sinks: Sequence[str], deliveries: Mapping[tuple[str, str], int]
) -> dict[str, dict[str, Any]]:
    """Counts per sink and state; a sink no longer configured but holding some is listed."""
    return {
        name: {
            "configured": name in sinks,
            **{state: deliveries.get((name, state), 0) for state in DELIVERY_STATES},
        }
        for name in outbox_sinks(sinks, deliveries)
    }


def doubt_json(doubt: InDoubt) -> dict[str, Any]:
    return {
        "alert_id": doubt.alert_id,
        "sink": doubt.sink,
        "sent_at": iso(doubt.sending_since),
        "unknown_attempts": doubt.unknown,
        "next_attempt": iso(doubt.next_attempt),
    }


def claims_json(
    baselines: Sequence[Baseline], alerts: Iterable[Alert], triage: Triage = NO_TRIAGE
) -> list[dict[str, Any]]:
    """Every claim of the baselines, then claims only stored alerts still name; each with
    its alerts (oldest first) as the alert log writes them, plus their verdicts."""
    alerts = list(alerts)
    grouped: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for alert in alerts:
        if alert.kind not in FEED_KINDS:
            record = {**to_json(alert), "verdict": verdict_json(triage.verdict(alert))}
            grouped.setdefault((alert.baseline_id, alert.claim_id), []).append(record)
    current = {(b.id, c.id) for b in baselines for c in b.claims}
    lines = claim_lines(baselines, alerts, triage)
    return [claim_json(line, current, grouped) for line in lines]


def claim_json(
    line: ClaimLine,
    current: set[tuple[str, str]],
    grouped: Mapping[tuple[str, str], list[dict[str, Any]]],
) -> dict[str, Any]:
    key = (line.baseline_id, line.claim_id)
    return {
        "baseline_id": line.baseline_id,
        "claim_id": line.claim_id,
        "in_baseline": key in current,
        "statement": line.statement if key in current else None,
        "follow_ups": line.follow_ups,
        "contradictions": line.contradictions,
        "latest": iso(line.latest),
        "confirmed": line.confirmed,
        "dismissed": line.dismissed,
        "unjudged": line.unjudged,
        "state": line.state.state if line.state else "open",
        "state_note": line.state.note if line.state else None,
        "state_by": line.state.by if line.state else None,
        "state_at": iso(line.state.at) if line.state else None,
        "alerts": grouped.get(key, []),
    }
