"""How a finding explains itself: the figure with what it counts, who says so, any hedge.

Reasons are one sentence, built from the article's own words so that an analyst can check
them against the evidence at a glance.
"""

from __future__ import annotations

import re

from claimwatch.matching import cues
from claimwatch.matching.figures import Figure

_TOKEN = re.compile(r"\w+")


def source(sentence: str) -> str:
    """ ", according to X" when the sentence names who says so; "" for the article's own voice."""
    found = cues.attribution(sentence)
    if found is None:
        return ""
    source = found.source
    return ", according to " + (source[0].lower() + source[1:] if source[:4] == "The " else source)


def hedge_note(sentence: str) -> str:
    spans = cues.hedge(sentence)
    return f" (hedged: “{sentence[spans[0][0] : spans[0][1]]}”)" if spans else ""


def figure_phrase(sentence: str, figure: Figure, term: tuple[int, int] | None) -> str:
    """The figure with what it counts: "2,030 servicemen", "225 (killed)"."""
    if term and term[0] >= figure.end and term[0] - figure.end <= 40:
        return sentence[figure.start : term[1]]
    if term:
        return f"{figure.text} ({sentence[term[0] : term[1]]})"
    return figure.text


def measured(phrase: str, measure: str) -> str:
    """Name the measure unless the phrase already does: "225 killed (deaths)"."""
    return phrase if measure.lower() in phrase.lower() else f"{phrase} ({measure})"


def reason(sentence: str, text: str) -> str:
    """One sentence: what the article reports, who says so, and any hedge."""
    return text.replace("{source}", source(sentence)) + hedge_note(sentence)


def fact_text(text: str) -> str:
    return " ".join(_TOKEN.findall(text.lower()))


def quoted(sentence: str, span: tuple[int, int]) -> str:
    return sentence[span[0] : span[1]]
