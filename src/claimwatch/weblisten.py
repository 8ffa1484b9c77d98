"""Accepting web clients without letting them starve the daemon of file descriptors.

The web server shares the process with feed polls, deliveries and the database, and every
client connection holds a file descriptor. So this module, not asyncio's server, accepts:

- at most ``max_clients`` connections at once, and never more than half of what the file
  limit leaves after ``reserve`` (the polls' ``[http] max_connections`` plus RESERVE);
- nothing while fewer than ``reserve`` descriptors are free: clients wait in the kernel's
  queue, and polls and deliveries keep the descriptors they need;
- a connection must send a complete request head within ``header_timeout`` of connecting,
  and its next one within ``idle_timeout`` of its last answer, else it is closed;
- at the cap, a newcomer closes the connection that has waited longest with no request in
  progress, so silent or trickling clients cannot keep a monitor out (its request arrives
  with its connection); when every connection is busy, the newcomer is closed;
- accept failures (EMFILE and the like) and turned-away clients are logged at most once a
  minute per kind, with a count (throttle.py): a flood never floods the log.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import os
import resource
import socket
from collections.abc import Callable
from dataclasses import dataclass

from claimwatch.throttle import Throttled

RESERVE = 64  # descriptors for the database, logs, SMTP, worker pipes, beyond the polls
# Connections the kernel queues (capped by net.core.somaxconn). A full queue drops the
# next client's handshake, which then waits a second for its retry: a flood must not.
BACKLOG = 4096
RECOUNT = 0.1  # seconds between counts of open descriptors (a count is a directory listing)
ACCEPT_PAUSE = 0.5  # seconds without accepting after a resource error or while short
RESOURCE_ERRORS = frozenset({errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM})
Address = tuple[str, int]


@dataclass(frozen=True, slots=True)
class Limits:
    max_clients: int
    header_timeout: float
    idle_timeout: float
    reserve: int  # descriptors to leave free for everything else


def soft_fd_limit() -> int | None:
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    return None if soft == resource.RLIM_INFINITY else int(soft)


def open_fds() -> int | None:
    """Descriptors this process holds now, where the system tells (Linux, BSDs, macOS)."""
    for folder in ("/proc/self/fd", "/dev/fd"):
        with contextlib.suppress(OSError):
            return len(os.listdir(folder))
    return None


def client_cap(limits: Limits, soft_limit: int | None) -> int:
    """``max_clients``, lowered to half of what the file limit leaves after the reserve."""
    if soft_limit is None:
        return limits.max_clients
    return max(1, min(limits.max_clients, (soft_limit - limits.reserve) // 2))


class _Conn:
    """One client connection: on a timer while idle (``Listener._idle``), none while busy."""

    __slots__ = ("timer", "transport")

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.timer: asyncio.TimerHandle | None = None


class _Guarded(asyncio.Protocol):
    """Tells the listener when a connection opens and closes; the rest goes to aiohttp."""

    def __init__(self, inner: asyncio.Protocol, conn: _Conn, owner: Listener) -> None:
        self.inner, self.conn, self.owner = inner, conn, owner

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.owner.opened(self.conn, transport)
        self.inner.connection_made(transport)

    def data_received(self, data: bytes) -> None:
        self.inner.data_received(data)

    def eof_received(self) -> bool | None:
        return self.inner.eof_received()

    def connection_lost(self, exc: Exception | None) -> None:
        self.owner.closed(self.conn)
        self.inner.connection_lost(exc)

    def pause_writing(self) -> None:
        self.inner.pause_writing()

    def resume_writing(self) -> None:
        self.inner.resume_writing()


class Listener:
    """Bound sockets and their accept loops; ``started``/``finished`` come from each request.

    ``limits`` and ``admits`` are asked at every accept, so a reload applies at once.
    """

    def __init__(self, limits: Callable[[], Limits], admits: Callable[[str], bool]) -> None:
        self._limits = limits
        self._admits = admits
        self._factory: Callable[[], asyncio.Protocol] | None = None
        self._sockets: list[socket.socket] = []
        self._tasks: set[asyncio.Task[None]] = set()
        self._conns: set[_Conn] = set()
        self._idle: dict[_Conn, None] = {}  # not busy, oldest first
        self._by_transport: dict[asyncio.BaseTransport, _Conn] = {}
        self._soft_limit = soft_fd_limit()
        self._used: int | None = None  # descriptors open at the last count
        self._counted_at = 0.0
        self._logs = {
            "failed": Throttled("web.accept", "failed"),
            "refused": Throttled("web.client", "refused"),
            "full": Throttled("web.client", "dropped"),
            "evicted": Throttled("web.client", "evicted"),
            "timeout": Throttled("web.client", "timed_out"),
        }

    @property
    def address(self) -> Address | None:
        if not self._sockets:
            return None
        host, port = self._sockets[0].getsockname()[:2]
        return str(host), int(port)

    @property
    def connections(self) -> int:
        return len(self._conns)

    @property
    def cap(self) -> int:
        return client_cap(self._limits(), self._soft_limit)

    async def start(self, factory: Callable[[], asyncio.Protocol], address: Address) -> None:
        """Bind every address ``address`` names, then accept; OSError when it cannot bind."""
        self._factory = factory
        self._sockets = await bind(*address)
        loop = asyncio.get_running_loop()
        for sock in self._sockets:
            self._keep(loop.create_task(self._accept(sock)))

    async def stop(self) -> None:
        """Stop accepting; open connections are the HTTP server's to close."""
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        for sock in self._sockets:
            sock.close()
        self._sockets = []
        for throttled in self._logs.values():
            throttled.flush()

    def abort_all(self) -> None:
        for conn in list(self._conns):
            if conn.transport is not None:
                conn.transport.abort()

    # ---- accepting ---------------------------------------------------------------------

    def _keep(self, task: asyncio.Task[None]) -> None:
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _accept(self, sock: socket.socket) -> None:
        """A client waits, then there must be descriptors to spare, then it is accepted."""
        while True:
            await readable(sock)
            await self._wait_for_descriptors()
            try:
                conn, peer = sock.accept()
            except (BlockingIOError, InterruptedError):
                continue  # that client went away meanwhile
            except OSError as exc:
                if sock.fileno() < 0:
                    return  # closed under us
                if exc.errno in RESOURCE_ERRORS:
                    self._logs["failed"].note(f"cannot accept a client: {exc.strerror or exc}")
                    await asyncio.sleep(ACCEPT_PAUSE)
                continue  # ECONNABORTED and the like: that client is gone
            self._admit(conn, peer[0] if isinstance(peer, tuple) else str(peer))
            await asyncio.sleep(0)  # the connection starts (and counts as idle) before the next

    async def _wait_for_descriptors(self) -> None:
        """Until more than the reserve is free: idle clients go first, then we wait."""
        while self._soft_limit is not None:
            if not self._short(self._descriptors_used()) or not self._short(self._recount()):
                return  # the estimate is counted again before it may stop an accept
            if self._evict("few file descriptors free: the client idle longest was closed"):
                await asyncio.sleep(0)  # let the transport close its socket
                continue
            self._logs["failed"].note(
                f"{open_fds()} of {self._soft_limit} file descriptors in use: not accepting "
                f"clients while fewer than {self._limits().reserve} are free"
            )
            await asyncio.sleep(ACCEPT_PAUSE)

    def _short(self, used: int | None) -> bool:
        return (
            used is not None
            and self._soft_limit is not None
            and self._soft_limit - used <= self._limits().reserve
        )

    def _descriptors_used(self) -> int | None:
        """Counted at most every RECOUNT seconds; in between, each accept counts as one more
        (an overestimate: clients that left are not subtracted)."""
        now = asyncio.get_running_loop().time()
        if self._used is None or now - self._counted_at >= RECOUNT:
            return self._recount()
        self._used += 1
        return self._used

    def _recount(self) -> int | None:
        self._used, self._counted_at = open_fds(), asyncio.get_running_loop().time()
        return self._used

    def _admit(self, sock: socket.socket, peer: str) -> None:
        if not self._admits(peer):
            sock.close()
            self._logs["refused"].note(f"{peer} is not in [http] allowed_networks")
            return
        if len(self._conns) >= self.cap and not self._evict(
            f"{self.cap} clients connected: the one idle longest was closed for a new one"
        ):
            sock.close()
            self._logs["full"].note(f"{self.cap} clients busy: a new one was turned away")
            return
        conn = _Conn()
        self._conns.add(conn)
        self._keep(asyncio.get_running_loop().create_task(self._connect(sock, conn)))

    def _evict(self, why: str) -> bool:
        """Close the connection idle for longest; False when every one is busy."""
        conn = next(iter(self._idle), None)
        if conn is None or conn.transport is None:
            return False
        self._forget(conn)
        conn.transport.abort()
        self._logs["evicted"].note(why)
        return True

    async def _connect(self, sock: socket.socket, conn: _Conn) -> None:
        assert self._factory is not None
        factory = self._factory
        loop = asyncio.get_running_loop()
        try:
            await loop.connect_accepted_socket(lambda: _Guarded(factory(), conn, self), sock)
        except (OSError, RuntimeError):
            sock.close()
            self._forget(conn)

    # ---- each connection ----------------------------------------------------------------

    def opened(self, conn: _Conn, transport: asyncio.Transport) -> None:
        conn.transport = transport
        self._by_transport[transport] = conn
        self._wait(conn, self._limits().header_timeout)

    def closed(self, conn: _Conn) -> None:
        self._forget(conn)

    def started(self, transport: asyncio.BaseTransport | None) -> None:
        """A request head arrived: no timer while it is handled."""
        conn = self._by_transport.get(transport) if transport is not None else None
        if conn is None:
            return
        self._idle.pop(conn, None)
        if conn.timer is not None:
            conn.timer.cancel()

    def finished(self, transport: asyncio.BaseTransport | None) -> None:
        """Answered: the next request head must arrive within ``idle_timeout``."""
        conn = self._by_transport.get(transport) if transport is not None else None
        if conn is not None:
            self._wait(conn, self._limits().idle_timeout)

    def _wait(self, conn: _Conn, seconds: float) -> None:
        if conn.timer is not None:
            conn.timer.cancel()
        self._idle.pop(conn, None)
        self._idle[conn] = None
        conn.timer = asyncio.get_running_loop().call_later(seconds, self._expire, conn)

    def _expire(self, conn: _Conn) -> None:
        """Its timer ran out (``started`` and ``_forget`` cancel it, so it is idle and open)."""
        if conn.transport is None:
            return
        self._forget(conn)
        conn.transport.abort()
        self._logs["timeout"].note("a client sent no complete request in time: closed")

    def _forget(self, conn: _Conn) -> None:
        self._conns.discard(conn)
        self._idle.pop(conn, None)
        if conn.transport is not None:
            self._by_transport.pop(conn.transport, None)
        if conn.timer is not None:
            conn.timer.cancel()
            conn.timer = None


async def readable(sock: socket.socket) -> None:
    """Until a client waits in ``sock``'s queue (nothing is accepted yet)."""
    loop = asyncio.get_running_loop()
    ready = loop.create_future()

    def wake() -> None:
        if not ready.done():
            ready.set_result(None)

    loop.add_reader(sock.fileno(), wake)
    try:
        await ready
    finally:
        loop.remove_reader(sock.fileno())


async def bind(host: str, port: int) -> list[socket.socket]:
    """Listening sockets for every address of ``host`` (one port for all when ``port`` is 0)."""
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(
        host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    )
    sockets: list[socket.socket] = []
    try:
        for family, kind, proto, _, sockaddr in dict.fromkeys(infos):
            sock = socket.socket(family, kind, proto)
            sockets.append(sock)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6:
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            if port == 0 and len(sockets) > 1:  # the same port on every address
                sockaddr = (sockaddr[0], sockets[0].getsockname()[1], *sockaddr[2:])
            sock.bind(sockaddr)
            sock.listen(BACKLOG)
            sock.setblocking(False)
    except OSError:
        for sock in sockets:
            sock.close()
        raise
    return sockets
