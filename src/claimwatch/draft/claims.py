"""A candidate sentence -> a draft claim: terms, typed expectations and what to review.

The types follow what the sentence offers: a figure becomes a ``quantity``, a date a ``date``,
a state word a ``state`` whose changes are followed up, a countable matter without a figure an
``unquantified`` claim, and a promise, a denial or an action an ``assertion``. Every draft
expectation is valid as written; the review notes say where it is only a guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from claimwatch.draft.candidates import Candidate
from claimwatch.draft.keywords import alternatives, content_terms, is_content, stem, tokens
from claimwatch.matching.cues import negation
from claimwatch.matching.figures import Figure

Expect = dict[str, Any]

_APPROX = {
    "exact": "exact",
    "about": "about",
    "nearly": "about",
    "range": "about",
    "at_least": "at_least",
    "more_than": "at_least",
    "at_most": "at_most",
    "less_than": "at_most",
}
# How a state usually changes, by the word that names it.
_LIFTING = "lift*|end|ended|ends|ending|cancel*|revok*|expir*|restor*"
_EXTENSION = "extend*|prolong*"
_LEAVING = "leav*|left|withdraw*|withdrew|depart*|pull* out|end|ended"
_CONTINUING = "end|ended|ends|ending|complet*|conclud*|finish*|over|halt*"
_CLAUSE_END = re.compile(r"[,;:.!?”»]|\s(?:and|but|while|или|и|но)\s")
_ATTRIBUTION = re.compile(
    r"^(?:according to [^,]{1,60},\s*|[^,]{1,60}\b(?:said|says|noted|added|stressed) that\s+)",
    re.IGNORECASE,
)
_TAIL = re.compile(
    r"[,”\"']+\s*(?:[^,]{1,40}\s)?(?:said|says|noted|added|remarked|stressed|"
    r"asserted|reiterated|concluded|emphasized|told [^,]{1,30})[^,]*$",
    re.IGNORECASE,
)
_REFLOATING = "free*|refloat*|reopen*|resum*|clear*|unblock*|restor*"


@dataclass(frozen=True, slots=True)
class DraftClaim:
    """One candidate claim as it will be written, with the notes for the reviewer."""

    id: str
    statement: str
    short: str
    about: tuple[str, ...]
    expect: tuple[Expect, ...]
    position: str
    kinds: tuple[str, ...]
    reviews: tuple[str, ...]


def draft_claim(candidate: Candidate, subject: list[str], number: int) -> DraftClaim:
    terms = _about_terms(candidate.text, subject)
    expect = [*_quantities(candidate), *_dates(candidate), *_states(candidate)]
    expect.extend(_counts(candidate))
    if not candidate.figures:
        expect.extend(_assertions(candidate, terms))
    if not expect:  # a figure-free sentence whose only signal was weak: assert its terms
        expect.append({"type": "assertion", "holds": alternatives(terms[:3])})
    sentence = candidate.sentence
    return DraftClaim(
        id=_claim_id(number, terms),
        statement=" ".join(sentence.text.split()),
        short=_short(candidate.text),
        about=(alternatives(terms),),
        expect=tuple(expect),
        position=f"sentence {candidate.index}, characters {sentence.start}-{sentence.end}",
        kinds=candidate.kinds,
        reviews=_reviews(candidate),
    )


def _about_terms(sentence: str, subject: list[str]) -> list[str]:
    """The sentence's own words; names of the whole story (the subject) only as a last resort."""
    common = {s.lower() for s in subject}
    terms = []
    for term in content_terms(sentence, limit=10):
        parts = term.split()
        if term.lower() in common:
            continue
        terms.append(term)
        if len(parts) >= 3:  # "Almaty International Airport": also "Airport"
            terms.append(parts[-1])
    return (terms or content_terms(sentence) or [stem(w.text) for w in tokens(sentence)])[:6]


def _quantities(candidate: Candidate) -> list[Expect]:
    return [_quantity(candidate.text, f) for f in candidate.figures[:2]]


def _quantity(sentence: str, figure: Figure) -> Expect:
    approx = _APPROX[figure.approx]
    value = figure.value if figure.value > 0 else max(figure.high, 1.0)
    return {
        "type": "quantity",
        "value": int(value) if value == int(value) else value,
        "approx": approx,
        "tolerance": 0.05 if approx == "about" else 0.0,
        "counts": [alternatives(_counted(sentence, figure))],
    }


def _counted(sentence: str, figure: Figure) -> list[str]:
    """The words right after the figure ("2,500 people"), else the nearest content words."""
    after = [w for w in tokens(sentence[figure.end :]) if is_content(w)][:2]
    before = [w for w in tokens(sentence[: figure.start]) if is_content(w)][-2:]
    words = after or before
    return [stem(w.text) for w in words] or [figure.unit or "people"]


def _dates(candidate: Candidate) -> list[Expect]:
    expect = []
    for mention in candidate.dates[:1]:
        rule: Expect = {"type": "date", "date": mention.date}
        event = _event_terms(candidate)
        if event:
            rule = {"type": "date", "event": event, "date": mention.date}
        expect.append(rule)
    return expect


def _event_terms(candidate: Candidate) -> str:
    words = [*candidate.actions, *([candidate.state] if candidate.state else [])]
    return alternatives(stem(w) for w in words)


def _states(candidate: Candidate) -> list[Expect]:
    word = candidate.state
    if word is None:
        return []
    low = word.lower()
    changes: list[dict[str, str]]
    if low.startswith(("temporar", "remain", "времен")):
        changes = [{"name": "ending", "terms": _LEAVING + "|" + _LIFTING.split("|", 1)[0]}]
    elif low.startswith(("continu", "продолжа")):
        changes = [{"name": "ending", "terms": _CONTINUING}]
    elif low.startswith(("aground", "stuck", "blocked", "blockage", "closed", "closure", "shut")):
        changes = [{"name": "reopening", "terms": _REFLOATING}]
    else:
        changes = [
            {"name": "lifting", "terms": _LIFTING},
            {"name": "extension", "terms": _EXTENSION},
        ]
    return [{"type": "state", "holds": _short(candidate.text, 90), "changes": changes}]


def _counts(candidate: Candidate) -> list[Expect]:
    if candidate.count is None:
        return []
    name = re.sub(r"[^a-z0-9]+", "_", stem(candidate.count).rstrip("*")).strip("_") or "count"
    return [{"type": "unquantified", "measures": {name: stem(candidate.count)}}]


def _assertions(candidate: Candidate, terms: list[str]) -> list[Expect]:
    rule: Expect = {"type": "assertion"}
    if candidate.promise:
        verb = stem(candidate.promise)
        rule["holds"] = verb
        rule["contradicted_by"] = [f"not be {verb}|will not {verb}|won't {verb}"]
    elif candidate.actions:
        rule["holds"] = alternatives(stem(a) for a in candidate.actions)
    if candidate.denial:
        denied = _denied_terms(candidate.text)
        if denied:
            rule["contradicted_by"] = [*rule.get("contradicted_by", []), alternatives(denied)]
    if len(rule) == 1 and (candidate.state or candidate.count or candidate.dates):
        return []  # typed already; an assertion would only repeat the terms
    if len(rule) == 1:
        rule["holds"] = alternatives(terms[:3])
    return [rule]


def _denied_terms(sentence: str) -> list[str]:
    """Content words after the first negation: coverage asserting them contradicts."""
    spans = negation(sentence)
    if not spans:
        return []
    clause = _CLAUSE_END.split(sentence[spans[0][1] :], maxsplit=1)[0]
    words = [w for w in tokens(clause) if is_content(w) and len(w.lower) > 3]
    chosen = words[:1] + words[-1:] if len(words) > 1 else words
    return [stem(w.text) for w in chosen]


def _claim_id(number: int, terms: list[str]) -> str:
    words = []
    for term in terms:
        word = re.sub(r"[^a-z0-9]+", "-", term.lower().rstrip("*")).strip("-")
        if word and word not in words:
            words.append(word)
    slug = "-".join(words[:3])[:40].strip("-")
    return f"c{number:02d}-{slug}" if slug else f"c{number:02d}"


def _short(sentence: str, limit: int = 70) -> str:
    """The sentence without its speech tags ("According to X,", "he added"), cut to a limit."""
    text = " ".join(sentence.strip("“”\"' ").split())
    text = _TAIL.sub("", _ATTRIBUTION.sub("", text)).strip("“”\"' ,")
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0] + " ..."


def _reviews(candidate: Candidate) -> tuple[str, ...]:
    notes = ["rewrite the statement in your own words; narrow `about` to what coverage says"]
    if len(candidate.figures) > 1:
        notes.append("which figure is the claim? keep one quantity, check what it counts")
    elif candidate.figures:
        notes.append("check what the figure counts (counts) and its tolerance")
    if candidate.dates:
        notes.append("is the date the event's? set event to the words that name the event")
    if candidate.promise:
        notes.append(f"a promise ({candidate.promise}): add what keeping it looks like")
    if candidate.state:
        notes.append(f"a state ({candidate.state}): check the change terms and what ends it")
    if candidate.scope:
        notes.append("a limit (only, limited): add what coverage would report beyond it")
    if candidate.denial:
        notes.append("a denial: contradicted_by lists what coverage would assert instead")
    notes.append("add aliases and other languages to the terms")
    return tuple(notes)
