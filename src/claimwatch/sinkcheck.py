"""Trying the alert channels before relying on them: ``claimwatch alerts test``, ``claimwatch
check --connect`` and the email set-up warnings of ``check`` and ``run``.

``alerts test`` builds one test alert (kind ``test``: about no claim, ``"test": true`` in the
JSON Lines log) and hands it to each configured sink's own ``deliver`` at once, the way the
outbox would but without it: nothing is stored, nothing is retried, and a digest period does
not hold it back. ``check --connect`` goes through the email sink's own SMTP session
(sinks/smtp.py) up to AUTH and quits without sending. Failures read as smtp_advice.py words
them, the same as in ``last_error`` and the log.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import socket
from dataclasses import dataclass
from datetime import UTC, datetime

from claimwatch import __version__
from claimwatch.alerts import TEST_KIND, Alert
from claimwatch.config import Config
from claimwatch.errors import InputError
from claimwatch.exits import EXIT_OK, EXIT_REFUSED
from claimwatch.logs import log_event
from claimwatch.sinks import SINKS, SKIPPED, DeliveryError, enabled_sinks
from claimwatch.sinks.smtp import (
    SEND_TIMEOUT_FACTOR,
    SESSION_ERRORS,
    SmtpSettings,
    Trail,
    classify,
    read_password,
    session,
)
from claimwatch.sinks.smtp_advice import setup_warnings

logger = logging.getLogger(__name__)
TEST_REASON = (
    "A test sent by `claimwatch alerts test` to check that alerts reach you; it is about no "
    "claim, and nothing was stored."
)


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one sink did with the test alert: ``detail`` is where it went, or why it failed."""

    sink: str
    sent: bool
    detail: str


def marked_test_alert(config: Config, now: datetime) -> Alert:
    """The marked test alert: a fresh id each time, so no sink takes it for one it has."""
    sender = f"claimwatch {__version__} on {socket.gethostname()}, config {config.path}"
    return Alert(
        alert_id=f"test-{now:%Y%m%dT%H%M%SZ}-{secrets.token_hex(4)}",
        kind=TEST_KIND,
        baseline_id="",
        claim_id="",
        article_url=None,
        article_title="claimwatch test alert",
        feed="",
        entry_id="",
        published=None,
        evidence=sender,
        reason=TEST_REASON,
        detected_at=now,
        novel=True,
        value=None,
        fact="test",
        score=0.0,
    )


def chosen_sinks(config: Config, only: str | None) -> list[str]:
    """The configured sinks to test, or ``only``; an unknown or unconfigured name is an
    input error (exit 2), as is a config without sinks."""
    configured = enabled_sinks(config)
    if only is not None and only not in SINKS:
        raise InputError(f"no sink named {only!r} (sinks: {', '.join(SINKS)})", subject="--sink")
    if only is not None and only not in configured:
        raise InputError(f"[alerts.{only}] is not configured", subject=str(config.path))
    if not configured:
        raise InputError("no [alerts.*] sink is configured", subject=str(config.path))
    return [only] if only is not None else configured


def alerts_test(config: Config, only: str | None) -> int:
    """``claimwatch alerts test``: print each sink's outcome as it comes; exit 4 if one failed."""
    names = chosen_sinks(config, only)
    alert = marked_test_alert(config, datetime.now(UTC))
    print(f"test alert {alert.alert_id} from {config.path}", flush=True)
    failed = 0
    for name in names:
        outcome = asyncio.run(send_to(name, config, alert))
        failed += not outcome.sent
        state = "sent" if outcome.sent else "FAILED:"
        print(f"  {name}: {state} {outcome.detail}", flush=True)
    if failed:
        print(f"{failed} of {len(names)} sinks did not take the test alert")
        return EXIT_REFUSED
    print(
        "the sink took the test alert"
        if len(names) == 1
        else f"all {len(names)} sinks took the test alert"
    )
    return EXIT_OK


async def send_to(name: str, config: Config, alert: Alert) -> Outcome:
    """Deliver ``alert`` through sink ``name`` now; any failure is an outcome, not an error."""
    try:
        sink = SINKS[name].from_config(config)
    except Exception as exc:  # an optional library missing or broken: say so, test the others
        return Outcome(name, False, f"cannot start the sink: {type(exc).__name__}: {exc}")
    try:
        result = await sink.deliver(alert)
    except DeliveryError as exc:
        return Outcome(name, False, exc.message)
    except Exception as exc:  # a bug in one sink must not hide the others' outcomes
        return Outcome(name, False, f"{type(exc).__name__}: {exc}")
    finally:
        await sink.aclose()
    if result == SKIPPED:
        return Outcome(name, False, "the sink skipped the test alert")
    return Outcome(name, True, destination(config, name))


def destination(config: Config, name: str) -> str:
    """Where sink ``name`` sends, for the outcome line."""
    email, apprise = config.alerts.email, config.alerts.apprise
    if name == "email" and email is not None:
        return f"to {', '.join(email.recipients)} via {email.host}:{email.smtp_port}"
    if name == "apprise" and apprise is not None:
        return f"to {len(apprise.urls)} Apprise URL(s)"
    return f"to {config.alert_log_path or 'standard output'}"


# ---- the email sink's set-up -------------------------------------------------------------


def email_settings(config: Config) -> SmtpSettings | None:
    email = config.alerts.email
    return SmtpSettings.from_email_config(email) if email is not None else None


def email_warnings(config: Config) -> list[str]:
    """``check``'s and ``run``'s warnings about the email set-up (none without email)."""
    settings = email_settings(config)
    return setup_warnings(settings) if settings is not None else []


def log_email_warnings(config: Config) -> None:
    """The same warnings in the daemon's start-up log, one WARNING line each."""
    for warning in email_warnings(config):
        log_event(
            logger, "email.setup", level=logging.WARNING, status="warning",
            path=str(config.path), error=warning,
        )  # fmt: skip


def check_email(config: Config, *, connect: bool) -> int:
    """``check --connect``: open the SMTP session (``check`` prints the set-up warnings)."""
    if not connect:
        return EXIT_OK
    settings = email_settings(config)
    if settings is None:
        print("email: not configured, no SMTP session to open")
        return EXIT_OK
    print(f'email: {settings.host}:{settings.port}, security = "{settings.security}"')
    trail, failure = asyncio.run(try_session(settings))
    for step, detail in trail.done:
        print(f"  {step:<9} ok      {detail}")
    if failure is None:
        return EXIT_OK
    print(f"  {trail.step:<9} FAILED  {failure}")
    print(f"failed: the SMTP session stopped at {trail.step}")
    return EXIT_REFUSED


async def try_session(settings: SmtpSettings) -> tuple[Trail, str | None]:
    """Open the email sink's session and quit without sending: (how far it got, the failure)."""
    trail = Trail()
    try:
        password = None
        if settings.username is not None:
            trail.start("password")
            password = read_password(settings)
            trail.ok(f"read from {settings.password_file or settings.password_env}")
        async with asyncio.timeout(settings.timeout * SEND_TIMEOUT_FACTOR):
            async with session(settings, password, trail):
                trail.start("quit")
        trail.ok("closed without sending")
    except DeliveryError as exc:
        return trail, exc.message
    except SESSION_ERRORS as exc:
        return trail, classify(exc, settings).message
    return trail, None
