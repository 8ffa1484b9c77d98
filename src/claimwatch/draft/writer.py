"""Draft records -> baseline YAML, with the comments that tell the user what to review.

PyYAML cannot write comments, so the file is written line by line. Every string is written
as a JSON string, which YAML reads as a double-quoted scalar: no quoting surprises from
colons, hashes or a leading star.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from claimwatch.draft.claims import DraftClaim


@dataclass(frozen=True, slots=True)
class Header:
    """What the baseline says about its source article."""

    id: str
    title: str
    outlet: str
    url: str | None
    date: dt.date | None
    languages: tuple[str, ...]
    subject: tuple[str, ...]


def render(header: Header, claims: list[DraftClaim]) -> str:
    lines = [*_header(header), "", "claims:"]
    for claim in claims:
        lines.extend(_claim(claim))
    return "\n".join(lines) + "\n"


def _header(h: Header) -> Iterator[str]:
    yield "# DRAFT baseline written by `claimwatch baseline draft`: candidate claims, the most"
    yield "# check-worthy first. Review every claim (the `# review:` notes), delete the ones you"
    yield "# do not want to watch, then run `claimwatch check`. See README 'Writing a baseline'."
    yield f"id: {h.id}"
    yield f"title: {_scalar(h.title)}"
    yield "source:"
    yield f"  outlet: {_scalar(h.outlet)}  # review: the outlet's name"
    if h.url:
        yield f"  url: {_scalar(h.url)}"
    if h.date:
        yield f"  date: {h.date.isoformat()}"
        yield f"since: {h.date.isoformat()}  # coverage published before this is ignored"
    else:
        yield "  # review: add the article's date (and `since:`); none was found in its text"
    yield f"languages: [{', '.join(h.languages)}]"
    yield ""
    yield "subject:"
    yield "  # review: the names an article must mention to be read; add aliases and spellings"
    yield "  terms:"
    yield f"    - {_scalar('|'.join(h.subject))}"


def _claim(c: DraftClaim) -> Iterator[str]:
    yield ""
    yield f"  # {c.position}; signals: {', '.join(c.kinds)}"
    for note in c.reviews:
        yield f"  # review: {note}"
    yield f"  - id: {c.id}"
    yield f"    statement: {_scalar(c.statement)}"
    yield f"    short: {_scalar(c.short)}"
    yield "    about:"
    for pattern in c.about:
        yield f"      - {_scalar(pattern)}"
    yield "    expect:"
    for expectation in c.expect:
        yield from _mapping_item(expectation, "      ")


def _mapping_item(mapping: dict[str, Any], indent: str) -> Iterator[str]:
    """``mapping`` as one item of a block sequence."""
    first = True
    for key, value in mapping.items():
        lead = f"{indent}- " if first else f"{indent}  "
        first = False
        yield from _entry(key, value, lead, indent + "    ")


def _entry(key: str, value: Any, lead: str, inner: str) -> Iterator[str]:
    if isinstance(value, dict):
        yield f"{lead}{key}:"
        for sub_key, sub_value in value.items():
            yield from _entry(sub_key, sub_value, inner, inner + "  ")
    elif isinstance(value, list) and value and isinstance(value[0], dict):
        yield f"{lead}{key}:"
        for item in value:
            yield from _mapping_item(item, inner)
    elif isinstance(value, list):
        yield f"{lead}{key}:"
        for item in value:
            yield f"{inner}- {_scalar(item)}"
    else:
        yield f"{lead}{key}: {_scalar(value)}"


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)  # "2500", "0.05": never the "1e+06" YAML 1.1 reads as a string
    if isinstance(value, dt.date):
        return value.isoformat()
    return json.dumps(str(value), ensure_ascii=False)
