"""HTML -> plain text: trafilatura for article pages, lxml for feed summaries, and
beautifulsoup4 where trafilatura finds too little.

Plain text here means: no markup, entities decoded, whitespace collapsed inside a
paragraph, paragraphs separated by one blank line, nothing before the first word.
"""

from __future__ import annotations

import codecs
import re
import warnings
from collections import defaultdict
from typing import TYPE_CHECKING

from lxml import etree

from claimwatch.utf8 import HIGH_BYTES, as_utf8

if TYPE_CHECKING:
    from bs4 import BeautifulSoup, Tag

MIN_ARTICLE_CHARS = 200  # shorter extractions are menus, paywalls or errors, not articles

_DROP = ("script", "style", "noscript", "template", "iframe", "object", "svg", "head")
_BOILERPLATE = ("nav", "header", "footer", "aside", "form", "button", "figure")
_BLOCKS = (
    "p", "div", "section", "article", "main", "blockquote", "pre", "ul", "ol", "li", "dl", "dt",
    "dd", "table", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "figure", "figcaption",
    "header", "footer", "aside", "address",
)  # fmt: skip

_PARAGRAPH_BREAK = re.compile(r"\n[^\S\n]*\n\s*")
_SPACES = re.compile(r"\s+")
_INVISIBLE = dict.fromkeys(map(ord, "\ufeff\u200b\u200c\u200d\u2060\u00ad"))
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_:.-]+)""", re.I)
_CHARSET_PARAM = re.compile(r"""charset\s*=\s*["']?\s*([a-zA-Z0-9_:.-]+)""", re.I)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
SNIFF_BYTES = 64 * 1024  # what charset detection reads of a page
_NON_ASCII = re.compile(rb"[\x80-\xff]")
# The encodings of scripts other than Latin that the WHATWG Encoding Standard lists (what
# browsers decode pages in), by Python's names. Sniffing chooses between them and
# windows-1252, the standard's default: between the Latin code pages charset-normalizer's
# choice is unreliable (Italian read as Vietnamese windows-1258, Polish as windows-1252).
_NON_LATIN = frozenset(
    codecs.lookup(name).name
    for name in (
        "cp1251", "koi8_r", "koi8_u", "cp866", "iso8859_5", "mac_cyrillic", "cp1253",
        "iso8859_7", "cp1255", "iso8859_8", "cp1256", "iso8859_6", "cp874", "gb18030", "big5",
        "euc_jp", "iso2022_jp", "shift_jis", "euc_kr",
    )
)  # fmt: skip
_WEB_DEFAULT = "cp1252"
# Labels the Encoding Standard reads as another encoding: pages labelled Latin-1 or ASCII
# hold windows-1252 punctuation (curly quotes, dashes).
_WHATWG_ALIASES = {"iso8859-1": "cp1252", "ascii": "cp1252", "iso8859-9": "cp1254"}


def html_to_text(html: str) -> str:
    """Feed summary HTML -> plain text with paragraph breaks.

    Every entry's summary passes through here, so it walks lxml's tree directly: a
    BeautifulSoup tree of the same markup costs several times more.
    """
    if "<" not in html and "&" not in html:
        return tidy(html)
    # One parser per call (parsers are not for sharing between threads); bytes, so that an
    # <?xml encoding=...?> declaration in the markup is no error.
    parser = etree.HTMLParser(encoding="utf-8", no_network=True)
    root = etree.fromstring(html.encode("utf-8", "replace"), parser)
    if root is None:
        return ""
    pieces: list[str] = []
    stack: list[tuple[etree._Element, bool]] = [(root, False)]
    while stack:  # iterative: a hostile summary may nest deeper than Python recurses
        element, closing = stack.pop()
        tag = element.tag if isinstance(element.tag, str) else None  # comments have no name
        if not closing and tag is not None and tag not in _DROP:
            pieces.append("\n" if tag == "br" else "\n\n" if tag in _BLOCKS else "")
            pieces.append(_SPACES.sub(" ", element.text or ""))
            stack.append((element, True))
            stack.extend((child, False) for child in reversed(element))
            continue
        if closing and tag in _BLOCKS:
            pieces.append("\n\n")
        pieces.append(_SPACES.sub(" ", element.tail or ""))
    return tidy("".join(pieces))


def tidy(text: str) -> str:
    """Collapse whitespace inside paragraphs; one blank line between paragraphs."""
    text = text.translate(_INVISIBLE).replace("\r\n", "\n").replace("\r", "\n")
    paragraphs = (_SPACES.sub(" ", part).strip() for part in _PARAGRAPH_BREAK.split(text))
    return "\n\n".join(p for p in paragraphs if p)


def article_text(html: str, url: str | None = None) -> str | None:
    """The main text of an article page, or None when no article-sized text is found.

    trafilatura first (precision over recall, no comments, tables, links or images; it does
    no network I/O when given a string); the largest ``<article>``/paragraph cluster second.
    """
    text = _trafilatura_text(html, url)
    if not _article_sized(text):
        text = _fallback_text(html)
    return text if _article_sized(text) else None


def _article_sized(text: str | None) -> bool:
    return text is not None and len(text) >= MIN_ARTICLE_CHARS


def decode_html(body: bytes, content_type: str | None = None) -> str:
    """Bytes -> str in the HTML standard's order: a byte order mark, else the Content-Type
    charset, else ``<meta charset>``, else UTF-8 when the bytes are UTF-8, else sniffed.

    A declaration the bytes disprove is passed over: UTF-8 declared for bytes that are not
    UTF-8, or a legacy encoding declared for UTF-8 text (a server-wide header or a template's
    ``<meta>`` over pages written otherwise). Undecodable bytes become U+FFFD.
    """
    for bom, encoding in _BOMS:
        if body.startswith(bom):
            return body.decode(encoding, errors="replace")
    utf8 = as_utf8(body)
    for label in _declared(body, content_type):
        declared = _known_encoding(label)
        if declared == "utf-8" and utf8 is not None:
            return utf8
        if declared not in (None, "utf-8") and (utf8 is None or utf8.isascii()):
            return body.decode(declared, errors="replace")
    return utf8 if utf8 is not None else body.decode(sniff_encoding(body), errors="replace")


def _declared(body: bytes, content_type: str | None) -> tuple[str | None, str | None]:
    header = _CHARSET_PARAM.search(content_type or "")
    meta = _META_CHARSET.search(body[:4096])
    return (header.group(1) if header else None, meta.group(1).decode() if meta else None)


def sniff_encoding(body: bytes) -> str:
    """The legacy encoding of bytes that declare none and are not UTF-8: charset-normalizer's
    guess when it is a non-Latin script's encoding, else windows-1252."""
    from charset_normalizer import from_bytes

    best = from_bytes(_text_sample(body), cp_isolation=[*_NON_LATIN, _WEB_DEFAULT]).best()
    guess = codecs.lookup(best.encoding).name if best is not None else _WEB_DEFAULT
    return guess if guess in _NON_LATIN else _WEB_DEFAULT


def _text_sample(body: bytes) -> bytes:
    """The lines that hold non-ASCII bytes, up to SNIFF_BYTES: detection takes time in
    proportion to what it reads (a 10 MB page would hold the event loop for half a second),
    and a page's text may follow 100 KB of scripts. The sample ends after an ASCII byte,
    so that no character is cut in two (no encoding's first byte is ASCII)."""
    sample = bytearray()
    position = 0
    while len(sample) < SNIFF_BYTES and (high := _NON_ASCII.search(body, position)):
        start = body.rfind(b"\n", 0, high.start()) + 1
        end = body.find(b"\n", high.start())
        end = len(body) if end < 0 else end
        sample += body[start:end] + b"\n"
        position = end + 1
    return bytes(sample[:SNIFF_BYTES]).rstrip(HIGH_BYTES)


def _known_encoding(name: str | None) -> str | None:
    if not name:
        return None
    try:
        info = codecs.lookup(name)
    except LookupError:
        return None
    # A page that says UTF-16 in an ASCII <meta> is not UTF-16; browsers read it as UTF-8.
    if info.name.startswith("utf-16"):
        return "utf-8"
    return _WHATWG_ALIASES.get(info.name, info.name)


def _soup(html: str) -> BeautifulSoup:
    # Imported here: only the fallback needs it, and the main process, which only reads
    # feed summaries, would otherwise load it for nothing (offload.py preloads it in workers).
    from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning, XMLParsedAsHTMLWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        return BeautifulSoup(html, "lxml")


def _block_text(root: Tag) -> str:
    """Text with a blank line around block elements; source line breaks are just spaces."""
    from bs4.element import NavigableString

    for node in root.find_all(string=True):
        if type(node) is NavigableString:  # not comments, CDATA or doctype
            node.replace_with(_SPACES.sub(" ", node))
    for br in root.find_all("br"):
        br.replace_with("\n")
    for block in root.find_all(_BLOCKS):
        block.insert_before("\n\n")
        block.insert_after("\n\n")
    return tidy(root.get_text())


def _trafilatura_text(html: str, url: str | None) -> str | None:
    # Imported here: it takes a fifth of a second, and with parser processes the main
    # process never extracts (offload.py preloads it in the workers).
    import trafilatura

    text = trafilatura.extract(
        html,
        url=url,
        output_format="txt",
        favor_precision=True,
        include_comments=False,
        include_tables=False,
        include_images=False,
        include_links=False,
        include_formatting=False,
        deduplicate=False,
        with_metadata=False,
    )
    if not isinstance(text, str):
        return None
    return tidy(text.replace("\n", "\n\n"))


def _fallback_text(html: str) -> str | None:
    soup = _soup(html)
    for tag in soup.find_all((*_DROP, *_BOILERPLATE)):
        tag.decompose()
    for br in soup.find_all("br"):
        br.replace_with("\n")
    articles = [_block_text(a) for a in soup.find_all("article")]
    best_article = max(articles, key=len, default="")
    if len(best_article) >= MIN_ARTICLE_CHARS:
        return best_article
    return _largest_paragraph_cluster(soup)


def _largest_paragraph_cluster(soup: BeautifulSoup) -> str | None:
    """The paragraphs of the element whose direct ``<p>`` children hold the most text."""
    clusters: defaultdict[int, list[str]] = defaultdict(list)
    for paragraph in soup.find_all("p"):
        text = " ".join(paragraph.get_text().translate(_INVISIBLE).split())
        if text:
            clusters[id(paragraph.parent)].append(text)
    if not clusters:
        return None
    best = max(clusters.values(), key=lambda texts: sum(map(len, texts)))
    return "\n\n".join(best)
