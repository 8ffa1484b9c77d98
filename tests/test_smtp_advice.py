"""SMTP and TLS failures -> what to do (sinks/smtp_advice.py), one row per error class.

The exceptions are built the way aiosmtplib raises them (its wrapper, the socket or TLS error
as the cause); tests/test_sinkcheck.py gets the same failures from a real server.
"""

from __future__ import annotations

import dataclasses
import errno
import socket
import ssl
from typing import Any, TypeVar

import aiosmtplib
import pytest

from claimwatch.sinks.smtp import SmtpSettings, classify
from claimwatch.sinks.smtp_advice import advice, causes, explain, setup_warnings

E = TypeVar("E", bound=BaseException)
SETTINGS = SmtpSettings("smtp.example.org", 587, "starttls", timeout=5.0)


def settings(**changes: Any) -> SmtpSettings:
    return dataclasses.replace(SETTINGS, **changes)


def raised_from(outer: E, cause: BaseException) -> E:
    outer.__cause__ = cause
    return outer


def ssl_error(reason: str, text: str, verify_code: int | None = None) -> ssl.SSLError:
    error: ssl.SSLError
    if verify_code is None:
        error = ssl.SSLError(1, f"[SSL: {reason}] {text}")
    else:
        error = ssl.SSLCertVerificationError(1, f"[SSL: {reason}] {text}")
        error.verify_code = verify_code
    error.reason = reason  # OpenSSL sets these on the errors it raises
    return error


def connect_error(cause: BaseException) -> aiosmtplib.SMTPConnectError:
    text = f"Error connecting to smtp.example.org on port 587: {cause}"
    return raised_from(aiosmtplib.SMTPConnectError(text), cause)


def untrusted() -> aiosmtplib.SMTPConnectError:
    text = "certificate verify failed: unable to get local issuer certificate"
    return connect_error(ssl_error("CERTIFICATE_VERIFY_FAILED", text, verify_code=20))


ROWS: list[tuple[str, BaseException, dict[str, Any], list[str]]] = [
    (
        "no STARTTLS offered",
        aiosmtplib.SMTPException("SMTP STARTTLS extension not supported by server."),
        {},
        ["smtp.example.org:587 offers no STARTTLS", 'security = "none" only on a trusted network'],
    ),
    (
        "TLS spoken to a plain-text port",
        connect_error(ssl_error("WRONG_VERSION_NUMBER", "wrong version number")),
        {"security": "tls"},
        ["does not speak TLS from the first byte", 'expect security = "starttls"'],
    ),
    (
        "plain text spoken to a TLS port: no greeting",
        raised_from(
            aiosmtplib.SMTPConnectTimeoutError("Timed out waiting for server ready message"),
            aiosmtplib.SMTPReadTimeoutError("Timed out waiting for server response"),
        ),
        {"port": 465},
        ["smtp.example.org:465 sent no greeting within 5 s", 'set security = "tls"'],
    ),
    (
        "plain text spoken to a TLS port: hung up",
        connect_error(aiosmtplib.SMTPServerDisconnected("Unexpected EOF received")),
        {"port": 465},
        ["hung up at once", 'set security = "tls"'],
    ),
    (
        "certificate not trusted",
        untrusted(),
        {},
        ["certificate of smtp.example.org:587 is not trusted", "set ca_file"],
    ),
    (
        "certificate not signed by the configured CA",
        untrusted(),
        {"ca_file": "/etc/claimwatch/ca.pem"},
        ["not signed by the CA in ca_file (/etc/claimwatch/ca.pem)"],
    ),
    (
        "hostname mismatch",
        connect_error(
            ssl_error(
                "CERTIFICATE_VERIFY_FAILED",
                "Hostname mismatch, certificate is not valid for 'smtp.example.org'.",
                verify_code=62,
            )
        ),
        {},
        ["is not for 'smtp.example.org'", "set host to a name the certificate lists"],
    ),
    (
        "certificate expired",
        connect_error(
            ssl_error("CERTIFICATE_VERIFY_FAILED", "certificate has expired", verify_code=10)
        ),
        {},
        ["out of date", "renew"],
    ),
    (
        "authentication refused",
        aiosmtplib.SMTPAuthenticationError(535, "5.7.8 Authentication credentials invalid"),
        {"username": "cw", "password_file": "/run/pw"},
        ["refused the username or password (535)", "password_file (/run/pw)"],
    ),
    (
        "authentication refused, password from the environment",
        aiosmtplib.SMTPAuthenticationError(535, "5.7.8 Authentication credentials invalid"),
        {"username": "cw", "password_env": "CW_PASSWORD"},
        ["password_env (CW_PASSWORD)"],
    ),
    (
        "an app password wanted",
        aiosmtplib.SMTPAuthenticationError(534, "5.7.9 Application-specific password required"),
        {"username": "cw", "password_file": "/run/pw"},
        ["another way of signing in (534)", "app password"],
    ),
    (
        "AUTH not offered",
        aiosmtplib.SMTPException(
            "The SMTP AUTH extension is not supported by this server. Try connecting via TLS "
            "(or STARTTLS)."
        ),
        {"username": "cw", "password_file": "/run/pw"},
        ["offers no AUTH", "leave out username"],
    ),
    (
        "connection refused",
        connect_error(ConnectionRefusedError(111, "Connect call failed")),
        {},
        ["nothing listens on smtp.example.org:587 (connection refused)", "check host and port"],
    ),
    (
        "connection timed out",
        raised_from(
            aiosmtplib.SMTPConnectTimeoutError("Timed out connecting to x on port 587"),
            TimeoutError(),
        ),
        {},
        ["no answer from smtp.example.org:587 within 5 s", "firewall"],
    ),
    (
        "DNS failure",
        connect_error(socket.gaierror(-2, "Name or service not known")),
        {},
        ["cannot resolve 'smtp.example.org'", "check host"],
    ),
    (
        "no route",
        connect_error(OSError(errno.EHOSTUNREACH, "No route to host")),
        {},
        ["no route to smtp.example.org:587"],
    ),
    (
        "STARTTLS wanted before MAIL",
        aiosmtplib.SMTPSenderRefused(530, "Must issue a STARTTLS command first", "cw@x.org"),
        {"security": "none"},
        ["wants STARTTLS first (530)", 'set security = "starttls"'],
    ),
    (
        "AUTH wanted before MAIL",
        aiosmtplib.SMTPSenderRefused(530, "5.7.0 Authentication required", "cw@x.org"),
        {},
        ["wants AUTH before it takes mail (530)", "set username and password_file"],
    ),
    (
        "sender refused",
        aiosmtplib.SMTPSenderRefused(553, "5.7.1 Sender address rejected", "cw@x.org"),
        {},
        ["refused the sender cw@x.org (553)", "set sender"],
    ),
    (
        "every recipient refused",
        aiosmtplib.SMTPRecipientsRefused(
            [aiosmtplib.SMTPRecipientRefused(554, "5.7.1 Relay access denied", "desk@y.org")]
        ),
        {},
        ["refused every recipient", "check recipients"],
    ),
    (
        "the server stalls mid-session",
        aiosmtplib.SMTPReadTimeoutError("Timed out waiting for server response"),
        {},
        ["stopped answering in the middle of the session"],
    ),
]


@pytest.mark.parametrize(
    ("error", "changes", "words"), [row[1:] for row in ROWS], ids=[row[0] for row in ROWS]
)
def test_advice_per_error_class(
    error: BaseException, changes: dict[str, Any], words: list[str]
) -> None:
    hint = advice(error, settings(**changes))
    assert hint is not None
    for word in words:
        assert word in hint


@pytest.mark.parametrize(
    "error",
    [
        aiosmtplib.SMTPDataError(552, "5.3.4 Message too big"),
        aiosmtplib.SMTPResponseException(451, "4.3.0 Try again later"),
        aiosmtplib.SMTPAuthenticationError(454, "4.7.0 Temporary authentication failure"),
        aiosmtplib.SMTPRecipientsRefused(
            [aiosmtplib.SMTPRecipientRefused(452, "4.2.2 Mailbox full", "desk@y.org")]
        ),
        ValueError("something else"),
    ],
)
def test_no_advice_where_the_server_said_it_all(error: BaseException) -> None:
    assert advice(error, SETTINGS) is None
    assert explain(error, SETTINGS, "the words") == "the words"


def test_explain_puts_the_advice_first_and_keeps_the_library_text() -> None:
    error = aiosmtplib.SMTPException("SMTP STARTTLS extension not supported by server.")
    text = explain(error, SETTINGS, "SMTPException: SMTP STARTTLS extension not supported")
    hint = advice(error, SETTINGS)
    assert text == f"{hint} (SMTPException: SMTP STARTTLS extension not supported)"


def test_classify_with_settings_keeps_the_outcome_and_the_reply() -> None:
    error = aiosmtplib.SMTPAuthenticationError(535, "5.7.8 Authentication credentials invalid")
    plain, advised = classify(error), classify(error, settings(username="cw", password_file="p"))
    assert plain.permanent and advised.permanent
    assert plain.message == "server refused: 535 5.7.8 Authentication credentials invalid"
    assert advised.message.startswith("smtp.example.org refused the username or password")
    assert advised.message.endswith(f"({plain.message})")
    refused = classify(connect_error(ConnectionRefusedError(111, "refused")), SETTINGS)
    assert not refused.permanent and "nothing listens" in refused.message


def test_causes_follow_the_chain_and_stop_at_a_loop() -> None:
    inner = ConnectionRefusedError(111, "refused")
    outer = connect_error(inner)
    inner.__context__ = outer  # a cycle: must not loop
    assert causes(outer) == [outer, inner]


@pytest.mark.parametrize(
    ("host", "port", "security", "words"),
    [
        ("smtp.example.org", 465, "starttls", ["port 465 speaks TLS", 'set security = "tls"']),
        ("smtp.example.org", 587, "tls", ["port 587 starts in plain", 'security = "starttls"']),
        ("smtp.example.org", 25, "tls", ["port 25 starts in plain"]),
        ("mail.lan", 25, "none", ["sends alerts and addresses to mail.lan unencrypted"]),
        ("192.0.2.10", 587, "starttls", ["host 192.0.2.10 is an IP address"]),
        ("smtp.example.org", 587, "starttls", []),
        ("smtp.example.org", 465, "tls", []),
        ("smtp.example.org", 2525, "starttls", []),
        ("127.0.0.1", 25, "none", []),
        ("localhost", 1025, "none", []),
        ("127.0.0.1", 587, "starttls", []),
    ],
)
def test_setup_warnings(host: str, port: int, security: Any, words: list[str]) -> None:
    warnings = setup_warnings(SmtpSettings(host, port, security))
    assert len(warnings) == (1 if words else 0), warnings
    for word in words:
        assert word in warnings[0]


def test_port_465_spoken_plain_to_another_host_gets_both_warnings() -> None:
    warnings = setup_warnings(SmtpSettings("mail.lan", 465, "none"))
    assert len(warnings) == 2
    assert "port 465 speaks TLS" in warnings[0] and "unencrypted" in warnings[1]
