"""articles.read against the loopback server: page text, fallbacks, the guard, charsets."""

from __future__ import annotations

from typing import Any

import pytest

from claimwatch.articles import Article, read
from claimwatch.config import HttpConfig
from claimwatch.entries import Entry
from claimwatch.fetcher import Fetcher
from tests.servers import HTML_TYPE, FeedServer, article_page, loopback_http_config
from tests.servers import SAMPLE_PARAGRAPHS as PARAGRAPHS


def entry_for(url: str | None, *, summary: str = "Short summary.", content: str = "") -> Entry:
    return Entry(
        feed="wire",
        entry_id="id-1",
        url=url,
        title="Reservoir at record level",
        published=None,
        summary=summary,
        content=content,
    )


async def read_with(config: HttpConfig, entry: Entry, **kwargs: Any) -> Article:
    async with Fetcher(config) as fetcher:
        return await read(fetcher, entry, fetch_page=kwargs.get("fetch_page", True))


async def test_page_text_is_used(feed_server: FeedServer) -> None:
    feed_server.route("/story", article_page(), content_type=HTML_TYPE)
    article = await read_with(loopback_http_config(), entry_for(feed_server.url("/story")))
    assert (article.source, article.error, article.page_url) == (
        "page",
        None,
        feed_server.url("/story"),
    )
    assert "\n\n".join(PARAGRAPHS) in article.text
    assert article.text[0].isalnum()
    assert "SHOULD NOT APPEAR" not in article.text
    assert "text/html" in feed_server.requests[0].headers["accept"]


async def test_no_fetch_when_not_asked(feed_server: FeedServer) -> None:
    entry = entry_for(feed_server.url("/story"), content="Full content.")
    article = await read_with(loopback_http_config(), entry, fetch_page=False)
    assert article == Article(entry, "Full content.", "entry")
    assert feed_server.requests == []


async def test_entry_without_link_falls_back() -> None:
    article = await read_with(loopback_http_config(), entry_for(None))
    assert (article.source, article.text, article.error) == (
        "entry",
        "Short summary.",
        "entry has no link",
    )


async def test_private_address_is_refused_by_default(feed_server: FeedServer) -> None:
    feed_server.route("/story", article_page(), content_type=HTML_TYPE)
    entry = entry_for(feed_server.url("/story"), content="The feed's own full text.")
    article = await read_with(HttpConfig(), entry)
    assert (article.source, article.text) == ("entry", "The feed's own full text.")
    assert article.error is not None
    assert "loopback" in article.error
    assert feed_server.url("/story") in article.error
    assert article.refused
    assert feed_server.requests == []


@pytest.mark.parametrize(
    ("route", "reason"),
    [
        ({"status": 404, "body": b"missing"}, "HTTP 404"),
        ({"body": b"%PDF-1.7", "content_type": "application/pdf"}, "not an HTML page"),
        ({"body": "<html><body><p>Subscribe to read.</p></body></html>"}, "too little text"),
    ],
)
async def test_unusable_pages_fall_back_to_the_entry(
    feed_server: FeedServer, route: dict[str, Any], reason: str
) -> None:
    options = {"content_type": HTML_TYPE, **route}
    feed_server.route("/story", options.pop("body"), **options)
    article = await read_with(loopback_http_config(), entry_for(feed_server.url("/story")))
    assert (article.source, article.text) == ("entry", "Short summary.")
    assert article.error is not None
    assert reason in article.error


async def test_transport_failure_falls_back() -> None:
    with FeedServer() as server:
        url = server.url("/story")
    article = await read_with(loopback_http_config(), entry_for(url))
    assert article.source == "entry"
    assert article.error is not None
    assert article.error.startswith(url)


@pytest.mark.parametrize(
    ("content_type", "meta"),
    [
        ("text/html; charset=windows-1251", ""),
        ("text/html", '<meta charset="windows-1251">'),
        ("text/html", ""),  # no declaration at all: sniffed
        ("text/html; charset=utf-8", '<meta charset="windows-1251">'),  # the header is wrong
    ],
)
async def test_charset_from_header_or_meta(
    feed_server: FeedServer, content_type: str, meta: str
) -> None:
    paragraphs = [
        "Водохранилище достигло самого высокого уровня за одиннадцать лет после нескольких"
        " недель дождей в северных долинах, сообщило в понедельник управление.",
        "Инженеры открыли два из четырёх водосбросов ночью и ожидают открыть третий,"
        " если прогноз на выходные подтвердится, сообщила представитель ведомства.",
    ]
    page = article_page(paragraphs).replace("<head>", f"<head>{meta}")
    feed_server.route("/story", page.encode("cp1251"), content_type=content_type)
    article = await read_with(loopback_http_config(), entry_for(feed_server.url("/story")))
    assert article.source == "page"
    assert "\n\n".join(paragraphs) in article.text


async def test_redirected_page_reports_its_final_url(feed_server: FeedServer) -> None:
    feed_server.redirect("/short", "/story", status=302)
    feed_server.route("/story", article_page(), content_type=HTML_TYPE)
    article = await read_with(loopback_http_config(), entry_for(feed_server.url("/short")))
    assert (article.source, article.page_url) == ("page", feed_server.url("/story"))
