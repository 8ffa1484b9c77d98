"""Sessions of people who proved the write token, and the checks that keep other sites from
writing through their browsers (cross-site request forgery).

A browser cannot send ``Authorization: Bearer`` from a form, so a person proves the write
token once, in a small form, and gets a session cookie (HttpOnly, SameSite=Strict). Nothing is
kept on the server: the cookie is ``expires.nonce.mac``, signed with a key derived from a
secret of this process and the write token, so a restart or a rotated token ends every
session, and a flood of sign-ins costs no memory.

A cookie travels with every request the browser makes, whoever asked for it, so a write that
rests on one must also show:

- the CSRF token of its session in a hidden form field, an HMAC of the session that only a
  page served to that session carries (compared in constant time);
- that it comes from a page of this server: ``Sec-Fetch-Site`` (when sent) says
  ``same-origin``, and ``Origin`` (else ``Referer``) names the host the request was sent to.

SameSite=Strict alone would keep the cookie off cross-site requests, but not off requests
from a sibling site of the same registrable domain; the two checks above do.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from urllib.parse import urlsplit

COOKIE = "claimwatch_session"
LIFETIME = 12 * 3600  # seconds a session lasts; then the token is asked for again


class Sessions:
    """Signed session cookies and their CSRF tokens, for one process."""

    def __init__(self, secret: bytes | None = None) -> None:
        self._secret = secret if secret is not None else secrets.token_bytes(32)

    def _mac(self, token: bytes, purpose: str, text: str) -> str:
        key = hmac.new(self._secret, token, hashlib.sha256).digest()
        message = f"{purpose}\x1f{text}".encode()
        return hmac.new(key, message, hashlib.sha256).hexdigest()

    def issue(self, token: bytes, now: float) -> str:
        """A new session's cookie value."""
        body = f"{int(now) + LIFETIME}.{secrets.token_urlsafe(18)}"
        return f"{body}.{self._mac(token, 'session', body)}"

    def session(self, token: bytes, cookie: str | None, now: float) -> str | None:
        """The session a cookie value stands for, or None when it is forged, from another
        process or token, or expired."""
        body, _, mac = (cookie or "").rpartition(".")
        expires, _, nonce = body.partition(".")
        if not (expires.isdigit() and nonce and mac):
            return None
        if not hmac.compare_digest(mac.encode(), self._mac(token, "session", body).encode()):
            return None
        return body if int(expires) > now else None

    def csrf(self, token: bytes, session: str) -> str:
        """The CSRF token the page of ``session`` carries in its forms."""
        return self._mac(token, "csrf", session)

    def csrf_matches(self, token: bytes, session: str, given: str) -> bool:
        return hmac.compare_digest(given.encode(), self.csrf(token, session).encode())


def cross_site(
    host: str | None, origin: str | None, referer: str | None, fetch_site: str | None
) -> str | None:
    """Why a request did not come from a page of this server (``host`` is its Host header,
    checked before), or None when it did."""
    if fetch_site is not None and fetch_site.strip().lower() != "same-origin":
        return f"Sec-Fetch-Site is {fetch_site!r}, not same-origin"
    source = origin if origin is not None else referer
    if source is None:
        return "neither Origin nor Referer says where the request comes from"
    try:
        parts = urlsplit(source.strip())
        netloc = parts.netloc.lower()
    except ValueError:
        parts, netloc = None, ""
    if parts is None or parts.scheme not in ("http", "https") or netloc != (host or "").lower():
        return f"{'Origin' if origin is not None else 'Referer'} {source!r} is not this server"
    return None
