"""The one shared HTTP client: polite, bounded in time and size, guarded against SSRF.

Each ``Fetcher.get``:

- follows up to MAX_REDIRECTS redirects itself, so that every hop is checked and a
  permanent move (every hop 301/308) can be reported;
- holds a slot of its host (``max_per_host``) and a global slot (``max_connections``); slow
  responses never hold all of a host's slots while its other requests wait (``hostslots``);
- finishes within ``total_timeout``, all hops together, not counting the wait for a slot
  (httpx's read timeout restarts on every byte, so a trickler would never time out);
- reads at most ``max_bytes`` raw bytes and inflates gzip/deflate into at most ``max_bytes``,
  so a compression bomb stops within a chunk of the limit;
- with ``guard_private=True`` (article pages, whose URLs come from feeds) connects only to
  public addresses. The check runs in the network backend on the address actually dialled,
  so redirect hops and DNS rebinding are covered, not only the URL text;
- with ``guard_redirects=True`` (feeds: the URL is the operator's, its redirects are not)
  dials the first hop wherever it points, and every later hop only to public addresses or to
  the kind of network the first hop reached (a loopback feed may redirect to loopback, never
  to a private or link-local address). ``allow_private_addresses`` lifts both guards.

Statuses are returned, not raised; transport failures raise FetchError naming the URL.
"""

from __future__ import annotations

import asyncio
import importlib.util
import ipaddress
import sys
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from types import TracebackType

import httpcore
import httpx

from claimwatch.config import HttpConfig
from claimwatch.errors import BlockedAddressError, FetchError
from claimwatch.hostslots import HostSlots
from claimwatch.netguard import (
    AddressPolicy,
    BlockedConnect,
    GuardedBackend,
    Resolver,
    address_class,
    allowing,
    blocked_reason,
)
from claimwatch.payload import BodyError, read_body

MAX_REDIRECTS = 5
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_PERMANENT = frozenset({301, 308})
SLOW_SHARE = 0.25  # of total_timeout: a response still running after this is slow (hostslots)
_GUARD = "claimwatch.guard"  # request extension: address classes let through (None: unguarded)
_STRICT: frozenset[str] = frozenset()  # guarded, no class let through
_ALLOWED_SCHEMES = ("http", "https")

if importlib.util.find_spec("sniffio") is None:
    # httpcore tries ``import sniffio`` on every request, and a failed import is not
    # remembered: each try walks sys.path again (a third of the CPU of a 304). A None entry
    # makes the miss immediate.
    sys.modules["sniffio"] = None  # type: ignore[assignment]

__all__ = [
    "MAX_REDIRECTS",
    "AddressPolicy",
    "Fetcher",
    "Resolver",
    "Response",
    "blocked_reason",
]


@dataclass(frozen=True, slots=True)
class Response:
    """A complete, size-capped HTTP response."""

    url: str  # the final URL after redirects
    status: int
    headers: Mapping[str, str]  # lower-case names; describe ``body`` (already decoded)
    body: bytes
    permanent_redirect: str | None = None  # target when every hop was 301/308


class Fetcher:
    """Wraps one ``httpx.AsyncClient``; ``get`` raises FetchError on transport failure.

    ``address_policy`` and ``resolver`` exist for operators with special networks and for
    tests; the defaults refuse every non-public address and use the system resolver.
    """

    def __init__(
        self,
        http: HttpConfig,
        *,
        address_policy: AddressPolicy = blocked_reason,
        resolver: Resolver | None = None,
    ) -> None:
        self.http = http
        self._policy = address_policy
        self._client = httpx.AsyncClient(
            transport=_Transport(http, address_policy, resolver),
            headers={"User-Agent": http.user_agent, "Accept-Encoding": "gzip, deflate"},
            timeout=httpx.Timeout(
                connect=http.connect_timeout,
                read=http.read_timeout,
                write=http.read_timeout,
                pool=http.total_timeout,
            ),
            follow_redirects=False,
            trust_env=False,
        )
        self._in_flight = asyncio.Semaphore(http.max_connections)
        self._hosts = HostSlots(http.max_per_host, http.total_timeout * SLOW_SHARE)

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def get(
        self,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        guard_private: bool = False,
        guard_redirects: bool = False,
    ) -> Response:
        """GET ``url``, following redirects; 4xx/5xx come back as a Response.

        ``guard_private``: every hop to public addresses only. ``guard_redirects``: the first
        hop anywhere, later hops to public addresses or the first hop's kind of network.
        """
        guarding = not self.http.allow_private_addresses
        guard = _STRICT if guard_private and guarding else None
        sent = dict(headers or {})
        budget = _Budget(self.http.total_timeout)
        seen, current, permanent = {url}, url, True
        for hop in range(MAX_REDIRECTS + 1):
            response, location, peer = await self._hop(current, sent, guard, budget)
            if location is None:
                moved = current if hop and permanent else None
                return Response(current, response.status, response.headers, response.body, moved)
            if guard is None and guard_redirects and guarding:
                guard = self._network_of(peer)
            permanent = permanent and response.status in _PERMANENT
            if location in seen:
                raise FetchError(f"redirect loop at {location}", url=url, status=response.status)
            seen.add(location)
            current = location
        raise FetchError(f"more than {MAX_REDIRECTS} redirects", url=url)

    async def aclose(self) -> None:
        await self._client.aclose()

    def _network_of(self, peer: str | None) -> frozenset[str]:
        """What later hops may reach besides public addresses: the kind of network of the
        operator's own URL (``peer``, the address its first hop dialled), when the address
        policy would have refused it."""
        try:
            address = ipaddress.ip_address(peer or "")
        except ValueError:
            return _STRICT
        kind = address_class(address)
        return frozenset({kind}) if kind and self._policy(address) is not None else _STRICT

    async def _hop(
        self, url: str, headers: dict[str, str], guard: frozenset[str] | None, budget: _Budget
    ) -> tuple[Response, str | None, str | None]:
        host = _checked_host(url)
        async with self._hosts.hold(host) as holder, self._in_flight:
            try:
                async with budget.spend() as deadline:
                    self._hosts.running(holder, deadline)
                    return await self._exchange(url, headers, guard)
            except TimeoutError:
                message = holder.cut or f"no complete response within {budget.total:g}s"
                raise FetchError(message, url=url) from None
            except BlockedConnect as exc:
                raise BlockedAddressError(str(exc), url=url) from None
            except (httpx.HTTPError, httpx.InvalidURL) as exc:
                raise FetchError(_describe(exc), url=url) from exc

    async def _exchange(
        self, url: str, headers: dict[str, str], guard: frozenset[str] | None
    ) -> tuple[Response, str | None, str | None]:
        """One request: (response, redirect target, address dialled)."""
        request = self._client.build_request(
            "GET", url, headers=headers, extensions={_GUARD: guard}
        )
        response = await self._client.send(request, stream=True)
        try:
            status = response.status_code
            if status in _REDIRECTS and "location" in response.headers:
                target = str(response.url.join(response.headers["location"]))
                headers_seen = dict(response.headers.items())
                return Response(url, status, headers_seen, b""), target, _peer(response)
            try:
                body = await read_body(response, self.http.max_bytes)
            except BodyError as exc:
                raise FetchError(str(exc), url=url, status=status) from None
            return Response(url, status, _body_headers(response), body), None, _peer(response)
        finally:
            await response.aclose()


def _checked_host(url: str) -> str:
    """The host to count politeness against; refuses non-HTTP schemes outright."""
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL as exc:
        raise FetchError(f"invalid URL: {exc}", url=url) from None
    if parsed.scheme not in _ALLOWED_SCHEMES:
        message = f"scheme {parsed.scheme!r} is not allowed (only http and https)"
        raise BlockedAddressError(message, url=url)
    if not parsed.host:
        raise FetchError("URL has no host", url=url)
    return parsed.host


def _peer(response: httpx.Response) -> str | None:
    """The IP address the response came from (the connection's remote end), if known."""
    stream = response.extensions.get("network_stream")
    address = stream.get_extra_info("server_addr") if stream is not None else None
    return str(address[0]) if isinstance(address, tuple) and address else None


def _body_headers(response: httpx.Response) -> dict[str, str]:
    """Headers that describe the decoded body: no Content-Encoding, no wire length."""
    dropped = ("content-encoding", "content-length", "transfer-encoding")
    return {k: v for k, v in response.headers.items() if k not in dropped}


def _describe(exc: Exception) -> str:
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


class _Transport(httpx.AsyncBaseTransport):
    """Connection pools behind one client: one open (feeds' own URLs), one guarded per set
    of address classes let through (article pages: none; a loopback feed's redirects:
    loopback), created when first needed.

    Separate pools keep a connection opened under one rule from ever being reused by a
    request under a stricter one.
    """

    def __init__(self, http: HttpConfig, policy: AddressPolicy, resolver: Resolver | None) -> None:
        self._limits = httpx.Limits(
            max_connections=http.max_connections,
            max_keepalive_connections=min(http.max_connections, 20),
        )
        self._tls = httpx.create_ssl_context(trust_env=False)  # one: loading CAs takes 30 ms
        self._policy, self._resolver = policy, resolver
        self._open = self._transport()
        self._guarded: dict[frozenset[str], httpx.AsyncHTTPTransport] = {}

    def _transport(self) -> httpx.AsyncHTTPTransport:
        return httpx.AsyncHTTPTransport(verify=self._tls, limits=self._limits, trust_env=False)

    def _guarded_pool(self, classes: frozenset[str]) -> httpx.AsyncHTTPTransport:
        transport = self._guarded.get(classes)
        if transport is None:
            transport = self._guarded[classes] = self._transport()
            # httpx has no public hook for the network backend; swap the (unused) pool.
            transport._pool = httpcore.AsyncConnectionPool(
                ssl_context=self._tls,
                max_connections=self._limits.max_connections,
                max_keepalive_connections=self._limits.max_keepalive_connections,
                keepalive_expiry=self._limits.keepalive_expiry,
                network_backend=GuardedBackend(allowing(self._policy, classes), self._resolver),
            )
        return transport

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        classes = request.extensions.pop(_GUARD, None)
        transport = self._open if classes is None else self._guarded_pool(classes)
        return await transport.handle_async_request(request)

    async def aclose(self) -> None:
        await self._open.aclose()
        for transport in self._guarded.values():
            await transport.aclose()


class _Budget:
    """``total_timeout`` shared by all hops of one ``get``; waits for a slot are not counted."""

    def __init__(self, seconds: float) -> None:
        self.total = self.left = seconds

    @asynccontextmanager
    async def spend(self) -> AsyncIterator[asyncio.Timeout]:
        loop = asyncio.get_running_loop()
        started = loop.time()
        try:
            async with asyncio.timeout(max(self.left, 0.0)) as deadline:
                yield deadline
        finally:
            self.left -= loop.time() - started
