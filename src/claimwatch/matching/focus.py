"""Which of a baseline's claims a sentence speaks of, when several share a frame.

Two claims of one frame (the seized city hall and the seized airport; the port closed and
the highway closed) read the same words: "retaken", "reopened". A sentence goes to the claim
whose own words it names, or else to the one named last before it in its paragraph; a claim
that is not the focus there stays silent, so news of the airport is not news of city hall.
(``frames.build.with_competitors`` gives each claim the others' words when the baseline loads.)
"""

from __future__ import annotations

from collections.abc import Sequence

from claimwatch.claims import Claim


def holds_focus(claim: Claim, texts: Sequence[str], paragraphs: Sequence[int]) -> list[bool]:
    """Per sentence: False where another claim of the same frame holds the focus."""
    if not claim.competing or not claim.own:
        return [True] * len(texts)
    focus: list[bool] = []
    current, paragraph = True, None
    for text, number in zip(texts, paragraphs, strict=True):
        if number != paragraph:
            current, paragraph = True, number
        mine = claim.own.matches(text)
        if mine or claim.competing.matches(text):
            current = mine
        focus.append(current)
    return focus
