"""Who may ask the web server what: client networks, the ``Host`` header, credentials.

Three checks, from ``[http]``:

- *Networks* (``allowed_networks``): a connection from elsewhere is closed as soon as it is
  accepted, before any HTTP is read. Default: loopback; any address once credentials are set
  (they protect the server then). Forwarded-for headers are not trusted: behind a proxy, list
  the proxy's address.
- *Host* (``allowed_hosts``; default the listen host, ``localhost``, ``127.0.0.1``, ``::1``):
  a request naming another host gets 421. A web page that rebinds its own domain name to
  this machine's address (DNS rebinding) sends its own name, so it cannot read the pages.
- *Credentials* (``auth_token_file``, ``auth_username`` + ``auth_password_file``): a bearer
  token or basic auth, the secret read from a file (``${CREDENTIALS_DIRECTORY}`` works, so
  systemd's LoadCredential does). Required for everything but ``/healthz``, which monitors
  may read without them from the networks named in ``allowed_networks`` (loopback when
  unset): it tells whether the service works, never what it found.

Writing (verdicts, claim states; webtriage.py) takes the write token of ``token_file``, on
top of these. Whoever holds it may also read: ``Authorization: Bearer <write token>`` passes
the credentials check, so a script needs one header for both.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import ipaddress
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from claimwatch.liveness import span
from claimwatch.logs import log_event

if TYPE_CHECKING:
    from claimwatch.config import HttpConfig

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

LOOPBACK = (ipaddress.ip_network("127.0.0.0/8"), ipaddress.ip_network("::1/128"))
ANYWHERE = (ipaddress.ip_network("0.0.0.0/0"), ipaddress.ip_network("::/0"))
LOCAL_NAMES = ("localhost", "127.0.0.1", "::1")
OPEN_PATHS = frozenset({"/healthz"})  # readable without credentials from trusted networks
REALM = "claimwatch"

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Access:
    """The checks in force; built by ``access_for`` from the config and the secret files."""

    networks: tuple[IPNetwork, ...]  # who may connect at all
    trusted: tuple[IPNetwork, ...]  # who may read OPEN_PATHS without credentials
    hosts: frozenset[str]  # Host header names, lower case, no port, no brackets
    token: bytes | None = None
    basic: bytes | None = None  # b"user:password"
    broken: str | None = None  # a secret that could not be read: refuse every credential
    write_token: bytes | None = None  # token_file's: None, the page is read-only
    write_broken: str | None = None  # token_file could not be read: refuse every write

    @property
    def usable_write_token(self) -> bytes | None:
        """The token writes are signed with; None when writes are off or its file is broken."""
        return self.write_token if self.write_broken is None else None

    @property
    def needs_credentials(self) -> bool:
        return self.token is not None or self.basic is not None or self.broken is not None

    def admits(self, peer: str) -> bool:
        """May a client at ``peer`` (an address as the socket reports it) connect?"""
        address = client_address(peer)
        return address is not None and any(address in net for net in self.networks)

    def host_allowed(self, header: str | None) -> bool:
        return header is not None and host_name(header) in self.hosts

    def allows(self, path: str, peer: str, authorization: str | None) -> bool:
        """May this request be answered? (The network and Host are checked before.)"""
        if not self.needs_credentials:
            return True
        if path in OPEN_PATHS:
            address = client_address(peer)
            if address is not None and any(address in net for net in self.trusted):
                return True
        return self.authorized(authorization)

    def authorized(self, header: str | None) -> bool:
        """Compares in constant time; a scheme that is not configured never matches."""
        scheme, _, value = (header or "").strip().partition(" ")
        value = value.strip()
        if self.broken is not None or not value:
            return False
        if scheme.lower() == "bearer":
            return self.token_matches(value) or self.write_token_matches(value)
        if scheme.lower() == "basic" and self.basic is not None:
            try:
                given = base64.b64decode(value, validate=True)
            except (binascii.Error, ValueError):
                return False
            return hmac.compare_digest(given, self.basic)
        return False

    def token_matches(self, value: str) -> bool:
        return self.token is not None and hmac.compare_digest(value.encode(), self.token)

    def write_token_matches(self, value: str) -> bool:
        token = self.usable_write_token
        return token is not None and hmac.compare_digest(value.encode(), token)

    def bearer_writes(self, header: str | None) -> bool:
        """Does ``Authorization`` carry the write token (a script, no session needed)?"""
        scheme, _, value = (header or "").strip().partition(" ")
        return scheme.lower() == "bearer" and self.write_token_matches(value.strip())

    def basic_user(self, header: str | None) -> str | None:
        """The user name of valid basic credentials in ``Authorization``, else None."""
        if self.basic is None or not (header or "").strip().lower().startswith("basic "):
            return None
        return self.basic.partition(b":")[0].decode() if self.authorized(header) else None

    def challenge(self) -> str:
        """The WWW-Authenticate value of a 401: basic when configured (browsers ask then)."""
        scheme = "Basic" if self.basic is not None else "Bearer"
        return f'{scheme} realm="{REALM}", charset="UTF-8"'


def client_address(peer: str) -> IPAddress | None:
    """The client's address; IPv4 seen through an IPv6 socket (``::ffff:a.b.c.d``) as IPv4."""
    try:
        address = ipaddress.ip_address(peer.split("%", 1)[0])
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def host_name(header: str) -> str:
    """``Example.org:8650`` -> ``example.org``; ``[::1]:8650`` -> ``::1``."""
    value = header.strip().lower()
    if value.startswith("["):
        return value[1:].partition("]")[0]
    if value.count(":") == 1:
        value = value.partition(":")[0]
    return value.rstrip(".")


def access_for(http: HttpConfig, bound_host: str) -> Access:
    """The checks for ``http`` serving on ``bound_host``; reads the secret files now."""
    token = basic = write_token = None
    broken = write_broken = None
    try:
        if http.auth_token_file is not None:
            token = read_secret(http.auth_token_file).strip().encode()
        if http.auth_password_file is not None:
            password = read_secret(http.auth_password_file).strip("\r\n")
            basic = f"{http.auth_username}:{password}".encode()
    except (OSError, UnicodeDecodeError) as exc:
        broken = f"cannot read a secret of [http]: {exc}"
        log_event(logger, "web.auth", level=logging.ERROR, status="failed", error=broken)
    try:
        if http.token_file is not None:
            write_token = read_secret(http.token_file).strip().encode()
    except (OSError, UnicodeDecodeError) as exc:
        write_broken = f"cannot read [http] token_file: {exc}"
        log_event(logger, "web.auth", level=logging.ERROR, status="failed", error=write_broken)
    listed = tuple(ipaddress.ip_network(n) for n in http.allowed_networks)
    hosts = http.allowed_hosts or (host_name(bound_host), *LOCAL_NAMES)
    return Access(
        networks=listed or (ANYWHERE if http.has_credentials else LOOPBACK),
        trusted=listed or LOOPBACK,
        hosts=frozenset(hosts),
        token=token,
        basic=basic,
        broken=broken,
        write_token=write_token,
        write_broken=write_broken,
    )


def read_secret(path: str) -> str:
    text = Path(path).read_text(encoding="utf-8")
    if not text.strip():
        raise OSError(f"{path} is empty")
    return text


def describe(http: HttpConfig) -> list[str]:
    """What ``claimwatch check`` says about the web server: where, and what protects it."""
    if http.listen_address is None:
        return ["http: not serving (set [http] listen to serve the page, /healthz, /metrics)"]
    access = access_for(http, http.listen_address[0])
    local = all(net in LOOPBACK for net in access.networks)
    auth = [
        *(["bearer token (auth_token_file)"] if http.auth_token_file else []),
        *([f"basic auth as {http.auth_username!r}"] if http.auth_username else []),
    ]
    credentials = "none"
    if auth:
        trusted = ", ".join(map(str, access.trusted))
        credentials = f"{' or '.join(auth)}; /healthz without them from {trusted}"
    return [
        f"http: serving on {http.listen} "
        f"({'loopback only' if local else 'reachable beyond this machine'})",
        f"  clients from: {', '.join(map(str, access.networks))} "
        f"({'allowed_networks' if http.allowed_networks else 'default'})",
        f"  Host header: {', '.join(sorted(access.hosts))} "
        f"({'allowed_hosts' if http.allowed_hosts else 'default'})",
        f"  credentials: {credentials}",
        "  writes: verdicts and claim states from the page, with the write token (token_file)"
        if http.token_file
        else "  writes: off, the page is read-only (set token_file to triage from it)",
        f"  limits: {http.listen_max_clients} clients, request head within "
        f"{span(http.listen_header_timeout)}, idle {span(http.listen_idle_timeout)}",
        f"  /healthz degraded: {_off(http.healthz_max_poll_age)} without a successful poll, "
        f"{_off(http.healthz_backlog_window)} of outbox backlog growth",
    ]


def _off(seconds: float) -> str:
    return f"after {span(seconds)}" if seconds else "never"
