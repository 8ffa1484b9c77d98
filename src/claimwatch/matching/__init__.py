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

from claimwatch.baselines import Assertion, Baseline, Claim, State
from claimwatch.claims import Expectation
from claimwatch.matching.dates import only_earlier_years
from claimwatch.matching.explain import Explanation
from claimwatch.matching.findings import Finding
from claimwatch.matching.focus import holds_focus
from claimwatch.matching.grounding import Grounding, ground
from claimwatch.matching.index import index_for
from claimwatch.matching.judges import Context, Verdict, judge
from claimwatch.matching.sentences import Sentence, split_sentences
from claimwatch.matching.trace import ClaimTrace, Trace
from claimwatch.matching.tracing import (
    trace_claim,
    trace_overruled,
    trace_restated,
    trace_ungrounded,
    trace_units,
    trace_unread,
)

__all__ = ["Document", "Explanation", "Finding", "Trace", "is_relevant", "match"]


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
    document: Document,
    baselines: Sequence[Baseline],
    *,
    indexed: bool = True,
    trace: Trace | None = None,
) -> list[Finding]:
    """Findings for every claim the document contradicts or follows up.

    The term index leaves only the claims whose words the text contains; ``indexed=False``
    tries every claim (the same findings, slower: for benchmarks and tests of the index).
    With a ``trace``, every decision is recorded there (``trace.explanation()``): the
    findings are the same.
    """
    full_text = f"{document.title}\n{document.text}"
    candidates = index_for(baselines).scan(full_text).narrow() if indexed else tuple(baselines)
    if trace is not None:
        for baseline in trace_unread(trace, baselines, candidates, full_text):
            _trace_unread(trace, document, baseline, full_text)
    if not candidates:
        return []
    sentences = _sentences(document)
    findings: list[Finding] = []
    for baseline in candidates:
        skip = _out_of_scope(document, baseline, full_text)
        if skip is None:
            findings.extend(_match_baseline(document, full_text, sentences, baseline, trace))
        elif trace is not None:
            trace.baseline(baseline).out_of_scope(skip, full_text, document.published)
    return findings


def _trace_unread(trace: Trace, document: Document, baseline: Baseline, text: str) -> None:
    """A baseline the term index left unread: out of scope, as reading it would have found
    (the index only rules out what the regexes would), or in scope with no claim named."""
    skip = _out_of_scope(document, baseline, text)
    if skip is not None:
        trace.baseline(baseline).out_of_scope(skip, text, document.published)
        return
    for claim in baseline.claims:
        trace_claim(trace.baseline(baseline).claim(claim), claim, text)


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


def _out_of_scope(document: Document, baseline: Baseline, full_text: str) -> str | None:
    """None when in scope: dated after the baseline's ``since`` (if undated, not a look back
    at older years only), and about its subject: every group of a ``required`` pattern
    present in the article (``full_text``: title and text). Otherwise which of these failed
    (``explain.ScopeCode``)."""
    if baseline.since and document.published and document.published.date() < baseline.since:
        return "before_since"
    undated = document.published is None
    if undated and baseline.since and only_earlier_years(full_text, baseline.since.year):
        return "look_back"
    return None if baseline.required.matches(full_text) else "required_missing"


def _match_baseline(
    document: Document,
    full_text: str,
    sentences: list[_Unit],
    baseline: Baseline,
    trace: Trace | None,
) -> Iterable[Finding]:
    year = _story_year(document, baseline)
    groundings = ground([(u.sentence.text, u.paragraph) for u in sentences], baseline, year)
    current = [(u, g) for u, g in zip(sentences, groundings, strict=True) if not g.earlier_year]
    texts = [u.sentence.text for u, _ in current]
    paragraphs = [u.paragraph for u, _ in current]
    traced = trace.baseline(baseline) if trace is not None else None
    if traced is not None and groundings:
        traced.setting = groundings[0].setting
    for claim in baseline.claims:
        notes = traced.claim(claim) if traced is not None else None
        if not claim.about.matches(full_text) or (
            claim.context and not claim.context.matches(full_text)
        ):
            if notes is not None:
                trace_claim(notes, claim, full_text)
            continue
        focus = holds_focus(claim, texts, paragraphs)
        if notes is not None:
            pairs = [(u.sentence.text, g) for u, g in zip(sentences, groundings, strict=True)]
            trace_units(notes, claim, pairs, focus)
        units = [pair for pair, mine in zip(current, focus, strict=True) if mine]
        yield from _best_per_kind(baseline, claim, _verdicts(claim, units, year, notes), notes)


def _story_year(document: Document, baseline: Baseline) -> int:
    """The year a date without one refers to: the article's, else the baseline's."""
    if document.published:
        return document.published.year
    anchor = baseline.date or baseline.since
    return anchor.year if anchor else datetime.now().year


# A sentence that opens by referring back ("Their withdrawal is under way", "Сейчас идет их
# вывод") continues the one before it, even across a paragraph break.
_REFERS_BACK = re.compile(
    r"^\W*(?:\w+\W+){0,3}?(?:it|its|they|their|them|these|those|он[аои]?|их|его|её|ее)(?!\w)",
    re.IGNORECASE,
)


def _rank(unit: _Unit, verdict: Verdict) -> tuple[bool, float]:
    return unit.paragraph >= 0, verdict.score


def _verdicts(
    claim: Claim, units: list[tuple[_Unit, Grounding]], year: int, trace: ClaimTrace | None
) -> Iterable[tuple[_Unit, Verdict, Expectation]]:
    """Judge every sentence near the claim's terms (the same sentence, the one before or
    after, or an earlier one of the same paragraph); elsewhere only the claim's specific cues.
    A verdict stands only where the sentence is about the story (``grounding``)."""
    abouts = [claim.about.matches(unit.sentence.text) for unit, _ in units]
    about_paragraph, previous_about, previous = -2, False, ("", -3)
    for index, (unit, grounding) in enumerate(units):
        text = unit.sentence.text
        about = abouts[index]
        next_about = index + 1 < len(units) and abouts[index + 1]
        is_near = about or previous_about or next_about or unit.paragraph == about_paragraph
        if about:
            about_paragraph = unit.paragraph
        previous_about = about
        same_paragraph = previous[1] == unit.paragraph
        before = previous[0] if same_paragraph else ""
        carried_over = same_paragraph or _REFERS_BACK.match(text) is not None
        before_names = carried_over and index > 0 and abouts[index - 1]
        previous = (text, unit.paragraph)
        if claim.local and not is_near:
            continue  # a frame claim speaks of its own things: judged only near them
        ctx = Context(
            claim,
            year,
            near_claim=is_near,
            previous=before,
            names_claim=about,
            close=about or before_names,
            trace=trace,
        )
        if trace is not None:
            trace.grounding = grounding
        for expectation in claim.expectations:
            if not is_near and not isinstance(expectation, Assertion | State):
                continue
            for verdict in judge(expectation, text, ctx):
                if grounding.grounded(verdict.highlight):
                    yield unit, verdict, expectation
                elif trace is not None:
                    trace_ungrounded(trace, text, verdict, grounding, expectation)
    if trace is not None:
        trace.grounding = None


def _best_per_kind(
    baseline: Baseline,
    claim: Claim,
    verdicts: Iterable[tuple[_Unit, Verdict, Expectation]],
    trace: ClaimTrace | None,
) -> Iterable[Finding]:
    """The strongest verdict per kind; the body's sentence over the headline's, and no
    contradiction from a headline whose body restates the claim ("At least seven missing"
    over a story that counts six)."""
    best: dict[str, tuple[_Unit, Verdict, Expectation]] = {}
    body_restates = False
    for unit, verdict, expectation in verdicts:
        if verdict.kind == "restatement":
            body_restates = body_restates or unit.paragraph >= 0
            if trace is not None:
                trace_restated(trace, unit.sentence.text, verdict, expectation)
            continue
        kept = best.get(verdict.kind)
        if kept is None or _rank(unit, verdict) > _rank(kept[0], kept[1]):
            best[verdict.kind] = (unit, verdict, expectation)
    for kind, (unit, verdict, expectation) in best.items():
        if kind == "contradiction" and unit.paragraph < 0 and body_restates:
            if trace is not None:
                trace_overruled(trace, unit.sentence.text, verdict, expectation)
            continue
        sentence = unit.sentence
        finding = Finding(
            baseline_id=baseline.id,
            claim_id=claim.id,
            kind="contradiction" if kind == "contradiction" else "follow_up",
            evidence=sentence.text,
            reason=verdict.reason[:1].upper() + verdict.reason[1:].rstrip(".") + ".",
            fact=verdict.fact,
            score=verdict.score,
            value=verdict.value,
            value_text=verdict.value_text,
            highlight=verdict.highlight,
        )
        if trace is not None:
            trace.fire(finding, verdict.rule, expectation)
        yield finding
