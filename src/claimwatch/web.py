"""The daemon's HTTP server (aiohttp, in the daemon's event loop): status page, health, metrics.

    GET /         the claim status page (``claimwatch.report``), live; ``?status=``,
                  ``kind=``, ``source=`` and ``since=`` filter it (400 for a bad value)
    GET /healthz  200 "ok"; 503 "unhealthy: why" when the daemon stops or its database
                  fails; 503 "degraded: why" when polls or deliveries stall (liveness.py)
    GET /metrics  Prometheus text exposition (``claimwatch.metrics``)
    POST /login, /logout, /alerts/{id}/verdict, /claims/{baseline}/{claim}/state
                  the analysts' calls from the page, with [http] token_file (webtriage.py)

Bound to ``[http] listen`` only. Who may connect, which ``Host`` is answered and which
credentials are asked for: webaccess.py. How many clients, for how long, and what is kept
for polls: weblisten.py. HEAD works as GET; other methods get 405, other paths 404.
Requests are not logged (scrapes and probes every few seconds would drown the events that
matter); refusals are, at most once a minute with a count.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime

from aiohttp import web
from aiohttp.typedefs import Middleware
from prometheus_client import CONTENT_TYPE_LATEST

from claimwatch import lastvisit
from claimwatch.config import HttpConfig
from claimwatch.errors import ClaimwatchError, StateError
from claimwatch.liveness import BacklogTrend, backlog, sample_every, stale_polls
from claimwatch.logs import log_event
from claimwatch.metrics import Metrics
from claimwatch.pipeline import Runtime, active_feeds
from claimwatch.report import FilterError, parse_filter
from claimwatch.throttle import Throttled, ThrottledAdapter
from claimwatch.webaccess import Access, access_for
from claimwatch.weblisten import RESERVE, Limits, Listener, soft_fd_limit
from claimwatch.webpage import LivePage
from claimwatch.webtriage import MAX_BODY, Writes

Address = tuple[str, int]
Problem = Callable[[], str | None]  # why the service is not healthy now, or None
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

NO_CACHE = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
# The page is self-contained: inline styles and SVG, nothing to load, no script to run.
PAGE_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; "
    "form-action 'self'"
)

SHUTDOWN_TIMEOUT = 5.0  # seconds a stopping server waits for requests in flight
KEEPALIVE = 3600.0  # aiohttp's own idle limit, above ours: weblisten closes idle clients

logger = logging.getLogger(__name__)


def listen_error(address: Address, error: OSError) -> ClaimwatchError:
    """A bind failure, named after the config key that asked for it."""
    host, port = address
    return ClaimwatchError(f"cannot serve on {host}:{port}: {error}", subject="[http] listen")


def limits(http: HttpConfig) -> Limits:
    return Limits(
        max_clients=http.listen_max_clients,
        header_timeout=http.listen_header_timeout,
        idle_timeout=http.listen_idle_timeout,
        reserve=http.max_connections + RESERVE,
    )


class _Serving:
    """One bound address: the aiohttp runner and the listener that feeds it clients."""

    def __init__(self, runner: web.AppRunner, listener: Listener) -> None:
        self.runner, self.listener = runner, listener

    async def close(self) -> None:
        await self.listener.stop()
        await self.runner.cleanup()
        self.listener.abort_all()


class WebServer:
    """Serves the live pages of the running daemon; ``start``, ``move`` on reload, ``stop``.

    ``runtime`` gives the daemon's current Runtime (it changes on reload: the access rules
    and limits of its ``[http]`` apply from the next request); ``problem`` says why the daemon
    itself is unhealthy (not scheduling, database failed) or None.
    """

    def __init__(self, runtime: Callable[[], Runtime], metrics: Metrics, problem: Problem) -> None:
        self._runtime = runtime
        self._metrics = metrics
        self._problem = problem
        self._serving: _Serving | None = None
        self._wanted: Address | None = None  # as configured (port 0: any free port)
        self._access: tuple[HttpConfig, str, Access] | None = None
        self._page: LivePage | None = None
        self._trend = BacklogTrend()
        self._started: datetime | None = None  # when first started (rt.clock), for /healthz
        self._sampler: asyncio.Task[None] | None = None
        self._refused = Throttled("web.request", "refused")
        self._failed = Throttled("web.request", "failed")  # malformed requests, handler errors
        self._writes = Writes(runtime, self.access, self._refused, self._calls_changed)

    @property
    def address(self) -> Address | None:
        """Where it listens now (the real port when asked for port 0), or None."""
        return None if self._serving is None else self._serving.listener.address

    @property
    def url(self) -> str | None:
        if (bound := self.address) is None:
            return None
        host, port = bound
        return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"

    @property
    def clients(self) -> int:
        """Client connections open now."""
        return 0 if self._serving is None else self._serving.listener.connections

    async def start(self, address: Address) -> None:
        """Listen on ``address``; a bind failure raises ClaimwatchError naming ``[http] listen``."""
        assert self._serving is None, "already serving"
        self._serving = await self._listen(address)
        self._wanted = address
        if self._started is None:
            self._started = self._runtime().clock()
        if self._sampler is None:
            self._sampler = asyncio.get_running_loop().create_task(self._sample_backlog())
        if self._page is None:
            self._page = LivePage(self._runtime().config.state_location)
        log_event(logger, "web.listen", status="serving", url=self.url)

    async def move(self, address: Address | None) -> None:
        """Reload: serve on ``address`` instead (None: stop serving). When the new address
        cannot be bound, the old one keeps serving and the error is raised."""
        if address == self._wanted:
            return
        if address is None:
            await self.stop()
            return
        old, previous, bound = self._serving, self._wanted, self.address
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
        self._serving, self._wanted = new, address
        if old is not None:
            await old.close()
        log_event(logger, "web.listen", status="serving", url=self.url)

    async def stop(self) -> None:
        serving, self._serving, self._wanted = self._serving, None, None
        if self._sampler is not None:
            self._sampler.cancel()
            self._sampler = None
        self._refused.flush()
        self._failed.flush()
        if self._page is not None:
            self._page.close()
            self._page = None
        if serving is not None:
            await serving.close()
            log_event(logger, "web.listen", status="stopped")

    async def _listen(self, address: Address) -> _Serving:
        listener = Listener(lambda: limits(self._http()), lambda peer: self.access().admits(peer))
        app = web.Application(middlewares=[self._guard(listener)], client_max_size=MAX_BODY)
        app.router.add_get("/", self._page_html)
        app.router.add_get("/healthz", self._healthz)
        app.router.add_get("/metrics", self._metrics_text)
        self._writes.register(app.router)
        runner = web.AppRunner(
            app,
            access_log=None,
            shutdown_timeout=SHUTDOWN_TIMEOUT,
            keepalive_timeout=KEEPALIVE,
            logger=ThrottledAdapter(self._failed),
        )
        await runner.setup()
        assert runner.server is not None
        try:
            await listener.start(runner.server, address)
        except OSError as exc:
            await runner.cleanup()
            raise listen_error(address, exc) from None
        if listener.cap < self._http().listen_max_clients:
            log_event(
                logger, "web.limits", level=logging.WARNING, status="lowered", count=listener.cap,
                error=f"[http] listen_max_clients lowered to {listener.cap}: half of what the "
                f"open-file limit ({soft_fd_limit()}) leaves after a reserve for polls",
            )  # fmt: skip
        return _Serving(runner, listener)

    # ---- access --------------------------------------------------------------------

    def _http(self) -> HttpConfig:
        return self._runtime().config.http

    def access(self) -> Access:
        """The rules of the current config (rebuilt after a reload changed ``[http]``)."""
        http, host = self._http(), (self._wanted or ("127.0.0.1", 0))[0]
        if self._access is None or self._access[0] is not http or self._access[1] != host:
            self._access = (http, host, access_for(http, host))
        return self._access[2]

    def _guard(self, listener: Listener) -> Middleware:
        @web.middleware
        async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
            transport = request.transport
            listener.started(transport)
            try:
                refused = self._refusal(request)
                return refused if refused is not None else await handler(request)
            finally:
                listener.finished(transport)

        return guard

    def _refusal(self, request: web.Request) -> web.Response | None:
        access, peer = self.access(), request.remote or ""
        if not access.admits(peer):  # the networks may have narrowed since it connected
            self._refused.note(f"{peer} is not in [http] allowed_networks")
            return web.Response(status=403, text="forbidden\n", headers=NO_CACHE)
        host = request.headers.get("Host")
        if not access.host_allowed(host):
            self._refused.note(f"Host {host!r} is not in [http] allowed_hosts")
            return web.Response(status=421, text="unknown host\n", headers=NO_CACHE)
        if not access.allows(request.path, peer, request.headers.get("Authorization")):
            self._refused.note(f"{peer}: no valid credentials for {request.path}")
            headers = {**NO_CACHE, "WWW-Authenticate": access.challenge()}
            return web.Response(status=401, text="unauthorized\n", headers=headers)
        return None

    def _calls_changed(self) -> None:
        if self._page is not None:
            self._page.calls_changed()

    # ---- health --------------------------------------------------------------------

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

    def degraded(self) -> str | None:
        """Why the running daemon is not doing its job (liveness.py), or None."""
        rt = self._runtime()
        http, now = rt.config.http, rt.clock()
        since = self._metrics.last_poll_success or self._started or now
        intervals = [feed.interval for feed in active_feeds(rt.config)]
        stale = stale_polls(now, since, http.healthz_max_poll_age, intervals)
        return stale or self._trend.growing(now, http.healthz_backlog_window)

    def sample(self) -> None:
        """Read the outbox backlog once: for /metrics and for the growth check."""
        rt = self._runtime()
        try:
            counts = rt.store.delivery_counts()
        except StateError:
            return  # /healthz says so on its own
        self._metrics.set_backlog(counts)
        email = rt.config.alerts.email
        digests = ("email",) if email is not None and email.digest else ()
        window = rt.config.http.healthz_backlog_window
        self._trend.add(rt.clock(), backlog(counts, digests), window)

    async def _sample_backlog(self) -> None:
        while True:
            self.sample()
            await asyncio.sleep(sample_every(self._http().healthz_backlog_window))

    async def _healthz(self, request: web.Request) -> web.Response:
        problem = self.health()
        if problem is not None:
            return web.Response(status=503, text=f"unhealthy: {problem}\n", headers=NO_CACHE)
        slow = self.degraded()
        if slow is not None:
            return web.Response(status=503, text=f"degraded: {slow}\n", headers=NO_CACHE)
        return web.Response(text="ok\n", headers=NO_CACHE)

    # ---- pages ---------------------------------------------------------------------

    async def _metrics_text(self, request: web.Request) -> web.Response:
        with contextlib.suppress(StateError):  # the backlog keeps its last value; see /healthz
            self._metrics.set_backlog(self._runtime().store.delivery_counts())
        headers = {**NO_CACHE, "Content-Type": CONTENT_TYPE_LATEST}
        return web.Response(body=self._metrics.render(), headers=headers)

    async def _page_html(self, request: web.Request) -> web.Response:
        rt, live = self._runtime(), self._page
        if live is None:  # stopping
            return web.Response(status=503, text="stopping\n", headers=NO_CACHE)
        try:
            chosen = parse_filter(request.query)
        except FilterError as exc:
            return web.Response(status=400, text=f"bad filter: {exc}\n", headers=NO_CACHE)
        mode, csrf = self._writes.page_mode(request)
        now = rt.clock()
        last_visit, seen = lastvisit.since_last_visit(request.cookies.get(lastvisit.COOKIE), now)
        if chosen.since is None and last_visit is not None:  # new: since the reader's last visit
            chosen = dataclasses.replace(chosen, since=last_visit)
        try:
            page = await live.get(rt.baselines, now, chosen, mode)
        except StateError as exc:
            return web.Response(status=503, text=f"state database: {exc}\n", headers=NO_CACHE)
        if mode == "write":
            page = page.replace(live.csrf_slot, csrf)
        headers = {**NO_CACHE, "Content-Security-Policy": PAGE_POLICY}
        response = web.Response(
            text=page, content_type="text/html", charset="utf-8", headers=headers
        )
        response.set_cookie(
            lastvisit.COOKIE, seen, max_age=lastvisit.LIFETIME, httponly=True, samesite="Strict"
        )
        return response
