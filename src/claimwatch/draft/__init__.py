"""``claimwatch baseline draft``: an article -> a draft baseline in frames, valid as written.

Pure text in, YAML text out: reading the article (file or URL) is the command's job.

    the article's date, title and sentences
    selection.claim_sentences   the sentences that can state a claim (no headline repeated in
                                the body, no credit lines, no sentences about the article)
    entities.find_entities      the story's own names by kind, with their aliases
    framing.Reader.read         each sentence's frames and facts, read with the frame library
    claims.draft_claims         a claim per figure, the other frames joining it; duplicates once
    writer.render               the YAML, with notes on what to check
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from claimwatch.draft.claims import DraftClaim, draft_claims, same_claim
from claimwatch.draft.entities import Entity, find_entities
from claimwatch.draft.framing import Reader
from claimwatch.draft.selection import article_date, claim_sentences
from claimwatch.draft.writer import Header, render
from claimwatch.frames import FrameLibrary, library
from claimwatch.terms import PatternSet

__all__ = ["Draft", "DraftClaim", "baseline_id_for", "draft_baseline"]

MAX_CLAIMS = 30
_CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Draft:
    """The draft's YAML and the claims in it (in the article's order)."""

    yaml: str
    claims: tuple[DraftClaim, ...]
    entities: dict[str, list[Entity]]


def draft_baseline(
    text: str,
    *,
    baseline_id: str | None = None,
    outlet: str | None = None,
    url: str | None = None,
    today: dt.date | None = None,
    frames: FrameLibrary | None = None,
) -> Draft:
    """Claims for every check-worthy sentence of ``text``, each in the frame it instantiates."""
    date = article_date(text)
    year = (date or today or dt.date.today()).year
    title = _title(text)
    languages = ("ru",) if _mostly_cyrillic(text) else ("en",)
    sentences = claim_sentences(text)
    entities = find_entities([s.text for _, s in sentences] + [title])
    names = PatternSet.of(
        [e.pattern for kind in entities.values() for e in kind if e.pattern and not e.everywhere]
    )
    places = frozenset(
        name.lower()
        for kind in ("place", "country")
        for e in entities.get(kind, [])
        for name in e.names
    )
    reader = Reader(frames or library(), languages, year)
    claims: list[DraftClaim] = []
    for index, sentence in sentences:
        hits = reader.read(sentence.text, names)
        for claim in draft_claims(sentence, index, hits, names, places):
            _keep(claims, claim)
    ranked = sorted(claims, key=lambda c: -c.rank)[:MAX_CLAIMS]
    chosen = sorted(ranked, key=lambda c: c.sentence.start)
    _unique_ids(chosen)
    header = Header(
        id=baseline_id or baseline_id_for(title, date),
        title=title,
        outlet=outlet or "unknown",
        url=url,
        date=date,
        languages=languages,
        entities={kind: [e.pattern for e in found] for kind, found in entities.items()},
    )
    return Draft(render(header, chosen), tuple(chosen), entities)


def _keep(claims: list[DraftClaim], claim: DraftClaim) -> None:
    """Add ``claim`` unless an earlier one says the same; then keep the sentence that says
    more (a date beside the state, more of the story's names: who and how)."""
    for index, kept in enumerate(claims):
        if same_claim(kept, claim):
            headline = kept.sentence.start == 0  # the body's sentence says it as a claim
            if headline or _fullness(claim) > _fullness(kept):
                claims[index] = claim
            return
    claims.append(claim)


def _fullness(claim: DraftClaim) -> tuple[int, int]:
    """More frames (a date with a state), then more of the story's names."""
    return len(claim.frames), len(claim.names)


def _unique_ids(claims: list[DraftClaim]) -> None:
    seen: dict[str, int] = {}
    for claim in claims:
        count = seen.get(claim.id, 0)
        seen[claim.id] = count + 1
        if count:
            claim.id = f"{claim.id}-{count + 1}"


def baseline_id_for(title: str, date: dt.date | None) -> str:
    """``draft-2022-01-kazakhstan-ambassador``: lower-case, as baseline ids must be."""
    words = re.findall(r"[a-z0-9]+", title.lower())[:3]
    parts = ["draft", *([f"{date:%Y-%m}"] if date else []), *words]
    return "-".join(parts)


def _title(text: str) -> str:
    for line in text.strip().splitlines():
        if line.strip():
            return " ".join(line.split())[:150]
    return "untitled"


def _mostly_cyrillic(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and sum(1 for c in letters if _CYRILLIC.match(c)) > len(letters) / 2
