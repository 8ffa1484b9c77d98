"""Read a response body with a hard cap on raw AND decoded size.

httpx's ``aiter_bytes`` can inflate a 200 KB gzip chunk into 64 MiB at once, so the body
is read raw and inflated here with zlib's ``max_length``: memory stays within about one
chunk of ``max_bytes`` however well the payload compresses.
"""

from __future__ import annotations

import zlib

import httpx

_GZIP_WBITS = 16 + zlib.MAX_WBITS
_ZLIB_WBITS = zlib.MAX_WBITS
_RAW_DEFLATE_WBITS = -zlib.MAX_WBITS


class BodyError(Exception):
    """The body exceeds the cap (raw or decoded) or cannot be decoded."""


async def read_body(response: httpx.Response, max_bytes: int) -> bytes:
    """The decoded body of a streamed ``response``; BodyError past ``max_bytes``."""
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise BodyError(f"body of {declared} bytes exceeds the {max_bytes}-byte limit")
    decoder = _decoder(response.headers.get("content-encoding", ""), max_bytes)
    received = 0
    async for chunk in response.aiter_raw():
        received += len(chunk)
        if received > max_bytes:
            raise BodyError(f"body exceeds the {max_bytes}-byte limit")
        decoder.feed(chunk)
    return decoder.finish()


class _Identity:
    def __init__(self, max_bytes: int) -> None:
        self._max_bytes = max_bytes
        self._parts: list[bytes] = []
        self._size = 0

    def feed(self, data: bytes) -> None:
        self._append(data)

    def finish(self) -> bytes:
        return b"".join(self._parts)

    def _append(self, data: bytes) -> None:
        self._size += len(data)
        if self._size > self._max_bytes:
            raise BodyError(f"decoded body exceeds the {self._max_bytes}-byte limit")
        self._parts.append(data)

    def _room(self) -> int:
        return self._max_bytes - self._size


class _Inflate(_Identity):
    """gzip, zlib-wrapped deflate, or raw deflate (some servers send that for "deflate")."""

    def __init__(self, max_bytes: int, wbits: int | None) -> None:
        super().__init__(max_bytes)
        self._wbits = wbits  # None: "deflate", decided from the first bytes
        self._zlib: zlib._Decompress | None = None

    def feed(self, data: bytes) -> None:
        inflater = self._inflater(data)
        try:
            while data and not inflater.eof:
                # max_length=0 would mean "no limit": room + 1 is at least 1.
                self._append(inflater.decompress(data, self._room() + 1))
                data = inflater.unconsumed_tail
        except zlib.error as exc:
            raise BodyError(f"corrupt compressed body: {exc}") from None

    def finish(self) -> bytes:
        if self._zlib is not None and not self._zlib.eof:
            raise BodyError("compressed body ends early")
        return super().finish()

    def _inflater(self, first: bytes) -> zlib._Decompress:
        if self._zlib is None:
            wbits = self._wbits if self._wbits is not None else _deflate_wbits(first)
            self._zlib = zlib.decompressobj(wbits)
        return self._zlib


def _deflate_wbits(first: bytes) -> int:
    """A zlib header is CMF FLG with CM=8 and (CMF*256+FLG) % 31 == 0; else raw deflate."""
    if len(first) >= 2 and first[0] & 0x0F == 8 and (first[0] << 8 | first[1]) % 31 == 0:
        return _ZLIB_WBITS
    return _RAW_DEFLATE_WBITS


def _decoder(content_encoding: str, max_bytes: int) -> _Identity:
    encoding = content_encoding.strip().lower()
    if encoding in ("", "identity"):
        return _Identity(max_bytes)
    if encoding in ("gzip", "x-gzip"):
        return _Inflate(max_bytes, _GZIP_WBITS)
    if encoding == "deflate":
        return _Inflate(max_bytes, None)
    raise BodyError(f"unsupported Content-Encoding {content_encoding!r}")
