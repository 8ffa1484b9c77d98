"""The feedback at work in the pipeline: what the analysts' verdicts teach, kept current, and
the alerts of an entry it holds back.

The lessons (feedback.learn) are learnt again only when an analyst's verdict was added since
they were last learnt (``Store.count_verdicts``, read once per entry that raised a claim's
alert): learning from thousands of verdicts takes about a second, so never per entry. An
alert held back is still stored, so that an analyst can see and overrule it, but gets no
deliveries: it is dismissed by ``claimwatch`` with the lesson as note, in the transaction
that stores it. claimwatch's own verdicts are never learnt from, so a held alert teaches
nothing by itself; an analyst's later verdict on it (the latest one counts) does.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from claimwatch.alerts import Alert
from claimwatch.entries import Entry
from claimwatch.feedback import CLAIM_KINDS, Feedback, Suppression, learn
from claimwatch.logs import log_event
from claimwatch.store import Store
from claimwatch.verdicts import AUTOMATIC_BY, Verdict

logger = logging.getLogger(__name__)


def by_analysts(judged: Iterable[tuple[Alert, Verdict]]) -> list[tuple[Alert, Verdict]]:
    """The judged alerts whose latest verdict a person made (not claimwatch's own)."""
    return [(alert, verdict) for alert, verdict in judged if verdict.by != AUTOMATIC_BY]


def dismissal(held: Suppression, now: datetime) -> Verdict:
    """claimwatch's verdict on an alert it holds back: dismissed, the lesson as note."""
    return Verdict(held.alert.alert_id, "dismissed", AUTOMATIC_BY, now, note=held.reason)


class Lessons:
    """The feedback learnt from the analysts' verdicts in a store, kept until they change.

    One per runtime (the daemon keeps it across reloads); used from the event loop only.
    """

    def __init__(self) -> None:
        self.feedback = Feedback()
        self.learnt = 0  # how many times the verdicts were learnt from
        self._verdicts: int | None = None  # the analysts' verdicts counted when last learnt

    def current(self, store: Store) -> Feedback:
        """The feedback of the verdicts now in ``store``, learnt again only if they changed."""
        count = store.count_verdicts(not_by=AUTOMATIC_BY)
        if count != self._verdicts:
            self.feedback = learn(by_analysts(store.judged_alerts())) if count else Feedback()
            self._verdicts = count
            self.learnt += 1
        return self.feedback

    def hold(self, store: Store, alerts: Sequence[Alert]) -> list[Suppression]:
        """The alerts to hold back, each with the lesson it repeats (the store is not read
        when none of them is a claim's alert)."""
        if not any(alert.kind in CLAIM_KINDS for alert in alerts):
            return []
        return self.current(store).screen(alerts)[1]


def log_held(
    feed: str, entry: Entry, added: Sequence[Alert], holding: Sequence[Suppression]
) -> set[str]:
    """Log ``alert.held`` once for each alert held back and stored now (``added``: one
    stored before is not stored, nor logged, again); return their ids."""
    stored = {alert.alert_id for alert in added}
    logged: set[str] = set()
    for suppression in holding:
        alert = suppression.alert
        if alert.alert_id not in stored:
            continue
        fields: dict[str, Any] = {  # with the lesson: rule, pattern, dismissed_id, reason
            "baseline_id": alert.baseline_id,
            "kind": alert.kind,
            "feed": feed,
            "entry_id": entry.entry_id,
            "url": entry.url,
            **suppression.to_json(),
        }
        log_event(logger, "alert.held", status="held", **fields)
        logged.add(alert.alert_id)
    return logged
