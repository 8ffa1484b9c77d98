"""Hostile feeds and files beyond test_hostile.py: redirects out of a feed's network, entity
bombs, legacy encodings without a charset, slow hosts, alias bombs, nested TOML, inputs that
never finish. Each case uses real parts: a loopback server, real files, the real pipeline.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import os
import re
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from claimwatch import cli
from claimwatch.baselines import load_baseline
from claimwatch.errors import BaselineError, ConfigError, FetchError
from claimwatch.fetcher import SLOW_SHARE, Fetcher
from claimwatch.inputs import load_inputs, load_inputs_async
from tests.bombs import alias_bomb, entity_bomb, nested_bomb
from tests.e2e.helpers import BASELINE
from tests.servers import FeedServer, loopback_http_config
from tests.test_fetcher import only_first_loopback
from tests.test_hostile import (
    assert_good_feed_went_on,
    events,
    fetch_odd_feed,
    good_feed,
    make_config,
    rss,
    run_bounded,
    runtime,
    stored_entries,
)

# -- redirects of a feed ------------------------------------------------------------------------
# Targets are loopback or 0.0.0.0 (which reaches this host), so that even a broken guard
# sends nothing off the machine; a request the guard should have stopped shows up in the log.


async def poll_redirecting_feed(
    tmp_path: Path,
    server: FeedServer,
    caplog: pytest.LogCaptureFixture,
    target: str,
    **http: object,
) -> tuple[str, str | None]:
    """The bad feed redirects to ``target`` (served as a feed); (outcome, error)."""
    good_feed(server)
    server.route("/moved.xml", rss([("r1", "Moved feed", "x", None)]))
    server.redirect("/bad.xml", target.format(port=server.port), status=302)
    config = make_config(tmp_path, server, **http)
    async with runtime(config) as rt:
        with caplog.at_level(logging.INFO, logger="claimwatch"):
            reports = await run_bounded(rt)
    assert_good_feed_went_on(reports, config)
    return reports["bad"].outcome, reports["bad"].error


async def test_a_feed_redirect_to_another_kind_of_private_network_is_refused(
    tmp_path: Path, feed_server: FeedServer, caplog: pytest.LogCaptureFixture
) -> None:
    target = "http://0.0.0.0:{port}/moved.xml"  # the feed is on loopback: "unspecified" is not
    outcome, error = await poll_redirecting_feed(tmp_path, feed_server, caplog, target)
    assert outcome == "failed"
    assert error is not None and "refusing to connect to 0.0.0.0" in error
    assert "unspecified" in error and target.format(port=feed_server.port) in error
    (poll,) = events(caplog, "feed.poll", feed="bad")
    assert poll["url"] == feed_server.url("/bad.xml") and "refusing" in poll["error"]
    assert feed_server.requests_for("/moved.xml") == []


async def test_a_feed_redirect_within_the_feeds_own_kind_of_network_is_followed(
    tmp_path: Path, feed_server: FeedServer, caplog: pytest.LogCaptureFixture
) -> None:
    target = "http://localhost:{port}/moved.xml"  # loopback, like the feed's own address
    outcome, error = await poll_redirecting_feed(tmp_path, feed_server, caplog, target)
    assert (outcome, error) == ("fetched", None)
    assert len(feed_server.requests_for("/moved.xml")) == 1


async def test_allow_private_addresses_lets_every_feed_redirect_through(
    tmp_path: Path, feed_server: FeedServer, caplog: pytest.LogCaptureFixture
) -> None:
    target = "http://0.0.0.0:{port}/moved.xml"
    outcome, _ = await poll_redirecting_feed(
        tmp_path, feed_server, caplog, target, allow_private_addresses=True
    )
    assert outcome == "fetched" and len(feed_server.requests_for("/moved.xml")) == 1


@pytest.mark.parametrize(
    ("target", "reason"),
    [
        ("http://[::ffff:127.0.0.1]:{port}/moved.xml", "loopback (IPv4 127.0.0.1 inside"),
        ("http://0.0.0.0:{port}/moved.xml", "unspecified"),
    ],
)
async def test_a_public_feed_may_not_redirect_to_a_private_address(
    feed_server: FeedServer, target: str, reason: str
) -> None:
    """The policy calls the server's own 127.0.0.1 public: the feed is a public one."""
    feed_server.route("/moved.xml", rss([]))
    feed_server.redirect("/feed.xml", "/hop.xml", status=301)  # a public hop first: fine
    feed_server.redirect("/hop.xml", target.format(port=feed_server.port), status=302)
    http = loopback_http_config(allow_private_addresses=False)
    async with Fetcher(http, address_policy=only_first_loopback) as client:
        with pytest.raises(FetchError, match=re.escape(reason)):
            await client.get(feed_server.url("/feed.xml"), guard_redirects=True)
        # Without the guard (a URL given on the command line) the same chain is followed.
        response = await client.get(feed_server.url("/feed.xml"))
    assert response.status == 200
    assert [r.path for r in feed_server.requests].count("/moved.xml") == 1


# -- entity expansion ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (entity_bomb().encode(), "would add more than 1,000,000 bytes"),
        (nested_bomb().encode(), "would add more than 1,000,000 bytes"),
        (
            entity_bomb()
            .replace('version="1.0"?>\n', 'version="1.0" encoding="utf-16"?>\n')
            .encode("utf-16"),
            "would add more than 1,000,000 bytes",
        ),
        (  # "<!" written in UTF-7's base64: no "<!ENTITY" among the bytes
            entity_bomb()
            .replace('version="1.0"?>\n', 'version="1.0" encoding="utf-7"?>\n')
            .replace("<!ENTITY", "+ADwAIQ-ENTITY")
            .encode(),
            "would add more than 1,000,000 bytes",
        ),
        (
            nested_bomb().replace('<!ENTITY l0 "lol">', '<!ENTITY l0 "lol&l0;">'),
            "entity &l0; refers to itself",
        ),
    ],
    ids=["one-big-entity", "billion-laughs", "utf-16", "utf-7", "cycle"],
)
async def test_an_entity_bomb_is_refused_before_parsing(
    tmp_path: Path,
    feed_server: FeedServer,
    caplog: pytest.LogCaptureFixture,
    body: bytes | str,
    reason: str,
) -> None:
    good_feed(feed_server)
    feed_server.route("/bad.xml", body, content_type="application/rss+xml")
    config = make_config(tmp_path, feed_server)
    async with runtime(config) as rt:
        with caplog.at_level(logging.INFO, logger="claimwatch"):
            reports = await run_bounded(rt)
        state = rt.store.feed_state("bad", config.feed("bad").url)
    assert reports["bad"].outcome == "failed"
    (poll,) = events(caplog, "feed.poll", feed="bad")
    assert poll["url"] == feed_server.url("/bad.xml")
    assert "refused before parsing" in poll["error"] and reason in poll["error"]
    assert state.consecutive_failures == 1 and reason in str(state.last_error)
    assert_good_feed_went_on(reports, config)


async def test_harmless_entity_declarations_are_still_read(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    doctype = (
        '<!DOCTYPE rss [<!ENTITY nbsp "&#160;"><!ENTITY site "Freedonia Daily">'
        '<!ENTITY % HTMLlat1 PUBLIC "-//W3C//ENTITIES Latin 1 for XHTML//EN" '
        '"http://www.w3.org/TR/xhtml1/DTD/xhtml-lat1.ent">%HTMLlat1;]>'
    )
    body = rss([("e1", "TITLE", "x", None)]).replace("?>", "?>" + doctype)
    body = body.replace("TITLE", "Bridge&nbsp;news from &site;")  # unescaped: entities
    bad, config = await fetch_odd_feed(tmp_path, feed_server, body)
    assert bad.outcome == "fetched"
    assert [row[2] for row in stored_entries(config)] == ["Bridge news from Freedonia Daily"]


# -- legacy encodings served without a charset --------------------------------------------------

LATIN_TITLES = [
    "Café crème à Genève",
    "Les élèves reçus à Zürich",
    "Grüße aus Köln",
    "Naïve façade à Lyon",
    "Prix: 20 Â£ à Genève",  # Â£ (C2 A3) is valid UTF-8 by chance
    "Hôtel de l'Été",
    "Ça coûte cher à Besançon",
    "Déjà vu à Besançon",
    "NÂº 5 de l'Ã©té à Nice",  # so are Âº and Ã©
]


async def test_a_latin1_feed_without_charset_keeps_every_accent(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    items = [(f"l{n}", title, "x", None) for n, title in enumerate(LATIN_TITLES)]
    body = rss(items).encode("latin-1")
    assert body.decode("utf-8", errors="replace").count("\ufffd") > 20  # not UTF-8 at all
    bad, config = await fetch_odd_feed(
        tmp_path, feed_server, body, content_type="application/rss+xml"
    )
    assert (bad.outcome, bad.processed) == ("fetched", len(LATIN_TITLES))
    assert [row[2] for row in stored_entries(config)] == LATIN_TITLES


EAST_ASIAN = {
    "euc-jp": "東京で会議が開かれた。政府は水曜日、新しい経済対策を発表した。",
    "shift_jis": "東京で会議が開かれた。政府は水曜日、新しい経済対策を発表した。",
    "euc-kr": "서울에서 회의가 열렸다. 정부는 수요일 새로운 경제 대책을 발표했다.",
    "gb2312": "北京召开会议。政府周三宣布了新的经济措施。",
}


@pytest.mark.parametrize("declared", [False, True], ids=["undeclared", "xml-declaration"])
@pytest.mark.parametrize("encoding", sorted(EAST_ASIAN))
async def test_an_east_asian_feed_without_charset_is_read(
    tmp_path: Path, feed_server: FeedServer, encoding: str, declared: bool
) -> None:
    title = EAST_ASIAN[encoding]
    body = rss([("j1", title, title + " " + title, None)], encoding=encoding if declared else None)
    raw = body.encode(encoding)
    as_utf8 = raw.decode("utf-8", errors="replace")
    assert any(c > "\x7f" and c != "\ufffd" for c in as_utf8)  # some runs are valid UTF-8
    bad, config = await fetch_odd_feed(tmp_path, feed_server, raw, content_type="text/xml")
    assert bad.outcome == "fetched"
    assert [row[2] for row in stored_entries(config)] == [title]


# -- slow responses on one host -----------------------------------------------------------------


async def until(check: Callable[[], bool]) -> None:
    """Wait for the server thread to see something (it has no event to await)."""
    async with asyncio.timeout(10):
        while not check():  # noqa: ASYNC110
            await asyncio.sleep(0.02)


async def test_slow_feeds_on_one_host_do_not_hold_up_its_other_feeds(
    feed_server: FeedServer,
) -> None:
    """Four slow polls take all four slots of the host; a fifth request waits at most
    SLOW_SHARE of the time budget, not the whole budget, and only one slow poll is cut."""
    total = 8.0
    for n in range(4):
        feed_server.route(f"/slow{n}.xml", rss([]), delay=600)
    feed_server.route("/fast.xml", rss([]))
    http = loopback_http_config(max_per_host=4, total_timeout=total, read_timeout=total)
    async with Fetcher(http) as client:
        slow = [asyncio.create_task(client.get(feed_server.url(f"/slow{n}.xml"))) for n in range(4)]
        await until(lambda: feed_server.peak_in_flight == 4)
        started = time.monotonic()
        response = await client.get(feed_server.url("/fast.xml"))
        waited = time.monotonic() - started
        await asyncio.sleep(0.1)
        done = [task for task in slow if task.done()]
        for task in slow:
            task.cancel()
        await asyncio.gather(*slow, return_exceptions=True)
    assert response.status == 200
    assert waited < total * 0.75  # about total * SLOW_SHARE (2 s); 8 s without the rule
    (cut,) = done  # the other three slow polls went on
    with pytest.raises(FetchError, match=f"cut after {total * SLOW_SHARE:g}s") as caught:
        cut.result()
    assert re.search(r"/slow\d\.xml: .* all 4 connections to 127\.0\.0\.1 ", str(caught.value))


async def test_one_slot_per_host_never_cuts_a_slow_response(feed_server: FeedServer) -> None:
    feed_server.route("/slow.xml", rss([]), delay=1.0)
    feed_server.route("/fast.xml", rss([]))
    async with Fetcher(loopback_http_config(max_per_host=1, total_timeout=2.0)) as client:
        slow = asyncio.create_task(client.get(feed_server.url("/slow.xml")))
        await until(lambda: bool(feed_server.requests))
        fast = await client.get(feed_server.url("/fast.xml"))
        assert (await slow).status == fast.status == 200


# -- baselines and config that would hang or crash the loader -----------------------------------


def test_an_alias_bomb_baseline_is_refused_at_once(tmp_path: Path) -> None:
    path = tmp_path / "bomb.yaml"
    path.write_text(alias_bomb(), encoding="utf-8")
    assert len(path.read_bytes()) < 700
    started = time.monotonic()
    with pytest.raises(BaselineError) as caught:
        load_baseline(path)
    assert time.monotonic() - started < 5
    assert (
        str(caught.value) == f"{path}:5: invalid YAML: more than 20 aliases (*l2 is one too many)"
    )


def nested_toml(tmp_path: Path, depth: int = 5_000) -> Path:
    path = tmp_path / "claimwatch.toml"
    path.write_text(f'state = "s.db"\nx = {"[" * depth}{"]" * depth}\n', encoding="utf-8")
    return path


def test_deeply_nested_toml_is_a_config_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = nested_toml(tmp_path)
    assert cli.main(["check", "--config", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}: invalid TOML: nested too deeply" in err and "Traceback" not in err


def a_pipe_as_baseline(tmp_path: Path) -> tuple[Path, Path]:
    """A config whose baseline is a FIFO nobody writes to: reading it never ends."""
    fifo = tmp_path / "stuck.yaml"
    os.mkfifo(fifo)
    (tmp_path / "ok.yaml").write_text(BASELINE, encoding="utf-8")
    config = tmp_path / "claimwatch.toml"
    config.write_text('state = "s.db"\nbaselines = ["ok.yaml", "stuck.yaml"]\n', encoding="utf-8")
    return config, fifo


def release(fifo: Path) -> None:
    """Let the abandoned reader finish: open the pipe for writing and close it."""
    with contextlib.suppress(OSError):  # ENXIO: the reader is not there (yet)
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))


def test_inputs_that_never_finish_are_given_up_after_the_time_limit(tmp_path: Path) -> None:
    config, fifo = a_pipe_as_baseline(tmp_path)
    started = time.monotonic()
    try:
        with pytest.raises(ConfigError, match=r"took longer than 0\.5s; gave up"):
            load_inputs(config, time_limit=0.5)
        assert time.monotonic() - started < 5
    finally:
        release(fifo)


async def test_reading_inputs_leaves_the_event_loop_free(tmp_path: Path) -> None:
    config, fifo = a_pipe_as_baseline(tmp_path)
    ticks: list[float] = []

    async def tick() -> None:
        while True:
            ticks.append(time.monotonic())
            await asyncio.sleep(0.05)

    ticker = asyncio.create_task(tick())
    try:
        with pytest.raises(ConfigError, match="took longer than 1s"):
            await load_inputs_async(config, time_limit=1.0)
    finally:
        ticker.cancel()
        release(fifo)
    assert len(ticks) >= 10 and max(b - a for a, b in itertools.pairwise(ticks)) < 0.5
