"""Article x Baselines -> Findings. Pure: no I/O, no network, deterministic.

For each baseline whose subject the article names, the article is split into sentences; each
claim meets only the sentences its ``about`` terms match; each of the claim's expectations is
judged there (``judges``); the best verdict per claim and kind becomes a Finding.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from claimwatch.baselines import Assertion, Baseline, Claim
from claimwatch.matching.dates import about_an_earlier_year, only_earlier_years
from claimwatch.matching.findings import Finding
from claimwatch.matching.index import index_for
from claimwatch.matching.judges import Context, Verdict, judge
from claimwatch.matching.sentences import Sentence, split_sentences

__all__ = ["Document", "Finding", "is_relevant", "match"]


@dataclass(frozen=True, slots=True)
class Document:
    """What the detector reads: an article's title, text and publication time."""

    title: str
    text: str
    published: datetime | None = None


def is_relevant(text: str, baselines: Sequence[Baseline]) -> bool:
    """Does ``text`` (an entry's title and summary) mention any baseline's subject?

    The term index rules out most baselines by the words of the text; the regexes decide.
    """
    candidates = index_for(baselines).scan(text).subjects()
    return any(b.subject.matches(text) for b in candidates)


def match(
    document: Document, baselines: Sequence[Baseline], *, indexed: bool = True
) -> list[Finding]:
    """Findings for every claim the document contradicts or follows up.

    The term index leaves only the claims whose words the text contains; ``indexed=False``
    tries every claim (the same findings, slower: for benchmarks and tests of the index).
    """
    full_text = f"{document.title}\n{document.text}"
    candidates = index_for(baselines).scan(full_text).narrow() if indexed else tuple(baselines)
    if not candidates:
        return []
    sentences = _sentences(document)
    findings: list[Finding] = []
    for baseline in candidates:
        if _in_scope(document, baseline):
            findings.extend(_match_baseline(document, sentences, baseline))
    return findings


@dataclass(frozen=True, slots=True)
class _Unit:
    """A sentence and the paragraph it stands in (the title is paragraph -1)."""

    sentence: Sentence
    paragraph: int


_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


def _sentences(document: Document) -> list[_Unit]:
    title = split_sentences(document.title) if document.title else []
    body = split_sentences(document.text)
    breaks = [m.start() for m in _PARAGRAPH_BREAK.finditer(document.text)]
    units = [_Unit(s, bisect.bisect_left(breaks, s.start)) for s in body]
    if title and body and body[0].text == title[-1].text:
        return units  # the text already starts with its headline
    return [_Unit(s, -1) for s in title] + units


def _in_scope(document: Document, baseline: Baseline) -> bool:
    """Dated after the baseline's ``since`` (if undated, not a look back at older years only),
    and about its subject: every group of a ``required`` pattern present in the article."""
    full_text = f"{document.title}\n{document.text}"
    if baseline.since and document.published and document.published.date() < baseline.since:
        return False
    undated = document.published is None
    if undated and baseline.since and only_earlier_years(full_text, baseline.since.year):
        return False
    return baseline.required.matches(full_text)


def _match_baseline(
    document: Document, sentences: list[_Unit], baseline: Baseline
) -> Iterable[Finding]:
    full_text = f"{document.title}\n{document.text}"
    year = _story_year(document, baseline)
    current = [u for u in sentences if not about_an_earlier_year(u.sentence.text, year)]
    for claim in baseline.claims:
        if not claim.about.matches(full_text):
            continue
        if claim.context and not claim.context.matches(full_text):
            continue
        yield from _best_per_kind(baseline, claim, _verdicts(claim, current, year))


def _story_year(document: Document, baseline: Baseline) -> int:
    """The year a date without one refers to: the article's, else the baseline's."""
    if document.published:
        return document.published.year
    anchor = baseline.date or baseline.since
    return anchor.year if anchor else datetime.now().year


def _verdicts(claim: Claim, units: list[_Unit], year: int) -> Iterable[tuple[Sentence, Verdict]]:
    """Judge every sentence near the claim's terms (the same sentence, the one before, or an
    earlier one of the same paragraph); elsewhere only the claim's specific cues."""
    near = Context(claim=claim, year=year)
    away = Context(claim=claim, year=year, near_claim=False)
    about_paragraph, previous_about = -2, False
    for unit in units:
        about = claim.about.matches(unit.sentence.text)
        is_near = about or previous_about or unit.paragraph == about_paragraph
        if about:
            about_paragraph = unit.paragraph
        previous_about = about
        ctx = near if is_near else away
        for expectation in claim.expectations:
            if ctx is away and not isinstance(expectation, Assertion):
                continue
            for verdict in judge(expectation, unit.sentence.text, ctx):
                yield unit.sentence, verdict


def _best_per_kind(
    baseline: Baseline, claim: Claim, verdicts: Iterable[tuple[Sentence, Verdict]]
) -> Iterable[Finding]:
    best: dict[str, tuple[Sentence, Verdict]] = {}
    for sentence, verdict in verdicts:
        kept = best.get(verdict.kind)
        if kept is None or verdict.score > kept[1].score:
            best[verdict.kind] = (sentence, verdict)
    for sentence, verdict in best.values():
        yield Finding(
            baseline_id=baseline.id,
            claim_id=claim.id,
            kind=verdict.kind,
            evidence=sentence.text,
            reason=verdict.reason[:1].upper() + verdict.reason[1:].rstrip(".") + ".",
            fact=verdict.fact,
            score=verdict.score,
            value=verdict.value,
            value_text=verdict.value_text,
            highlight=verdict.highlight,
        )
