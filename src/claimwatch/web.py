"""The daemon's HTTP server (aiohttp, in the daemon's event loop): status page, health, metrics.

    GET /         the claim status page (``claimwatch.report.build_report``), live
    GET /healthz  200 "ok" while the scheduler runs and the database answers; 503 and why
    GET /metrics  Prometheus text exposition (``claimwatch.metrics``)

Bound to ``[http] listen`` only. It serves no secrets and takes no input, and asks for no
password: bind it to loopback (or a private interface) and let a proxy add the rest. HEAD
works as GET; other methods get 405, other paths 404. Requests are not logged (scrapes and
probes every few seconds would drown the events that matter).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import Callable

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST

from claimwatch.errors import ClaimwatchError, StateError
from claimwatch.logs import log_event
from claimwatch.metrics import Metrics
from claimwatch.pipeline import Runtime
from claimwatch.report import build_report

Address = tuple[str, int]
Problem = Callable[[], str | None]  # why the service is not healthy now, or None

NO_CACHE = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
# The page is self-contained: inline styles and SVG, nothing to load, no script to run.
PAGE_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'"

SHUTDOWN_TIMEOUT = 5.0  # seconds a stopping server waits for requests in flight

logger = logging.getLogger(__name__)


def listen_error(address: Address, error: OSError) -> ClaimwatchError:
    """A bind failure, named after the config key that asked for it."""
    host, port = address
    return ClaimwatchError(f"cannot serve on {host}:{port}: {error}", subject="[http] listen")


class WebServer:
    """Serves the live pages of the running daemon; ``start``, ``move`` on reload, ``stop``.

    ``runtime`` gives the daemon's current Runtime (it changes on reload); ``problem`` says
    why the daemon itself is unhealthy (not scheduling, database failed) or None.
    """

    def __init__(self, runtime: Callable[[], Runtime], metrics: Metrics, problem: Problem) -> None:
        self._runtime = runtime
        self._metrics = metrics
        self._problem = problem
        self._runner: web.AppRunner | None = None
        self._wanted: Address | None = None  # as configured (port 0: any free port)

    @property
    def address(self) -> Address | None:
        """Where it listens now (the real port when asked for port 0), or None."""
        if self._runner is None:
            return None
        host, port = self._runner.addresses[0][:2]
        return str(host), int(port)

    @property
    def url(self) -> str | None:
        if (bound := self.address) is None:
            return None
        host, port = bound
        return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"

    async def start(self, address: Address) -> None:
        """Listen on ``address``; a bind failure raises ClaimwatchError naming ``[http] listen``."""
        assert self._runner is None, "already serving"
        self._runner = await self._listen(address)
        self._wanted = address
        log_event(logger, "web.listen", status="serving", url=self.url)

    async def move(self, address: Address | None) -> None:
        """Reload: serve on ``address`` instead (None: stop serving). When the new address
        cannot be bound, the old one keeps serving and the error is raised."""
        if address == self._wanted:
            return
        if address is None:
            await self.stop()
            return
        old, previous, bound = self._runner, self._wanted, self.address
        try:
            new = await self._listen(address)
        except ClaimwatchError:
            if old is None or bound is None or bound[1] != address[1]:
                raise
            # Our own socket may hold the port (127.0.0.1:8650 -> 0.0.0.0:8650): free it, retry.
            await self.stop()
            try:
                await self.start(address)
            except ClaimwatchError:
                with contextlib.suppress(ClaimwatchError):
                    await self.start(bound)  # back where it was
                    self._wanted = previous
                raise
            return
        self._runner, self._wanted = new, address
        if old is not None:
            await old.cleanup()
        log_event(logger, "web.listen", status="serving", url=self.url)

    async def stop(self) -> None:
        runner, self._runner, self._wanted = self._runner, None, None
        if runner is not None:
            await runner.cleanup()
            log_event(logger, "web.listen", status="stopped")

    async def _listen(self, address: Address) -> web.AppRunner:
        app = web.Application()
        app.router.add_get("/", self._page)
        app.router.add_get("/healthz", self._healthz)
        app.router.add_get("/metrics", self._metrics_text)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=SHUTDOWN_TIMEOUT)
        await runner.setup()
        try:
            await web.TCPSite(runner, address[0], address[1]).start()
        except OSError as exc:
            await runner.cleanup()
            raise listen_error(address, exc) from None
        return runner

    # ---- handlers ------------------------------------------------------------------

    def health(self) -> str | None:
        """None when healthy, else the reason: the daemon's own, or the database's."""
        problem = self._problem()
        if problem is not None:
            return problem
        try:
            self._runtime().store.recent_alerts(1)  # a small read: does the database answer?
        except StateError as exc:
            return f"state database: {exc}"
        return None

    async def _healthz(self, request: web.Request) -> web.Response:
        problem = self.health()
        if problem is None:
            return web.Response(text="ok\n", headers=NO_CACHE)
        return web.Response(status=503, text=f"unhealthy: {problem}\n", headers=NO_CACHE)

    async def _metrics_text(self, request: web.Request) -> web.Response:
        with contextlib.suppress(StateError):  # the backlog keeps its last value; see /healthz
            self._metrics.set_backlog(self._runtime().store.delivery_counts())
        headers = {**NO_CACHE, "Content-Type": CONTENT_TYPE_LATEST}
        return web.Response(body=self._metrics.render(), headers=headers)

    async def _page(self, request: web.Request) -> web.Response:
        rt = self._runtime()
        try:
            alerts = rt.store.all_alerts()
        except StateError as exc:
            return web.Response(status=503, text=f"state database: {exc}\n", headers=NO_CACHE)
        build = functools.partial(build_report, rt.baselines, alerts, now=rt.clock())
        page = await asyncio.get_running_loop().run_in_executor(None, build)  # keep probes live
        headers = {**NO_CACHE, "Content-Security-Policy": PAGE_POLICY}
        return web.Response(text=page, content_type="text/html", charset="utf-8", headers=headers)
