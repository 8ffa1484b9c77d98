"""Which entries are new, or changed since they were processed. Pure: hashes in, entries out.

An entry is identified by (feed, entry_id). Its *text hash* covers everything the detector
reads of it (title, summary, content, URL), so a corrected article is read again while a
feed that merely reorders or re-serves its items costs nothing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping

from claimwatch.entries import Entry


def text_hash(entry: Entry) -> str:
    """sha256 (hex) over the entry's title, summary, content and URL."""
    parts = (entry.title, entry.summary, entry.content, entry.url or "")
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8")
        digest.update(len(data).to_bytes(8, "big"))
        digest.update(data)
    return digest.hexdigest()


def select(entries: Iterable[Entry], seen: Mapping[str, str]) -> list[tuple[Entry, str]]:
    """Entries never processed, or whose text hash differs from the processed one, each with
    its text hash (the store records it).

    ``seen`` maps entry_id -> text hash of *processed* entries of the same feed. An entry id
    repeated within the feed is taken once (its first occurrence).
    """
    selected: list[tuple[Entry, str]] = []
    taken: set[str] = set()
    for entry in entries:
        if entry.entry_id in taken:
            continue
        taken.add(entry.entry_id)
        digest = text_hash(entry)
        if seen.get(entry.entry_id) != digest:
            selected.append((entry, digest))
    return selected
