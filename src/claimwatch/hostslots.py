"""Per-host slots of the fetcher: politeness towards each host, and room for its quick requests.

``max_per_host`` slots per host, of which slow responses never hold them all while other
requests for the host wait.

A response still running ``slow_after`` seconds (the fetcher passes a quarter of
``total_timeout``) after it started is slow. When every slot of a host is held by slow
responses and another request for that host waits, the slow response that started first is
cut: its time limit is moved to now, so it fails like a timeout (its feed backs off and is
polled again later), and its slot goes to the waiting request. So four slow feeds on one host
delay the host's other feeds by at most ``slow_after``, not by ``total_timeout``, and at most
``max_per_host - 1`` slow responses run on while others wait. With ``max_per_host = 1``
nothing is cut: one request at a time is what the operator asked for.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field


@dataclass(eq=False, slots=True)
class Holder:
    """One request holding (or waiting for) a slot of its host."""

    host: _Host
    deadline: asyncio.Timeout | None = None  # its hop's time limit, once it runs
    since: float = 0.0  # loop time it started running
    slow: bool = False
    cut: str | None = None  # why it was cut short, if it was
    timer: asyncio.TimerHandle | None = None

    @property
    def cuttable(self) -> bool:
        """Slow, still running (not timed out meanwhile) and not cut yet."""
        running = self.deadline is not None and not self.deadline.expired()
        return self.slow and self.cut is None and running


@dataclass(slots=True)
class _Host:
    name: str
    semaphore: asyncio.Semaphore
    holders: list[Holder] = field(default_factory=list)  # those holding a slot
    waiting: int = 0


class HostSlots:
    """One entry per host with a request in flight, forgotten when it has none."""

    def __init__(self, per_host: int, slow_after: float) -> None:
        self._per_host = per_host
        self._slow_after = slow_after
        self._hosts: dict[str, _Host] = {}

    @asynccontextmanager
    async def hold(self, host: str) -> AsyncIterator[Holder]:
        """A slot of ``host`` for the block (waiting for one first, when all are held)."""
        entry = self._hosts.get(host)
        if entry is None:
            entry = self._hosts[host] = _Host(host, asyncio.Semaphore(self._per_host))
        holder = Holder(entry)
        try:
            entry.waiting += 1
            try:
                self._balance(entry)
                await entry.semaphore.acquire()
            finally:
                entry.waiting -= 1
            entry.holders.append(holder)
            try:
                yield holder
            finally:
                if holder.timer is not None:
                    holder.timer.cancel()
                entry.holders.remove(holder)
                entry.semaphore.release()
        finally:
            if not entry.waiting and not entry.holders:
                del self._hosts[host]  # no request of this host waits or runs

    def running(self, holder: Holder, deadline: asyncio.Timeout) -> None:
        """``holder`` starts its request now, under ``deadline``: start its slow clock."""
        loop = asyncio.get_running_loop()
        holder.deadline, holder.since = deadline, loop.time()
        holder.timer = loop.call_later(self._slow_after, self._became_slow, holder)

    def _became_slow(self, holder: Holder) -> None:
        holder.slow = True
        self._balance(holder.host)

    def _balance(self, entry: _Host) -> None:
        """Cut the first slow response when slow ones hold every slot and a request waits."""
        slow = [h for h in entry.holders if h.cuttable]
        if self._per_host < 2 or not entry.waiting or len(slow) < self._per_host:
            return
        first = min(slow, key=lambda h: h.since)
        first.cut = (
            f"cut after {self._slow_after:g}s: slow responses held all {self._per_host} "
            f"connections to {entry.name} while its other requests waited"
        )
        assert first.deadline is not None
        first.deadline.reschedule(asyncio.get_running_loop().time())
