"""The email sink against a real SMTP server (aiosmtpd on 127.0.0.1), through the real outbox.

Covers: one email per novel alert, STARTTLS (trustme CA) with AUTH, implicit TLS, required
STARTTLS and certificate checks, digests, a server down then up, 4xx then success, 5xx
refused and never retried, and the ``[alerts.email]`` config section.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import re
import socket
import subprocess
import sys
import tomllib
import warnings
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiosmtplib
import pytest

from claimwatch.alerts import Alert
from claimwatch.config import config_from_mapping, load_config
from claimwatch.entries import Entry
from claimwatch.errors import ConfigError
from claimwatch.outbox import RETRY_BASE, RETRY_CAP, DrainReport, Outbox
from claimwatch.sinks import SINKS, DeliveryError, Sink, configured_sinks
from claimwatch.sinks.email_render import Envelope
from claimwatch.sinks.smtp import SmtpSettings, SmtpSink, classify
from claimwatch.store import Store, open_store
from tests.smtp_server import Certificates, SmtpServer, closed_port

START = datetime(2022, 1, 20, 12, 10, tzinfo=UTC)
ENVELOPE = Envelope("claimwatch@example.org", ("Desk <desk@example.org>",))


class Clock:
    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def alert(alert_id: str, *, claim: str = "troops", novel: bool = True, **changes: Any) -> Alert:
    base = Alert(
        alert_id=alert_id,
        kind="contradiction",
        baseline_id="freedonia",
        claim_id=claim,
        article_url=f"https://news.example.org/{alert_id}",
        article_title=f"Report {alert_id}",
        feed="wire",
        entry_id=alert_id,
        published=None,
        evidence="Officials said 2,030 troops arrived.",
        reason="The article gives 2,030 troops.",
        detected_at=START,
        novel=novel,
        value=2030.0,
        fact=f"fact:{alert_id}",
        score=0.8,
        highlight=(15, 20),
    )
    return dataclasses.replace(base, **changes)


@pytest.fixture(scope="module")
def certs() -> Certificates:
    return Certificates()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = open_store(tmp_path / "state.db")
    yield opened
    opened.close()


@pytest.fixture
def server() -> Iterator[SmtpServer]:
    with SmtpServer() as running:
        yield running


def sink(port: int, *, security: str = "none", digest: float = 0.0, **settings: Any) -> SmtpSink:
    values: dict[str, Any] = {"timeout": 5.0, **settings}
    return SmtpSink(SmtpSettings("127.0.0.1", port, security, **values), ENVELOPE, digest)


def add(store: Store, sinks: dict[str, Sink], *alerts: Alert) -> None:
    for item in alerts:
        entry = Entry("wire", item.entry_id, item.article_url, item.article_title, None, "")
        store.commit_entry(entry, "h", [item], list(sinks), item.detected_at)


def states(store: Store) -> dict[str, tuple[str, int, str | None]]:
    return {
        s.alert.alert_id: (
            s.deliveries[0].state,
            s.deliveries[0].attempts,
            s.deliveries[0].last_error,
        )
        for s in store.recent_alerts(100)
    }


# ---- one email per novel alert ------------------------------------------------------------


async def test_one_email_per_novel_alert_and_repeats_are_skipped(
    store: Store, server: SmtpServer
) -> None:
    sinks: dict[str, Sink] = {"email": sink(server.port)}
    add(store, sinks, alert("a1"), alert("a2", claim="toll", kind="follow_up"))
    add(store, sinks, alert("a3", novel=False))
    report = await Outbox(store, sinks, clock=Clock()).drain()
    assert report == DrainReport(delivered=2, skipped=1)
    assert [m.message["X-Claimwatch-Alert-Id"] for m in server.messages] == ["a1", "a2"]
    first = server.messages[0]
    assert first.mail_from == "claimwatch@example.org" and first.rcpt_tos == ("desk@example.org",)
    message = first.message
    assert message["Subject"] == "[claimwatch] contradiction · troops · Report a1"
    assert message["To"] == "Desk <desk@example.org>"
    assert message["Message-ID"] == "<a1.email@claimwatch>"
    text = message.get_body(("plain",))
    rich = message.get_body(("html",))
    assert text is not None and "**2,030**" in text.get_content()
    assert rich is not None and ">2,030</mark>" in rich.get_content()
    assert states(store)["a3"][:2] == ("skipped", 0)
    assert await Outbox(store, sinks, clock=Clock()).drain() == DrainReport()
    assert len(server.messages) == 2


async def test_starttls_with_auth_and_a_private_ca(
    tmp_path: Path, certs: Certificates, store: Store
) -> None:
    password = tmp_path / "password"
    password.write_text("s3cret\n", encoding="utf-8")
    ca_file = certs.write_ca(tmp_path / "ca.pem")
    with SmtpServer(starttls=certs.server_context(), users={"cw": "s3cret"}) as server:
        email = sink(
            server.port,
            security="starttls",
            username="cw",
            password_file=password,
            ca_file=ca_file,
        )
        add(store, {"email": email}, alert("a1"))
        assert await Outbox(store, {"email": email}, clock=Clock()).drain() == DrainReport(
            delivered=1
        )
        (received,) = server.messages
    assert received.tls and received.login == "cw"


async def test_a_wrong_password_is_refused_not_retried(
    tmp_path: Path, certs: Certificates, store: Store
) -> None:
    password = tmp_path / "password"
    password.write_text("wrong", encoding="utf-8")
    ca_file = certs.write_ca(tmp_path / "ca.pem")
    with SmtpServer(starttls=certs.server_context(), users={"cw": "s3cret"}) as server:
        email = sink(
            server.port, security="starttls", username="cw", password_file=password, ca_file=ca_file
        )
        add(store, {"email": email}, alert("a1"))
        assert (await Outbox(store, {"email": email}, clock=Clock()).drain()).refused == 1
        assert server.messages == []
    state, _, error = states(store)["a1"]
    assert state == "refused" and error is not None and "535" in error


async def test_implicit_tls(tmp_path: Path, certs: Certificates) -> None:
    ca_file = certs.write_ca(tmp_path / "ca.pem")
    with SmtpServer(implicit_tls=certs.server_context()) as server:
        await sink(server.port, security="tls", ca_file=ca_file).deliver(alert("a1"))
        (received,) = server.messages
    assert received.message["Message-ID"] == "<a1.email@claimwatch>"


async def test_starttls_is_required_when_configured(server: SmtpServer) -> None:
    """A server (or an attacker in between) that does not offer STARTTLS gets nothing."""
    with pytest.raises(DeliveryError) as caught:
        await sink(server.port, security="starttls").deliver(alert("a1"))
    assert not caught.value.permanent and "STARTTLS" in str(caught.value)
    assert server.data_attempts == 0


@pytest.mark.parametrize("security", ["starttls", "tls"])
async def test_an_untrusted_certificate_is_refused(certs: Certificates, security: str) -> None:
    context = certs.server_context()
    options = {"starttls": context} if security == "starttls" else {"implicit_tls": context}
    with SmtpServer(**options) as server:  # type: ignore[arg-type]
        with pytest.raises(DeliveryError) as caught:
            await sink(server.port, security=security).deliver(alert("a1"))  # system CAs
        assert server.data_attempts == 0
    assert not caught.value.permanent and "certificate" in str(caught.value).lower()


async def test_a_silent_server_times_out_as_a_transient_failure() -> None:
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        with pytest.raises(DeliveryError) as caught:
            await sink(silent.getsockname()[1], timeout=1.0).deliver(alert("a1"))
    assert not caught.value.permanent and "timed out" in str(caught.value).lower()


# ---- failures, retries, refusals -----------------------------------------------------------


async def test_server_down_then_up_every_alert_arrives_once(store: Store) -> None:
    clock = Clock()
    with closed_port() as reserved:
        port = reserved.getsockname()[1]
        sinks: dict[str, Sink] = {"email": sink(port)}
        add(store, sinks, alert("a1"), alert("a2", claim="toll"), alert("a3", claim="ferry"))
        outbox = Outbox(store, sinks, clock=clock)
        assert await outbox.drain() == DrainReport(failed=1)  # the sink halts at its first failure
        assert {s[0] for s in states(store).values()} == {"failed", "pending"}
    with SmtpServer(port=port) as server:
        assert await outbox.drain() == DrainReport(delivered=2)  # the pending ones go now
        clock.advance(RETRY_BASE)
        assert await outbox.drain() == DrainReport(delivered=1)  # the failed one after backoff
        assert await outbox.drain() == DrainReport()
        ids = sorted(server.message_ids())
    assert ids == ["<a1.email@claimwatch>", "<a2.email@claimwatch>", "<a3.email@claimwatch>"]


async def test_a_4xx_is_retried_then_delivered(store: Store, server: SmtpServer) -> None:
    clock = Clock()
    server.replies.append("451 4.3.0 Try again later")
    sinks: dict[str, Sink] = {"email": sink(server.port)}
    add(store, sinks, alert("a1"))
    outbox = Outbox(store, sinks, clock=clock)
    assert await outbox.drain() == DrainReport(failed=1)
    state, attempts, error = states(store)["a1"]
    assert (state, attempts) == ("failed", 1) and error is not None and "451" in error
    assert await outbox.drain() == DrainReport()  # backing off
    clock.advance(RETRY_BASE)
    assert await outbox.drain() == DrainReport(delivered=1)
    assert server.data_attempts == 2 and len(server.messages) == 1


async def test_a_5xx_is_recorded_and_never_retried(store: Store, server: SmtpServer) -> None:
    clock = Clock()
    server.replies.append("554 5.7.1 Message rejected as spam")
    sinks: dict[str, Sink] = {"email": sink(server.port)}
    add(store, sinks, alert("a1"), alert("a2", claim="toll"))
    outbox = Outbox(store, sinks, clock=clock)
    assert await outbox.drain() == DrainReport(delivered=1, refused=1)
    state, _, error = states(store)["a1"]
    assert state == "refused" and error == "server refused: 554 5.7.1 Message rejected as spam"
    for _ in range(3):
        clock.advance(RETRY_CAP)
        assert await outbox.drain() == DrainReport()
    assert server.data_attempts == 2


async def test_retry_requeues_a_refused_alert(store: Store, server: SmtpServer) -> None:
    server.replies.append("550 5.1.1 No such user")
    sinks: dict[str, Sink] = {"email": sink(server.port)}
    add(store, sinks, alert("a1"))
    outbox = Outbox(store, sinks, clock=Clock())
    assert (await outbox.drain()).refused == 1
    assert store.requeue_failed() == 1
    assert await outbox.drain() == DrainReport(delivered=1)
    assert states(store)["a1"][:2] == ("delivered", 1)


# ---- digests ---------------------------------------------------------------------------------


async def test_digest_groups_the_period_and_waits_for_its_end(
    store: Store, server: SmtpServer
) -> None:
    clock = Clock(datetime(2022, 1, 20, 12, 50, tzinfo=UTC))
    sinks: dict[str, Sink] = {"email": sink(server.port, digest=3600.0)}
    add(store, sinks, alert("a1"), alert("a2", claim="toll"), alert("a3", novel=False))
    later = dataclasses.replace(alert("a4"), detected_at=datetime(2022, 1, 20, 13, 5, tzinfo=UTC))
    add(store, sinks, later)
    outbox = Outbox(store, sinks, clock=clock)
    assert await outbox.drain() == DrainReport()  # 12:00-13:00 is not over yet
    clock.now = datetime(2022, 1, 20, 13, 10, tzinfo=UTC)
    assert await outbox.drain() == DrainReport(delivered=3)
    (digest,) = server.messages
    assert str(digest.message["Subject"]).startswith("[claimwatch] digest · 3 alerts on 2 claims")
    text = digest.message.get_body(("plain",))
    assert text is not None and "Corroboration" in text.get_content()
    assert "Report a3 (wire)" in text.get_content()
    assert {k: v[0] for k, v in states(store).items()} == {
        "a1": "delivered",
        "a2": "delivered",
        "a3": "delivered",
        "a4": "pending",
    }
    clock.now = datetime(2022, 1, 20, 14, 0, tzinfo=UTC)
    assert await outbox.drain() == DrainReport(delivered=1)  # 13:00-14:00 holds a4 alone
    assert len(server.messages) == 2


async def test_a_failed_digest_is_resent_whole_with_the_same_message_id(
    store: Store, server: SmtpServer
) -> None:
    clock = Clock(datetime(2022, 1, 20, 13, 1, tzinfo=UTC))
    server.replies.append("421 4.7.0 Too busy")
    sinks: dict[str, Sink] = {"email": sink(server.port, digest=3600.0)}
    add(store, sinks, alert("a1"), alert("a2", claim="toll"))
    outbox = Outbox(store, sinks, clock=clock)
    assert await outbox.drain() == DrainReport(failed=1)
    assert {v[0] for v in states(store).values()} == {"failed"}
    clock.advance(RETRY_BASE)
    assert await outbox.drain() == DrainReport(delivered=2)
    (digest,) = server.messages
    assert str(digest.message["Message-ID"]).startswith("<digest-20220120T1200Z-")


# ---- pieces ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("error", "permanent", "words"),
    [
        (aiosmtplib.SMTPResponseException(451, "4.3.0 Try later"), False, "451"),
        (aiosmtplib.SMTPDataError(552, "5.3.4 Too big"), True, "552 5.3.4 Too big"),
        (aiosmtplib.SMTPSenderRefused(553, "5.7.1 No", "a@b"), True, "553"),
        (aiosmtplib.SMTPConnectError("refused"), False, "refused"),
        (aiosmtplib.SMTPServerDisconnected("lost"), False, "lost"),
        (aiosmtplib.SMTPReadTimeoutError("slow"), False, "timed out"),
        (TimeoutError(), False, "timed out"),
        (ConnectionResetError("reset"), False, "reset"),
        (
            aiosmtplib.SMTPRecipientsRefused([aiosmtplib.SMTPRecipientRefused(550, "no", "x@y")]),
            True,
            "x@y: 550",
        ),
        (
            aiosmtplib.SMTPRecipientsRefused(
                [
                    aiosmtplib.SMTPRecipientRefused(550, "no", "x@y"),
                    aiosmtplib.SMTPRecipientRefused(452, "full", "z@y"),
                ]
            ),
            False,
            "z@y: 452",
        ),
    ],
)
def test_classify(error: Exception, permanent: bool, words: str) -> None:
    result = classify(error)
    assert result.permanent is permanent and words in str(result)


async def test_password_env(monkeypatch: pytest.MonkeyPatch, server: SmtpServer) -> None:
    monkeypatch.delenv("CW_TEST_SMTP_PASSWORD", raising=False)
    unset = sink(server.port, username="cw", password_env="CW_TEST_SMTP_PASSWORD")
    with pytest.raises(DeliveryError) as caught:
        await unset.deliver(alert("a1"))
    assert not caught.value.permanent and "CW_TEST_SMTP_PASSWORD" in str(caught.value)
    assert server.data_attempts == 0


# ---- config ----------------------------------------------------------------------------------

EMAIL = {
    "host": "smtp.example.org",
    "sender": "claimwatch@example.org",
    "recipients": ["desk@example.org"],
}


def email_config(tmp_path: Path, **section: Any) -> Any:
    return config_from_mapping(
        {"alerts": {"email": {**EMAIL, **section}}}, path=tmp_path / "c.toml"
    )


def test_defaults_and_the_registry(tmp_path: Path) -> None:
    config = email_config(tmp_path)
    email = config.alerts.email
    assert (email.security, email.smtp_port, email.digest, email.timeout) == (
        "starttls",
        587,
        0.0,
        30.0,
    )
    assert email_config(tmp_path, security="tls").alerts.email.smtp_port == 465
    assert email_config(tmp_path, security="none").alerts.email.smtp_port == 25
    assert email_config(tmp_path, digest="1h").alerts.email.digest == 3600.0
    assert set(SINKS) == {"log", "email", "apprise"}
    built = configured_sinks(config)["email"]
    assert isinstance(built, SmtpSink) and built.settings.port == 587


def test_relative_files_resolve_against_the_config_folder(tmp_path: Path) -> None:
    (tmp_path / "secret").write_text("pw\n")
    (tmp_path / "ca.pem").write_text("x")
    config = email_config(tmp_path, username="cw", password_file="secret", ca_file="ca.pem")
    built = configured_sinks(config)["email"]
    assert isinstance(built, SmtpSink)
    assert built.settings.password_file == tmp_path / "secret"
    assert built.settings.ca_file == tmp_path / "ca.pem"


BAD = [
    ("security", {"security": "ssl"}, "alerts.email.security", "'starttls'"),
    ("port", {"port": 70000}, "alerts.email.port", "65535"),
    ("plaintext", {"username": "cw", "password": "hunter2"}, "alerts.email.password",
     "plaintext password is not allowed"),
    ("both", {"username": "cw", "password_file": "/etc/hostname", "password_env": "X"},
     "alerts.email", "exclusive"),
    ("no-password", {"username": "cw"}, "alerts.email", "needs password_file or password_env"),
    ("no-user", {"password_env": "X"}, "alerts.email", "needs a username"),
    ("clear", {"security": "none", "username": "cw", "password_env": "X"}, "alerts.email",
     "AUTH needs"),
    ("env-name", {"username": "cw", "password_env": "1-X"}, "alerts.email.password_env",
     "environment variable name"),
    ("no-recipients", {"recipients": []}, "alerts.email.recipients", "at least 1"),
    ("bad-recipient", {"recipients": ["desk"]}, "alerts.email.recipients[0]",
     "not an email address"),
    ("header-injection", {"recipients": ["a@b.org\nBcc: c@d.org"]}, "alerts.email.recipients[0]",
     "not an email address"),
    ("sender", {"sender": "claimwatch"}, "alerts.email.sender", "not an email address"),
    ("digest-short", {"digest": "10s"}, "alerts.email.digest", "1 minute to 7 days"),
    ("digest-word", {"digest": "daily"}, "alerts.email.digest", "duration"),
    ("host", {"host": "smtp example.org"}, "alerts.email.host", "host name"),
    ("prefix", {"subject_prefix": "a\nb"}, "alerts.email.subject_prefix", "single line"),
    ("unknown", {"pasword_file": "x"}, "alerts.email.pasword_file", "unknown key"),
]  # fmt: skip


@pytest.mark.parametrize(("section", "key", "words"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_invalid_email_sections(
    tmp_path: Path, section: dict[str, Any], key: str, words: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        email_config(tmp_path, **section)
    message = str(caught.value)
    assert f": {key}: " in message and words in message
    assert "hunter2" not in message


def test_an_unreadable_password_file_names_the_file_and_key(tmp_path: Path) -> None:
    path = tmp_path / "claimwatch.toml"
    path.write_text(
        '[alerts.email]\nhost = "smtp.example.org"\nsender = "a@example.org"\n'
        'recipients = ["b@example.org"]\nusername = "cw"\npassword_file = "missing"\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(caught.value) == (
        f"{path}:6: alerts.email.password_file: cannot read {tmp_path / 'missing'}: "
        "No such file or directory"
    )
    (tmp_path / "missing").write_text("\n")
    with pytest.raises(ConfigError, match="is empty"):
        load_config(path)
    (tmp_path / "missing").write_text("pw\n")
    assert load_config(path).alerts.email is not None


def test_check_exits_2_on_a_plaintext_password(tmp_path: Path) -> None:
    path = tmp_path / "claimwatch.toml"
    path.write_text(
        'baselines = []\n[alerts.email]\nhost = "smtp.example.org"\nsender = "a@example.org"\n'
        'recipients = ["b@example.org"]\nusername = "cw"\npassword = "hunter2"\n',
        encoding="utf-8",
    )
    result = subprocess.run(
        [sys.executable, "-m", "claimwatch", "check", "--config", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert f"{path}:7: alerts.email.password: a plaintext password" in result.stderr
    assert "hunter2" not in result.stderr


def test_the_readme_example_is_valid(tmp_path: Path) -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    (block,) = [
        b for b in re.findall(r"```toml\n(.*?)```", readme, flags=re.S) if "[alerts.email]" in b
    ]
    password = tmp_path / "smtp-password"
    password.write_text("pw\n", encoding="utf-8")
    data = tomllib.loads(block.replace("/etc/claimwatch/smtp-password", str(password)))
    if importlib.util.find_spec("apprise") is None:
        del data["alerts"]["apprise"]
    with warnings.catch_warnings():  # Apprise's plugin loader imports the deprecated imghdr
        warnings.simplefilter("ignore", DeprecationWarning)
        config = config_from_mapping(data, path=tmp_path / "claimwatch.toml")
    email = config.alerts.email
    assert email is not None and email.smtp_port == 587 and email.username == "claimwatch"
    assert email.password_file == str(password) and email.digest == 0.0
