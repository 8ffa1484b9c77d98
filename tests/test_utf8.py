"""utf8.as_utf8: the rule feeds and pages share for telling UTF-8 from legacy bytes."""

from __future__ import annotations

from claimwatch.utf8 import as_utf8

CYRILLIC = "Миротворцы покинули страну в январе. "


def test_valid_utf8_is_read_as_is() -> None:
    assert as_utf8(CYRILLIC.encode()) == CYRILLIC
    assert as_utf8(b"plain ASCII") == "plain ASCII"


def test_a_stray_byte_among_much_utf8_becomes_a_replacement_character() -> None:
    body = CYRILLIC.encode() + b"caf\xe9 " + CYRILLIC.encode()
    assert as_utf8(body) == CYRILLIC + "caf\ufffd " + CYRILLIC


def test_legacy_bytes_are_not_utf8_even_where_some_runs_are_valid() -> None:
    assert as_utf8(CYRILLIC.encode("cp1251")) is None
    assert as_utf8("Ã© and ü in Latin-1".encode("latin-1")) is None


def test_a_replacement_character_written_in_the_text_is_no_stray_byte() -> None:
    body = ("\ufffd" * 5 + CYRILLIC).encode() + b"\xe9"
    assert as_utf8(body) == "\ufffd" * 5 + CYRILLIC + "\ufffd"
