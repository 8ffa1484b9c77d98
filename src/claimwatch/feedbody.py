"""What feedparser is given: a feed's bytes, checked, and repaired only where provably broken.

- Decoding is feedparser's own: the HTTP charset, else the XML declaration or a byte order
  mark, else UTF-8. Only a body that is not valid in the encoding it declares (or, declaring
  none, not valid UTF-8) gets help first, and only where the evidence is strong:
  - provably UTF-8 (utf8.py: valid multi-byte sequences clearly outnumber stray bytes):
    the stray bytes become U+FFFD, where feedparser would read the whole document as
    windows-1252 and garble every other non-ASCII character;
  - otherwise a legacy encoding, never "repaired" as UTF-8 even when some of its byte runs
    happen to be valid UTF-8. A multi-byte East Asian encoding (EUC-JP, Shift-JIS, EUC-KR,
    GB2312, Big5) that charset_normalizer finds and the whole body decodes in strictly is
    named to feedparser; anything else is read as windows-1252, feedparser's own fallback
    (single-byte guesses are too often wrong on short texts: French taken for Czech).
- Entity expansion is bounded. feedparser hands declared entities whose values hold no ``&``
  to its fallback parser, which expands every reference: a 40 KB feed referring many times
  to one large entity became 100 MB of text. The entities a feed declares may add at most
  MAX_ENTITY_EXPANSION characters, counted on the document as feedparser decodes it
  (whatever its encoding); a feed over the bound is refused before parsing.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Mapping

from charset_normalizer import from_bytes
from feedparser.encodings import convert_to_utf8

from claimwatch.errors import FeedError
from claimwatch.utf8 import as_utf8

MAX_ENTITY_EXPANSION = 1_000_000  # bytes that entity references may add to a document
MAX_ENTITIES = 1_000  # declarations (the whole XHTML entity set is 253)
MAX_ENTITY_NESTING = 8  # entities whose values refer to entities, and so on

_CHARSET = re.compile(r"""charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.I)
_XML_ENCODING = re.compile(
    rb"""^(?:\xef\xbb\xbf)?\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)"""
)
_FALLBACK = "windows-1252"
_EAST_ASIAN = frozenset(
    codecs.lookup(name).name
    for name in (
        "euc_jp", "euc_jis_2004", "euc_jisx0213", "shift_jis", "cp932", "shift_jis_2004",
        "shift_jisx0213", "euc_kr", "cp949", "johab", "gb2312", "gbk", "gb18030", "big5",
        "big5hkscs", "cp950",
    )
)  # fmt: skip
_DECLARATION_START = b"<!ENTITY"
_DECLARATION = re.compile(
    rb"""<!ENTITY\s+(%\s+)?([^\s"'%>]+)\s+"""
    rb"""(?:"([^"]*)"|'([^']*)'|((?:SYSTEM|PUBLIC)\s[^>]*))\s*>"""
)
_REFERENCE = re.compile(rb"&([^\s&;#<>\"']+);")
_PREDEFINED = frozenset({b"lt", b"gt", b"amp", b"apos", b"quot"})


def prepare(body: bytes, headers: Mapping[str, str], *, url: str) -> tuple[bytes, dict[str, str]]:
    """The body and headers to hand feedparser; FeedError naming ``url`` when the feed's
    entities would expand beyond the bound."""
    sent = dict(headers)
    content_type = sent.get("content-type", "")
    body, charset = decide_encoding(body, content_type)
    if charset is not None:
        mime = content_type.split(";", 1)[0].strip() or "application/xml"
        sent["content-type"] = f"{mime}; charset={charset}"
    problem = entity_problem(convert_to_utf8(sent, body, {}))
    if problem is not None:
        raise FeedError(f"refused before parsing: {problem}", subject=url)
    return body, sent


def decide_encoding(body: bytes, content_type: str) -> tuple[bytes, str | None]:
    """(body, charset to name to feedparser): the body repaired to UTF-8 when provably UTF-8;
    the charset when the body is legacy text that declares no encoding of its own (or
    wrongly declares UTF-8); None: feedparser's reading of the declaration is right."""
    if body.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return body, None
    header = _CHARSET.search(content_type)
    xml = _XML_ENCODING.match(body[:512])
    declared = (header.group(1) if header else None, xml.group(1).decode() if xml else None)
    if any(name and _codec_name(name) != "utf-8" for name in declared):
        return body, None
    text = as_utf8(body)
    if text is None:
        return body, legacy_charset(body)
    return text.encode("utf-8"), None  # stray bytes, if any, as U+FFFD


def legacy_charset(body: bytes) -> str:
    """The encoding of a body that is not UTF-8: a multi-byte East Asian one when detected
    and the whole body decodes in it strictly, else windows-1252."""
    best = from_bytes(body).best()
    name = _codec_name(best.encoding) if best is not None else _FALLBACK
    if name not in _EAST_ASIAN:
        return _FALLBACK
    try:
        body.decode(name)
    except UnicodeDecodeError:
        return _FALLBACK
    return name


def _codec_name(name: str) -> str:
    try:
        return codecs.lookup(name).name
    except LookupError:
        return name.lower()


def entity_problem(document: bytes) -> str | None:
    """Why the entities ``document`` (UTF-8) declares are refused, or None.

    Counted generously: every reference anywhere in the document, nested values expanded,
    a parameter entity with a literal value refused outright (feeds have no use for one).
    External entities add nothing: no parser of a feed ever fetches them.
    """
    declared = document.count(_DECLARATION_START)
    if not declared:
        return None
    if declared > MAX_ENTITIES:
        return f"{declared} entity declarations (at most {MAX_ENTITIES})"
    values: dict[bytes, bytes] = {}
    for match in _DECLARATION.finditer(document):
        parameter, name, value = match[1], match[2], match[3] or match[4]
        if parameter and value is not None:
            return f"parameter entity %{name.decode(errors='replace')} has a literal value"
        if value is not None:
            values.setdefault(name, value)
        declared -= 1
    if declared:
        return "an entity declaration that cannot be read"
    try:
        added = _expansion(document, values, {}, 0)
    except _Unbounded as exc:
        return str(exc)
    if added > MAX_ENTITY_EXPANSION:
        return f"its entities would add more than {MAX_ENTITY_EXPANSION:,} bytes of text"
    return None


class _Unbounded(Exception):
    """An entity refers to itself or nests too deeply."""


def _expansion(
    text: bytes, values: dict[bytes, bytes], sizes: dict[bytes, int | None], depth: int
) -> int:
    """The bytes that the references in ``text`` add when expanded (capped past the bound).

    ``sizes`` memoises each entity's expanded length; None marks one being expanded.
    """
    added = 0
    for match in _REFERENCE.finditer(text):
        name = match[1]
        if name in _PREDEFINED or name not in values:
            continue
        if name not in sizes:
            if depth >= MAX_ENTITY_NESTING:
                raise _Unbounded(f"entities nested more than {MAX_ENTITY_NESTING} deep")
            sizes[name] = None
            value = values[name]
            sizes[name] = len(value) + _expansion(value, values, sizes, depth + 1)
        size = sizes[name]
        if size is None:
            raise _Unbounded(f"entity &{name.decode(errors='replace')}; refers to itself")
        added += size - len(match[0])
        if added > MAX_ENTITY_EXPANSION:
            break
    return added
