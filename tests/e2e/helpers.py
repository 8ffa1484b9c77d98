"""End-to-end helpers: a work folder with config and baseline, and ``claimwatch`` processes."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from tests import freedonia
from tests.servers import HTML_TYPE, FeedServer

BASELINE = freedonia.baseline(freedonia.BRIDGE)
RELEVANT = ("g1", "Freedonia bridge closed", "The bridge in Freedonia was closed on Tuesday.")
OTHER = ("g2", "Weather in Sylvania", "It rained in Sylvania all week.")
ARTICLE = (
    "<html><head><title>Freedonia bridge closed</title></head><body><article>"
    "<h1>Freedonia bridge closed</h1>"
    + "".join(
        f"<p>Paragraph {n}: the main bridge in Freedonia was closed by the authorities on "
        "Tuesday, officials in the capital said, and traffic was sent around the river.</p>"
        for n in range(4)
    )
    + "</article></body></html>"
)


def rss(server: FeedServer, items: Sequence[tuple[str, str, str]]) -> str:
    body = "".join(
        f'<item><guid isPermaLink="false">{guid}</guid><title>{escape(title)}</title>'
        f"<link>{server.url('/articles/' + guid)}</link>"
        f"<description>{escape(text)}</description>"
        "<pubDate>Wed, 12 Jan 2022 10:00:00 GMT</pubDate></item>"
        for guid, title, text in items
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>{body}</channel></rss>'
    )


class Workdir:
    """A folder with claimwatch.toml, one baseline, and var/ for the state and alert log."""

    def __init__(self, root: Path, server: FeedServer) -> None:
        self.root = root
        self.server = server
        (root / "baselines").mkdir()
        (root / "baselines" / "freedonia.yaml").write_text(BASELINE, encoding="utf-8")
        self.config = root / "claimwatch.toml"
        self.state = root / "var" / "claimwatch.db"
        self.alert_log = root / "var" / "alerts.jsonl"

    def serve_news(self, path: str = "/news.xml") -> None:
        self.server.route(path, rss(self.server, [RELEVANT, OTHER]), etag='"v1"')
        self.server.route("/articles/g1", ARTICLE, content_type=HTML_TYPE)
        self.server.route(
            "/articles/g2", "<html><body><p>Rain.</p></body></html>", content_type=HTML_TYPE
        )

    def write_config(
        self,
        feeds: Sequence[str],
        *,
        alert_path: str = "var/alerts.jsonl",
        state: str = "var/claimwatch.db",
        interval: str = "30s",
        scheduler: Sequence[str] = (),
        sections: Sequence[str] = (),
        feed_options: Sequence[str] = (),
    ) -> None:
        """A config polling ``feeds`` on the loopback server. ``scheduler``: more lines of
        [scheduler]; ``sections``: more tables after [alerts.log]; ``feed_options``: lines
        every feed gets."""
        lines = [
            f'state = "{state}"',
            'baselines = ["baselines"]',
            "[http]",
            "allow_private_addresses = true",
            'total_timeout = "10s"',
            "[scheduler]",
            "jitter = 0",
            *scheduler,
            "[alerts.log]",
            f'path = "{alert_path}"',
            *sections,
        ]
        for name in feeds:
            lines += [
                "[[feeds]]",
                f'name = "{name}"',
                f'url = "{self.server.url(f"/{name}.xml")}"',
                f'interval = "{interval}"',
                *feed_options,
            ]
        self.config.write_text("\n".join(lines) + "\n", encoding="utf-8")

    def alerts(self) -> list[dict[str, Any]]:
        if not self.alert_log.exists():
            return []
        text = self.alert_log.read_text(encoding="utf-8")
        return [json.loads(line) for line in text.splitlines() if line.strip()]

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        with sqlite3.connect(self.state) as db:
            return db.execute(sql).fetchall()

    def query_write(self, sql: str) -> None:
        with sqlite3.connect(self.state) as db:
            db.execute(sql)

    def integrity(self) -> str:
        return str(self.query("PRAGMA integrity_check")[0][0])

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "claimwatch", *args, "--config", str(self.config)],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=self.root,
        )


class Service:
    """``claimwatch run`` as a real process; its JSON log lines go to a file."""

    def __init__(self, work: Workdir, env: dict[str, str] | None = None) -> None:
        self.work = work
        self.log_path = work.root / "service.log"
        self._log = self.log_path.open("w", encoding="utf-8")
        command = [
            sys.executable,
            "-m",
            "claimwatch",
            "run",
            "--config",
            str(work.config),
            "--log-format",
            "json",
            "-v",
        ]
        self.process = subprocess.Popen(
            command,
            stdout=subprocess.DEVNULL,
            stderr=self._log,
            cwd=work.root,
            env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})},
        )

    def events(self, name: str | None = None) -> list[dict[str, Any]]:
        found = []
        for line in self.log_path.read_text(encoding="utf-8").splitlines():
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                continue
            if name is None or record.get("event") == name:
                found.append(record)
        return found

    def signal(self, sig: signal.Signals) -> None:
        self.process.send_signal(sig)

    def wait(self, timeout: float = 60) -> int:
        code = self.process.wait(timeout)
        self._log.close()
        return code

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)
        self._log.close()


def eventually(check: Callable[[], bool], timeout: float = 20, what: str = "condition") -> None:
    """Poll ``check`` until true; fail the test after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")
