"""Is a sentence about the story's event, or about another one told with the same words?

Coverage recalls similar events: another ship that hit another bridge, an earlier year, a
neighbouring country. A sentence is *grounded* in the story when it names one of the
baseline's entities; it is about a *rival* when it names another thing of a kind the story
has (another vessel, bridge, road: "the Ever Forward", "the Brooklyn Bridge") or is set in an
earlier year only. A sentence that names neither refers back ("the ship", "it") to the last
one that did in its paragraph, or else to what the article's headline and opening are about.
A sentence that names both goes with the name nearer the words that decided a verdict.

An article that never names the story's places but opens on another country (a border clash
next door, told with the story's casualties and alliances) is set elsewhere: what its
sentences say without naming the story is not the story's.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from claimwatch.claims import Baseline
from claimwatch.matching.countries import countries_named, country_name
from claimwatch.matching.dates import about_an_earlier_year


def _words(text: str) -> tuple[str, ...]:
    """A word list written as one string (keeps the long vocabularies readable)."""
    return tuple(text.split())


# Nouns that name a thing of each kind: "the container ship X", "the X Bridge".
_KIND_NOUNS: dict[str, tuple[str, ...]] = {
    "vessel": (
        "ship",
        "vessel",
        "freighter",
        "tanker",
        "barge",
        "tugboat",
        "container ship",
        "containership",
        "cargo ship",
        "bulk carrier",
        "boat",
        "ferry",
        "cruise ship",
        "yacht",
        "navy ship",
        "warship",
        "training ship",
        "trawler",
        "carrier",
        "судно",
        "сухогруз",
        "танкер",
        "контейнеровоз",
    ),
    "bridge": ("bridge", "causeway", "skyway", "viaduct", "overpass", "span", "мост"),
    "road": ("interstate", "highway", "freeway", "motorway", "expressway", "turnpike", "parkway"),
    "aircraft": ("flight", "airliner", "jet", "plane", "helicopter", "рейс", "самолет", "самолёт"),
    "train": ("train", "freight train", "locomotive", "поезд"),
    "building": ("building", "tower", "hotel", "mall", "stadium", "factory", "plant", "здание"),
}
_VESSEL_PREFIX = r"(?:MV|M/V|MS|MT|SS|HMS|USS|RMS)"
_NAME = r"(?:[A-ZÀ-ÖØ-ÞА-ЯЁ][\w’'.-]*(?:\s+(?:of\s+|de\s+|la\s+)?[A-ZÀ-ÖØ-ÞА-ЯЁ][\w’'.-]*){0,3})"


@lru_cache(maxsize=32)
def _after_noun(nouns: tuple[str, ...]) -> re.Pattern[str]:
    """ "the container ship Ever Forward", "MV Summit Venture"."""
    joined = "|".join(re.escape(n) for n in sorted(nouns, key=len, reverse=True))
    return re.compile(rf"(?:\b(?:{joined})\s+(?:the\s+)?|\b{_VESSEL_PREFIX}\s+)(?P<name>{_NAME})")


@lru_cache(maxsize=32)
def _before_noun(nouns: tuple[str, ...]) -> re.Pattern[str]:
    """ "the Brooklyn Bridge", "Pelican Island Causeway", "Interstate 95" (a number names too)."""
    joined = "|".join(re.escape(n.title()) for n in sorted(nouns, key=len, reverse=True))
    return re.compile(rf"(?P<name>{_NAME})\s+(?:{joined})\b")


# Capitalised words that open a phrase without naming a thing ("The ship", "Mexican navy").
_NOT_A_NAME = frozenset(
    _words(
        "The A An This That Its His Her Their Our Another Other Same Each Every One Two Three "
        "Container Cargo Navy Mexican Chinese Indian American British Russian Federal State "
        "City New Old Former Collapsed Damaged Broken Largest Second First Tuesday Monday "
        "Wednesday Thursday Friday Saturday Sunday"
    )
)


@dataclass(frozen=True, slots=True)
class Mention:
    start: int
    end: int
    story: bool  # one of the baseline's entities (False: a rival of the same kind)
    name: str = ""  # the words named (quoted by ``scan --explain``)
    kind: str = ""  # the entity kind ("vessel")


@dataclass(frozen=True, slots=True)
class Grounding:
    """Per sentence: the mentions it holds and the focus it inherits when it holds none."""

    mentions: tuple[Mention, ...]
    inherited: bool | None  # story (True), rival (False) or unknown (None)
    earlier_year: bool = False  # set in an earlier year only (``dates.about_an_earlier_year``)
    origin: Mention | None = None  # the earlier mention the inherited focus comes from
    setting: str | None = None  # the article is set elsewhere: the countries its headline names

    def grounded(self, span: tuple[int, int] | None = None) -> bool:
        """Is the sentence (or the words at ``span``) about the story?"""
        if not self.mentions:
            return self.inherited is not False
        kinds = {m.story for m in self.mentions}
        if len(kinds) == 1 or span is None:
            return next(iter(kinds)) if len(kinds) == 1 else self.inherited is not False
        nearest = min(self.mentions, key=lambda m: _gap(m, span))
        return nearest.story

    def why(self, span: tuple[int, int] | None) -> str:
        """Why ``grounded(span)`` is False, in words (for ``scan --explain``)."""
        if self.mentions:
            rival = min(self.mentions, key=lambda m: _gap(m, span or (0, 0)))
            if not rival.story:
                return f"the sentence names another {rival.kind or 'one'}, “{rival.name}”"
        if self.earlier_year:
            return "the sentence is set in an earlier year"
        if self.setting:
            return f"the article is set in {self.setting} and the sentence names no story name"
        origin = self.origin
        if origin is _EARLIER:
            return "the sentence follows one set in an earlier year"
        if origin is not None and not origin.story:
            return f"the sentence refers back to another {origin.kind}, “{origin.name}”"
        return "the sentence names none of the story's own names"


def _gap(mention: Mention, span: tuple[int, int]) -> int:
    if mention.end <= span[0]:
        return span[0] - mention.end
    if span[1] <= mention.start:
        return mention.start - span[1]
    return 0


def mentions(sentence: str, baseline: Baseline) -> list[Mention]:
    """The story's entities and the rival names of the same kinds, in order."""
    found: list[Mention] = []
    for entity in baseline.entities:
        for pattern in entity.names.patterns:
            found.extend(
                Mention(a, b, True, sentence[a:b], entity.kind)
                for a, b in pattern.group_spans(sentence, 0)
            )
    kinds = {e.kind for e in baseline.entities}
    for kind in kinds & _KIND_NOUNS.keys():
        found.extend(_rivals(sentence, kind, found))
    return sorted(found, key=lambda m: m.start)


def _rivals(sentence: str, kind: str, own: list[Mention]) -> list[Mention]:
    nouns = _KIND_NOUNS[kind]
    rivals = []
    for regex in (_after_noun(nouns), _before_noun(nouns)):
        for m in regex.finditer(sentence):
            name = m.group("name")
            start, end = m.start("name"), m.end("name")
            if name.split()[0] in _NOT_A_NAME or any(o.start < end and start < o.end for o in own):
                continue
            rivals.append(Mention(start, end, False, name, kind))
    return rivals


def ground(
    units: Sequence[tuple[str, int]], baseline: Baseline, story_year: int
) -> list[Grounding]:
    """The grounding of each (sentence, paragraph) in order; the title is paragraph -1."""
    past = [about_an_earlier_year(text, story_year) for text, _ in units]
    if not baseline.entities:
        return [Grounding((), None, earlier) for earlier in past]
    found = [mentions(text, baseline) for text, _ in units]
    setting = _set_elsewhere(units, found, baseline)
    article, opening = (False, None) if setting else _article_focus(units, found)
    out, paragraph = [], None
    origin = opening
    for (_, number), own, earlier in zip(units, found, past, strict=True):
        if number != paragraph:
            origin, paragraph = opening, number
        focus = article if origin is None else origin.story
        inherited = False if earlier and not own else focus
        out.append(Grounding(tuple(own), inherited, earlier, origin, setting or None))
        origin = own[0] if own else _EARLIER if earlier else origin
    return out


# The focus of the sentences that follow comes from the first name a sentence gives, or,
# when it gives none but is set in an earlier year, from that year (the story's not in focus).
_EARLIER = Mention(0, 0, False)


_PLACE_KINDS = ("place", "country")


def _set_elsewhere(
    units: Sequence[tuple[str, int]], found: list[list[Mention]], baseline: Baseline
) -> str:
    """The story has places, the article names none of them, and its headline names none of
    the story's names but a country the baseline never does: those countries ("" if not)."""
    places = [e.names for e in baseline.entities if e.kind in _PLACE_KINDS]
    if not units or not places:
        return ""
    article = "\n".join(text for text, _ in units)
    if any(p.matches(article) for p in places):
        return ""
    headline = [i for i, (_, n) in enumerate(units) if n == -1] or [0]
    if any(found[i] for i in headline):
        return ""
    named = countries_named(" ".join(units[i][0] for i in headline))
    if not named:
        return ""
    story = f"{baseline.title}\n" + "\n".join(c.statement for c in baseline.claims)
    return ", ".join(sorted(country_name(c) for c in named - countries_named(story)))


def _article_focus(
    units: Sequence[tuple[str, int]], found: list[list[Mention]]
) -> tuple[bool | None, Mention | None]:
    """What the headline and the opening paragraph name first (and that mention)."""
    opening = {units[0][1], units[0][1] + 1} if units else set()
    for (_, number), own in zip(units, found, strict=True):
        if number not in opening and number != -1:
            break
        if own:
            return own[0].story, own[0]
    return None, None
