"""fetcher.Fetcher against a real loopback server: redirects, limits, the SSRF guard."""

from __future__ import annotations

import asyncio
import ipaddress
import re
import tracemalloc
import zlib
from typing import Any

import pytest

from claimwatch.config import HttpConfig
from claimwatch.errors import BlockedAddressError, FetchError
from claimwatch.fetcher import MAX_REDIRECTS, Fetcher
from claimwatch.netguard import IPAddress, blocked_reason
from tests.servers import FeedServer, gzip_bomb, loopback_http_config

BODY = b"<rss version='2.0'><channel><title>t</title></channel></rss>"


def fetcher(**overrides: Any) -> Fetcher:
    return Fetcher(loopback_http_config(**overrides))


def only_first_loopback(address: IPAddress) -> str | None:
    """The default policy, except that the test server's own address is allowed."""
    return None if address == ipaddress.ip_address("127.0.0.1") else blocked_reason(address)


async def test_get_returns_body_and_lower_case_headers(feed_server: FeedServer) -> None:
    feed_server.route("/feed", BODY, headers={"X-Custom": "yes"})
    async with fetcher(user_agent="claimwatch-test/1") as client:
        response = await client.get(feed_server.url("/feed"), headers={"Accept": "text/xml"})
    assert (response.status, response.body, response.url) == (200, BODY, feed_server.url("/feed"))
    assert response.headers["x-custom"] == "yes"
    assert response.permanent_redirect is None
    sent = feed_server.requests_for("/feed")[0].headers
    assert sent["user-agent"] == "claimwatch-test/1"
    assert sent["accept"] == "text/xml"
    assert sent["accept-encoding"] == "gzip, deflate"


@pytest.mark.parametrize("status", [404, 410, 429, 500, 503])
async def test_error_statuses_are_returned_not_raised(feed_server: FeedServer, status: int) -> None:
    feed_server.route("/x", b"oops", status=status)
    async with fetcher() as client:
        response = await client.get(feed_server.url("/x"))
    assert (response.status, response.body) == (status, b"oops")


async def test_permanent_redirect_chain_is_reported(feed_server: FeedServer) -> None:
    feed_server.redirect("/a", "/b", status=301)
    feed_server.redirect("/b", feed_server.url("/c"), status=308)
    feed_server.route("/c", BODY)
    async with fetcher() as client:
        response = await client.get(feed_server.url("/a"))
    assert (response.status, response.body) == (200, BODY)
    assert response.url == response.permanent_redirect == feed_server.url("/c")


async def test_temporary_hop_means_no_permanent_redirect(feed_server: FeedServer) -> None:
    feed_server.redirect("/a", "/b", status=301)
    feed_server.redirect("/b", "/c", status=302)
    feed_server.route("/c", BODY)
    async with fetcher() as client:
        response = await client.get(feed_server.url("/a"))
    assert response.url == feed_server.url("/c")
    assert response.permanent_redirect is None


async def test_redirect_loop_is_an_error(feed_server: FeedServer) -> None:
    feed_server.redirect("/a", "/b")
    feed_server.redirect("/b", "/a")
    async with fetcher() as client:
        with pytest.raises(FetchError, match="redirect loop") as caught:
            await client.get(feed_server.url("/a"))
    assert caught.value.url == feed_server.url("/a")


async def test_too_many_redirects(feed_server: FeedServer) -> None:
    for hop in range(MAX_REDIRECTS + 1):
        feed_server.redirect(f"/{hop}", f"/{hop + 1}", status=302)
    feed_server.route(f"/{MAX_REDIRECTS + 1}", BODY)
    async with fetcher() as client:
        with pytest.raises(FetchError, match="more than"):
            await client.get(feed_server.url("/0"))
        feed_server.redirect("/0", "/2", status=302)  # one hop fewer is fine
        assert (await client.get(feed_server.url("/0"))).body == BODY


async def test_trickling_server_is_cut_off_by_total_timeout(feed_server: FeedServer) -> None:
    # 40 chunks 0.05 s apart: each read is quick, the whole body takes 2 s.
    feed_server.route("/slow", b"x" * 40, trickle=0.05, chunk_size=1)
    async with fetcher(read_timeout=1.0, total_timeout=0.5) as client:
        with pytest.raises(FetchError, match=re.escape("within 0.5s")) as caught:
            await client.get(feed_server.url("/slow"))
    assert caught.value.url == feed_server.url("/slow")


async def test_total_timeout_spans_all_redirect_hops(feed_server: FeedServer) -> None:
    location = {"Location": "/b"}
    feed_server.route("/a", status=302, content_type=None, headers=location, delay=0.3)
    feed_server.route("/b", BODY, delay=0.3)
    async with fetcher(total_timeout=0.5) as client:
        assert (await client.get(feed_server.url("/b"))).body == BODY  # one hop fits
        with pytest.raises(FetchError, match="no complete response") as caught:
            await client.get(feed_server.url("/a"))
    assert caught.value.url == feed_server.url("/b")


async def test_waiting_for_a_host_slot_does_not_count(feed_server: FeedServer) -> None:
    feed_server.route("/slow", BODY, delay=0.3)
    async with fetcher(max_per_host=1, total_timeout=0.5) as client:
        urls = [feed_server.url("/slow")] * 3  # the last one waits 0.6 s for its slot
        responses = await asyncio.gather(*(client.get(u) for u in urls))
    assert [r.body for r in responses] == [BODY] * 3


@pytest.mark.parametrize("send_length", [True, False])
async def test_oversized_body_is_refused(feed_server: FeedServer, send_length: bool) -> None:
    feed_server.route("/big", b"a" * 5000, send_length=send_length, chunk_size=1000)
    async with fetcher(max_bytes=4096) as client:
        with pytest.raises(FetchError, match="4096-byte limit"):
            await client.get(feed_server.url("/big"))
        feed_server.route("/ok", b"a" * 4096, send_length=send_length)
        assert len((await client.get(feed_server.url("/ok"))).body) == 4096


async def test_gzip_body_is_decoded(feed_server: FeedServer) -> None:
    feed_server.gzip("/z", BODY * 100)
    async with fetcher() as client:
        response = await client.get(feed_server.url("/z"))
    assert response.body == BODY * 100
    assert "content-encoding" not in response.headers


@pytest.mark.parametrize("wbits", [zlib.MAX_WBITS, -zlib.MAX_WBITS], ids=["zlib", "raw"])
async def test_deflate_body_is_decoded(feed_server: FeedServer, wbits: int) -> None:
    packer = zlib.compressobj(6, zlib.DEFLATED, wbits)
    data = packer.compress(BODY * 50) + packer.flush()
    feed_server.route("/d", data, headers={"Content-Encoding": "deflate"})
    async with fetcher() as client:
        assert (await client.get(feed_server.url("/d"))).body == BODY * 50


async def test_gzip_bomb_is_refused_within_bounded_memory(feed_server: FeedServer) -> None:
    bomb = gzip_bomb(64 * 1024 * 1024)
    assert len(bomb) < 200_000
    feed_server.route("/bomb", bomb, headers={"Content-Encoding": "gzip"})
    async with fetcher(max_bytes=1_000_000) as client:
        tracemalloc.start()
        try:
            with pytest.raises(FetchError, match="decoded body exceeds"):
                await client.get(feed_server.url("/bomb"))
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert peak < 8 * 1024 * 1024


async def test_unsupported_or_corrupt_encoding_is_an_error(feed_server: FeedServer) -> None:
    feed_server.route("/br", b"\x0b\x01\x80hello\x03", headers={"Content-Encoding": "br"})
    feed_server.route("/bad", b"not gzip at all", headers={"Content-Encoding": "gzip"})
    async with fetcher() as client:
        with pytest.raises(FetchError, match="unsupported Content-Encoding"):
            await client.get(feed_server.url("/br"))
        with pytest.raises(FetchError, match="corrupt compressed body"):
            await client.get(feed_server.url("/bad"))


async def test_connection_refused_names_the_url() -> None:
    with FeedServer() as server:
        url = server.url("/feed")
    async with fetcher() as client:
        with pytest.raises(FetchError, match="ConnectError") as caught:
            await client.get(url)
    assert caught.value.url == url
    assert str(caught.value).startswith(url)


# -- the private-address guard ---------------------------------------------------------------


async def test_guard_refuses_loopback_before_any_request(feed_server: FeedServer) -> None:
    feed_server.route("/page", b"<p>hi</p>")
    async with Fetcher(HttpConfig()) as client:
        with pytest.raises(BlockedAddressError, match="loopback") as caught:
            await client.get(feed_server.url("/page"), guard_private=True)
        assert caught.value.url == feed_server.url("/page")
        # Feeds are configured by the operator: not guarded.
        assert (await client.get(feed_server.url("/page"))).status == 200
    assert len(feed_server.requests_for("/page")) == 1


async def test_guard_refuses_names_that_resolve_to_loopback(feed_server: FeedServer) -> None:
    url = f"http://localhost:{feed_server.port}/page"
    async with Fetcher(HttpConfig()) as client:
        with pytest.raises(BlockedAddressError, match="localhost"):
            await client.get(url, guard_private=True)
    assert feed_server.requests == []


async def test_allow_private_addresses_lifts_the_guard(feed_server: FeedServer) -> None:
    feed_server.route("/page", b"<p>hi</p>")
    async with Fetcher(HttpConfig(allow_private_addresses=True)) as client:
        response = await client.get(feed_server.url("/page"), guard_private=True)
    assert response.body == b"<p>hi</p>"


@pytest.mark.parametrize("allow_private", [False, True])
@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "ftp://example.com/feed", "gopher://127.0.0.1:70/"]
)
async def test_non_http_schemes_are_always_refused(url: str, allow_private: bool) -> None:
    async with Fetcher(HttpConfig(allow_private_addresses=allow_private)) as client:
        for guard in (False, True):
            with pytest.raises(BlockedAddressError, match="scheme") as caught:
                await client.get(url, guard_private=guard)
            assert caught.value.url == url


async def test_guard_checks_every_redirect_hop(feed_server: FeedServer) -> None:
    private_hop = f"http://127.0.0.2:{feed_server.port}/internal"
    feed_server.redirect("/start", private_hop, status=302)
    feed_server.redirect("/to-file", "file:///etc/passwd", status=302)
    async with Fetcher(HttpConfig(), address_policy=only_first_loopback) as client:
        with pytest.raises(BlockedAddressError, match=re.escape("127.0.0.2")) as caught:
            await client.get(feed_server.url("/start"), guard_private=True)
        assert caught.value.url == private_hop
        with pytest.raises(BlockedAddressError, match="scheme"):
            await client.get(feed_server.url("/to-file"), guard_private=True)
    assert [r.path for r in feed_server.requests] == ["/start", "/to-file"]


async def test_guard_dials_the_checked_address_not_the_name(feed_server: FeedServer) -> None:
    """The resolved address is checked and then dialled, so a second DNS answer is never used."""
    answers = {"news.test": ["127.0.0.1"], "rebind.test": ["8.8.8.8", "127.0.0.2"]}
    calls: list[str] = []

    async def resolver(host: str, port: int) -> list[str]:
        calls.append(host)
        return answers[host]

    feed_server.route("/page", b"ok")
    client = Fetcher(HttpConfig(), address_policy=only_first_loopback, resolver=resolver)
    async with client:
        page = await client.get(f"http://news.test:{feed_server.port}/page", guard_private=True)
        assert page.body == b"ok"
        with pytest.raises(BlockedAddressError, match=r"rebind.test \(127.0.0.2\)"):
            await client.get(f"http://rebind.test:{feed_server.port}/page", guard_private=True)
    assert feed_server.requests[0].headers["host"] == f"news.test:{feed_server.port}"
    assert calls == ["news.test", "rebind.test"]


@pytest.mark.parametrize(
    ("address", "blocked"),
    [
        ("127.0.0.1", "loopback"),
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("192.168.1.1", "private"),
        ("169.254.169.254", "link-local"),
        ("100.64.0.1", "non-global"),
        ("224.0.0.1", "multicast"),
        ("0.0.0.0", "unspecified"),
        ("240.0.0.1", "private"),
        ("::", "unspecified"),
        ("::1", "loopback"),
        ("fe80::1", "link-local"),
        ("fc00::1", "private"),
        ("ff02::1", "multicast"),
        ("::ffff:127.0.0.1", "loopback"),
        ("::127.0.0.1", "loopback"),
        ("2002:7f00:1::1", "loopback"),
        ("2002:a9fe:a9fe::1", "link-local"),
        ("64:ff9b::7f00:1", "loopback"),
        ("64:ff9b::a00:1", "private"),
        ("8.8.8.8", None),
        ("2606:4700:4700::1111", None),
        ("::ffff:8.8.8.8", None),
        ("64:ff9b::808:808", None),
    ],
)
def test_blocked_reason(address: str, blocked: str | None) -> None:
    reason = blocked_reason(ipaddress.ip_address(address))
    if blocked is None:
        assert reason is None
    else:
        assert reason is not None
        assert reason.startswith(blocked)


# -- politeness --------------------------------------------------------------------------------


@pytest.mark.parametrize("per_host", [1, 3])
async def test_requests_per_host_are_limited(feed_server: FeedServer, per_host: int) -> None:
    feed_server.route("/slow", BODY, delay=0.2)
    async with fetcher(max_per_host=per_host) as client:
        urls = [feed_server.url("/slow")] * 3
        await asyncio.gather(*(client.get(u) for u in urls))
    assert feed_server.peak_in_flight == per_host


async def test_total_connections_are_limited() -> None:
    with FeedServer("127.0.0.1") as one, FeedServer("127.0.0.2") as two:
        for server in (one, two):
            server.route("/slow", BODY, delay=0.2)
        async with fetcher(max_connections=1, max_per_host=4) as client:
            urls = [one.url("/slow"), two.url("/slow")] * 2
            await asyncio.gather(*(client.get(u) for u in urls))
        assert one.peak_in_flight == two.peak_in_flight == 1
