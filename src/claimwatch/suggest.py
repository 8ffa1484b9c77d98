"""``claimwatch baseline suggest``: the edits to a baseline that the analyst's verdicts argue for.

Pure: the baseline file's text, the baseline as loaded and the judged alerts in; the proposed
text, a unified diff of it (``patch -p0`` applies it) and notes out. Only keys the loader
knows are written, so the proposed file loads as the old one did.

- **alias**: a name that the drafter's entity reader finds in the evidence of confirmed alerts
  from ``ALIAS_SUPPORT`` articles or more, in no dismissed alert's, and that no entity of the
  baseline matches, joins its kind under ``entities`` (the kind's pattern gains ``|Name``, or a
  line for a new kind follows the others);
- **narrower about**: a term of a claim's own ``about`` that alone matched its group in the
  evidence of dismissed alerts from ``NARROW_SUPPORT`` articles, and in no confirmed alert's,
  is dropped, while a term of the same group that confirmed alerts show stays;
- **terms to exclude** (a note): words in the evidence of a claim's dismissed alerts from
  ``EXCLUDE_SUPPORT`` articles and in none of its confirmed alerts. The baseline format has no
  key that excludes a term (every pattern field requires words), so these are shown, not
  written; ``feedback`` already holds back the patterns those alerts repeat;
- **a claim nobody confirms** (a note): dismissed in ``MUTE_SUPPORT`` articles, never
  confirmed: mute it or delete it.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from claimwatch import baseline_text
from claimwatch.alerts import Alert, article_key
from claimwatch.claims import Baseline, Claim, Entity
from claimwatch.draft.entities import find_entities
from claimwatch.draft.keywords import GENERIC, REPORTING, STOPWORDS, is_content, stem, tokens
from claimwatch.feedback import judged_alerts
from claimwatch.terms import PatternSet, compile_pattern
from claimwatch.verdicts import Verdict

ALIAS_SUPPORT = 2  # confirmed articles naming a missing name
NARROW_SUPPORT = 2  # dismissed articles a term alone brought in
EXCLUDE_SUPPORT = 2  # dismissed articles sharing a word
MUTE_SUPPORT = 3  # dismissed articles of a claim nobody confirmed
MAX_EXCLUDE = 5  # words shown per claim
NEW_ENTITY_KINDS = frozenset(("person", "organisation"))  # no rivals among them (grounding)


@dataclass(frozen=True, slots=True)
class Edit:
    """One change written into the proposed file."""

    kind: Literal["alias", "about"]
    where: str  # key path: "entities.person", "claims[six-missing].about"
    before: str
    after: str
    why: str


@dataclass(frozen=True, slots=True)
class Proposal:
    """The proposed file, its diff against the current one, and what is only advised."""

    text: str
    diff: str
    edits: tuple[Edit, ...]
    notes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Evidence:
    """A claim's judged alerts, as (article, evidence sentence) pairs."""

    dismissed: tuple[tuple[str, str], ...]
    confirmed: tuple[tuple[str, str], ...]


def suggest(
    text: str, baseline: Baseline, judged: Iterable[tuple[Alert, Verdict]], *, name: str
) -> Proposal:
    """What the verdicts on ``baseline``'s alerts argue for; ``name`` heads the diff."""
    dismissed, confirmed = judged_alerts(judged)
    dismissed = [a for a in dismissed if a.baseline_id == baseline.id]
    confirmed = [a for a in confirmed if a.baseline_id == baseline.id]
    root = baseline_text.tree(text)
    edits: list[Edit] = []
    splices: list[baseline_text.Splice] = []
    for kind, names in missing_names(baseline, confirmed, dismissed).items():
        splice = baseline_text.add_entity(text, root, kind, "|".join(names))
        if splice is not None:
            splices.append(splice)
            why = f"named in confirmed alerts from {ALIAS_SUPPORT}+ articles, in no dismissed one"
            edits.append(Edit("alias", f"entities.{kind}", "", "|".join(names), why))
    notes: list[str] = []
    for claim in baseline.claims:
        evidence = _claim_evidence(claim.id, dismissed, confirmed)
        for scalar in baseline_text.claim_about(root, claim.id):
            narrowed, dropped = narrow(scalar.value, evidence)
            if dropped:
                new = baseline_text.quote(narrowed)
                splices.append(baseline_text.Splice(scalar.start, scalar.end, new))
                why = f"alone brought in dismissed alerts: {', '.join(dropped)}"
                where = f"claims[{claim.id}].about"
                edits.append(Edit("about", where, scalar.value, narrowed, why))
        notes.extend(_claim_notes(claim, evidence))
    proposed = baseline_text.apply(text, splices)
    return Proposal(proposed, unified_diff(text, proposed, name), tuple(edits), tuple(notes))


def missing_names(
    baseline: Baseline, confirmed: Sequence[Alert], dismissed: Sequence[Alert]
) -> dict[str, list[str]]:
    """Kind -> the names confirmed alerts keep using that the baseline lacks: another name
    of one of its entities (under that entity's kind), or a new person or organisation.
    Other new names stay out: a new vessel or road would make coverage of that other thing
    read as the story's own."""
    found = find_entities(a.evidence for a in confirmed)
    texts = [a.evidence for a in (*confirmed, *dismissed)]
    names: dict[str, list[str]] = defaultdict(list)
    for drafted_kind, entities in found.items():
        for entity in entities:
            kinds = [e.kind for e in baseline.entities for n in entity.names if _names(e, n)]
            kind = kinds[0] if kinds else drafted_kind
            if not kinds and kind not in NEW_ENTITY_KINDS:
                continue
            for name in dict.fromkeys(entity.names):
                known = any(e.names.matches(name) for e in baseline.entities)  # found already
                if known or name in names[kind] or not _proper(name, kind, entity.names, texts):
                    continue
                if _recurring(name, kind, confirmed, dismissed):
                    names[kind].append(name)
    return {kind: found for kind, found in names.items() if found}


def _names(entity: Entity, name: str) -> bool:
    """Whether one of the entity's patterns matches all of ``name`` (not just a word of it:
    "Kazakh*" is not the "Ministry of Information of Kazakhstan")."""
    return any(pattern.spans(name) == [(0, len(name))] for pattern in entity.names.patterns)


def _proper(name: str, kind: str, siblings: Sequence[str], texts: Sequence[str]) -> bool:
    """A name, not a common word: an acronym, several words, a surname, or a word that
    neither ends the long name it stands for ("Authority") nor is written in lower case."""
    if len(name.split()) > 1 or (name.isupper() and len(name) > 1):
        return True
    low = name.lower()
    if low in STOPWORDS or low in GENERIC or low in REPORTING:
        return False
    if kind != "person" and any(s.endswith(f" {name}") for s in siblings):
        return False
    return not any(re.search(rf"(?<!\w){re.escape(low)}(?!\w)", text) for text in texts)


def _recurring(
    name: str, kind: str, confirmed: Sequence[Alert], dismissed: Sequence[Alert]
) -> bool:
    """Written as it is, and not as the start of a longer name ("Human Rights" of "Human
    Rights Watch"), in confirmed alerts from several articles; in no dismissed alert."""
    try:
        pattern = compile_pattern(name)
    except ValueError:
        return False  # not term syntax (brackets, say): the user would have to rewrite it
    if any(pattern.matches(a.evidence) for a in dismissed):
        return False
    articles = {_article(a) for a in confirmed if _standalone(name, kind, a.evidence)}
    return len(articles) >= ALIAS_SUPPORT


_NAME_GOES_ON = re.compile(r"\s+(?:(?:of|for|de)(?:\s+the)?\s+)?[A-Z]")
_WORD_BEFORE = re.compile(r"([\w’'.-]+)\s+$")


def _standalone(name: str, kind: str, text: str) -> bool:
    """Whether ``text`` writes ``name`` as a whole name somewhere: not a piece of a longer
    one ("Human Rights" in "Human Rights Watch", "Ministry" in "the Defense Ministry" or
    "Ministry of Health"); a person's name may follow a title ("Captain")."""
    for hit in re.finditer(rf"(?<!\w){re.escape(name)}(?!\w)", text):
        if _NAME_GOES_ON.match(text, hit.end()):
            continue
        before = _WORD_BEFORE.search(text, 0, hit.start())
        title = kind == "person" or (before is not None and before[1].lower() in STOPWORDS)
        if before and before[1][:1].isupper() and not title:
            continue
        return True
    return False


def narrow(source: str, evidence: _Evidence) -> tuple[str, list[str]]:
    """``source`` without the terms that alone matched dismissed alerts' evidence in
    ``NARROW_SUPPORT`` articles and never confirmed alerts', and those terms; a group keeps
    every term when none of its terms matched a confirmed alert."""
    groups = [[t.strip() for t in group.split("|")] for group in source.split(" + ")]
    dropped: list[str] = []
    for group in groups:
        matchers = {term: PatternSet.of([term]) for term in group}
        shown = {t for t, m in matchers.items() if any(m.matches(s) for _, s in evidence.confirmed)}
        if not shown:
            continue
        alone: dict[str, set[str]] = defaultdict(set)
        for article, sentence in evidence.dismissed:
            hits = [t for t, m in matchers.items() if m.matches(sentence)]
            if len(hits) == 1:
                alone[hits[0]].add(article)
        drop = [t for t in group if t not in shown and len(alone[t]) >= NARROW_SUPPORT]
        dropped.extend(drop)
        group[:] = [t for t in group if t not in drop]
    return " + ".join("|".join(g) for g in groups), dropped


def exclusions(evidence: _Evidence, about: PatternSet) -> list[tuple[str, int]]:
    """Words (as most often written) in dismissed evidence from several articles, with how
    many, that no confirmed evidence of the claim holds (compared by stem) and that are not
    the claim's own words (``about``)."""
    confirmed = {stem(w.text) for _, s in evidence.confirmed for w in tokens(s) if is_content(w)}
    articles: dict[str, set[str]] = defaultdict(set)
    written: dict[str, Counter[str]] = defaultdict(Counter)
    for article, sentence in evidence.dismissed:
        for word in tokens(sentence):
            key = stem(word.text)
            if is_content(word) and key not in confirmed and not about.matches(word.text):
                articles[key].add(article)
                written[key][word.lower] += 1
    ranked = sorted(articles, key=lambda k: (-len(articles[k]), k))
    return [
        (written[k].most_common(1)[0][0], len(articles[k]))
        for k in ranked[:MAX_EXCLUDE]
        if len(articles[k]) >= EXCLUDE_SUPPORT
    ]


def unified_diff(before: str, after: str, name: str) -> str:
    """A diff ``patch -p0`` applies to ``name``; empty when nothing changes."""
    lines = difflib.unified_diff(
        before.splitlines(keepends=True), after.splitlines(keepends=True), name, name
    )
    return "".join(
        line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines
    )


def _claim_evidence(
    claim_id: str, dismissed: Sequence[Alert], confirmed: Sequence[Alert]
) -> _Evidence:
    return _Evidence(
        tuple((_article(a), a.evidence) for a in dismissed if a.claim_id == claim_id),
        tuple((_article(a), a.evidence) for a in confirmed if a.claim_id == claim_id),
    )


def _claim_notes(claim: Claim, evidence: _Evidence) -> list[str]:
    notes = []
    claim_id = claim.id
    words = exclusions(evidence, claim.about)
    if words:
        listed = ", ".join(f'"{word}" ({n} articles)' for word, n in words)
        notes.append(
            f"{claim_id}: dismissed alerts keep saying {listed}, no confirmed one does; "
            "a baseline has no key to exclude words: claimwatch holds back what repeats "
            "a dismissed alert, and a narrower about or context keeps the claim to its matter"
        )
    articles = {article for article, _ in evidence.dismissed}
    if len(articles) >= MUTE_SUPPORT and not evidence.confirmed:
        notes.append(
            f"{claim_id}: dismissed in {len(articles)} articles and never confirmed: "
            "mute the claim, or delete it from the baseline"
        )
    return notes


def _article(alert: Alert) -> str:
    return article_key(alert.feed, alert.entry_id, alert.article_url)
