"""Figures that name a whole, a share of one, or a thing's size rather than a count.

    "four of the 40 derailed wagons held chemicals"  40 is the whole: it counts the wagons,
                                                     not what held chemicals (four did)
    "about half of the 3,000 residents returned"     a share: about 1,500 returned
    "40 wagons of a 120-wagon train"                 120 sizes the train: no count of wagons
                                                     that did anything

``figures.find_figures`` passes its figures through ``read_shares``.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from claimwatch.matching.figures import Figure

_SHARES = {
    "half": 0.5,
    "a half": 0.5,
    "one half": 0.5,
    "a third": 1 / 3,
    "one third": 1 / 3,
    "one-third": 1 / 3,
    "two thirds": 2 / 3,
    "two-thirds": 2 / 3,
    "a quarter": 0.25,
    "one quarter": 0.25,
    "one-quarter": 0.25,
    "three quarters": 0.75,
    "three-quarters": 0.75,
    "a fifth": 0.2,
    "one fifth": 0.2,
    "one-fifth": 0.2,
    "половина": 0.5,
    "половину": 0.5,
    "треть": 1 / 3,
    "четверть": 0.25,
}
_SHARE_BEFORE = re.compile(
    r"(?<!\w)(?P<q>about |around |roughly |nearly |almost |more than |over |some )?"
    r"(?P<share>" + "|".join(sorted(map(re.escape, _SHARES), key=len, reverse=True)) + r")"
    r"\s+(?:of\s+)?(?:the\s+|those\s+|these\s+|its\s+|their\s+|из\s+)?$",
    re.IGNORECASE,
)
_OF_THE = re.compile(r"^\s+of\s+(?:the|those|these|its|their|all)\s+$|^\s+из\s+$", re.IGNORECASE)
_COMPOUND = re.compile(r"^-[a-z]+(?:-[a-z]+)?\s+[a-z]", re.IGNORECASE)


def read_shares(sentence: str, figures: Sequence[Figure]) -> list[Figure]:
    """``figures`` with wholes and sizes marked, and a figure added for each share."""
    out: list[Figure] = []
    for index, figure in enumerate(figures):
        previous = figures[index - 1] if index else None
        if previous is not None and _OF_THE.match(sentence[previous.end : figure.start]):
            figure = dataclasses.replace(figure, whole=True)  # "four of the 40 wagons"
        if _COMPOUND.match(sentence[figure.end : figure.end + 30]) and figure.unit is None:
            figure = dataclasses.replace(figure, sizes=True)  # "a 120-wagon train"
        share = _SHARE_BEFORE.search(sentence[max(0, figure.start - 40) : figure.start])
        if share is not None and not figure.is_part:
            out.append(_share(sentence, figure, share, figure.start - 40))
            figure = dataclasses.replace(figure, whole=True)
        out.append(figure)
    return out


def _share(sentence: str, whole: Figure, share: re.Match[str], offset: int) -> Figure:
    fraction = _SHARES[share.group("share").lower()]
    value = whole.value * fraction
    start = max(0, offset) + share.start()
    return dataclasses.replace(
        whole,
        value=value,
        low=value * 0.9,
        high=value * 1.1,
        approx="about",
        start=start,
        text=sentence[start : whole.end],
    )
