"""``alerts test``, ``check --connect`` and the email set-up warnings against real parts: aiosmtpd
on 127.0.0.1 (plain, STARTTLS, implicit TLS, AUTH; trustme certificates), a port with nothing
listening, the real ``claimwatch`` command, and a daemon started in-process.
"""

from __future__ import annotations

import asyncio
import gc
import json
import logging
import socket
import ssl
import threading
import warnings
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from claimwatch.alerts import to_json
from claimwatch.cli import _cmd_alerts, _cmd_alerts_test, build_parser
from claimwatch.config import config_from_mapping, load_config
from claimwatch.daemon import Daemon
from claimwatch.exits import EXIT_REFUSED
from claimwatch.outbox import Outbox
from claimwatch.sinkcheck import (
    chosen_sinks,
    marked_test_alert,
    send_to,
    try_session,
)
from claimwatch.sinks import DeliveryError
from claimwatch.sinks.apprise import notification
from claimwatch.sinks.email_render import Envelope, alert_message
from claimwatch.sinks.smtp import SmtpSettings, SmtpSink
from claimwatch.store import open_store
from tests.commands import claimwatch
from tests.smtp_server import Certificates, SmtpServer, closed_port
from tests.test_sinks_smtp import add, alert, states

NOW = datetime(2026, 3, 1, 9, 30, 15, tzinfo=UTC)
USERS = {"cw": "s3cret"}


@pytest.fixture(scope="module")
def certs() -> Certificates:
    return Certificates()


@pytest.fixture
def ca_file(tmp_path: Path, certs: Certificates) -> Path:
    return certs.write_ca(tmp_path / "ca.pem")


@pytest.fixture
def password_file(tmp_path: Path) -> Path:
    path = tmp_path / "password"
    path.write_text("s3cret\n", encoding="utf-8")
    return path


def smtp(port: int, security: str = "none", **options: Any) -> SmtpSettings:
    return SmtpSettings("127.0.0.1", port, security, **{"timeout": 2.0, **options})  # type: ignore[arg-type]


def run(settings: SmtpSettings) -> tuple[list[str], str, str | None]:
    """(the steps done, the step under way at the end, the failure) of check --connect."""
    trail, failure = asyncio.run(try_session(settings))
    return [step for step, _ in trail.done], trail.step, failure


# ---- the SMTP session of check --connect -------------------------------------------------


def test_plain_smtp_on_a_trusted_host() -> None:
    with SmtpServer() as server:
        done, _, failure = run(smtp(server.port))
    assert failure is None and done == ["connect", "ehlo", "quit"]
    assert server.data_attempts == 0


def test_starttls_and_auth_accepted(
    ca_file: Path, password_file: Path, certs: Certificates
) -> None:
    with SmtpServer(starttls=certs.server_context(), users=USERS) as server:
        settings = smtp(
            server.port, "starttls", username="cw", password_file=password_file, ca_file=ca_file
        )
        trail, failure = asyncio.run(try_session(settings))
    assert failure is None
    assert [step for step, _ in trail.done] == [
        "password", "connect", "ehlo", "starttls", "ehlo", "auth", "quit",
    ]  # fmt: skip
    details = dict(trail.done)
    assert details["starttls"].startswith("TLSv1.") and str(ca_file) in details["starttls"]
    assert "AUTH" in trail.done[4][1] and "AUTH" not in trail.done[2][1]  # offered after TLS
    assert details["auth"] == "signed in as cw"
    assert server.messages == []


def test_auth_refused(ca_file: Path, tmp_path: Path, certs: Certificates) -> None:
    wrong = tmp_path / "wrong"
    wrong.write_text("guess", encoding="utf-8")
    with SmtpServer(starttls=certs.server_context(), users=USERS) as server:
        settings = smtp(
            server.port, "starttls", username="cw", password_file=wrong, ca_file=ca_file
        )
        done, step, failure = run(settings)
    assert step == "auth" and done[-1] == "ehlo"
    assert failure is not None
    assert "refused the username or password (535)" in failure and str(wrong) in failure
    assert failure.endswith("(server refused: 535 5.7.8 Authentication credentials invalid)")


def test_auth_not_offered(password_file: Path) -> None:
    """aiosmtpd offers AUTH only over TLS: in plain text it offers none (the config would refuse
    a username without TLS; the session itself is what is tried here)."""
    with SmtpServer() as server:
        _, step, failure = run(smtp(server.port, username="cw", password_file=password_file))
    assert step == "auth" and failure is not None and "offers no AUTH" in failure


def test_a_server_without_starttls() -> None:
    with SmtpServer() as server:
        port = server.port
        done, step, failure = run(smtp(port, "starttls"))
    assert done == ["connect", "ehlo"] and step == "starttls"
    assert failure is not None
    assert failure.startswith(f"127.0.0.1:{port} offers no STARTTLS: if it speaks TLS")
    assert 'use security = "none" only on a trusted network' in failure
    assert failure.endswith("(SMTPException: SMTP STARTTLS extension not supported by server.)")


def test_implicit_tls(ca_file: Path, certs: Certificates) -> None:
    with SmtpServer(implicit_tls=certs.server_context()) as server:
        trail, failure = asyncio.run(try_session(smtp(server.port, "tls", ca_file=ca_file)))
    assert failure is None and [step for step, _ in trail.done] == ["connect", "ehlo", "quit"]
    assert "220 smtp.test" in trail.done[0][1] and "TLSv1." in trail.done[0][1]


class LingeringTlsServer:
    """A TLS-from-the-first-byte SMTP server that answers QUIT and then stays on the line
    without TLS's goodbye until the test ends: a client that waits for the goodbye before
    closing its socket would leave it open when its event loop ends."""

    def __init__(self, context: ssl.SSLContext) -> None:
        self._context = context
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self.port: int = self._listener.getsockname()[1]

    def _serve(self) -> None:
        connection, _ = self._listener.accept()
        with self._context.wrap_socket(connection, server_side=True) as tls:
            lines = tls.makefile("rb")
            tls.sendall(b"220 smtp.test ready\r\n")
            for line in lines:
                if line.upper().startswith(b"QUIT"):
                    tls.sendall(b"221 bye\r\n")
                    self._done.wait(10)
                    return
                tls.sendall(b"250 smtp.test\r\n")

    def __enter__(self) -> LingeringTlsServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        self._thread.join(timeout=10)
        self._listener.close()


def test_a_server_still_on_the_line_after_quit_leaves_no_socket_open(
    ca_file: Path, certs: Certificates
) -> None:
    with (
        LingeringTlsServer(certs.server_context()) as server,
        warnings.catch_warnings(record=True) as caught,
    ):
        warnings.simplefilter("always", ResourceWarning)
        trail, failure = asyncio.run(try_session(smtp(server.port, "tls", ca_file=ca_file)))
        gc.collect()
    assert failure is None and trail.done[-1] == ("quit", "closed without sending")
    assert [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)] == []


def test_a_tls_port_spoken_to_in_plain_text(certs: Certificates) -> None:
    with SmtpServer(implicit_tls=certs.server_context()) as server:
        _, step, failure = run(smtp(server.port, "starttls", timeout=0.5))
    assert step == "connect" and failure is not None
    assert "sent no greeting within 0.5 s" in failure and 'set security = "tls"' in failure


def test_a_plain_port_spoken_to_with_tls(certs: Certificates) -> None:
    with SmtpServer(starttls=certs.server_context()) as server:
        _, step, failure = run(smtp(server.port, "tls"))
    assert step == "connect" and failure is not None
    assert "does not speak TLS from the first byte" in failure
    assert "WRONG_VERSION_NUMBER" in failure  # the library's words are kept


def test_nothing_listening() -> None:
    sock = closed_port()
    port = sock.getsockname()[1]
    try:
        _, step, failure = run(smtp(port))
    finally:
        sock.close()
    assert step == "connect" and failure is not None
    assert f"nothing listens on 127.0.0.1:{port} (connection refused)" in failure


@pytest.mark.parametrize("security", ["starttls", "tls"])
def test_an_untrusted_certificate(certs: Certificates, security: str) -> None:
    context = certs.server_context()
    options = {"starttls": context} if security == "starttls" else {"implicit_tls": context}
    with SmtpServer(**options) as server:  # type: ignore[arg-type]
        _, step, failure = run(smtp(server.port, security))  # the system's CAs
    assert step == ("starttls" if security == "starttls" else "connect")
    assert failure is not None and "is not trusted: set ca_file" in failure
    assert "CERTIFICATE_VERIFY_FAILED" in failure


def test_a_certificate_for_another_name(ca_file: Path, certs: Certificates) -> None:
    import ssl

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    certs.ca.issue_cert("smtp.example.org").configure_cert(context)
    with SmtpServer(starttls=context) as server:
        _, step, failure = run(smtp(server.port, "starttls", ca_file=ca_file))
    assert step == "starttls" and failure is not None
    assert "is not for '127.0.0.1': set host to a name the certificate lists" in failure


def test_an_unreadable_password_stops_before_connecting(tmp_path: Path) -> None:
    with SmtpServer() as server:
        settings = smtp(server.port, "starttls", username="cw", password_file=tmp_path / "missing")
        done, step, failure = run(settings)
    assert done == [] and step == "password"
    assert failure is not None and "cannot read password_file" in failure


# ---- the email sink's delivery errors carry the same advice -------------------------------


def test_advice_lands_in_last_error(tmp_path: Path, certs: Certificates) -> None:
    store = open_store(tmp_path / "state.db")
    try:
        with SmtpServer(starttls=certs.server_context()) as server:
            email = SmtpSink(
                smtp(server.port, "starttls"), Envelope("cw@example.org", ("d@x.org",))
            )
            add(store, {"email": email}, alert("a1"))
            asyncio.run(Outbox(store, {"email": email}).drain())
        state, _, error = states(store)["a1"]
    finally:
        store.close()
    assert state == "failed" and error is not None
    assert error.startswith("the certificate of 127.0.0.1:") and "is not trusted" in error
    assert "CERTIFICATE_VERIFY_FAILED" in error


def test_starttls_wanted_and_recipients_refused_are_explained(certs: Certificates) -> None:
    envelope = Envelope("cw@example.org", ("x@example.org",))
    with (
        SmtpServer(starttls=certs.server_context()) as server,
        pytest.raises(DeliveryError) as caught,
    ):
        asyncio.run(SmtpSink(smtp(server.port), envelope).deliver(alert("a1")))
    assert caught.value.permanent
    assert 'wants STARTTLS first (530): set security = "starttls"' in caught.value.message
    with SmtpServer() as server:
        server.refused_recipients["x@example.org"] = "550 5.1.1 No such user"
        with pytest.raises(DeliveryError) as caught:
            asyncio.run(SmtpSink(smtp(server.port), envelope).deliver(alert("a2")))
    assert caught.value.permanent
    assert "refused every recipient: check recipients" in caught.value.message
    assert "x@example.org: 550 5.1.1 No such user" in caught.value.message


# ---- the test alert ----------------------------------------------------------------------


def config_text(*, log: str | None = "alerts.jsonl", email: str | None = None) -> str:
    parts = ['state = "state.db"', "baselines = []"]
    if log is not None:
        parts += ["[alerts.log]", f'path = "{log}"']
    if email is not None:
        parts += ["[alerts.email]", email]
    return "\n".join(parts) + "\n"


def email_section(port: int, security: str = "none", extra: str = "") -> str:
    return (
        f'host = "127.0.0.1"\nport = {port}\nsecurity = "{security}"\n'
        'sender = "claimwatch@example.org"\nrecipients = ["desk@example.org"]\n'
        f'timeout = "2s"\n{extra}'
    )


def write_config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "claimwatch.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_test_alert_is_marked_everywhere(tmp_path: Path) -> None:
    config = load_config(write_config(tmp_path, config_text()))
    alert_ = marked_test_alert(config, NOW)
    record = to_json(alert_)
    assert record["test"] is True and record["kind"] == "test" and record["claim_id"] == ""
    assert str(config.path) in record["evidence"] and "claimwatch " in record["evidence"]
    assert "test" not in to_json(alert("a1"))  # real alerts carry no marker
    assert marked_test_alert(config, NOW).alert_id != alert_.alert_id  # fresh each time
    message = alert_message(alert_, Envelope("cw@example.org", ("d@x.org",)))
    assert message["Subject"] == "[claimwatch] test alert · not about any claim"
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "Test alert: not about any claim" in text and "2026-03-01 09:30:15 UTC" in text
    assert str(config.path) in text and "Claim:" not in text and "Evidence:" not in text
    html = message.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert "test alert, not about any claim" in html and "Contradiction" not in html
    title, body = notification(alert_)
    assert title == "claimwatch: test alert · not about any claim"
    assert "2026-03-01 09:30:15 UTC" in body and alert_.alert_id in body


def test_the_log_sink_gets_one_marked_line(tmp_path: Path) -> None:
    config = load_config(write_config(tmp_path, config_text()))
    alert_ = marked_test_alert(config, NOW)
    outcome = asyncio.run(send_to("log", config, alert_))
    assert outcome.sent and outcome.detail == f"to {tmp_path / 'alerts.jsonl'}"
    (line,) = (tmp_path / "alerts.jsonl").read_text(encoding="utf-8").splitlines()
    assert json.loads(line) == to_json(alert_)


@pytest.mark.filterwarnings("ignore:'imghdr' is deprecated:DeprecationWarning")
def test_the_apprise_sink_gets_the_test_alert(tmp_path: Path) -> None:
    pytest.importorskip("apprise")
    from tests.test_sinks_apprise import Webhook

    with Webhook() as hook:
        data = {"alerts": {"apprise": {"urls": [hook.url("/hook")]}}}
        config = config_from_mapping(data, path=tmp_path / "claimwatch.toml")
        outcome = asyncio.run(send_to("apprise", config, marked_test_alert(config, NOW)))
        assert outcome.sent and outcome.detail == "to 1 Apprise URL(s)"
        ((path, body),) = hook.received
    assert path == "/hook" and body["title"] == "claimwatch: test alert · not about any claim"


def test_which_sinks_are_tested(tmp_path: Path) -> None:
    from claimwatch.errors import InputError

    config = load_config(write_config(tmp_path, config_text(email=email_section(25))))
    assert chosen_sinks(config, None) == ["log", "email"]
    assert chosen_sinks(config, "email") == ["email"]
    with pytest.raises(InputError, match=r"\[alerts.apprise\] is not configured"):
        chosen_sinks(config, "apprise")
    with pytest.raises(InputError, match="no sink named 'mail'"):
        chosen_sinks(config, "mail")
    bare = load_config(write_config(tmp_path, config_text(log=None)))
    with pytest.raises(InputError, match=r"no \[alerts\.\*\] sink is configured"):
        chosen_sinks(bare, None)


def test_alerts_still_lists_and_test_is_an_action() -> None:
    parser = build_parser()
    listing = parser.parse_args(["alerts", "--limit", "3", "--json"])
    assert listing.handler is _cmd_alerts and listing.limit == 3 and listing.json
    test = parser.parse_args(["alerts", "test", "--sink", "email", "--config", "c.toml"])
    assert test.handler is _cmd_alerts_test and test.sink == "email"
    assert test.config == Path("c.toml")


# ---- the real command --------------------------------------------------------------------


@pytest.fixture
def server() -> Iterator[SmtpServer]:
    with SmtpServer() as running:
        yield running


@pytest.mark.slow
def test_alerts_test_through_the_log_and_email(tmp_path: Path, server: SmtpServer) -> None:
    config = write_config(tmp_path, config_text(email=email_section(server.port)))
    result = claimwatch("alerts", "test", "--config", str(config))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("test alert test-") and lines[0].endswith(str(config))
    assert lines[1] == f"  log: sent to {tmp_path / 'alerts.jsonl'}"
    assert lines[2] == f"  email: sent to desk@example.org via 127.0.0.1:{server.port}"
    assert lines[3] == "all 2 sinks took the test alert"
    (record,) = map(json.loads, (tmp_path / "alerts.jsonl").read_text().splitlines())
    assert record["test"] is True and lines[0].split()[2] == record["alert_id"]
    (received,) = server.messages
    assert received.message["Subject"] == "[claimwatch] test alert · not about any claim"
    assert not (tmp_path / "state.db").exists()  # nothing stored


@pytest.mark.slow
def test_alerts_test_with_the_mail_server_down(tmp_path: Path) -> None:
    sock = closed_port()
    port = sock.getsockname()[1]
    try:
        config = write_config(tmp_path, config_text(email=email_section(port)))
        result = claimwatch("alerts", "test", "--config", str(config))
        only = claimwatch("alerts", "test", "--sink", "log", "--config", str(config))
    finally:
        sock.close()
    assert result.returncode == EXIT_REFUSED, result.stderr
    assert "  log: sent to" in result.stdout
    assert f"  email: FAILED: nothing listens on 127.0.0.1:{port}" in result.stdout
    assert result.stdout.endswith("1 of 2 sinks did not take the test alert\n")
    assert only.returncode == 0 and "email" not in only.stdout
    assert len((tmp_path / "alerts.jsonl").read_text().splitlines()) == 2


@pytest.mark.slow
def test_check_connect_and_its_warnings(
    tmp_path: Path, certs: Certificates, ca_file: Path, password_file: Path
) -> None:
    extra = f'username = "cw"\npassword_file = "{password_file}"\nca_file = "{ca_file}"\n'
    with SmtpServer(starttls=certs.server_context(), users=USERS) as server:
        good = write_config(
            tmp_path, config_text(email=email_section(server.port, "starttls", extra))
        )
        result = claimwatch("check", "--connect", "--config", str(good))
        assert server.data_attempts == 0
    assert result.returncode == 0, result.stdout + result.stderr
    assert "email: 127.0.0.1:" in result.stdout and ', security = "starttls"' in result.stdout
    assert "  auth      ok      signed in as cw\n" in result.stdout
    assert result.stdout.endswith("  quit      ok      closed without sending\nok\n")
    mismatch = write_config(tmp_path, config_text(email=email_section(465, "starttls")))
    warned = claimwatch("check", "--config", str(mismatch))  # no --connect: nothing is dialled
    assert warned.returncode == 0
    assert "warning: alerts.email: port 465 speaks TLS from the first byte" in warned.stderr
    assert warned.stdout.endswith("ok\n")
    sock = closed_port()
    try:
        down = write_config(tmp_path, config_text(email=email_section(sock.getsockname()[1])))
        failed = claimwatch("check", "--connect", "--config", str(down))
    finally:
        sock.close()
    assert failed.returncode == EXIT_REFUSED
    assert "  connect   FAILED  nothing listens on" in failed.stdout
    assert failed.stdout.endswith("failed: the SMTP session stopped at connect\n")


# ---- the daemon's start-up log -----------------------------------------------------------


async def test_the_daemon_logs_the_warnings_at_start(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    config = load_config(write_config(tmp_path, config_text(email=email_section(465, "none"))))
    daemon = Daemon(config, (), grace=1)
    started = asyncio.Event()

    class Started(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if record.getMessage() == "daemon.start":
                started.set()  # logged from the event loop's own thread

    logging.getLogger("claimwatch").addHandler(handler := Started())
    try:
        with caplog.at_level(logging.INFO, logger="claimwatch"):
            task = asyncio.create_task(daemon.run())
            async with asyncio.timeout(20):
                await started.wait()
            daemon.request_stop()
            assert await task == 0
    finally:
        logging.getLogger("claimwatch").removeHandler(handler)
    warnings = [r for r in caplog.records if r.getMessage() == "email.setup"]
    (warning,) = warnings  # 127.0.0.1: no warning about plain text on the network
    fields = warning.claimwatch_fields  # type: ignore[attr-defined]
    assert warning.levelno == logging.WARNING and fields["path"] == str(config.path)
    assert fields["error"].startswith('port 465 speaks TLS from the first byte, security = "none"')
