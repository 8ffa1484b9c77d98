"""Draft records -> baseline YAML, with the comments that tell the user what to check.

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

_FACT_ORDER = ("value", "unit", "approx", "time", "date", "counts")


@dataclass(frozen=True, slots=True)
class Header:
    """What the baseline says about its source article, and the story's own names."""

    id: str
    title: str
    outlet: str
    url: str | None
    date: dt.date | None
    languages: tuple[str, ...]
    entities: dict[str, list[str]]


def render(header: Header, claims: list[DraftClaim]) -> str:
    lines = [*_header(header), "", "claims:"]
    for claim in claims:
        lines.extend(_claim(claim))
    return "\n".join(lines) + "\n"


def _header(h: Header) -> Iterator[str]:
    yield "# DRAFT baseline written by `claimwatch baseline draft`. It works as written; check"
    yield "# each claim (the `# check:` notes), delete those not worth watching, add aliases to"
    yield "# the entities, then run `claimwatch check`. See README 'Writing a baseline'."
    yield f"id: {h.id}"
    yield f"title: {_scalar(h.title)}"
    yield "source:"
    yield f"  outlet: {_scalar(h.outlet)}  # check: the outlet's name"
    if h.url:
        yield f"  url: {_scalar(h.url)}"
    if h.date:
        yield f"  date: {h.date.isoformat()}"
        yield f"since: {h.date.isoformat()}  # coverage published before this is ignored"
    else:
        yield "  # check: add the article's date (and `since:`); none was found in its text"
    yield f"languages: [{', '.join(h.languages)}]"
    yield ""
    yield "# the story's own names: an article must name one to be read"
    yield "entities:"
    entities = h.entities or {"other": ["CHECK: name the story's places and actors"]}
    for kind, names in entities.items():
        yield f"  {kind}: {_scalar('|'.join(names))}"


def _claim(c: DraftClaim) -> Iterator[str]:
    yield ""
    yield f"  # {c.position}; frames: {', '.join(c.frames)}"
    for note in c.reviews:
        yield f"  # check: {note}"
    yield f"  - id: {c.id}"
    yield f"    statement: {_scalar(c.statement)}"
    frames = c.frames[0] if len(c.frames) == 1 else f"[{', '.join(c.frames)}]"
    yield f"    frame: {frames}"
    for key, value in c.facts.items():
        if key not in _FACT_ORDER:
            yield f"    {key}: {_value(value)}"
    for key in _FACT_ORDER:
        if key in c.facts:
            yield f"    {key}: {_value(c.facts[key])}"
    if c.about:
        yield f"    about: {_scalar('|'.join(c.about))}"


def _value(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_scalar(v) for v in value) + "]"
    return _scalar(value)


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        number = int(value) if float(value).is_integer() else value
        return repr(number)  # "2500", "0.05": never the "1e+06" YAML 1.1 reads as a string
    if isinstance(value, dt.date):
        return value.isoformat()
    return json.dumps(str(value), ensure_ascii=False)
