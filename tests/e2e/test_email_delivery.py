"""Email delivery end to end: ``claimwatch`` processes, a real SMTP server, SIGKILL and restart.

The feed has one article that contradicts two claims, so each run stores two novel alerts. The
crash tests are deterministic: in one the SMTP server is down on the first run, so the alerts
are persisted but not delivered when the daemon is killed; in the other the server receives
the message and kills the daemon before answering, so the outbox never marks it delivered.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import threading
from collections import Counter
from collections.abc import Callable, Iterator

import pytest

from tests import freedonia
from tests.e2e.helpers import Service, Workdir, eventually, rss
from tests.servers import HTML_TYPE
from tests.smtp_server import Received, SmtpServer, closed_port

pytestmark = pytest.mark.slow

BASELINE = freedonia.baseline(freedonia.BRIDGE, freedonia.FERRY)
ITEM = ("g1", "Freedonia bridge closed", "The bridge in Freedonia was closed on Tuesday.")
PAGE = (
    "<html><head><title>Freedonia bridge closed</title></head><body><article>"
    "<h1>Freedonia bridge closed</h1>"
    "<p>The main bridge in Freedonia was closed by the authorities on Tuesday, officials in the "
    "capital said, and traffic was sent around the river.</p>"
    "<p>The ferry across the river in Freedonia was also suspended on Tuesday, the port "
    "authority said, leaving hundreds of commuters stranded on both banks.</p>"
    "<p>Officials did not say when the crossings would reopen to the public, and police "
    "patrolled the approaches through the night.</p>"
    "</article></body></html>"
)


def prepare(work: Workdir, smtp_port: int) -> None:
    """Two-claim baseline, the feed and its article, and a config with the email sink."""
    (work.root / "baselines" / "freedonia.yaml").write_text(BASELINE, encoding="utf-8")
    work.server.route("/news.xml", rss(work.server, [ITEM]), etag='"v1"')
    work.server.route("/articles/g1", PAGE, content_type=HTML_TYPE)
    work.write_config(["news"])
    with work.config.open("a", encoding="utf-8") as config:
        config.write(
            "[alerts.email]\n"
            'host = "127.0.0.1"\n'
            f"port = {smtp_port}\n"
            'security = "none"\n'
            'sender = "claimwatch@example.org"\n'
            'recipients = ["desk@example.org"]\n'
            'timeout = "5s"\n'
        )


def email_states(work: Workdir, sink: str = "email") -> dict[str, str]:
    if not work.state.exists():
        return {}
    try:
        rows = work.query("SELECT alert_id, sink, state FROM deliveries")
    except sqlite3.OperationalError:  # the daemon has created the file, not yet its tables
        return {}
    return {alert_id: state for alert_id, name, state in rows if name == sink}


def expected_ids(work: Workdir) -> set[str]:
    return {f"<{alert_id}.email@claimwatch>" for alert_id in email_states(work)}


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with SmtpServer() as server:
        yield server


def test_once_sends_one_email_per_novel_alert(work: Workdir, smtp: SmtpServer) -> None:
    prepare(work, smtp.port)
    result = work.run("once")
    assert result.returncode == 0, result.stderr
    assert len(email_states(work)) == 2
    assert sorted(smtp.message_ids()) == sorted(expected_ids(work))
    subjects = sorted(str(m.message["Subject"]) for m in smtp.messages)
    assert subjects == [
        "[claimwatch] contradiction · bridge · Freedonia bridge closed",
        "[claimwatch] contradiction · ferry · Freedonia bridge closed",
    ]
    listing = work.run("alerts")
    assert listing.stdout.count("email: delivered") == 2, listing.stdout
    assert work.run("once").returncode == 0
    assert len(smtp.messages) == 2  # nothing new, nothing sent twice


def test_server_down_then_kill_9_then_up_every_alert_arrives_once(
    work: Workdir, service_factory: Callable[..., Service]
) -> None:
    with closed_port() as reserved:  # connections to it are refused: the SMTP server is down
        port = reserved.getsockname()[1]
        prepare(work, port)
        first = service_factory()
        eventually(lambda: "failed" in email_states(work).values(), what="a failed email delivery")
        # the log sink first (a delivery killed in flight is held as in doubt, on purpose)
        eventually(
            lambda: set(email_states(work, "log").values()) == {"delivered"},
            what="the log sink's deliveries",
        )
        first.process.kill()  # SIGKILL: alerts persisted, not delivered
        assert first.wait() == -signal.SIGKILL
        assert work.integrity() == "ok"
        assert "delivered" not in email_states(work).values()
    with SmtpServer(port=port) as smtp:
        retried = work.run("alerts", "--retry")
        assert retried.returncode == 0 and "re-queued" in retried.stderr
        second = service_factory()
        eventually(lambda: len(smtp.messages) >= 2, what="both emails")
        eventually(
            lambda: set(email_states(work).values()) == {"delivered"}, what="delivered states"
        )
        second.signal(signal.SIGTERM)
        assert second.wait() == 0
        assert sorted(smtp.message_ids()) == sorted(expected_ids(work))  # each exactly once
    assert len(work.alerts()) == 2  # the JSON Lines sink wrote each alert once


def test_kill_9_after_the_server_took_the_message_resends_once_after_the_hold(
    work: Workdir, smtp: SmtpServer, service_factory: Callable[..., Service]
) -> None:
    """The outcome of the killed send is unknown: restarts hold it (and say so), and once the
    hold is over it is sent again, once, with the same Message-ID."""
    prepare(work, smtp.port)
    with work.config.open("a", encoding="utf-8") as config:
        config.write('[outbox]\nunknown_hold = "10m"\n')
    target: dict[str, int] = {}
    armed = threading.Event()

    def kill_daemon(received: Received) -> None:
        """The server has the message; the daemon dies before it reads the 250."""
        if armed.wait(10) and "pid" in target:  # only the first run's daemon
            os.kill(target.pop("pid"), signal.SIGKILL)

    smtp.on_data = kill_daemon
    first = service_factory()
    target["pid"] = first.process.pid
    armed.set()
    assert first.wait() == -signal.SIGKILL
    assert work.integrity() == "ok"
    (taken,) = smtp.messages
    taken_id = str(taken.message["X-Claimwatch-Alert-Id"])
    assert set(email_states(work).values()) == {"pending"}  # never marked delivered

    second = service_factory()  # a restart within the hold: the other email only
    eventually(lambda: len(smtp.messages) == 2, what="the email never attempted")
    eventually(lambda: bool(second.events("alert.delivery")), what="delivery events")
    second.signal(signal.SIGTERM)
    assert second.wait() == 0
    unknown = second.events("alert.delivery")
    (held,) = [e for e in unknown if e["status"] == "unknown" and e["sink"] == "email"]
    assert held["alert_id"] == taken_id
    assert "no outcome was recorded" in held["error"] and held["next_attempt"]
    again = work.run("once")  # another restart within the hold sends nothing either
    assert again.returncode == 0, again.stderr
    assert len(smtp.messages) == 2
    status = work.run("status")
    assert "Unknown outcome" in status.stdout and taken_id in status.stdout, status.stdout

    # The hold is over (the clock moved on): sent once more, recognisably the same message.
    work.query_write("UPDATE deliveries SET next_attempt = NULL WHERE sending_since IS NOT NULL")
    third = service_factory()
    eventually(lambda: set(email_states(work).values()) == {"delivered"}, what="delivered states")
    third.signal(signal.SIGTERM)
    assert third.wait() == 0
    retries = third.events("alert.delivery")
    (retried,) = [e for e in retries if e["status"] == "retry_unknown" and e["sink"] == "email"]
    assert retried["alert_id"] == taken_id
    counts = Counter(smtp.message_ids())
    assert set(counts) == expected_ids(work)  # every alert arrived
    assert counts[str(taken.message["Message-ID"])] == 2  # the one resend is the same message
    assert sum(counts.values()) == 3
