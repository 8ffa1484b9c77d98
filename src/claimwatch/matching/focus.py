"""Which of a baseline's claims a sentence speaks of, when several share a frame.

Two claims of one frame (the seized city hall and the seized airport; the port closed and
the highway closed) read the same words: "retaken", "reopened". A sentence goes to the claim
whose own words it names, or else to the one named last before it in its paragraph; a claim
that is not the focus there stays silent, so news of the airport is not news of city hall.
"""

from __future__ import annotations

from collections.abc import Sequence

from claimwatch.claims import Claim


def _frames(claim: Claim) -> frozenset[str]:
    return frozenset(claim.frame.split("+")) if claim.frame else frozenset()


def competitors(claim: Claim, claims: Sequence[Claim]) -> tuple[Claim, ...]:
    """The other claims that share a frame with ``claim`` and name their own words."""
    mine = _frames(claim)
    if not mine or not claim.own:
        return ()
    return tuple(c for c in claims if c is not claim and c.own and _frames(c) & mine)


def holds_focus(
    claim: Claim, others: Sequence[Claim], texts: Sequence[str], paragraphs: Sequence[int]
) -> list[bool]:
    """Per sentence: False where another claim of the same frame holds the focus."""
    if not others:
        return [True] * len(texts)
    focus: list[bool] = []
    current, paragraph = True, None
    for text, number in zip(texts, paragraphs, strict=True):
        if number != paragraph:
            current, paragraph = True, number
        mine = claim.own.matches(text)
        theirs = any(other.own.matches(text) for other in others)
        if mine or theirs:
            current = mine
        focus.append(current)
    return focus
