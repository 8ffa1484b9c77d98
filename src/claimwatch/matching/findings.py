"""The Finding record: what the detector concluded about one claim in one article."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["contradiction", "follow_up"]


@dataclass(frozen=True, slots=True)
class Finding:
    """One claim judged against one article, with the evidence that decided it."""

    baseline_id: str
    claim_id: str
    kind: Kind
    evidence: str  # the article's sentence
    reason: str  # one human sentence
    fact: str  # novelty key within the claim, e.g. "value:2030", "stage:completed"
    score: float  # 0..1, confidence
    value: float | None = None  # the figure, where one is involved
    value_text: str | None = None  # the figure as written
    highlight: tuple[int, int] | None = None  # span of the decisive phrase in ``evidence``
