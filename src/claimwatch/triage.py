"""An analyst's calls as the views read them: which alerts count, which claims are held.

A dismissed alert (a false alarm) stays stored and listed, but no longer counts toward its
claim's status, figures or timelines (status, ``status --json``, the page); a confirmed one
counts and is marked as such. A muted or closed claim is *held*: its new alerts are stored
without deliveries (store/rows.insert_alert), and the views say why. Pure: the callers read
the verdicts and states from the store and pass them in.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC
from typing import Any

from claimwatch.alerts import Alert, iso
from claimwatch.verdicts import ClaimState, Verdict


@dataclass(frozen=True, slots=True)
class Triage:
    """The latest verdict per alert id and the latest state per (baseline_id, claim_id)."""

    verdicts: Mapping[str, Verdict] = field(default_factory=dict)
    claim_states: Mapping[tuple[str, str], ClaimState] = field(default_factory=dict)

    def verdict(self, alert: Alert) -> Verdict | None:
        return self.verdicts.get(alert.alert_id)

    def counts(self, alert: Alert) -> bool:
        """Whether the alert counts toward its claim: every alert but a dismissed one."""
        found = self.verdicts.get(alert.alert_id)
        return found is None or not found.is_dismissal

    def counted(self, alerts: Iterable[Alert]) -> list[Alert]:
        return [alert for alert in alerts if self.counts(alert)]

    def confirmed(self, alert: Alert) -> bool:
        found = self.verdicts.get(alert.alert_id)
        return found is not None and found.verdict == "confirmed"

    def hold(self, baseline_id: str, claim_id: str) -> ClaimState | None:
        """The claim's state when it is muted or closed; None when open."""
        found = self.claim_states.get((baseline_id, claim_id))
        return None if found is None or found.state == "open" else found


NO_TRIAGE = Triage()


def verdict_json(verdict: Verdict | None) -> dict[str, Any] | None:
    """An alert's verdict as ``alerts --json`` and ``status --json`` show it."""
    if verdict is None:
        return None
    return {
        "verdict": verdict.verdict,
        "reason": verdict.reason,
        "note": verdict.note,
        "by": verdict.by,
        "at": iso(verdict.at),
    }


def verdict_text(verdict: Verdict) -> str:
    """One line: ``dismissed (wrong-figure) by ana 2022-01-20 12:00 UTC: note``."""
    reason = f" ({verdict.reason})" if verdict.reason else ""
    note = f": {verdict.note}" if verdict.note else ""
    at = verdict.at.astimezone(UTC)
    return f"{verdict.verdict}{reason} by {verdict.by} {at:%Y-%m-%d %H:%M} UTC{note}"


def state_text(state: ClaimState | None) -> str:
    """``muted``, ``closed: the note``, or empty for an open claim."""
    if state is None or state.state == "open":
        return ""
    return f"{state.state}: {state.note}" if state.note else state.state
