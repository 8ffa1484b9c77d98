"""Feed leases: several daemons share one feed list, and each feed is polled by one at a time.

Every daemon keeps its own job per feed (scheduler.py). Before a cycle the job takes the
feed's lease in the shared state database: refused while the feed is not yet due or while
another daemon's lease runs. After the cycle the lease is given back with the feed's next due
time, so whichever daemon asks first after that time polls it next. A daemon that dies keeps
its leases until they expire (``[scheduler] lease``); the others re-check a refused feed at
its stored due time, or within half a lease when it is overdue, and take it over.

Leases are used where several daemons can share the state: PostgreSQL. A SQLite file
belongs to one daemon, which polls and delivers without them, exactly as before.
"""

from __future__ import annotations

import contextlib
import logging
import os
import random
import secrets
import socket
from datetime import datetime, timedelta

from claimwatch.config import Config, FeedConfig
from claimwatch.errors import StateError
from claimwatch.logs import log_event
from claimwatch.store import Store

RACE_SPREAD = 2.0  # seconds: daemons refused a feed come back spread over this, not at once

logger = logging.getLogger(__name__)


def shares_state(config: Config) -> bool:
    """Whether daemons lease feeds and claim deliveries: the state is a PostgreSQL database."""
    return config.state_url is not None


def owner_id() -> str:
    """Who holds a lease: host, process and a random part (a pid is reused after a restart)."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


def retry_at(
    due: datetime | None, now: datetime, interval: float, lease: float, spread: float
) -> datetime:
    """When a daemon refused a feed's lease asks again.

    ``due`` ahead: another daemon polled the feed and set it; ask then. Otherwise the feed is
    being polled right now, or its poller died: ask again within half a lease (or an interval).
    """
    if due is not None and due > now:
        return due + timedelta(seconds=spread)
    return now + timedelta(seconds=min(interval, lease / 2) + spread)


class FeedLeases:
    """This daemon's side of the feed leases, in one store."""

    def __init__(self, store: Store, owner: str, rng: random.Random | None = None) -> None:
        self.store = store
        self.owner = owner
        self._rng = rng or random.Random()

    def take(self, feed: FeedConfig, now: datetime, lease: float) -> bool:
        """True when this daemon may poll ``feed`` now (it then holds the lease)."""
        until = now + timedelta(seconds=lease)
        return self.store.lease_feed(feed.name, self.owner, now, until)

    def refused(self, feed: FeedConfig, now: datetime, lease: float) -> datetime:
        """Log a refusal and say when to ask again."""
        due = self.store.feed_state(feed.name, feed.url).next_attempt
        again = retry_at(due, now, feed.interval, lease, self._rng.uniform(0, RACE_SPREAD))
        log_event(
            logger, "feed.lease", level=logging.DEBUG, status="held", feed=feed.name,
            next_attempt=again,
        )  # fmt: skip
        return again

    def release(
        self, feed: FeedConfig, now: datetime, next_due: datetime | None, seconds: float,
        lease: float,
    ) -> None:  # fmt: skip
        """Give the lease back after a cycle of ``seconds``; ``next_due`` None (the feed is
        disabled): ask again after an interval, so that a re-enabled feed is not lost."""
        if seconds > lease:
            log_event(
                logger, "feed.lease", level=logging.WARNING, status="overrun", feed=feed.name,
                seconds=round(seconds, 1),
                error=f"the cycle outlasted its lease ({lease:.0f} s): raise [scheduler] lease",
            )  # fmt: skip
        due = next_due if next_due is not None else now + timedelta(seconds=feed.interval)
        self.store.release_feed(feed.name, self.owner, due)

    def abandon(self, feed: FeedConfig, now: datetime, *, cancelled: bool) -> None:
        """Give the lease back after a cycle that did not finish: due at once when it was
        cancelled (shutdown), after an interval when it crashed; a failing store is left to
        the lease expiry."""
        delay = 0.0 if cancelled else feed.interval
        with contextlib.suppress(StateError):
            self.store.release_feed(feed.name, self.owner, now + timedelta(seconds=delay))
