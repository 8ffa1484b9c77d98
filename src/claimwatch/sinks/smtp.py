"""The email sink: send rendered messages over SMTP with aiosmtplib, and classify the outcome.

TLS is explicit and never optional: ``tls`` is implicit TLS, ``starttls`` *requires* STARTTLS
(a server, or an attacker, that does not offer it fails the delivery rather than downgrading),
``none`` is plain SMTP. Certificates are verified (``ssl.create_default_context``; ``ca_file``
replaces the system's CAs). One connection per message; each SMTP step has ``timeout`` and the
whole send ``SEND_TIMEOUT_FACTOR`` times that.

Replies are classified for the outbox: a 5xx is permanent (the server's reply is recorded and
the alert never retried); a 4xx, a refused or lost connection, a TLS failure or a timeout are
transient (retried with backoff). A timeout after DATA may mean the server got the message
(RFC 5321); the stable Message-ID makes such a duplicate recognisable.
"""

from __future__ import annotations

import asyncio
import logging
import os
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import parseaddr
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import aiosmtplib

from claimwatch.alerts import Alert
from claimwatch.logs import log_event
from claimwatch.sinks.base import SKIPPED, DeliveryError, Digest, Skipped
from claimwatch.sinks.email_render import Envelope, alert_message, digest_message

if TYPE_CHECKING:
    from claimwatch.config import Config, EmailSinkConfig

NAME = "email"
SEND_TIMEOUT_FACTOR = 4  # the whole conversation may take this many step timeouts
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


def permanent(message: str) -> DeliveryError:
    return DeliveryError(message, sink=NAME, permanent=True)


def classify(exc: Exception) -> DeliveryError:
    """An aiosmtplib (or socket, TLS, timeout) error -> a transient or permanent DeliveryError."""
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        replies = [f"{r.recipient}: {r.code} {r.message}" for r in exc.recipients]
        final = all(r.code >= 500 for r in exc.recipients)
        return (permanent if final else transient)("recipients refused: " + "; ".join(replies))
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        reply = f"{exc.code} {exc.message}".strip()
        return permanent(f"server refused: {reply}") if exc.code >= 500 else transient(reply)
    if isinstance(exc, TimeoutError | aiosmtplib.SMTPTimeoutError):
        return transient(f"timed out: {exc}" if str(exc) else "timed out")
    return transient(f"{type(exc).__name__}: {exc}")


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
            tls = tls_context(settings)
            async with asyncio.timeout(settings.timeout * SEND_TIMEOUT_FACTOR):
                refused, _ = await aiosmtplib.send(
                    message,
                    sender=parseaddr(self.envelope.sender)[1],
                    recipients=bare_addresses(self.envelope.recipients),
                    hostname=settings.host,
                    port=settings.port,
                    use_tls=settings.security == "tls",
                    start_tls=settings.security == "starttls",  # True: required, never optional
                    tls_context=tls,
                    username=settings.username,
                    password=password,
                    timeout=settings.timeout,
                )
        except (aiosmtplib.SMTPException, OSError, TimeoutError, ssl.SSLError) as exc:
            raise classify(exc) from exc
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
