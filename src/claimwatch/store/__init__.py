"""The state store: the only code that speaks SQL. ``open_store`` picks the engine.

Guarantees every engine keeps:

- one transaction per entry processed: the entry marked processed, its alerts, their claim
  facts and one pending delivery per configured sink are written together or not at all
  (no delivery for an alert whose claim is muted or closed at that moment: it is kept, not
  sent; nor for one the feedback holds back: it is written with claimwatch's verdict);
- an entry counts as processed only with the text hash it was processed with, so a changed
  entry is processed again and an entry seen but not processed is never skipped;
- a feed's validators (ETag, Last-Modified) are saved by the caller only after its entries,
  so a crash mid-cycle makes the next poll unconditional rather than losing entries.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Protocol

from claimwatch.alerts import Alert, ClaimKey, FactKey
from claimwatch.config import is_postgres_url, redact_url
from claimwatch.entries import Entry
from claimwatch.errors import StateError
from claimwatch.feeds import FeedState
from claimwatch.health import FeedHistory
from claimwatch.store.migrations import LATEST
from claimwatch.verdicts import ClaimState, Verdict

if TYPE_CHECKING:
    from claimwatch.config import Config
    from claimwatch.store.postgres import PostgresStore

DeliveryState = Literal["pending", "delivered", "failed", "refused", "skipped"]

__all__ = [
    "AlertStatus",
    "Delivery",
    "DeliveryState",
    "DeliveryUpdate",
    "InDoubt",
    "SinkStatus",
    "Store",
    "migrate",
    "open_store",
]


@dataclass(frozen=True, slots=True)
class Delivery:
    """One alert due for one sink."""

    alert: Alert
    sink: str
    attempts: int  # attempts made so far
    # When an attempt was handed to the sink and no outcome was recorded since (the process
    # stopped while sending), and how many attempts before it ended that way.
    sending_since: datetime | None = None
    unknown_outcomes: int = 0

    @property
    def unknown(self) -> int:
        """Attempts whose outcome is unknown, the one under ``sending_since`` included."""
        return self.unknown_outcomes + (self.sending_since is not None)


@dataclass(frozen=True, slots=True)
class InDoubt:
    """A delivery handed to its sink whose outcome was never recorded."""

    alert_id: str
    sink: str
    sending_since: datetime
    unknown_outcomes: int  # earlier attempts that ended the same way
    next_attempt: datetime | None  # the end of the hold

    @property
    def unknown(self) -> int:
        """Attempts whose outcome is unknown, this one included."""
        return self.unknown_outcomes + 1


@dataclass(frozen=True, slots=True)
class DeliveryUpdate:
    """The outcome of one attempt, recorded on one or more deliveries of one sink.

    ``delivered``, ``failed`` and ``refused`` count an attempt; ``skipped`` (a sink declined
    the alert on purpose) does not. ``at`` is when it was delivered or skipped.
    """

    state: DeliveryState
    at: datetime | None = None
    error: str | None = None
    next_attempt: datetime | None = None


@dataclass(frozen=True, slots=True)
class SinkStatus:
    """Where one alert stands with one sink."""

    sink: str
    state: DeliveryState
    attempts: int
    next_attempt: datetime | None
    last_error: str | None
    delivered_at: datetime | None


@dataclass(frozen=True, slots=True)
class AlertStatus:
    alert: Alert
    deliveries: tuple[SinkStatus, ...]


class Store(Protocol):
    """What the pipeline, the outbox and the CLI need from a state store."""

    path: Path  # the SQLite file; the null device on PostgreSQL, which has none
    location: str  # where the state lives, for messages (a URL's password redacted)
    state_id: str  # the identity of the state opened (store/identity.py)
    migrated_from: int  # the schema version found on opening (0: created then)

    def identity(self) -> tuple[str, str]:
        """(state id, created at) as the database holds them now."""
        ...

    def verify(self) -> None:
        """Raise StateError when the state is no longer the one opened: deleted, emptied or
        replaced (the daemon's state watch)."""
        ...

    def feed_state(self, name: str, configured_url: str) -> FeedState: ...

    def save_feed_state(self, name: str, configured_url: str, state: FeedState) -> None: ...

    def processed_hashes(self, feed: str, entry_ids: Iterable[str]) -> dict[str, str]: ...

    def mark_seen(self, seen: Sequence[tuple[Entry, str]], now: datetime) -> None: ...

    def known_facts(self, keys: Iterable[ClaimKey]) -> set[FactKey]: ...

    def commit_entry(
        self,
        entry: Entry,
        text_hash: str,
        alerts: Sequence[Alert],
        sinks: Collection[str],
        now: datetime,
        *,
        held: Sequence[Verdict] = (),
    ) -> list[Alert]:
        """The entry processed and its new alerts stored, in one transaction; an alert with
        a verdict in ``held`` is stored with it and without deliveries."""
        ...

    def mark_processed(self, done: Sequence[tuple[Entry, str]], now: datetime) -> None: ...

    def add_alerts(self, alerts: Sequence[Alert], sinks: Collection[str]) -> list[Alert]: ...

    def feed_history(self, name: str, state: FeedState, limit: int = 20) -> FeedHistory: ...

    def lease_feed(self, name: str, owner: str, now: datetime, until: datetime) -> bool:
        """Take the feed's poll lease until ``until`` if the feed is due (never polled, or its
        next due time has come) and no live lease exists; True when ``owner`` may poll now.
        A lease held by ``owner`` itself counts as live: one poll per feed at a time."""
        ...

    def release_feed(self, name: str, owner: str, next_due: datetime) -> None:
        """Give the lease back and set when the feed is next due; nothing if no longer ours."""
        ...

    def due_deliveries(
        self,
        sinks: Collection[str],
        now: datetime,
        limit: int = 100,
        *,
        owner: str = "",
        lease_until: datetime | None = None,
    ) -> list[Delivery]:
        """Due deliveries that no live lease holds, oldest alert first. With ``lease_until``
        they are claimed for ``owner`` until then, so no other daemon gets them meanwhile;
        recording an outcome (``record*``) clears the claim."""
        ...

    def mark_sending(
        self, deliveries: Sequence[Delivery], now: datetime, hold_until: datetime
    ) -> None:
        """Record, before the sink is called, that ``deliveries`` (of one sink) are handed to
        it at ``now``: until an outcome is recorded they stay due only from ``hold_until``.
        A delivery already in doubt counts one more unknown outcome."""
        ...

    def in_doubt(self, now: datetime, limit: int = 100) -> list[InDoubt]:
        """Deliveries handed to their sink with no outcome recorded and no live claim (the
        process stopped while sending), oldest first."""
        ...

    def release_claims(self, deliveries: Sequence[Delivery], owner: str) -> None:
        """Give back ``owner``'s claims on deliveries it will not attempt now (its sink
        halted at a failure), so that the next drain, here or elsewhere, takes them up."""
        ...

    def record_delivered(self, alert_id: str, sink: str, now: datetime) -> None: ...

    def record_failed(
        self, alert_id: str, sink: str, error: str, next_attempt: datetime
    ) -> None: ...

    def record_refused(self, alert_id: str, sink: str, error: str) -> None: ...

    def record(self, alert_ids: Sequence[str], sink: str, update: DeliveryUpdate) -> None: ...

    def due_digest(
        self,
        sink: str,
        before: datetime,
        now: datetime,
        limit: int = 1000,
        *,
        owner: str = "",
        lease_until: datetime | None = None,
    ) -> list[Delivery]:
        """A digest sink's due deliveries detected before ``before``; leases as above."""
        ...

    def requeue_failed(self) -> int: ...

    def recent_alerts(self, limit: int) -> list[AlertStatus]: ...

    def all_alerts(self) -> list[Alert]:
        """Every stored alert, oldest first (the report and replay read the whole story)."""
        ...

    # ---- an analyst's calls (store/verdicts.py): histories, the latest one counts ----

    def record_verdict(self, verdict: Verdict) -> bool:
        """Record a verdict; False, and nothing written, when no stored alert has its id."""
        ...

    def record_verdicts(self, verdicts: Sequence[Verdict]) -> list[str]:
        """Record all of them or none: the alert ids no stored alert has (then nothing is
        written)."""
        ...

    def count_verdicts(self, *, not_by: str | None = None) -> int:
        """How many verdicts were ever recorded (not by ``not_by``); only ever grows."""
        ...

    def verdicts(self, alert_ids: Iterable[str] | None = None) -> dict[str, Verdict]:
        """The latest verdict per alert (of ``alert_ids``, when given)."""
        ...

    def judged_alerts(self) -> list[tuple[Alert, Verdict]]:
        """Every alert with a verdict and its latest one, oldest alert first."""
        ...

    def alert_ids_starting(self, prefix: str, limit: int = 2) -> list[str]:
        """Up to ``limit`` stored alert ids starting with ``prefix``, in order."""
        ...

    def record_claim_state(self, state: ClaimState) -> None:
        """Mute, close or open a claim; an alert of a muted or closed claim gets no
        deliveries from then on."""
        ...

    def claim_states(self) -> dict[tuple[str, str], ClaimState]:
        """The latest state per (baseline_id, claim_id) that ever had one."""
        ...

    def delivery_counts(self) -> Mapping[tuple[str, str], int]:
        """How many deliveries each (sink, state) holds: the outbox at a glance."""
        ...

    def counts(self) -> Mapping[str, int]: ...

    def close(self) -> None: ...


def open_store(location: Path | str) -> Store:
    """Open (creating and migrating as needed) the state database at ``location``: a
    ``postgresql://`` URL, or else the path of a SQLite file (``Config.state_location``).

    Raises StateError when it cannot be opened or was written by a newer claimwatch.
    """
    if isinstance(location, str) and is_postgres_url(location):
        return postgres_store(location)
    from claimwatch.store.sqlite import SqliteStore

    return SqliteStore(Path(location))


def migrate(config: Config, *, fresh: bool = False) -> str:
    """Bring the configured state database to the current schema (``claimwatch migrate``);
    return a one-line summary. ``fresh``: accept the state as it is now (a new, empty one
    where there is none) although a marker or the alert log speaks of another one.
    Raises StateError as ``open_state`` does."""
    from claimwatch.store.guard import open_state

    store = open_state(config, purpose="claimwatch migrate", fresh=fresh)
    before, state_id = store.migrated_from, store.state_id
    store.close()
    where = config.state_display
    if fresh:
        kept = "a new, empty state" if before == 0 else "the database found there"
        return f"{where}: {kept} is the state from now on (id {state_id}, schema {LATEST})"
    if before == LATEST:
        return f"{where}: schema version {LATEST}, up to date"
    return f"{where}: schema version {before} -> {LATEST}"


def postgres_store(url: str, refuse_empty: StateError | None = None) -> PostgresStore:
    """The PostgreSQL store; ``refuse_empty`` is raised, before anything is created, when the
    database has no claimwatch schema yet."""
    try:
        from claimwatch.store.postgres import PostgresStore
    except ImportError:
        raise StateError(
            "PostgreSQL needs psycopg: pip install 'claimwatch[postgresql]'",
            subject=redact_url(url),
        ) from None
    return PostgresStore(url, refuse_empty=refuse_empty)
