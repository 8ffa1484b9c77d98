"""Is a body UTF-8? Asked of feeds (feedbody.py) and pages (extract.py) alike.

Bytes that are valid UTF-8 are UTF-8. Bytes with a few invalid sequences are still UTF-8 when
the valid multi-byte sequences clearly outnumber them (a page with one stray Latin-1 byte in a
template among Cyrillic text): the stray bytes become U+FFFD. Anything else is a legacy
encoding, whose byte runs only now and then happen to be valid UTF-8.
"""

from __future__ import annotations

UTF8_MAJORITY = 2  # valid multi-byte sequences per stray byte that prove bytes UTF-8

HIGH_BYTES = bytes(range(0x80, 0x100))
_REPLACEMENT = "\ufffd".encode()


def as_utf8(body: bytes) -> str | None:
    """The text when the bytes are UTF-8, or provably meant as UTF-8; else None."""
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        text = body.decode("utf-8", errors="replace")
    stray = text.count("\ufffd") - body.count(_REPLACEMENT)
    multibyte = len(text) - len(body.translate(None, HIGH_BYTES)) - stray
    return text if multibyte >= UTF8_MAJORITY * stray else None
