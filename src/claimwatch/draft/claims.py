"""A sentence's frame hits -> a draft claim: statement, frames, facts, the story's own words.

A claim's own words (``about``) are the concepts of its claim, not the sentence's bag of
words: for a count, who is counted ("worker*"); for a measure, what is measured (the named
vessel, "ship"); for a state or an event, the named things it concerns ("Interstate 695",
"Port of Baltimore") and the nouns that carry it ("vessel traffic"); a time claim takes none
(its event is the frame's). Claims that say the same thing twice (the same frames, figure and
named things) are drafted once, from the sentence that says it most fully.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from claimwatch.draft.framing import Hit
from claimwatch.draft.keywords import REPORTING, is_content, stem, tokens
from claimwatch.matching.sentences import Sentence
from claimwatch.terms import PatternSet
from claimwatch.units import UNITS


def _words(text: str) -> tuple[str, ...]:
    """A word list written as one string (keeps the long vocabularies readable)."""
    return tuple(text.split())


MAX_ABOUT = 6
_GENERIC = frozenset(
    _words(
        "official officials authority authorities people person statement report reports news "
        "time times day days week weeks morning night year years way thing things part side "
        "country countries government governments number today tuesday wednesday thursday "
        "friday saturday sunday monday ambassador diplomat president governor mayor secretary "
        "spokesman spokeswoman press conference interview city town region"
    )
)
# Adjectives that describe rather than name: poor words to recognise a claim by.
_DESCRIBING = frozenset(
    _words(
        "local foreign national international regional federal subsequent initial specific "
        "several various major main large small huge former current recent previous new old "
        "first second last early late further possible certain general public private special "
        "social economic political strategic serious heavy whole entire total mass later earlier"
    )
)
_ATTRIBUTION = re.compile(
    r"^(?:according to [^,]{1,80},\s*|[^,“\"]{1,80}?\b(?:said|says|told [^,]{1,40}|noted|added|"
    r"stressed|reiterated|asserted) that\s+)",
    re.I,
)
_TAIL = re.compile(
    r"[,”\"']+\s*(?:[^,]{1,50}\s)?(?:said|says|noted|added|remarked|stressed|asserted|"
    r"reiterated|concluded|emphasized|emphasised|told [^,]{1,40})[^,]*$",
    re.I,
)
MAX_STATEMENT = 220
# "MARLOW, 12 March 2023 - ", "TEHRAN — ": where and when the report was filed
_DATELINE = re.compile(r"^[A-Z][A-Z .’'-]{1,40}(?:,[^—–-]{0,30})?\s+[—–-]+\s+")
_VERBS = frozenset(
    _words(
        "made make makes said says told hits hit struck called calls allowed allow allows gave "
        "give took take takes came come comes went goes held hold holds brought bring kept keep "
        "left leave leaves became become becomes showed show shows saw seen found find means "
        "include includes remain remains seems appear appears offer offers announce indicate "
        "indicates believe believes occur occurs"
    )
)


@dataclass
class DraftClaim:
    """One claim as it will be written, with the notes for the reviewer."""

    id: str
    statement: str
    frames: tuple[str, ...]
    facts: dict[str, Any]
    about: tuple[str, ...]
    position: str
    sentence: Sentence
    rank: float
    reviews: tuple[str, ...] = ()
    names: frozenset[str] = field(default_factory=frozenset)  # named things, not places

    @property
    def kinds(self) -> tuple[str, ...]:
        return self.frames


def draft_claims(
    sentence: Sentence,
    index: int,
    hits: Sequence[Hit],
    names: PatternSet,
    places: frozenset[str] = frozenset(),
) -> list[DraftClaim]:
    """The claims of one sentence: one per figure, else one for its leading frame; a time
    or date joins the first (it says when that claim's event happened). Other frames of the
    sentence are left out: a claim is one thing to watch, not the sentence's every word."""
    figures = [h for h in hits if h.figure and (h.value is not None or not h.cued)]
    figures = [h for h in figures if h.value is not None] or (figures if len(hits) == 1 else [])
    times = [h for h in hits if h.frame.type == "time"]
    others = [h for h in hits if not h.figure and h.frame.type != "time"]
    groups = [[f] for f in figures] or [others[:1]]
    groups[0].extend(times[:1])
    return [_claim(sentence, index, group, names, places) for group in groups if group]


def _claim(
    sentence: Sentence,
    index: int,
    hits: list[Hit],
    names: PatternSet,
    places: frozenset[str],
) -> DraftClaim:
    named = _named(sentence.text, names)
    things = [n for n in named if n.lower() not in places]  # a place is a setting
    facts: dict[str, Any] = {}
    for hit in hits:
        if hit.frame.choice_key and hit.choices:
            facts[hit.frame.choice_key] = hit.choices[0] if len(hit.choices) == 1 else hit.choices
        for key in ("value", "unit", "approx", "time", "date"):
            value = getattr(hit, key)
            if value is not None and key not in facts:
                facts[key] = value
        if hit.counts:
            facts["counts"] = "|".join(hit.counts)
    if "value" in facts and facts.get("approx") is None:
        facts["approx"] = "about"
    frames = tuple(h.frame.id for h in hits)
    about = _about(sentence.text, hits, things, named)
    return DraftClaim(
        id=_claim_id(hits, facts, about),
        statement=_statement(sentence.text),
        frames=frames,
        facts=facts,
        about=about,
        position=f"sentence {index}, characters {_words_span(sentence)}",
        sentence=sentence,
        rank=_rank(hits, named),
        reviews=_reviews(hits),
        names=frozenset(n.lower() for n in things),
    )


def _words_span(sentence: Sentence) -> str:
    """Where the sentence's words begin and end in the article (quotes and the closing
    punctuation left out), so that a position names this sentence and no neighbour."""
    text = sentence.text
    lead = len(text) - len(re.sub(r"^\W+", "", text))
    tail = len(text) - len(re.sub(r"\W+$", "", text))
    return f"{sentence.start + lead}-{sentence.end - tail}"


def _named(sentence: str, names: PatternSet) -> list[str]:
    """The story's names in the sentence; a name inside a longer one ("Almaty" in "Almaty
    International Airport") is that one."""
    spans = sorted(
        {s for p in names.patterns for s in p.group_spans(sentence, 0)},
        key=lambda s: (s[0], -s[1]),
    )
    kept: list[tuple[int, int]] = []
    for start, end in spans:
        if not any(a <= start and end <= b for a, b in kept):
            kept.append((start, end))
    return list(dict.fromkeys(sentence[a:b] for a, b in kept))


def _about(sentence: str, hits: list[Hit], things: list[str], named: list[str]) -> tuple[str, ...]:
    """See the module docstring: who or what the claim concerns, in the story's words. Places
    (in ``named``, not in ``things``) are a fallback: a city is where the claim happened,
    and every report of the story names it."""
    types = {h.frame.type for h in hits}
    if types == {"time"}:
        return ()
    if "count" in types:
        members = [m for h in hits for m in h.members]
        return tuple(dict.fromkeys(members))[:MAX_ABOUT]
    if types & {"absence"} and not types - {"absence", "time"}:
        return tuple(_subject(sentence, hits) or _object(sentence, hits))[:MAX_ABOUT]
    words = [*things, *_heads(things), *_nouns(sentence, hits, named)]
    if "measure" in types:
        head = _nouns(sentence[: hits[0].span[0]], hits, named)[-2:]
        words = [*things, *head, *_nouns(sentence[hits[0].span[1] :], hits, named)[:2]]
    return tuple(dict.fromkeys(words or named))[:MAX_ABOUT]


_HEAD_NOUNS = frozenset(
    _words(
        "airport bridge port harbor harbour tunnel station plant hospital school tower hotel "
        "mall stadium dam canal highway interstate road railway line"
    )
)


def _heads(named: Sequence[str]) -> list[str]:
    """ "Almaty International Airport" -> "airport": coverage names the thing by its noun."""
    found = []
    for name in named:
        for word in name.split():
            if word.lower() in _HEAD_NOUNS:
                found.append(word.lower())
    return found


def _nouns(text: str, hits: list[Hit], named: Sequence[str] = ()) -> list[str]:
    """Nouns that carry the claim, near the words that decided its frame, as stems: not the
    frame's own words, not verbs ("allowed", "working"), units or names (the story's
    entities stand for those)."""
    span = hits[0].span if hits else (0, 0)
    decided = {w.lower() for h in hits for w in _span_words(text, h.span)}
    named_words = {w.lower() for w in re.findall(r"\w+", " ".join(named))}
    found: list[tuple[int, str]] = []
    for word in tokens(text):
        low = word.lower
        if not is_content(word) or low in _GENERIC or low in REPORTING or low in decided:
            continue
        if low in _DESCRIBING:
            continue
        if len(low) < 4 or _verb_like(low) or low in UNITS or low in named_words:
            continue
        distance = span[0] - word.end if word.end <= span[0] else word.start - span[1]
        found.append((max(distance, 0), stem(word.text)))
    return [w for _, w in sorted(found)[:3]]


def _verb_like(word: str) -> bool:
    return word.endswith(("ed", "ing")) or word in _VERBS


def _span_words(text: str, span: tuple[int, int]) -> list[str]:
    return re.findall(r"\w+", text[span[0] : span[1]]) if span[1] <= len(text) else []


def _object(sentence: str, hits: list[Hit]) -> list[str]:
    """What a ruled-out thing concerns, named after it: "no changes in the economic policy
    and investment climate" -> economic policy, investment climate."""
    tail = sentence[hits[0].span[1] :]
    match = re.match(r"\s+(?:in|of|to|for|on)\s+(?:the\s+|its\s+|their\s+)?([^,;.]{3,80})", tail)
    if match is None:
        return []
    phrases = re.split(r"\s+(?:and|or)\s+", match.group(1))[:2]
    found = []
    for phrase in phrases:
        content = [w for w in tokens(phrase) if is_content(w)][:2]
        if content:
            found.append(" ".join(w.lower for w in content))
    return found


def _subject(sentence: str, hits: list[Hit]) -> list[str]:
    """Whom a ruled-out thing concerns: the nouns of the clause before the negation
    ("peaceful protesters are not subjected to any persecution" -> protesters; "while the
    rallies were peaceful, the participants in the later riots did not ..." -> participants,
    riots). Another clause's words would tie the claim to what the sentence contrasts it with."""
    head = sentence[: hits[0].span[0]]
    clause = _CLAUSE_BREAK.split(head)[-1]
    found = []
    for word in tokens(clause):
        low = word.lower
        if not is_content(word) or low in _GENERIC or low in _DESCRIBING or _verb_like(low):
            continue
        if low in _AUXILIARIES or len(low) < 4:
            continue
        found.append(low if low in _PEOPLE else stem(word.text))
    return found[-3:]


_CLAUSE_BREAK = re.compile(
    r"[,;:]|\b(?:while|whereas|but|although|though|and|that|said|says|told|added|noted)\b", re.I
)
_AUXILIARIES = frozenset(_words("did does do have has had will would could should can may"))
_PEOPLE = frozenset(
    _words(
        "protesters demonstrators residents civilians workers journalists activists passengers "
        "detainees children employees patients students participants rioters crew"
    )
)


def _statement(sentence: str) -> str:
    """The sentence without its speech tags and quotation marks, as the claim's statement."""
    text = _DATELINE.sub("", " ".join(sentence.split())).strip("“”\"'‘’ ")
    text = _TAIL.sub("", _ATTRIBUTION.sub("", text)).strip("“”\"'‘’ ,").rstrip("….")
    text = text[:1].upper() + text[1:]
    if len(text) > MAX_STATEMENT:
        text = text[:MAX_STATEMENT].rsplit(" ", 1)[0] + " ..."
    return text + ("" if text.endswith((".", "...")) else ".")


def _claim_id(hits: list[Hit], facts: dict[str, Any], about: Iterable[str]) -> str:
    parts: list[str] = []
    first = hits[0]
    choice = facts.get(first.frame.choice_key or "", "")
    parts.append(str(choice[0] if isinstance(choice, list) else choice) or first.frame.id)
    if "value" in facts:
        value = facts["value"]
        parts.append(f"{value:g}" if isinstance(value, float) else str(value))
        if "unit" in facts:
            parts.append(str(facts["unit"]))
    elif "time" in facts:
        parts.append(str(facts["time"]).replace(":", ""))
    words = [re.sub(r"[^a-z0-9]+", "-", a.lower().rstrip("*")).strip("-") for a in about]
    parts.extend(w for w in words[:2] if w)
    slug = re.sub(r"-+", "-", "-".join(parts)).strip("-")[:48].strip("-")
    return slug or first.frame.id


def _rank(hits: list[Hit], named: list[str]) -> float:
    """How check-worthy: figures and times first, then rulings-out, states and the rest."""
    weight = {"count": 3.0, "measure": 3.0, "time": 2.5, "absence": 2.0, "state": 2.0}
    score = sum(weight.get(h.frame.type, 1.5) for h in hits)
    return score + min(1.5, 0.5 * len(named))


def _reviews(hits: list[Hit]) -> tuple[str, ...]:
    notes = ["check the statement; keep `about` to the story's own words for this claim"]
    for hit in hits:
        if hit.frame.type == "count" and hit.counts:
            notes.append("the figure counts the words in `counts`: check them")
        elif hit.frame.type in ("count", "measure"):
            notes.append(f"check the figure's {hit.frame.choice_key or 'unit'} and `approx`")
        if hit.frame.type == "time":
            notes.append("is the time or date the event's?")
    return tuple(dict.fromkeys(notes))


_LOOSE_FACTS = ("approx", "time", "date", "event")


def _tallies(a: DraftClaim, b: DraftClaim) -> bool:
    if "value" in a.facts or "value" in b.facts or "fate" not in a.facts or "fate" not in b.facts:
        return False
    fates_a, fates_b = _as_set(a.facts["fate"]), _as_set(b.facts["fate"])
    return bool(fates_a & fates_b)


def _as_set(value: Any) -> set[str]:
    return set(value) if isinstance(value, list) else {str(value)}


def same_claim(a: DraftClaim, b: DraftClaim) -> bool:
    """Two sentences saying one thing: the same frames (a date aside) and facts, about the
    same things (or both about nothing in particular)."""
    frames_a, frames_b = set(a.frames) - {"time"}, set(b.frames) - {"time"}
    if frames_a != frames_b or not frames_a:
        return False
    facts_a = {k: v for k, v in a.facts.items() if k not in _LOOSE_FACTS}
    facts_b = {k: v for k, v in b.facts.items() if k not in _LOOSE_FACTS}
    if _tallies(a, b):
        return True  # "casualties" and "the victims": one toll without a figure
    if facts_a != facts_b:
        return False
    if a.names & b.names:
        return True
    about_a, about_b = {x.lower() for x in a.about}, {x.lower() for x in b.about}
    if a.names and b.names:
        return False  # named things, and not the same ones: two claims
    return about_a == about_b or bool(about_a & about_b)
