"""``claimwatch demo``: the whole product in seconds, offline.

Bundled example reports (our own writing, in ``demo_data/reports.json``) are served as an RSS
feed and article pages by a throwaway HTTP server on 127.0.0.1; one pass of the real pipeline
runs over them with a throwaway state, and the alerts are printed. The baselines are the
config's (found as every command finds it), else the shipped examples: no config is needed.

``--keep DIR`` keeps the state instead: the SQLite file, the alert log and a config that
names them (``claimwatch.toml``, with no feed: the demo's server is gone after the pass), so
that ``claimwatch report``, ``alerts``, ``status`` and the verdict commands work on it.
"""

from __future__ import annotations

import json
import shlex
import tempfile
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from datetime import datetime
from email.utils import format_datetime
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib.resources import files
from pathlib import Path
from typing import Any

from claimwatch.baselines import Baseline, load_baselines
from claimwatch.config import Config, config_from_mapping
from claimwatch.errors import InputError
from claimwatch.inputs import load_inputs
from claimwatch.locations import try_find_config
from claimwatch.pipeline import run_once
from claimwatch.starter import shipped_baselines


def demo_baselines(config_path: Path | None) -> tuple[Baseline, ...]:
    """The baselines of the config given or found; without one, the shipped examples (the
    demo needs no config)."""
    found = try_find_config(config_path)
    if found is None:
        return load_baselines([shipped_baselines()])
    return load_inputs(found.path)[1]


def reports() -> list[dict[str, str]]:
    """The bundled example reports."""
    data: list[dict[str, str]] = json.loads(
        files("claimwatch").joinpath("demo_data/reports.json").read_text(encoding="utf-8")
    )
    return data


def feed_xml(base: str, items: list[dict[str, str]]) -> bytes:
    """An RSS 2.0 feed of the reports, each linking to its page on the demo server."""
    parts = []
    for item in items:
        published = datetime.fromisoformat(item["published"].replace("Z", "+00:00"))
        summary = item["text"].split("\n")[0]
        parts.append(
            f"<item><title>{escape(item['title'])}</title>"
            f"<link>{base}/articles/{item['slug']}.html</link>"
            f"<guid>{base}/articles/{item['slug']}.html</guid>"
            f"<pubDate>{format_datetime(published)}</pubDate>"
            f"<description>{escape(summary)}</description></item>"
        )
    channel = "<title>claimwatch demo wire</title><link>" + base + "/</link>" + "".join(parts)
    return f'<?xml version="1.0"?><rss version="2.0"><channel>{channel}</channel></rss>'.encode()


def page_html(item: dict[str, str]) -> bytes:
    """An article page with the clutter real pages have around the text."""
    paragraphs = "".join(f"<p>{escape(p)}</p>" for p in item["text"].split("\n\n"))
    return (
        f"<html><head><title>{escape(item['title'])}</title></head><body>"
        "<nav><a href='/'>Home</a> <a href='/world'>World</a></nav>"
        f"<article><h1>{escape(item['title'])}</h1>{paragraphs}</article>"
        "<footer>Demo wire. All rights reserved.</footer></body></html>"
    ).encode()


def _handler(items: list[dict[str, str]]) -> type[BaseHTTPRequestHandler]:
    pages = {f"/articles/{i['slug']}.html": i for i in items}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            base = f"http://{self.headers.get('Host', '127.0.0.1')}"
            if self.path == "/feed.xml":
                self._send(feed_xml(base, items), "application/rss+xml")
            elif self.path in pages:
                self._send(page_html(pages[self.path]), "text/html; charset=utf-8")
            else:
                self.send_error(404)

        def _send(self, body: bytes, content_type: str) -> None:
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: the demo prints alerts, not access logs."""

    return Handler


@contextmanager
def serving(items: list[dict[str, str]]) -> Iterator[str]:
    """A feed server on an ephemeral loopback port; yields the feed URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(items))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/feed.xml"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def demo_config(folder: Path, feed_url: str, baselines: tuple[Baseline, ...]) -> Config:
    """A throwaway config: state and alert log in ``folder``, loopback pages allowed."""
    data = {
        "state": str(folder / "demo.db"),
        "baselines": [str(b.path) for b in baselines],
        "http": {"allow_private_addresses": True, "total_timeout": 10},
        "alerts": {"log": {"path": str(folder / "alerts.jsonl")}},
        "feeds": [{"name": "demo-wire", "url": feed_url, "fetch_articles": "all"}],
    }
    return config_from_mapping(data, path=folder / "demo.toml")


def describe(alert: dict[str, Any]) -> str:
    """A few readable lines per alert."""
    novel = "" if alert["novel"] else " (repeat)"
    return (
        f"[{alert['kind']}] {alert['claim_id']}{novel}\n"
        f"  article:  {alert['article_title']}\n"
        f"  evidence: {alert['evidence']}\n"
        f"  reason:   {alert['reason']}\n"
    )


async def run_demo(
    baselines: tuple[Baseline, ...], keep: Path | None = None
) -> list[dict[str, Any]]:
    """Serve the reports, run one pass, return the alerts written to the log; with ``keep``,
    the state stays in that folder (a new or empty one) with a config naming it."""
    items = reports()
    kept = prepare_keep(keep) if keep is not None else None
    folder: AbstractContextManager[str] = (
        nullcontext(str(kept)) if kept else tempfile.TemporaryDirectory(prefix="claimwatch-demo-")
    )
    with folder as tmp, serving(items) as url:
        config = demo_config(Path(tmp), url, baselines)
        await run_once(config, baselines)
        if kept is not None:
            write_kept_config(kept, baselines)
        log = Path(tmp) / "alerts.jsonl"
        lines = log.read_text(encoding="utf-8").splitlines() if log.exists() else []
        return [json.loads(line) for line in lines]


KEPT_CONFIG = "claimwatch.toml"


def prepare_keep(folder: Path) -> Path:
    """Create ``folder`` and return it absolute; InputError when it holds anything already
    (the demo's alerts would mix with a state or files found there)."""
    if folder.exists() and not folder.is_dir():
        raise InputError("not a folder", subject=str(folder))
    if folder.is_dir() and any(folder.iterdir()):
        raise InputError("not empty: --keep needs a new or empty folder", subject=str(folder))
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create: {exc.strerror or exc}", subject=str(folder)) from None
    return folder.resolve()


def write_kept_config(folder: Path, baselines: tuple[Baseline, ...]) -> Path:
    """A config for the kept state: paths relative to it, the baselines where they are."""
    import tomlkit

    document = tomlkit.document()
    document.add(tomlkit.comment("Left by `claimwatch demo --keep`: the state of one pass over"))
    document.add(tomlkit.comment("the bundled example reports. The demo's feed server is gone,"))
    document.add(tomlkit.comment("so no feed is configured."))
    document["state"] = "demo.db"
    document["baselines"] = [str(b.path.resolve()) for b in baselines]
    document["alerts"] = {"log": {"path": "alerts.jsonl"}}
    path = folder / KEPT_CONFIG
    path.write_text(tomlkit.dumps(document), encoding="utf-8")
    return path


def next_commands(folder: Path) -> str:
    """What to run on a kept state, ready to copy."""
    config = shlex.quote(str(folder / KEPT_CONFIG))
    page = shlex.quote(str(folder / "report.html"))
    return (
        f"the state is kept in {folder}; the status page of these alerts:\n"
        f"  claimwatch report --config {config} --out {page}\n"
        f"and the alerts, to confirm or dismiss them: claimwatch alerts --config {config}"
    )
