"""The email sink: send rendered messages over SMTP with aiosmtplib, and classify the outcome.

TLS is explicit and never optional: ``tls`` is implicit TLS, ``starttls`` *requires* STARTTLS
(a server, or an attacker, that does not offer it fails the delivery rather than downgrading),
``none`` is plain SMTP. Certificates are verified (``ssl.create_default_context``; ``ca_file``
replaces the system's CAs). One connection per message; each SMTP step has ``timeout`` and the
whole send ``SEND_TIMEOUT_FACTOR`` times that.

``session`` is the one way to open the SMTP conversation (connect, EHLO, STARTTLS, AUTH), used
by every send and by ``claimwatch check --connect``, which stops there; its ``Trail`` records
how far it got.

Replies are classified for the outbox: a 5xx is permanent (the server's reply is recorded and
the alert never retried); a 4xx, a refused or lost connection, a TLS failure or a timeout are
transient (retried with backoff). A timeout after DATA may mean the server got the message
(RFC 5321); the stable Message-ID makes such a duplicate recognisable. The recorded error
starts with what to do where smtp_advice.py knows it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import ssl
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import parseaddr
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import aiosmtplib

from claimwatch.alerts import Alert
from claimwatch.logs import log_event
from claimwatch.sinks.base import SKIPPED, DeliveryError, Digest, Skipped
from claimwatch.sinks.email_render import Envelope, alert_message, digest_message
from claimwatch.sinks.smtp_advice import explain

if TYPE_CHECKING:
    from claimwatch.config import Config, EmailSinkConfig

NAME = "email"
SEND_TIMEOUT_FACTOR = 4  # the whole conversation may take this many step timeouts
# What a session may raise (ssl.SSLError is an OSError; named for the reader)
SESSION_ERRORS = (aiosmtplib.SMTPException, OSError, TimeoutError, ssl.SSLError)
logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    """Where and how to connect; read from ``[alerts.email]`` (already validated)."""

    host: str
    port: int
    security: Literal["none", "starttls", "tls"]
    timeout: float = 30.0
    username: str | None = None
    password_file: Path | None = None
    password_env: str | None = None
    ca_file: Path | None = None

    @classmethod
    def from_email_config(cls, email: EmailSinkConfig) -> SmtpSettings:
        return cls(
            host=email.host,
            port=email.smtp_port,
            security=email.security,
            timeout=email.timeout,
            username=email.username,
            password_file=Path(email.password_file) if email.password_file else None,
            password_env=email.password_env,
            ca_file=Path(email.ca_file) if email.ca_file else None,
        )


def transient(message: str) -> DeliveryError:
    return DeliveryError(message, sink=NAME)


def classify(exc: Exception, settings: SmtpSettings | None = None) -> DeliveryError:
    """An aiosmtplib (or socket, TLS, timeout) error -> a transient or permanent DeliveryError;
    with ``settings``, its message starts with what to do (smtp_advice.py)."""
    final, text = _outcome(exc)
    if settings is not None:
        text = explain(exc, settings, text)
    return DeliveryError(text, sink=NAME, permanent=final)


def _outcome(exc: Exception) -> tuple[bool, str]:
    """(permanent, the library's or the server's words)."""
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        replies = [f"{r.recipient}: {r.code} {r.message}" for r in exc.recipients]
        final = all(r.code >= 500 for r in exc.recipients)
        return final, "recipients refused: " + "; ".join(replies)
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        reply = f"{exc.code} {exc.message}".strip()
        return (True, f"server refused: {reply}") if exc.code >= 500 else (False, reply)
    if isinstance(exc, TimeoutError | aiosmtplib.SMTPTimeoutError):
        return False, f"timed out: {exc}" if str(exc) else "timed out"
    return False, f"{type(exc).__name__}: {exc}"


def read_password(settings: SmtpSettings) -> str | None:
    """The password, read at each send so that a rotated secret is picked up."""
    if settings.password_file is not None:
        try:
            return settings.password_file.read_text(encoding="utf-8").strip("\r\n")
        except (OSError, UnicodeDecodeError) as exc:
            raise transient(f"cannot read password_file {settings.password_file}: {exc}") from exc
    if settings.password_env is not None:
        value = os.environ.get(settings.password_env)
        if not value:
            raise transient(f"environment variable {settings.password_env} is not set")
        return value
    return None


def tls_context(settings: SmtpSettings) -> ssl.SSLContext | None:
    if settings.security == "none":
        return None
    cafile = str(settings.ca_file) if settings.ca_file else None
    return ssl.create_default_context(cafile=cafile)


def bare_addresses(values: tuple[str, ...]) -> list[str]:
    return [parseaddr(value)[1] for value in values]


@dataclass(slots=True)
class Trail:
    """How far one session got: each step done with what was learnt, and the step under way
    (the one that failed, when the session raised)."""

    done: list[tuple[str, str]] = field(default_factory=list)
    step: str = "connect"

    def start(self, step: str) -> None:
        self.step = step

    def ok(self, detail: str) -> None:
        self.done.append((self.step, detail))


@contextlib.asynccontextmanager
async def session(
    settings: SmtpSettings, password: str | None, trail: Trail | None = None
) -> AsyncIterator[aiosmtplib.SMTP]:
    """A session ready for MAIL FROM: connected (TLS from the first byte for ``tls``), EHLO,
    STARTTLS for ``starttls`` (required: a server that does not offer it fails here), AUTH
    when a username is set. QUIT on the way out; its failure is ignored, the work is done."""
    trail = Trail() if trail is None else trail
    client = aiosmtplib.SMTP(
        hostname=settings.host,
        port=settings.port,
        use_tls=settings.security == "tls",
        start_tls=False,  # done below, explicitly and never optionally
        tls_context=tls_context(settings),
        timeout=settings.timeout,
    )
    trail.start("connect")
    greeting = await client.connect()
    try:
        tls = f"; {_tls_text(client, settings)}" if settings.security == "tls" else ""
        first = greeting.message.partition("\n")[0]
        trail.ok(f"{greeting.code} {first}{tls}".strip())
        await _hello(client, trail)
        if settings.security == "starttls":
            trail.start("starttls")
            await client.starttls()
            trail.ok(_tls_text(client, settings))
            await _hello(client, trail)
        if settings.username is not None:
            trail.start("auth")
            await client.login(settings.username, password or "")
            trail.ok(f"signed in as {settings.username}")
        yield client
        line = client.transport  # quit() lets go of it: kept to drop it below
        with contextlib.suppress(*SESSION_ERRORS):
            await client.quit()
        _hang_up(line)
    finally:
        _hang_up(client.transport)
        client.close()
        await asyncio.sleep(0)  # the loop's next turn closes the socket


def _hang_up(line: asyncio.BaseTransport | None) -> None:
    """Drop the connection at once, as smtplib does. A graceful close over TLS waits for the
    server's TLS goodbye, which may come late or never: an event loop ending meanwhile
    (``alerts test``, ``check --connect``) would leave the socket to the garbage collector.
    After QUIT, or a failure, nothing is left to say."""
    if isinstance(line, asyncio.Transport):
        line.abort()


async def _hello(client: aiosmtplib.SMTP, trail: Trail) -> None:
    trail.start("ehlo")
    try:
        await client.ehlo()
    except aiosmtplib.SMTPHeloError:  # a server from before ESMTP
        trail.start("helo")
        await client.helo()
    offers = [
        f"{name.upper()} {params}".strip() for name, params in client.esmtp_extensions.items()
    ]
    trail.ok(f"offers {', '.join(offers)}" if offers else "offers no extensions")


def _tls_text(client: aiosmtplib.SMTP, settings: SmtpSettings) -> str:
    ssl_object = client.get_transport_info("ssl_object")
    version = ssl_object.version() if ssl_object is not None else "TLS"
    trusted = f"ca_file {settings.ca_file}" if settings.ca_file else "the system's CAs"
    return f"{version}, certificate for {settings.host} verified against {trusted}"


class SmtpSink:
    """``[alerts.email]``: one email per novel alert, or one digest per ``digest`` period."""

    def __init__(self, settings: SmtpSettings, envelope: Envelope, digest_period: float = 0.0):
        self.settings = settings
        self.envelope = envelope
        self.digest_period = digest_period

    @classmethod
    def from_config(cls, config: Config) -> SmtpSink:
        email = config.alerts.email
        assert email is not None, "the registry builds only configured sinks"
        envelope = Envelope(email.sender, email.recipients, email.subject_prefix, NAME)
        return cls(SmtpSettings.from_email_config(email), envelope, email.digest)

    async def deliver(self, alert: Alert) -> Skipped | None:
        """Email a novel alert; a repeat is skipped here (digests list repeats instead)."""
        if not alert.novel:
            return SKIPPED
        await self.send(alert_message(alert, self.envelope))
        return None

    async def deliver_digest(self, digest: Digest) -> None:
        await self.send(digest_message(digest, self.envelope))

    async def send(self, message: EmailMessage) -> None:
        """Send one message or raise DeliveryError (``permanent`` for a 5xx reply)."""
        settings = self.settings
        password = read_password(settings)
        try:
            async with asyncio.timeout(settings.timeout * SEND_TIMEOUT_FACTOR):
                async with session(settings, password) as client:
                    refused, _ = await client.send_message(
                        message,
                        sender=parseaddr(self.envelope.sender)[1],
                        recipients=bare_addresses(self.envelope.recipients),
                    )
        except SESSION_ERRORS as exc:
            raise classify(exc, settings) from exc
        if refused:  # accepted for some recipients: sending again would double it for them
            self._log_partial(message, refused)

    def _log_partial(self, message: EmailMessage, refused: Mapping[str, object]) -> None:
        log_event(
            logger,
            "email.partial",
            level=logging.WARNING,
            status="refused",
            sink=NAME,
            alert_id=str(message.get("X-Claimwatch-Alert-Id", "")) or None,
            error="; ".join(f"{address}: {reply}" for address, reply in refused.items()),
        )

    async def aclose(self) -> None:
        return None
