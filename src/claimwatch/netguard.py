"""Which addresses an untrusted URL may reach, checked where the socket is opened.

``blocked_reason`` classifies one IP address. ``GuardedBackend`` is an httpcore network
backend that resolves the host itself, refuses the connection if ANY resolved address is
blocked, and then dials the checked address (not the name), so a DNS answer that changes
between check and connect (rebinding) cannot slip through.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable, Iterable

import httpcore

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
AddressPolicy = Callable[[IPAddress], str | None]  # None: allowed; else why not
Resolver = Callable[[str, int], Awaitable[list[str]]]  # host, port -> IP address strings

_NAT64 = (ipaddress.IPv6Network("64:ff9b::/96"), ipaddress.IPv6Network("64:ff9b:1::/48"))
_IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")
_FLAGS = ("unspecified", "loopback", "link_local", "multicast", "private", "reserved")


class BlockedConnect(Exception):
    """A guarded connection was refused; turned into BlockedAddressError by the fetcher."""

    def __init__(self, host: str, address: str, reason: str) -> None:
        shown = host if host == address else f"{host} ({address})"
        super().__init__(f"refusing to connect to {shown}: {reason} address")


def blocked_reason(address: IPAddress) -> str | None:
    """Why ``address`` is off limits for an untrusted URL, or None when it is public.

    An IPv6 address carrying IPv4 (mapped, compatible, 6to4, NAT64, Teredo) is judged by
    the IPv4 address it carries: Python 3.11's ``is_global`` calls ``::127.0.0.1`` and
    ``2002:7f00:1::1`` public, while DNS64 networks reach public IPv4 sites via 64:ff9b::/96.
    """
    reason = address_class(address)  # judges the IPv4 inside, if any
    inner = embedded_ipv4(address) if reason is not None else None
    return reason if inner is None else f"{reason} (IPv4 {inner} inside {address})"


def address_class(address: IPAddress) -> str | None:
    """The kind of non-public network ``address`` is in ("loopback", "private", ...), judged
    as ``blocked_reason`` judges it; None when it is public."""
    inner = embedded_ipv4(address)
    if inner is not None:
        return address_class(inner)
    for flag in _FLAGS:
        if getattr(address, f"is_{flag}"):
            return flag.replace("_", "-")
    return None if address.is_global else "non-global"


def allowing(policy: AddressPolicy, classes: frozenset[str]) -> AddressPolicy:
    """``policy``, except that addresses of the given classes pass (see ``address_class``).

    A feed the operator put on a private network may redirect within that kind of network
    (a loopback feed to another loopback port), never to another kind (cloud metadata).
    """
    if not classes:
        return policy

    def check(address: IPAddress) -> str | None:
        return None if address_class(address) in classes else policy(address)

    return check


def embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries, if it is of a kind that carries one."""
    if isinstance(address, ipaddress.IPv4Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    low32 = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if any(address in net for net in _NAT64):
        return low32
    if address in _IPV4_COMPATIBLE and int(address) > 1:
        return low32
    return None


async def system_resolve(host: str, port: int) -> list[str]:
    """Every address the system resolver gives for ``host``, in its order."""
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from exc
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """Resolve, check every address against the policy, then dial a checked address."""

    def __init__(self, policy: AddressPolicy, resolver: Resolver | None = None) -> None:
        self._policy = policy
        self._resolve = resolver or system_resolve
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore interface)
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        addresses = await self._resolve(host, port)
        for address in addresses:
            reason = self._policy(ipaddress.ip_address(address))
            if reason is not None:
                raise BlockedConnect(host, address, reason)
        error: Exception = httpcore.ConnectError(f"no address found for {host}")
        for address in addresses:
            try:
                return await self._inner.connect_tcp(
                    address, port, timeout, local_address, socket_options
                )
            except httpcore.ConnectError as exc:
                error = exc
        raise error

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore interface)
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("unix sockets are not allowed for guarded requests")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)
