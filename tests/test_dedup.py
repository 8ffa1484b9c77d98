"""dedup: which entries are new or changed (pure)."""

from __future__ import annotations

import dataclasses

import pytest

from claimwatch.dedup import select, text_hash
from claimwatch.entries import Entry


def entry(entry_id: str = "a", **fields: object) -> Entry:
    values: dict[str, object] = {
        "feed": "f",
        "entry_id": entry_id,
        "url": f"https://example.org/{entry_id}",
        "title": f"Title {entry_id}",
        "published": None,
        "summary": "Summary.",
        "content": "",
    }
    values.update(fields)
    return Entry(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize("field", ["title", "summary", "content", "url"])
def test_hash_covers_every_text_field(field: str) -> None:
    base = entry()
    changed = dataclasses.replace(base, **{field: "something else"})
    assert text_hash(changed) != text_hash(base)


def test_hash_ignores_what_the_detector_does_not_read() -> None:
    base = entry()
    later = dataclasses.replace(base, feed="other", entry_id="zz")
    assert text_hash(later) == text_hash(base)


def test_hash_keeps_field_boundaries() -> None:
    assert text_hash(entry(title="ab", summary="c")) != text_hash(entry(title="a", summary="bc"))


def test_hash_is_stable_hex() -> None:
    digest = text_hash(entry())
    assert digest == text_hash(entry())
    assert len(digest) == 64
    int(digest, 16)


@pytest.mark.parametrize(
    ("seen", "expected"),
    [
        ({}, ["a", "b"]),  # nothing processed yet
        ({"a": "match", "b": "match"}, []),  # both processed with the same text
        ({"a": "match"}, ["b"]),  # one new
        ({"a": "stale", "b": "match"}, ["a"]),  # one changed since it was processed
        ({"x": "match"}, ["a", "b"]),  # unrelated ids do not count
    ],
    ids=["fresh", "unchanged", "one-new", "one-changed", "unrelated"],
)
def test_select(seen: dict[str, str], expected: list[str]) -> None:
    entries = [entry("a"), entry("b")]
    hashes = {e.entry_id: text_hash(e) for e in entries}
    resolved = {k: hashes.get(k, "0" * 64) if v == "match" else "0" * 64 for k, v in seen.items()}
    assert [e.entry_id for e, _ in select(entries, resolved)] == expected


def test_select_takes_a_repeated_id_once() -> None:
    first, second = entry("a"), entry("a", title="A newer title")
    assert select([first, second], {}) == [(first, text_hash(first))]
