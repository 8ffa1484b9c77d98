"""A real HTTP server on loopback for feed and article tests.

``FeedServer`` runs ``http.server.ThreadingHTTPServer`` on 127.0.0.1 (any 127.x address
works) on an ephemeral port in a background thread. Tests register routes, point the
code under test (in-process, or a ``claimwatch`` subprocess) at ``server.url(path)``,
and then assert on ``server.requests``::

    with FeedServer() as server:
        server.route("/feed.xml", body, etag='"v1"')        # answers 304 to If-None-Match
        server.redirect("/old", "/feed.xml", status=301)
        server.route("/gone", status=410)
        server.route("/busy", status=429, headers={"Retry-After": "120"})
        server.route("/slow", body, trickle=0.05, chunk_size=10)
        server.gzip("/big.xml", body)                        # Content-Encoding: gzip
        server.route("/bomb", gzip_bomb(50_000_000), headers={"Content-Encoding": "gzip"})

Routes match on the path without the query string; unknown paths answer 404.
``python -m tests.servers DIR`` serves the files of DIR (for manual runs) and prints
its base URL on the first line of stdout.
"""

from __future__ import annotations

import argparse
import gzip as gzip_module
import mimetypes
import sys
import threading
import time
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import urljoin, urlsplit

from claimwatch.config import HttpConfig

FEED_TYPE = "application/rss+xml; charset=utf-8"
HTML_TYPE = "text/html; charset=utf-8"


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the server saw it; header names are lower-case."""

    method: str
    path: str  # with the query string
    headers: Mapping[str, str]


@dataclass(frozen=True)
class Route:
    """How to answer one path."""

    status: int = 200
    body: bytes = b""
    headers: Mapping[str, str] = field(default_factory=dict)
    etag: str | None = None  # answer 304 when If-None-Match carries it
    last_modified: str | None = None  # answer 304 when If-Modified-Since equals it
    delay: float = 0.0  # seconds before the status line
    trickle: float = 0.0  # seconds between body chunks
    chunk_size: int = 65536
    send_length: bool = True  # False: no Content-Length, the body ends when the socket closes


class FeedServer:
    """Loopback HTTP server with registered routes and a log of every request."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self._routes: dict[str, Route] = {}
        self._requests: list[RecordedRequest] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._in_flight = 0
        self.peak_in_flight = 0  # most requests being answered at the same moment
        self._httpd = _Server((host, port), _Handler)
        self._httpd.owner = self
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    # -- lifecycle -------------------------------------------------------------------
    def start(self) -> FeedServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> FeedServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def host(self) -> str:
        return str(self._httpd.server_address[0])

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def url(self, path: str) -> str:
        return urljoin(self.base_url + "/", path)

    # -- routes ----------------------------------------------------------------------
    def route(
        self,
        path: str,
        body: bytes | str = b"",
        *,
        status: int = 200,
        content_type: str | None = FEED_TYPE,
        headers: Mapping[str, str] | None = None,
        **options: Any,
    ) -> None:
        """Answer ``path`` with ``body``; ``options`` are Route fields (etag, trickle, ...)."""
        data = body.encode() if isinstance(body, str) else body
        merged = {"Content-Type": content_type} if content_type else {}
        merged.update(headers or {})
        with self._lock:
            self._routes[path] = Route(status=status, body=data, headers=merged, **options)

    def redirect(self, path: str, location: str, *, status: int = 301) -> None:
        """Answer ``path`` with a redirect to ``location`` (absolute or relative)."""
        self.route(path, status=status, content_type=None, headers={"Location": location})

    def gzip(self, path: str, body: bytes | str, **kwargs: Any) -> None:
        """Answer ``path`` with ``body`` gzip-compressed (Content-Encoding: gzip)."""
        data = body.encode() if isinstance(body, str) else body
        headers = {"Content-Encoding": "gzip", **kwargs.pop("headers", {})}
        self.route(path, gzip_module.compress(data), headers=headers, **kwargs)

    def lookup(self, path: str) -> Route | None:
        with self._lock:
            return self._routes.get(urlsplit(path).path)

    # -- request log -----------------------------------------------------------------
    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    def requests_for(self, path: str) -> list[RecordedRequest]:
        return [r for r in self.requests if urlsplit(r.path).path == path]

    def clear_requests(self) -> None:
        with self._lock:
            self._requests.clear()

    def record(self, request: RecordedRequest) -> None:
        with self._lock:
            self._requests.append(request)

    @property
    def stopping(self) -> threading.Event:
        return self._stopping

    def enter(self) -> None:
        with self._lock:
            self._in_flight += 1
            self.peak_in_flight = max(self.peak_in_flight, self._in_flight)

    def leave(self) -> None:
        with self._lock:
            self._in_flight -= 1


SAMPLE_PARAGRAPHS = [
    "The regional water authority said on Monday that the reservoir had reached its highest"
    " level in eleven years after weeks of steady rain across the northern valleys.",
    "Engineers opened two of the four spillway gates overnight and expect to open a third"
    " if the forecast for the weekend holds, a spokeswoman told reporters at the dam.",
    "Farmers downstream welcomed the news but asked for earlier warnings before releases,"
    " saying that low-lying fields had flooded twice during the previous spring.",
]


def article_page(paragraphs: list[str] = SAMPLE_PARAGRAPHS) -> str:
    """A news page: nav, script, style, an <article> of ``paragraphs``, comments, footer."""
    body = "".join(f"<p>{p}</p>\n" for p in paragraphs)
    return f"""<!DOCTYPE html>
<html><head><title>Reservoir at record level</title>
<script>var tracker = "SHOULD NOT APPEAR";</script>
<style>p {{ color: red }}</style></head>
<body>
<nav><a href="/">Home</a> <a href="/world">World</a> <a href="/sport">Sport</a></nav>
<article>
<h1>Reservoir at record level</h1>
{body}
</article>
<div class="comments"><p>Comment: first!</p></div>
<footer>Copyright Example Media. All rights reserved.</footer>
</body></html>"""


def gzip_bomb(decompressed_size: int) -> bytes:
    """A gzip body of zeros that inflates to ``decompressed_size`` bytes (about 1000:1)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = bytes(1 << 20)
    parts = []
    for start in range(0, decompressed_size, len(block)):
        parts.append(packer.compress(block[: decompressed_size - start]))
    parts.append(packer.flush())
    return b"".join(parts)


def loopback_http_config(**overrides: Any) -> HttpConfig:
    """HttpConfig for talking to a FeedServer: private addresses allowed, short timeouts."""
    values: dict[str, Any] = {
        "connect_timeout": 2.0,
        "read_timeout": 2.0,
        "total_timeout": 5.0,
        "allow_private_addresses": True,
    }
    values.update(overrides)
    return HttpConfig(**values)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    owner: FeedServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients that hang up early (timeouts under test) are expected: stay quiet."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output clean."""

    def do_GET(self) -> None:
        owner = self.server.owner
        owner.enter()
        try:
            self._serve(owner)
        finally:
            owner.leave()

    def _serve(self, owner: FeedServer) -> None:
        headers = {k.lower(): v for k, v in self.headers.items()}
        owner.record(RecordedRequest(self.command, self.path, headers))
        route = owner.lookup(self.path)
        if route is None:
            self._answer(Route(status=404, body=b"not found"), owner.stopping)
        elif _not_modified(route, headers):
            self._answer(Route(status=304, headers=_validators(route)), owner.stopping)
        else:
            self._answer(route, owner.stopping)

    def _answer(self, route: Route, stopping: threading.Event) -> None:
        try:
            if route.delay and stopping.wait(route.delay):
                return
            self.send_response(route.status)
            for name, value in {**route.headers, **_validators(route)}.items():
                self.send_header(name, value)
            if route.send_length and route.status != 304:
                self.send_header("Content-Length", str(len(route.body)))
            self.end_headers()
            if route.status != 304:
                self._write(route, stopping)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up, as clients under test are meant to

    def _write(self, route: Route, stopping: threading.Event) -> None:
        body, size = route.body, max(route.chunk_size, 1)
        for start in range(0, len(body), size):
            if start and route.trickle and stopping.wait(route.trickle):
                return
            self.wfile.write(body[start : start + size])


def _validators(route: Route) -> dict[str, str]:
    found = {"ETag": route.etag, "Last-Modified": route.last_modified}
    return {k: v for k, v in found.items() if v is not None}


def _not_modified(route: Route, headers: Mapping[str, str]) -> bool:
    if route.status != 200:
        return False
    if "if-none-match" in headers:
        tags = [t.strip() for t in headers["if-none-match"].split(",")]
        return route.etag is not None and (route.etag in tags or "*" in tags)
    modified = headers.get("if-modified-since")
    return route.last_modified is not None and modified == route.last_modified


def serve_directory(root: Path, host: str = "127.0.0.1", port: int = 0) -> FeedServer:
    """A started server answering ``/NAME`` with each file below ``root``."""
    server = FeedServer(host, port)
    for file in sorted(p for p in root.rglob("*") if p.is_file()):
        kind = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        server.route("/" + file.relative_to(root).as_posix(), file.read_bytes(), content_type=kind)
    return server.start()


def main() -> None:
    parser = argparse.ArgumentParser(description="Serve a directory on loopback for tests.")
    parser.add_argument("root", type=Path)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    server = serve_directory(args.root, args.host, args.port)
    print(server.base_url, flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        server.stop()


if __name__ == "__main__":
    main()
