"""``claimwatch run`` with ``opml = [...]``: a SIGHUP picks up a changed OPML file (the config
itself unchanged), and a broken one is rejected like a broken config, the old feeds kept."""

from __future__ import annotations

import signal
from collections.abc import Callable

import pytest

from claimwatch.opml import NAMESPACE
from tests.e2e.helpers import RELEVANT, Service, Workdir, eventually, rss

pytestmark = pytest.mark.slow


def opml(work: Workdir, names: list[str]) -> str:
    outlines = "".join(
        f'<outline text="{name}" xmlUrl="{work.server.url(f"/{name}.xml")}"'
        ' claimwatch:interval="30s"/>\n'
        for name in names
    )
    return (
        f'<?xml version="1.0"?>\n<opml version="2.0" xmlns:claimwatch="{NAMESPACE}">'
        f"<body>\n{outlines}</body></opml>\n"
    )


def test_sighup_reads_a_changed_opml_file(
    work: Workdir, service_factory: Callable[..., Service]
) -> None:
    for name in ("first", "second"):
        work.server.route(f"/{name}.xml", rss(work.server, [RELEVANT]))
    feeds_file = work.root / "feeds.opml"
    feeds_file.write_text(opml(work, ["first"]), encoding="utf-8")
    work.write_config([], sections=[])
    text = work.config.read_text(encoding="utf-8")
    work.config.write_text('opml = ["feeds.opml"]\n' + text, encoding="utf-8")
    service = service_factory()
    eventually(lambda: bool(work.server.requests_for("/first.xml")), what="the first feed")

    feeds_file.write_text(opml(work, ["first", "second"]), encoding="utf-8")
    service.signal(signal.SIGHUP)
    eventually(lambda: bool(work.server.requests_for("/second.xml")), what="the OPML's new feed")

    feeds_file.write_text("<opml><body><outline", encoding="utf-8")
    service.signal(signal.SIGHUP)
    eventually(
        lambda: any(e["status"] == "rejected" for e in service.events("config.reload")),
        what="rejection",
    )
    (rejected,) = [e for e in service.events("config.reload") if e["status"] == "rejected"]
    assert f"{feeds_file}:1: malformed XML" in rejected["error"]
    assert service.process.poll() is None  # still polling both feeds
    service.signal(signal.SIGTERM)
    assert service.wait() == 0
