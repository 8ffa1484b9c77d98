"""SMTP and TLS failures in the operator's terms: what to do first, the library's words after.

The one place that turns an aiosmtplib, ``ssl`` or socket error into advice, used by the email
sink's delivery errors (``last_error``, the log), ``claimwatch alerts test`` and ``claimwatch
check --connect``. ``explain`` never drops the library's text: advice can be wrong about the
cause, the original words are what a search or the mail server's administrator needs.
``setup_warnings`` spots a port and a security mode that do not go together before anything
is sent.
"""

from __future__ import annotations

import errno
import ipaddress
import socket
import ssl
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, TypeVar

import aiosmtplib

from claimwatch.config import is_loopback_host

if TYPE_CHECKING:
    from claimwatch.sinks.smtp import SmtpSettings

IMPLICIT_TLS_PORTS = frozenset({465})  # TLS from the first byte (RFC 8314)
STARTTLS_PORTS = frozenset({25, 587})  # plain text first, then STARTTLS
# OpenSSL's verify codes (X509_V_ERR_*) as ssl.SSLCertVerificationError.verify_code has them
_NAME_MISMATCH = frozenset({62, 64})  # hostname, IP address
_OUT_OF_DATE = frozenset({9, 10})  # not yet valid, expired
# What OpenSSL says when the other end does not speak TLS (plain SMTP, say, or HTTP)
_NOT_TLS = frozenset({"WRONG_VERSION_NUMBER", "UNKNOWN_PROTOCOL", "HTTP_REQUEST"})
_WITH_REPLY = (aiosmtplib.SMTPResponseException, aiosmtplib.SMTPRecipientsRefused)
_UNREACHABLE = frozenset({errno.EHOSTUNREACH, errno.ENETUNREACH})
_TLS = 'security = "tls"'
_STARTTLS = 'security = "starttls"'

Chain = Sequence[BaseException]
E = TypeVar("E", bound=BaseException)
Rule = Callable[[Chain, "SmtpSettings"], str | None]


def explain(exc: BaseException, settings: SmtpSettings, text: str) -> str:
    """``<advice> (<text>)``, or ``text`` alone when there is no advice for ``exc``."""
    hint = advice(exc, settings)
    return f"{hint} ({text})" if hint else text


def advice(exc: BaseException, settings: SmtpSettings) -> str | None:
    """What to do about ``exc``, naming the config keys to change; None when unsure."""
    chain = causes(exc)
    for rule in _RULES:
        if (hint := rule(chain, settings)) is not None:
            return hint
    return None


def causes(exc: BaseException) -> list[BaseException]:
    """``exc`` and what it was raised from, outermost first (aiosmtplib wraps socket and TLS
    errors in its own)."""
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and all(current is not seen for seen in chain):
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def _first(chain: Chain, kind: type[E]) -> E | None:
    return next((exc for exc in chain if isinstance(exc, kind)), None)


def _where(settings: SmtpSettings) -> str:
    return f"{settings.host}:{settings.port}"


# ---- TLS -----------------------------------------------------------------------------------


def _certificate(chain: Chain, settings: SmtpSettings) -> str | None:
    found = _first(chain, ssl.SSLCertVerificationError)
    if found is None:
        return None
    host, code = settings.host, getattr(found, "verify_code", None)
    if code in _NAME_MISMATCH:
        return (
            f"the certificate of {_where(settings)} is not for {host!r}: set host to a name "
            "the certificate lists (usually the provider's smtp name, not an address or alias)"
        )
    if code in _OUT_OF_DATE:
        return (
            f"the certificate of {_where(settings)} is out of date: its administrator must "
            "renew it (or this machine's clock is wrong)"
        )
    if settings.ca_file is not None:
        return (
            f"the certificate of {_where(settings)} is not signed by the CA in ca_file "
            f"({settings.ca_file}): point ca_file at the CA that signed it"
        )
    return (
        f"the certificate of {_where(settings)} is not trusted: set ca_file to the CA "
        "certificate (PEM) that signed it, for a private or self-signed server"
    )


def _not_tls(chain: Chain, settings: SmtpSettings) -> str | None:
    found = _first(chain, ssl.SSLError)
    if found is None:
        return None
    if getattr(found, "reason", None) not in _NOT_TLS:  # set by OpenSSL, not by every raiser
        return f"TLS with {_where(settings)} failed: check port and security"
    if settings.security == "tls":
        return (
            f"{_where(settings)} does not speak TLS from the first byte: ports 587 and 25 "
            f'expect {_STARTTLS} (port 465 expects "tls")'
        )
    return f"{_where(settings)} answered STARTTLS but then spoke no TLS: check port and security"


def _no_greeting(chain: Chain, settings: SmtpSettings) -> str | None:
    if _first(chain, aiosmtplib.SMTPConnectError) is None:
        return None
    silent = _first(chain, aiosmtplib.SMTPReadTimeoutError) is not None
    closed = _first(chain, aiosmtplib.SMTPServerDisconnected) is not None
    if not (silent or closed):
        return None
    what = f"sent no greeting within {settings.timeout:g} s" if silent else "hung up at once"
    if settings.security == "tls":
        return f"{_where(settings)} {what} after TLS: check that port is the mail server's"
    return (
        f"{_where(settings)} {what}: if that port speaks TLS from the first byte (usually "
        f"465) set {_TLS}; otherwise the server is busy or not a mail server"
    )


# ---- the network ---------------------------------------------------------------------------


def _network(chain: Chain, settings: SmtpSettings) -> str | None:
    if _first(chain, socket.gaierror) is not None:
        return f"cannot resolve {settings.host!r}: check host (a typo, or no DNS here)"
    if _first(chain, ConnectionRefusedError) is not None:
        return (
            f"nothing listens on {_where(settings)} (connection refused): check host and "
            f'port (587 with {_STARTTLS}, 465 with "tls")'
        )
    if isinstance(chain[0], aiosmtplib.SMTPConnectTimeoutError):
        return (
            f"no answer from {_where(settings)} within {settings.timeout:g} s: the host or "
            "port is wrong, or a firewall drops the connection (many networks block port 25)"
        )
    if any(isinstance(exc, OSError) and exc.errno in _UNREACHABLE for exc in chain):
        return f"no route to {_where(settings)}: check host and this machine's network"
    return None


# ---- what the server said ------------------------------------------------------------------


def _missing_extension(chain: Chain, settings: SmtpSettings) -> str | None:
    """aiosmtplib says so in words only (an SMTPException without a reply code)."""
    exc = chain[0]
    if not isinstance(exc, aiosmtplib.SMTPException) or isinstance(exc, _WITH_REPLY):
        return None
    if "STARTTLS extension" in exc.message:
        return (
            f"{_where(settings)} offers no STARTTLS: if it speaks TLS from the first byte "
            f'(port 465) set {_TLS}; use security = "none" only on a trusted network'
        )
    if "AUTH extension" in exc.message:
        return (
            f"{_where(settings)} offers no AUTH: leave out username if it takes mail from "
            "this machine without signing in, or check port (AUTH is usually on 587 or 465)"
        )
    return None


def _password_source(settings: SmtpSettings) -> str:
    if settings.password_file is not None:
        return f"password_file ({settings.password_file})"
    return f"password_env ({settings.password_env})"


def _refused(chain: Chain, settings: SmtpSettings) -> str | None:
    exc = chain[0]
    if isinstance(exc, aiosmtplib.SMTPAuthenticationError):
        if exc.code == 534:
            return f"{settings.host} wants another way of signing in (534): try an app password"
        if exc.code < 500:  # 454 and the like: the server's trouble, retried
            return None
        return (
            f"{settings.host} refused the username or password ({exc.code}): check username "
            f"and {_password_source(settings)}"
        )
    codes = _reply_codes(exc)
    if 530 in codes:
        if "starttls" in str(exc).lower():
            return f"{settings.host} wants STARTTLS first (530): set {_STARTTLS}"
        return (
            f"{settings.host} wants AUTH before it takes mail (530): set username and "
            "password_file (or password_env)"
        )
    if isinstance(exc, aiosmtplib.SMTPSenderRefused) and exc.code >= 500:
        return (
            f"{settings.host} refused the sender {exc.sender} ({exc.code}): set sender to an "
            "address this account may send from"
        )
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused) and min(codes) >= 500:
        return (
            f"{settings.host} refused every recipient: check recipients; a server that does "
            "not relay for this machine (550, 554) wants AUTH or takes mail only for its domains"
        )
    return None


def _reply_codes(exc: BaseException) -> list[int]:
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        return [refused.code for refused in exc.recipients] or [0]
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        return [exc.code]
    return [0]


def _stalled(chain: Chain, settings: SmtpSettings) -> str | None:
    if isinstance(chain[0], TimeoutError):  # aiosmtplib's timeouts are TimeoutErrors too
        return (
            f"{_where(settings)} stopped answering in the middle of the session (timeout "
            f"{settings.timeout:g} s per step): the server is slow or the network cuts it off"
        )
    return None


_RULES: tuple[Rule, ...] = (
    _certificate,
    _not_tls,
    _no_greeting,
    _network,
    _missing_extension,
    _refused,
    _stalled,
)


# ---- before anything is sent ---------------------------------------------------------------


def setup_warnings(settings: SmtpSettings) -> list[str]:
    """A port and security that do not go together, or an unusual set-up likely to fail."""
    host, port, security = settings.host, settings.port, settings.security
    found: list[str] = []
    if port in IMPLICIT_TLS_PORTS and security != "tls":
        found.append(
            f'port {port} speaks TLS from the first byte, security = "{security}" waits for '
            f"a plain-text greeting that never comes: set {_TLS}"
        )
    if port in STARTTLS_PORTS and security == "tls":
        found.append(
            f"port {port} starts in plain text and upgrades with STARTTLS: set {_STARTTLS}, "
            f'or port = 465 for "tls"'
        )
    if security == "none" and not is_loopback_host(host):
        found.append(
            f'security = "none" sends alerts and addresses to {host} unencrypted: use it only '
            f'on a trusted network, else "starttls" or "tls"'
        )
    if security != "none" and _is_address(host) and not is_loopback_host(host):
        found.append(
            f"host {host} is an IP address: TLS checks that the certificate names it, and "
            "few do: set host to the name the certificate lists"
        )
    return found


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True
