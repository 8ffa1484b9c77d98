"""Article x Baselines -> Findings. Pure: no I/O, no network, deterministic.

For each baseline whose subject the article names, the article is split into sentences; each
claim meets only the sentences its ``about`` terms match; each of the claim's expectations is
judged there (``judges``); the best verdict per claim and kind becomes a Finding.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from claimwatch.baselines import Baseline, Claim
from claimwatch.matching.dates import about_an_earlier_year, only_earlier_years
from claimwatch.matching.findings import Finding
from claimwatch.matching.judges import Context, Verdict, judge
from claimwatch.matching.sentences import Sentence, split_sentences

__all__ = ["Document", "Finding", "is_relevant", "match"]

MIN_SUBJECT_MENTIONS = 1


@dataclass(frozen=True, slots=True)
class Document:
    """What the detector reads: an article's title, text and publication time."""

    title: str
    text: str
    published: datetime | None = None


def is_relevant(text: str, baselines: Sequence[Baseline]) -> bool:
    """Does ``text`` (an entry's title and summary) mention any baseline's subject?"""
    return any(b.subject.matches(text) for b in baselines)


def match(document: Document, baselines: Sequence[Baseline]) -> list[Finding]:
    """Findings for every claim the document contradicts or follows up."""
    sentences = _sentences(document)
    findings: list[Finding] = []
    for baseline in baselines:
        if _in_scope(document, baseline):
            findings.extend(_match_baseline(document, sentences, baseline))
    return findings


def _sentences(document: Document) -> list[Sentence]:
    title = split_sentences(document.title) if document.title else []
    body = split_sentences(document.text)
    if title and body and body[0].text == title[-1].text:
        return body  # the text already starts with its headline
    return title + body


def _in_scope(document: Document, baseline: Baseline) -> bool:
    """Dated after the baseline's ``since``, not a look back at older years, and about its
    subject: every group of a ``required`` pattern present, its first group named twice or in
    the title (one passing mention does not make an article about the story)."""
    full_text = f"{document.title}\n{document.text}"
    if baseline.since and document.published and document.published.date() < baseline.since:
        return False
    if baseline.since and only_earlier_years(full_text, baseline.since.year):
        return False
    if not baseline.required.matches(full_text):
        return False
    return (
        baseline.required.matches_first_group(document.title)
        or baseline.required.count(full_text) >= MIN_SUBJECT_MENTIONS
    )


def _match_baseline(
    document: Document, sentences: list[Sentence], baseline: Baseline
) -> Iterable[Finding]:
    full_text = f"{document.title}\n{document.text}"
    year = _story_year(document, baseline)
    current = [s for s in sentences if not about_an_earlier_year(s.text, year)]
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


def _verdicts(
    claim: Claim, sentences: list[Sentence], year: int
) -> Iterable[tuple[Sentence, Verdict]]:
    ctx = Context(claim=claim, year=year)
    previous_about = False
    for sentence in sentences:
        about = claim.about.matches(sentence.text)
        in_window, previous_about = about or previous_about, about
        if not in_window:
            continue  # a sentence is read when it, or the one before it, names the claim
        for expectation in claim.expectations:
            for verdict in judge(expectation, sentence.text, ctx):
                yield sentence, verdict


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
