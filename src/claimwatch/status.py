"""``claimwatch status``: the feeds, the outbox and the claims at a glance, in the terminal.

Read-only: a state database that does not exist yet is not created; the tables are then
shown empty (feeds never polled, nothing queued, no claim challenged), and a marker beside it
that says there was one is pointed out. Deliveries whose outcome is unknown (the process
stopped while sending) get a table of their own: when each is sent again, and how often it
may be. Every value from the store or a baseline is shown as plain text, never as rich markup.
Dismissed alerts do not count toward a claim (triage.py); the claims table says how many there
are, how many were confirmed, and whether the claim is muted or closed.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, TextIO

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from claimwatch.alerts import FEED_KINDS, Alert
from claimwatch.baselines import Baseline
from claimwatch.config import Config, FeedConfig, OutboxConfig
from claimwatch.feeds import FeedState
from claimwatch.triage import NO_TRIAGE, Triage, state_text
from claimwatch.verdicts import ClaimState

if TYPE_CHECKING:
    from claimwatch.store import InDoubt

PIPED_WIDTH = 120  # columns when not on a terminal and $COLUMNS is not set
DOUBTS_SHOWN = 50
DELIVERY_STATES = ("pending", "failed", "delivered", "refused")
NEVER = "-"


@dataclass(frozen=True, slots=True)
class Snapshot:
    """What the status shows, read from the store (or empty when there is none yet)."""

    feeds: Mapping[str, FeedState] = field(default_factory=dict)  # by feed name
    deliveries: Mapping[tuple[str, str], int] = field(default_factory=dict)
    alerts: Sequence[Alert] = ()
    doubts: Sequence[InDoubt] = ()  # deliveries of unknown outcome, oldest first
    triage: Triage = NO_TRIAGE  # the latest verdicts and claim states


@dataclass(frozen=True, slots=True)
class ClaimLine:
    baseline_id: str
    claim_id: str
    statement: str
    follow_ups: int
    contradictions: int
    latest: datetime | None  # see latest_date
    confirmed: int = 0
    dismissed: int = 0  # not counted in the figures above
    unjudged: int = 0  # alerts without a verdict
    state: ClaimState | None = None  # the latest one, ``open`` included; None: never set


def read_snapshot(config: Config) -> Snapshot | None:
    """The store's view, or None when the state database does not exist (it is not created)."""
    from claimwatch.store import open_store

    if config.state_missing:
        return None
    store = open_store(config.state_location)
    try:
        return Snapshot(
            {feed.name: store.feed_state(feed.name, feed.url) for feed in config.feeds},
            store.delivery_counts(),
            store.all_alerts(),
            store.in_doubt(datetime.now(UTC), DOUBTS_SHOWN + 1),  # one more: are there more?
            Triage(store.verdicts(), store.claim_states()),
        )
    finally:
        store.close()


def missing_text(config: Config) -> str:
    """What to say when there is no state file: nothing yet, or one that vanished."""
    from claimwatch.store.identity import marker_path

    text = f"no state yet ({config.state_display} does not exist)"
    if config.state_url is None and marker_path(config.state).exists():
        text = (
            f"no state: {config.state_display} does not exist, but "
            f"{marker_path(config.state)} says there was one; `claimwatch run` and `once` "
            "refuse to start over (restore it, or `claimwatch migrate --fresh`)"
        )
    return text


def console_for(stream: TextIO) -> Console:
    """A console on ``stream``; piped output gets a sane fixed width rather than 80."""
    isatty = getattr(stream, "isatty", None)
    if isatty is not None and isatty():
        return Console(file=stream)
    columns = os.environ.get("COLUMNS", "")
    width = int(columns) if columns.isdigit() and int(columns) > 0 else PIPED_WIDTH
    return Console(file=stream, width=width)


def when(moment: datetime | None) -> str:
    return NEVER if moment is None else f"{moment.astimezone(UTC):%Y-%m-%d %H:%M}"


def claim_lines(
    baselines: Sequence[Baseline], alerts: Iterable[Alert], triage: Triage = NO_TRIAGE
) -> list[ClaimLine]:
    """One line per claim of the baselines, then per claim only alerts still name; dismissed
    alerts are left out of the counts and the latest date."""
    found: dict[tuple[str, str], list[Alert]] = {}
    for alert in alerts:
        if alert.kind not in FEED_KINDS:
            found.setdefault((alert.baseline_id, alert.claim_id), []).append(alert)
    statements = {(b.id, c.id): c.statement for b in baselines for c in b.claims}
    keys = list(statements) + sorted(k for k in found if k not in statements)
    lines = []
    for key in keys:
        every = found.get(key, [])
        own = triage.counted(every)
        lines.append(
            ClaimLine(
                key[0],
                key[1],
                statements.get(key, "(no longer in a baseline)"),
                sum(1 for a in own if a.kind == "follow_up"),
                sum(1 for a in own if a.kind == "contradiction"),
                latest_date(own),
                confirmed=sum(triage.confirmed(a) for a in own),
                dismissed=len(every) - len(own),
                unjudged=sum(triage.verdict(a) is None for a in every),
                state=triage.claim_states.get(key),
            )
        )
    return lines


def latest_date(alerts: Sequence[Alert]) -> datetime | None:
    """The latest publication date; the latest detection only when none is dated (a replay
    of undated articles must not look like news of today)."""
    published = [a.published for a in alerts if a.published is not None]
    return max(published or [a.detected_at for a in alerts], default=None)


def feed_disabled(feed: FeedConfig, state: FeedState) -> str | None:
    """Why the feed is not polled: off in the config, or disabled after failures; None."""
    return "in config" if not feed.enabled else state.disabled_reason


def outbox_sinks(sinks: Sequence[str], deliveries: Mapping[tuple[str, str], int]) -> list[str]:
    """The configured sinks, then those no longer configured that still hold deliveries."""
    return list(sinks) + sorted({s for s, _ in deliveries} - set(sinks))


def feeds_table(config: Config, snapshot: Snapshot) -> Table:
    table = _table("Feeds")
    for name in ("feed", "last success", "failures", "last error", "next poll", "disabled"):
        table.add_column(name, overflow="fold")
    for feed in config.feeds:
        state = snapshot.feeds.get(feed.name) or FeedState(url=feed.url)
        disabled = feed_disabled(feed, state) or ""
        table.add_row(
            *map(
                Text,
                (
                    feed.name,
                    when(state.last_success),
                    str(state.consecutive_failures),
                    state.last_error or "",
                    when(state.next_attempt) if feed.enabled else NEVER,
                    disabled,
                ),
            )
        )
    return table


def outbox_table(sinks: Sequence[str], deliveries: Mapping[tuple[str, str], int]) -> Table:
    """Deliveries per sink and state; sinks no longer configured but still holding some too."""
    table = _table("Outbox")
    table.add_column("sink")
    for state in DELIVERY_STATES:
        table.add_column(state, justify="right")
    for name in outbox_sinks(sinks, deliveries):
        counts = (str(deliveries.get((name, state), 0)) for state in DELIVERY_STATES)
        table.add_row(Text(name), *map(Text, counts))
    return table


def doubts_table(doubts: Sequence[InDoubt], outbox: OutboxConfig) -> Table:
    """Deliveries handed to their sink whose outcome was never recorded."""
    more = f"; showing the first {DOUBTS_SHOWN}" if len(doubts) > DOUBTS_SHOWN else ""
    table = _table(
        "Unknown outcome: the process stopped while sending (sent again after the hold of "
        f"{outbox.unknown_hold / 60:g} min, at most {outbox.unknown_retries} times, then "
        f"refused{more})"
    )
    for name in ("alert", "sink", "sent at", "unknown", "next attempt"):
        table.add_column(name, no_wrap=name != "sink")
    for doubt in doubts[:DOUBTS_SHOWN]:
        cells = (
            doubt.alert_id,
            doubt.sink,
            when(doubt.sending_since),
            str(doubt.unknown),
            when(doubt.next_attempt),
        )
        table.add_row(*map(Text, cells))
    return table


def claims_table(lines: Sequence[ClaimLine]) -> Table:
    table = _table("Claims")
    table.add_column("claim", no_wrap=True)
    table.add_column("statement", overflow="fold", ratio=1, min_width=20)
    table.add_column("followed\nup", justify="right")
    table.add_column("contra-\ndicted", justify="right")
    judged = any(line.confirmed or line.dismissed for line in lines)
    held = any(state_text(line.state) for line in lines)
    if judged:  # the columns of an analyst's calls only once there are some
        table.add_column("con-\nfirmed", justify="right")
        table.add_column("dis-\nmissed", justify="right")
    table.add_column("latest", no_wrap=True)
    if held:
        table.add_column("state", overflow="fold", max_width=24)
    for line in lines:
        latest = NEVER if line.latest is None else f"{line.latest.astimezone(UTC):%Y-%m-%d}"
        calls = (str(line.confirmed), str(line.dismissed)) if judged else ()
        state = (state_text(line.state),) if held else ()
        cells = (str(line.follow_ups), str(line.contradictions), *calls, latest, *state)
        table.add_row(
            Text(f"{line.baseline_id}/{line.claim_id}"), Text(line.statement), *map(Text, cells)
        )
    return table


def _table(title: str) -> Table:
    """No vertical rules: narrow terminals keep more room for text, and piped output reads
    as plain columns."""
    return Table(title=title, title_justify="left", box=box.SIMPLE_HEAD)


def render(
    console: Console,
    config: Config,
    baselines: Sequence[Baseline],
    snapshot: Snapshot | None,
    sinks: Sequence[str],
) -> None:
    """Print the three tables; ``snapshot`` None: there is no state database yet."""
    if snapshot is None:
        console.print(Text(missing_text(config)), soft_wrap=True)
        snapshot = Snapshot()
    else:
        console.print(Text(f"state: {config.state_display}"), soft_wrap=True)
    console.print(feeds_table(config, snapshot))
    console.print(outbox_table(sinks, snapshot.deliveries))
    if snapshot.doubts:
        console.print(doubts_table(snapshot.doubts, config.outbox))
    console.print(claims_table(claim_lines(baselines, snapshot.alerts, snapshot.triage)))
