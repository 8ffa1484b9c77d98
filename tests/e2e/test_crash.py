"""``kill -9`` at random points of cycles with alerts in flight; restart; repeat.

Each round publishes new entries, starts ``claimwatch run`` and kills it with SIGKILL at a
random moment: a random time after the start, or right after a random number of entries,
alerts or deliveries. A last ``claimwatch once`` runs to the end. Then:

- the database passes ``PRAGMA integrity_check`` after every round;
- every article that should have an alert has exactly one;
- every sink (the JSON Lines file and email over SMTP) got every alert at least once, and a
  repeated delivery carries the same alert id, or the same Message-ID;
- every delivery ended as delivered.

A delivery whose send a kill interrupted has an unknown outcome: later rounds hold it (for
``[outbox] unknown_hold``, far longer than the test); before the last ``claimwatch once`` the
clock is moved past the hold, so that it is sent then, once more.

The seed is printed, so a failing sequence can be replayed (``CLAIMWATCH_CRASH_SEED``).
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests import freedonia
from tests.e2e.helpers import Service, Workdir
from tests.servers import FeedServer
from tests.smtp_server import SmtpServer

pytestmark = pytest.mark.slow

ROUNDS = 20
FEEDS = ("alpha", "beta", "gamma")
NEW_PER_ROUND = 2  # relevant entries per feed and round; each gets an alert
NEW_ALERTS = NEW_PER_ROUND * len(FEEDS)
# Events to kill after, with the most a round can see (entries include one irrelevant per feed).
KILL_EVENTS = {
    "entry.processed": NEW_ALERTS + len(FEEDS),
    "alert.new": NEW_ALERTS,
    "alert.delivery": 2 * NEW_ALERTS,
}
ROUND_CAP = 5.0  # seconds: a round that reaches no trigger is killed anyway

BASELINE = freedonia.baseline(freedonia.TROOPS)


class Newsroom:
    """The feeds' growing content: every relevant entry carries its own figure (a new fact)."""

    def __init__(self, server: FeedServer) -> None:
        self.server = server
        self.items: dict[str, list[str]] = {name: [] for name in FEEDS}
        self.relevant_urls: set[str] = set()
        self._count = 0

    def publish(self, round_number: int) -> None:
        for name in FEEDS:
            for slot in range(NEW_PER_ROUND):
                self._count += 1
                guid = f"{name}-{round_number}-{slot}"
                url = self.server.url(f"/articles/{guid}")
                figure = 3000 + 10 * self._count
                self.items[name].append(
                    f"<item><guid>{guid}</guid><link>{url}</link>"
                    f"<title>Peacekeepers in Freedonia: update {self._count}</title>"
                    f"<description>Officials in Freedonia said on Tuesday that {figure:,} "
                    "peacekeepers had arrived in the capital.</description></item>"
                )
                self.relevant_urls.add(url)
            self.items[name].append(
                f"<item><guid>{name}-{round_number}-weather</guid><title>Weather</title>"
                "<description>Rain in Sylvania.</description></item>"
            )
            body = "".join(reversed(self.items[name]))  # newest first, as feeds do
            self.server.route(
                f"/{name}.xml",
                f'<?xml version="1.0"?><rss version="2.0"><channel><title>{name}</title>'
                f"{body}</channel></rss>",
            )


def write_config(work: Workdir, smtp_port: int) -> None:
    (work.root / "baselines" / "freedonia.yaml").write_text(BASELINE, encoding="utf-8")
    email = [
        "[alerts.email]",
        'host = "127.0.0.1"',
        f"port = {smtp_port}",
        'security = "none"',
        'sender = "claimwatch@example.org"',
        'recipients = ["desk@example.org"]',
        "timeout = 5",
    ]
    work.write_config(
        FEEDS, interval="15m", sections=email, feed_options=['fetch_articles = "none"']
    )


def db_rows(path: Path, sql: str) -> list[tuple[Any, ...]]:
    db = sqlite3.connect(path)
    try:
        return db.execute(sql).fetchall()
    finally:
        db.close()


def make_feeds_due(path: Path) -> None:
    """Fast-forward the clock: every feed is due now (the daemon polls due feeds at start)."""
    if path.exists():
        db = sqlite3.connect(path)
        try:
            with db:
                db.execute("UPDATE feeds SET next_attempt = NULL")
        finally:
            db.close()


def end_holds(path: Path) -> int:
    """Fast-forward past the hold of every delivery of unknown outcome; return how many."""
    db = sqlite3.connect(path)
    try:
        with db:
            return db.execute(
                "UPDATE deliveries SET next_attempt = NULL WHERE sending_since IS NOT NULL"
            ).rowcount
    finally:
        db.close()


def kill_at_random(service: Service, rng: random.Random) -> str:
    """SIGKILL the service at a random point; return a description of that point."""
    deadline = time.monotonic() + ROUND_CAP
    if rng.random() < 0.3:
        delay = rng.uniform(0.0, 1.5)
        time.sleep(delay)
        point = f"{delay:.2f}s after start"
    else:
        event = rng.choice(sorted(KILL_EVENTS))
        count = rng.randint(1, KILL_EVENTS[event])
        while time.monotonic() < deadline and len(service.events(event)) < count:
            time.sleep(0.005)
        time.sleep(rng.uniform(0.0, 0.03))
        point = f"after {event} #{count}"
    os.kill(service.process.pid, signal.SIGKILL)
    service.wait(10)
    return point


def test_kill_9_rounds_lose_nothing_and_duplicate_recognisably(
    work: Workdir, service_factory: Callable[..., Service]
) -> None:
    seed = int(os.environ.get("CLAIMWATCH_CRASH_SEED", random.randrange(1 << 30)))
    print(f"kill -9 rounds: CLAIMWATCH_CRASH_SEED={seed}")
    rng = random.Random(seed)
    news = Newsroom(work.server)
    in_flight = 0
    with SmtpServer() as smtp:
        write_config(work, smtp.port)
        for number in range(ROUNDS):
            news.publish(number)
            make_feeds_due(work.state)
            point = kill_at_random(service_factory(), rng)
            if work.state.exists():
                assert work.integrity() == "ok", f"round {number}, killed {point}"
                pending = "SELECT count(*) FROM deliveries WHERE state = 'pending'"
                in_flight += db_rows(work.state, pending)[0][0] > 0
        in_doubt = end_holds(work.state)
        final = work.run("once")
        assert final.returncode == 0, final.stderr
        messages = smtp.messages
    print(f"rounds killed with deliveries pending: {in_flight} of {ROUNDS}")
    print(f"deliveries of unknown outcome (killed mid-send), sent again after the hold: {in_doubt}")
    assert in_flight >= 3  # the rounds did kill with alerts in flight

    assert work.integrity() == "ok"
    assert db_rows(work.state, "PRAGMA foreign_key_check") == []
    alerts = db_rows(work.state, "SELECT alert_id, article_url, kind, claim_id FROM alerts")
    by_url = Counter(url for _, url, _, _ in alerts)
    assert set(by_url) == news.relevant_urls and set(by_url.values()) == {1}
    assert {(kind, claim) for _, _, kind, claim in alerts} == {("contradiction", "troops")}
    ids = {alert_id for alert_id, _, _, _ in alerts}
    states = db_rows(work.state, "SELECT sink, state, count(*) FROM deliveries GROUP BY 1, 2")
    assert sorted(states) == [("email", "delivered", len(ids)), ("log", "delivered", len(ids))]

    # The JSON Lines sink: each alert at least once; a repeat is the same record.
    lines = [json.loads(line) for line in work.alert_log.read_text().splitlines()]
    seen_lines: dict[str, dict[str, Any]] = {}
    for line in lines:
        assert seen_lines.setdefault(line["alert_id"], line) == line
    assert set(seen_lines) == ids

    # Email: each alert at least once; a repeat has the same Message-ID and alert id header.
    by_message_id: dict[str, str] = {}
    for message in messages:
        parsed = message.message
        alert_id = str(parsed["X-Claimwatch-Alert-Id"])
        assert by_message_id.setdefault(str(parsed["Message-ID"]), alert_id) == alert_id
    assert set(by_message_id.values()) == ids
    print(
        f"{len(ids)} alerts; repeated deliveries: log {len(lines) - len(ids)}, "
        f"email {len(messages) - len(ids)}"
    )
