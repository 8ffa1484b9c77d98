"""extract: feed-summary HTML to text, article-page extraction, and charset decoding."""

from __future__ import annotations

import codecs

import pytest

from claimwatch import extract
from claimwatch.extract import MIN_ARTICLE_CHARS, article_text, decode_html, html_to_text
from tests.servers import SAMPLE_PARAGRAPHS as PARAGRAPHS
from tests.servers import article_page


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("plain text", "plain text"),
        ("<p>One</p><p>Two</p>", "One\n\nTwo"),
        ("<p>Tom &amp; Jerry &eacute;t&eacute; &#8211; ok</p>", "Tom & Jerry été – ok"),
        ("<b>bo</b>ld <i>text</i>", "bold text"),
        ("<p>a   b\n\n  c</p>", "a b c"),
        ("line one<br>line two<br><br>new paragraph", "line one line two\n\nnew paragraph"),
        ("<div>x</div><script>alert(1)</script><style>.a{}</style>", "x"),
        ("<ul><li>first</li><li>second</li></ul>", "first\n\nsecond"),
        ("\ufeff\u200b  <p>\xa0Leading junk</p>", "Leading junk"),
        ("AT&T says 3 < 4", "AT&T says 3 < 4"),
        ("https://example.com/only-a-link", "https://example.com/only-a-link"),
        ("", ""),
    ],
)
def test_html_to_text(html: str, expected: str) -> None:
    assert html_to_text(html) == expected


def test_article_text_keeps_paragraphs_and_drops_boilerplate() -> None:
    text = article_text(article_page(), "https://news.example.org/reservoir")
    assert text is not None
    for paragraph in PARAGRAPHS:
        assert paragraph in text
    assert "\n\n".join(PARAGRAPHS[1:]) in text
    assert text[0].isalnum()
    for junk in ("SHOULD NOT APPEAR", "color: red", "Copyright", "Sport", "first!"):
        assert junk not in text


def test_article_text_none_for_short_pages() -> None:
    page = "<html><body><article><p>Subscribe to read this story.</p></article></body></html>"
    assert article_text(page) is None


def test_fallback_picks_the_largest_paragraph_cluster() -> None:
    side = "<div><p>Most read: a short teaser.</p><p>Another teaser.</p></div>"
    main = "<div>" + "".join(f"<p>{p}</p>" for p in PARAGRAPHS) + "</div>"
    text = extract._fallback_text(f"<html><body>{side}{main}</body></html>")
    assert text == "\n\n".join(PARAGRAPHS)
    assert len(text) >= MIN_ARTICLE_CHARS


def test_fallback_prefers_article_element() -> None:
    page = article_page()
    text = extract._fallback_text(page)
    assert text is not None
    assert text.startswith("Reservoir at record level\n\n" + PARAGRAPHS[0])


@pytest.mark.parametrize(
    ("body", "content_type", "expected"),
    [
        ("Привет".encode("cp1251"), "text/html; charset=windows-1251", "Привет"),
        ("café".encode("latin-1"), 'text/html; charset="ISO-8859-1"', "café"),
        (
            '<meta charset="koi8-r"><p>Мир</p>'.encode("koi8-r"),
            "text/html",
            '<meta charset="koi8-r"><p>Мир</p>',
        ),
        (
            '<meta http-equiv="Content-Type" content="text/html; charset=windows-1252">’'.encode(
                "cp1252"
            ),
            None,
            '<meta http-equiv="Content-Type" content="text/html; charset=windows-1252">’',
        ),
        (codecs.BOM_UTF8 + "naïve".encode(), "text/html; charset=latin-1", "naïve"),
        ("naïve".encode(), None, "naïve"),
        (
            b"<p>The caf\xe9 on the corner closed on Monday.</p>",
            "text/html; charset=no-such-codec",
            "<p>The café on the corner closed on Monday.</p>",
        ),
        (b'<meta charset="utf-16"><p>x</p>', None, '<meta charset="utf-16"><p>x</p>'),
    ],
)
def test_decode_html(body: bytes, content_type: str | None, expected: str) -> None:
    assert decode_html(body, content_type) == expected
