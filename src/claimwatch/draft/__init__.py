"""``claimwatch baseline draft``: an article -> a draft baseline for the user to review.

Pure text in, YAML text out: reading the article (file or URL) is the command's job. The
draft is valid as written (``claimwatch check`` passes); its comments say what to review.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from claimwatch.draft.candidates import Candidate, article_date, find_candidates
from claimwatch.draft.claims import DraftClaim, draft_claim
from claimwatch.draft.keywords import subject_terms
from claimwatch.draft.writer import Header, render

__all__ = ["Candidate", "Draft", "DraftClaim", "baseline_id_for", "draft_baseline"]

MAX_CLAIMS = 40
_CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Draft:
    """The draft's YAML and the claims in it (most check-worthy first)."""

    yaml: str
    claims: tuple[DraftClaim, ...]
    candidates: tuple[Candidate, ...]


def draft_baseline(
    text: str,
    *,
    baseline_id: str | None = None,
    outlet: str | None = None,
    url: str | None = None,
    today: dt.date | None = None,
) -> Draft:
    """Candidate claims for each check-worthy sentence of ``text``, written as a baseline."""
    date = article_date(text)
    year = (date or today or dt.date.today()).year
    subject = subject_terms(text) or ["REVIEW"]
    candidates = find_candidates(text, year)[:MAX_CLAIMS]
    claims = [draft_claim(c, subject, n) for n, c in enumerate(candidates, start=1)]
    title = _title(text)
    header = Header(
        id=baseline_id or baseline_id_for(title, date),
        title=title,
        outlet=outlet or "unknown",
        url=url,
        date=date,
        languages=("ru",) if _mostly_cyrillic(text) else ("en",),
        subject=tuple(subject),
    )
    return Draft(render(header, claims), tuple(claims), tuple(candidates))


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
