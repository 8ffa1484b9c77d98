"""Attempts of unknown outcome: what the outbox says about them, and when it gives one up.

An attempt is marked in the store before the sink is called and the outcome clears the mark
(outbox.py). A mark found by a later process means that process stopped while sending: the
email may or may not have gone out. Such a delivery is held (``[outbox] unknown_hold``), then
made again at most ``unknown_retries`` times; after that it is refused rather than risk
sending it yet again. The texts here say so in the log and in the refusal.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from claimwatch.logs import log_event
from claimwatch.store import Delivery, InDoubt

TOLD = 20  # deliveries in doubt logged one by one when a process starts delivering

logger = logging.getLogger("claimwatch.outbox")


def when(delivery: Delivery) -> str:
    since = delivery.sending_since
    return since.isoformat(timespec="seconds") if since is not None else "an earlier start"


def tell(doubts: Sequence[InDoubt], retries: int) -> None:
    """Log the attempts an earlier process left without outcome (``doubts``: up to TOLD + 1)."""
    for doubt in doubts[:TOLD]:
        log_event(
            logger, "alert.delivery", level=logging.WARNING, status="unknown",
            alert_id=doubt.alert_id, sink=doubt.sink, attempts=doubt.unknown,
            next_attempt=doubt.next_attempt,
            error=f"handed to the sink at {doubt.sending_since.isoformat()} but no outcome "
            "was recorded (the process stopped while sending): held until next_attempt, "
            f"then sent again, at most {retries} times in all",
        )  # fmt: skip
    if len(doubts) > TOLD:
        log_event(
            logger, "alert.delivery", level=logging.WARNING, status="unknown",
            error=f"more than {TOLD} deliveries have an unknown outcome: claimwatch status "
            "lists them",
        )  # fmt: skip


def given_up(group: Sequence[Delivery], retries: int) -> str | None:
    """Why ``group`` (one alert, or one digest) is not attempted again; None: attempt it,
    logging that an earlier attempt had no outcome, if one had none."""
    first, unknown = group[0], max(d.unknown for d in group)
    if unknown > retries:
        return (
            f"outcome unknown after {unknown} attempts (the process stopped while sending, "
            f"last at {when(first)}): not sent again, since it may have arrived; "
            "`claimwatch alerts --retry` sends it once more"
        )
    if first.sending_since is not None:
        log_event(
            logger, "alert.delivery", level=logging.WARNING, status="retry_unknown",
            alert_id=first.alert.alert_id, sink=first.sink, attempts=unknown,
            error=f"no outcome was recorded for the attempt at {when(first)}: sending again "
            f"(unknown outcome {unknown} of at most {retries})",
        )  # fmt: skip
    return None
