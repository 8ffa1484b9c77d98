"""What an analyst said about an alert: confirmed, dismissed (a false alarm) or seen.

Verdicts are kept apart from the alerts they judge: an alert is what the detector found and
never changes; a verdict is a person's later call on it, with who and when, and the latest
verdict on an alert is the one that counts. Dismissals are the labelled negative examples the
feedback (feedback.py) learns from.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal, get_args

VerdictKind = Literal["confirmed", "dismissed", "seen"]
VERDICT_KINDS: tuple[VerdictKind, ...] = get_args(VerdictKind)

# Why an alert was a false alarm (optional on a dismissal).
DismissReason = Literal["wrong-story", "wrong-figure", "restatement", "not-news"]
DISMISS_REASONS: tuple[DismissReason, ...] = get_args(DismissReason)


# Who claimwatch's own verdicts are by: the dismissal of an alert the feedback held back
# (holdback.py). No analyst's name, and never learnt from.
AUTOMATIC_BY = "claimwatch"


@dataclass(frozen=True, slots=True)
class Verdict:
    """One call on one alert; ``by`` is a user name, ``page`` for the status page's form, or
    ``claimwatch`` (AUTOMATIC_BY) for an alert the feedback held back."""

    alert_id: str
    verdict: VerdictKind
    by: str
    at: datetime
    reason: DismissReason | None = None
    note: str | None = None  # free text beside the reason

    @property
    def is_dismissal(self) -> bool:
        return self.verdict == "dismissed"


ClaimStateKind = Literal["open", "muted", "closed"]
CLAIM_STATE_KINDS: tuple[ClaimStateKind, ...] = get_args(ClaimStateKind)


@dataclass(frozen=True, slots=True)
class ClaimState:
    """An analyst's hold on a claim: muted (alerts kept, none delivered) or closed (resolved,
    with a note); ``open`` undoes either. The latest one per claim counts."""

    baseline_id: str
    claim_id: str
    state: ClaimStateKind
    by: str
    at: datetime
    note: str | None = None
