"""The one shared HTTP client: polite, bounded in time and size, guarded against SSRF.

Each ``Fetcher.get``:

- follows up to MAX_REDIRECTS redirects itself, so that every hop is checked and a
  permanent move (every hop 301/308) can be reported;
- holds a slot of its host (``max_per_host``) and a global slot (``max_connections``);
- finishes within ``total_timeout``, all hops together, not counting the wait for a slot
  (httpx's read timeout restarts on every byte, so a trickler would never time out);
- reads at most ``max_bytes`` raw bytes and inflates gzip/deflate into at most ``max_bytes``,
  so a compression bomb stops within a chunk of the limit;
- with ``guard_private=True`` (article pages, whose URLs come from feeds) connects only to
  public addresses. The check runs in the network backend on the address actually dialled,
  so redirect hops and DNS rebinding are covered, not only the URL text.

Statuses are returned, not raised; transport failures raise FetchError naming the URL.
"""

from __future__ import annotations

import asyncio
import importlib.util
import sys
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from types import TracebackType

import httpcore
import httpx

from claimwatch.config import HttpConfig
from claimwatch.errors import BlockedAddressError, FetchError
from claimwatch.netguard import (
    AddressPolicy,
    BlockedConnect,
    GuardedBackend,
    Resolver,
    blocked_reason,
)
from claimwatch.payload import BodyError, read_body

MAX_REDIRECTS = 5
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_PERMANENT = frozenset({301, 308})
_GUARD = "claimwatch.guard_private"  # request extension: send through the guarded pool
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
        self._client = httpx.AsyncClient(
            transport=_Transport(http, GuardedBackend(address_policy, resolver)),
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
        self._hosts = _HostSlots(http.max_per_host)

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
        self, url: str, *, headers: Mapping[str, str] | None = None, guard_private: bool = False
    ) -> Response:
        """GET ``url``, following redirects; 4xx/5xx come back as a Response."""
        guard = guard_private and not self.http.allow_private_addresses
        sent = dict(headers or {})
        budget = _Budget(self.http.total_timeout)
        seen, current, permanent = {url}, url, True
        for hop in range(MAX_REDIRECTS + 1):
            response, location = await self._hop(current, sent, guard, budget)
            if location is None:
                moved = current if hop and permanent else None
                return Response(current, response.status, response.headers, response.body, moved)
            permanent = permanent and response.status in _PERMANENT
            if location in seen:
                raise FetchError(f"redirect loop at {location}", url=url, status=response.status)
            seen.add(location)
            current = location
        raise FetchError(f"more than {MAX_REDIRECTS} redirects", url=url)

    async def aclose(self) -> None:
        await self._client.aclose()

    async def _hop(
        self, url: str, headers: dict[str, str], guard: bool, budget: _Budget
    ) -> tuple[Response, str | None]:
        host = _checked_host(url)
        async with self._hosts.hold(host), self._in_flight:
            try:
                async with budget.spend():
                    return await self._exchange(url, headers, guard)
            except TimeoutError:
                message = f"no complete response within {budget.total:g}s"
                raise FetchError(message, url=url) from None
            except BlockedConnect as exc:
                raise BlockedAddressError(str(exc), url=url) from None
            except (httpx.HTTPError, httpx.InvalidURL) as exc:
                raise FetchError(_describe(exc), url=url) from exc

    async def _exchange(
        self, url: str, headers: dict[str, str], guard: bool
    ) -> tuple[Response, str | None]:
        request = self._client.build_request(
            "GET", url, headers=headers, extensions={_GUARD: guard}
        )
        response = await self._client.send(request, stream=True)
        try:
            status = response.status_code
            if status in _REDIRECTS and "location" in response.headers:
                target = str(response.url.join(response.headers["location"]))
                return Response(url, status, dict(response.headers.items()), b""), target
            try:
                body = await read_body(response, self.http.max_bytes)
            except BodyError as exc:
                raise FetchError(str(exc), url=url, status=status) from None
            return Response(url, status, _body_headers(response), body), None
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


def _body_headers(response: httpx.Response) -> dict[str, str]:
    """Headers that describe the decoded body: no Content-Encoding, no wire length."""
    dropped = ("content-encoding", "content-length", "transfer-encoding")
    return {k: v for k, v in response.headers.items() if k not in dropped}


def _describe(exc: Exception) -> str:
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


class _Transport(httpx.AsyncBaseTransport):
    """Two connection pools behind one client: open (feeds) and guarded (article pages).

    Separate pools keep a connection opened without the guard from ever being reused by
    a guarded request.
    """

    def __init__(self, http: HttpConfig, guarded_backend: httpcore.AsyncNetworkBackend) -> None:
        limits = httpx.Limits(
            max_connections=http.max_connections,
            max_keepalive_connections=min(http.max_connections, 20),
        )
        tls = httpx.create_ssl_context(trust_env=False)  # one: loading the CAs takes 30 ms
        self._open = httpx.AsyncHTTPTransport(verify=tls, limits=limits, trust_env=False)
        self._guarded = httpx.AsyncHTTPTransport(verify=tls, limits=limits, trust_env=False)
        # httpx has no public hook for the network backend; swap the (unused) pool.
        self._guarded._pool = httpcore.AsyncConnectionPool(
            ssl_context=tls,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=guarded_backend,
        )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        guarded = bool(request.extensions.pop(_GUARD, False))
        transport = self._guarded if guarded else self._open
        return await transport.handle_async_request(request)

    async def aclose(self) -> None:
        await self._open.aclose()
        await self._guarded.aclose()


class _Budget:
    """``total_timeout`` shared by all hops of one ``get``; waits for a slot are not counted."""

    def __init__(self, seconds: float) -> None:
        self.total = self.left = seconds

    @asynccontextmanager
    async def spend(self) -> AsyncIterator[None]:
        loop = asyncio.get_running_loop()
        started = loop.time()
        try:
            async with asyncio.timeout(max(self.left, 0.0)):
                yield
        finally:
            self.left -= loop.time() - started


@dataclass(slots=True)
class _HostSlot:
    semaphore: asyncio.Semaphore
    users: int = 0


class _HostSlots:
    """One semaphore per host, forgotten when no request for that host is in flight."""

    def __init__(self, per_host: int) -> None:
        self._per_host = per_host
        self._slots: dict[str, _HostSlot] = {}

    @asynccontextmanager
    async def hold(self, host: str) -> AsyncIterator[None]:
        slot = self._slots.get(host)
        if slot is None:
            slot = self._slots[host] = _HostSlot(asyncio.Semaphore(self._per_host))
        slot.users += 1
        try:
            async with slot.semaphore:
                yield
        finally:
            slot.users -= 1
            if not slot.users:
                del self._slots[host]
