"""The story's own names in an article, by kind, with the aliases the article itself uses.

No tagger: names are runs of capitalised words (joined by "of", "the", initials and numbers:
"Port of Baltimore", "Paul J. Wiedefeld", "Interstate 695"), and a run's kind comes from its
own words ("... Bridge", "... Department"), the words before it ("the container ship X",
"Governor X", "in X") or a speech verb after it ("X said"). Aliases come from the article:
an acronym in brackets or used alone ("NTSB"), a surname used alone ("Moore"), the last words
of a long name ("Key Bridge"), a road's other spelling ("I-695"), and an adjective sharing a
place's stem ("Kazakh" for "Kazakhstan").
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from claimwatch.terms import PatternSet


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_ABBREVIATED = r"(?:Gov|Sen|Rep|Gen|Adm|Capt|Col|Lt|Dr|Mr|Mrs|Ms|Prof|St|Mt|Jr|Sr)\."
_WORD = rf"(?:{_ABBREVIATED}|[A-Z]\.|[A-ZÀ-ÖØ-ÞА-ЯЁ][\w’'-]*)"
_RUN = re.compile(
    rf"(?<![\w’'-]){_WORD}"
    rf"(?:\s+(?:(?:of|the|de|for|and|on|du|al|bin|von|van)\s+)?(?:{_WORD}|\d+[A-Z]?\b))*"
)
_ROAD = re.compile(
    r"\b(?:(?P<kind>Interstate|Route|Highway|State Route|U\.S\. Route|US Route|Motorway)\s+"
    r"(?P<n>\d{1,4}[A-Z]?)|(?P<short>I|US|SR|M|A)-(?P<n2>\d{1,4}))\b"
)
_VESSEL = re.compile(
    r"\b(?:ship|vessel|freighter|tanker|carrier|containership|boat|barge|ferry|yacht)"
    r"(?:\s*,)?\s+(?:the\s+)?(?:[\d,.]+[-\s](?:foot|feet|metre|meter|m)(?:-long)?\s+)?"
    r"(?P<name>[A-Z][\w’'-]+(?:\s+[A-Z][\w’'-]+){0,2})"
    r"|\b(?:the\s+)?[\d,.]+-(?:foot|metre|meter)(?:-long)?\s+(?P<name2>[A-Z][\w’'-]+)"
    r"|\b(?:MV|M/V|MS|MT|SS)\s+(?P<name3>[A-Z][\w’'-]+(?:\s+[A-Z][\w’'-]+){0,2})"
)
_TITLES = _words(
    "Governor Gov. Mayor Secretary President Minister Senator Sen. Rep. Representative "
    "Chairman Chairwoman Chair Director Chief Commissioner Ambassador General Gen. Adm. "
    "Admiral Capt. Captain Judge Prosecutor Spokesman Spokeswoman Spokesperson Premier "
    "Chancellor King Queen Prince Sheriff Superintendent Officer Commander Colonel Col. Lt. "
    "Dr. Mr. Mrs. Ms. Prof."
)
_ORG_WORDS = _words(
    "Board Authority Department Agency Administration Commission Committee Council Ministry "
    "Office Police Guard Service Services Bureau Organization Organisation Corps Court "
    "Parliament Army Navy Forces Company Corp Corp. Inc Inc. Ltd Ltd. Group Association Union "
    "Fund Bank Institute University Assembly Congress Senate Cabinet Government Party Agency "
    "Center Centre Coalition Alliance Federation Authority Directorate Inspectorate Branch "
    "Division Unit Secretariat Command Commissioner"
)
_BRIDGE_WORDS = _words("Bridge Causeway Skyway Viaduct Tunnel Overpass Span Dam")
_BUILDING_WORDS = _words("Tower Towers Building Hall Hotel Mall Stadium Airport Station Plant")
_MEDIA_WORDS = _words(
    "Post Times News Tribune Journal Reuters AP AFP Press Herald Gazette Telegraph Guardian "
    "Monitor Chronicle Daily Weekly Magazine TV Radio Network Channel"
)
_LOCATIVE = _words("in at near from outside across into off on")
_PLACE_OF = re.compile(
    r"\b(?:city|town|village|region|province|state|county|district|port|capital|oblast|"
    r"republic)\s+of\s*$",
    re.I,
)
_PLACE_FIRST = _words("Port Gulf Bay Lake Mount Cape River Strait Canal Sea Lake Gulf Isle")
_DIRECTIONS = _words(
    "Western Eastern Northern Southern Central West East North South Upper Lower Greater"
)
_SPEECH = re.compile(r"^\s*(?:,\s*)?(?:said|says|told|added|noted|stated|announced|confirmed)\b")
_SPEECH_BEFORE = re.compile(r"\b(?:said|says|told|according to)\s*$")
_DATELINE = re.compile(r"^\s*(?:,[^—–-]{0,30})?\s*[—–-]")
_ADJECTIVE_SUFFIXES = ("-flagged", "-based", "-born", "-led", "-backed", "-owned", "-registered")
_NOT_NAMES = _words(
    "The A An This That These Those It He She They We I You His Her Their Its Our But And Or "
    "If When While After Before As At In On Of For To From With By According However "
    "Meanwhile Officials Authorities Police Two Three Four Five Six Seven Eight Nine Ten One "
    "AM PM EDT EST EST. UTC GMT BST CET CST PST Monday Tuesday Wednesday Thursday Friday "
    "Saturday Sunday January February March April May June July August September October "
    "November December Mayday Image Photo Video Watch Read Update Updated Breaking Live "
    "Also Still Then There Here Now Today Yesterday Tomorrow Unfortunately Currently Earlier "
    "Later Yet So Thanks Such Some Many Most Several All Both Each Every Other Another Dr Mr "
    "Mrs Ms D R I"
)
EVERYWHERE = 0.2  # named in this share of the sentences: the setting, not one claim's thing
KINDS_ORDER = ("vessel", "bridge", "road", "building", "place", "organisation", "person")
MAX_PER_KIND = 6


@dataclass
class Entity:
    """One named thing of the story: its kind, its names as written, how often it occurs."""

    kind: str
    names: list[str] = field(default_factory=list)
    count: int = 0
    everywhere: bool = False  # named in much of the article: the story's own setting

    @property
    def pattern(self) -> str:
        return "|".join(dict.fromkeys(n for n in self.names if n))


def find_entities(sentences: Iterable[str]) -> dict[str, list[Entity]]:
    """The article's entities by kind, most mentioned first (at most ``MAX_PER_KIND``)."""
    texts = list(sentences)
    found: dict[tuple[str, str], Entity] = {}
    for text in texts:
        for kind, name in _mentions(text):
            key = (kind, name.lower())
            entity = found.setdefault(key, Entity(kind, [name]))
            entity.count += 1
    entities = _merge(list(found.values()))
    _add_aliases(entities, " \n".join(texts))
    entities = _drop_covered(entities)
    for entity in entities:
        named = PatternSet.of([entity.pattern]) if entity.pattern else None
        mentions = sum(1 for t in texts if named is not None and named.matches(t))
        entity.count = max(entity.count, mentions)
        entity.everywhere = mentions >= max(3, len(texts) * EVERYWHERE)
    by_kind: dict[str, list[Entity]] = defaultdict(list)
    for entity in sorted(entities, key=lambda e: -e.count):
        if len(by_kind[entity.kind]) < MAX_PER_KIND:
            by_kind[entity.kind].append(entity)
    return {kind: by_kind[kind] for kind in KINDS_ORDER if by_kind.get(kind)}


def _mentions(text: str) -> Iterable[tuple[str, str]]:
    taken: list[tuple[int, int]] = []
    for m in _ROAD.finditer(text):
        taken.append(m.span())
        yield "road", m.group()
    for m in _VESSEL.finditer(text):
        group = "name" if m.group("name") else ("name2" if m.group("name2") else "name3")
        name = _trim(m.group(group))
        if name and name.split()[0] not in _NOT_NAMES:
            taken.append(m.span(group))
            yield "vessel", name
    for m in _RUN.finditer(text):
        if any(a <= m.start() < b for a, b in taken):
            continue
        yield from _classify(text, m.start(), m.end())


def _trim(name: str) -> str:
    words = name.split()
    while words and (words[-1] in _NOT_NAMES or words[-1].lower() in ("of", "the", "and")):
        words.pop()
    name = " ".join(words).removesuffix("’s").removesuffix("'s").rstrip(".,")
    return name.removesuffix("’s").removesuffix("'s")


def _classify(text: str, start: int, end: int) -> Iterable[tuple[str, str]]:
    words = text[start:end].split()
    while words and (words[0].rstrip(".") in _NOT_NAMES or words[0] in _DIRECTIONS):
        words.pop(0)
        start = text.index(words[0], start) if words else end
    if not words or words[-1].endswith(_ADJECTIVE_SUFFIXES):
        return
    titled = [i for i, w in enumerate(words) if w in _TITLES]
    if titled:
        person = _trim(" ".join(words[titled[-1] + 1 :]))
        if person and person[0].isupper() and person.split()[0] not in _NOT_NAMES:
            yield "person", person
        before = _trim(" ".join(words[: titled[0]]))
        if before and len(before.split()) == 1 and before not in _NOT_NAMES:
            yield "place", before  # "Baltimore Mayor X", "Maryland Governor X"
        return
    name = _trim(" ".join(words))
    if not name or (len(name) < 3 and not name.isupper()):
        return
    if name.isupper() and _DATELINE.match(text[end:]):
        return  # "TEHRAN — ...": where the report was filed
    kind = _kind(name, text, start, end)
    if kind:
        yield kind, name


def _kind(name: str, text: str, start: int, end: int) -> str | None:
    words = name.split()
    last = words[-1]
    if any(w in _MEDIA_WORDS for w in words):
        return None
    if last in _BRIDGE_WORDS:
        return "bridge"
    if last in _BUILDING_WORDS:
        return "building"
    if words[0] in _PLACE_FIRST and len(words) >= 2:
        return "place"
    if any(w in _ORG_WORDS for w in words) or (name.isupper() and 2 <= len(name) <= 6):
        return "organisation"
    before = text[max(0, start - 16) : start].lower().split()
    if (before and before[-1] in _LOCATIVE) or (
        len(before) >= 2 and before[-2] in _LOCATIVE and before[-1] == "the"
    ):
        return "place"
    if _PLACE_OF.search(text[max(0, start - 20) : start]):
        return "place"
    if _SPEECH.match(text[end:]) or (len(words) >= 2 and _SPEECH_BEFORE.search(text[:start])):
        return "person"
    return None


def _merge(entities: list[Entity]) -> list[Entity]:
    """A name written inside a longer one of the same story ("Wiedefeld" and "Paul J.
    Wiedefeld") is one entity; the longest name leads."""
    entities.sort(key=lambda e: -len(e.names[0]))
    merged: list[Entity] = []
    for entity in entities:
        name = entity.names[0]
        home = next(
            (
                m
                for m in merged
                if m.kind in (entity.kind, "place", "person")
                and re.search(rf"(?<!\w){re.escape(name)}(?!\w)", m.names[0])
            ),
            None,
        )
        if home is None:
            merged.append(entity)
        else:
            home.count += entity.count
            home.names.append(name)
    return merged


def _drop_covered(entities: list[Entity]) -> list[Entity]:
    """An entity all of whose names another entity already has ("Kazakh" once the country
    took it as an alias) is that entity."""
    kept: list[Entity] = []
    for entity in sorted(entities, key=lambda e: -len(e.names)):
        home = next(
            (k for k in kept if {n.lower() for n in entity.names} <= {n.lower() for n in k.names}),
            None,
        )
        if home is None:
            kept.append(entity)
        else:
            home.count += entity.count
    return kept


def _add_aliases(entities: list[Entity], text: str) -> None:
    for entity in entities:
        first = entity.names[0]
        words = first.split()
        if entity.kind == "road":
            entity.names.extend(_road_aliases(first))
        if entity.kind == "bridge" and len(words) >= 3:
            entity.names.append(" ".join(words[-2:]))  # "Key Bridge"
        if entity.kind == "person" and len(words) >= 2 and _used_alone(words[-1], text):
            entity.names.append(words[-1])
        if entity.kind == "organisation":
            entity.names.extend(_acronyms(first, text))
        if entity.kind == "place":
            entity.names.extend(_stem_adjectives(first, text))


def _road_aliases(name: str) -> list[str]:
    number = re.search(r"\d+[A-Z]?", name)
    if number is None:
        return []
    n = number.group()
    if name.startswith(("Interstate", "I-")):
        return [f"Interstate {n}", f"I-{n}"]
    return [n] if len(n) >= 3 else []


def _used_alone(word: str, text: str) -> bool:
    return len(re.findall(rf"(?<![\w.]\s)(?<!\w){re.escape(word)}(?!\w)", text)) >= 2


def _acronyms(name: str, text: str) -> list[str]:
    """ "National Transportation Safety Board (NTSB)", or its initials used in the text."""
    initials = "".join(w[0] for w in name.split() if w[0].isupper())
    found = [initials] if len(initials) >= 3 and re.search(rf"\b{initials}\b", text) else []
    bracket = re.search(rf"{re.escape(name)}\s*\((?P<a>[A-Z]{{2,8}})\)", text)
    if bracket:
        found.append(bracket.group("a"))
    return found


def _stem_adjectives(place: str, text: str) -> list[str]:
    """ "Kazakh" beside "Kazakhstan", "Mexican" beside "Mexico": a capitalised word sharing
    the place's first five letters names it too."""
    if len(place) < 6 or " " in place:
        return []
    stem = place[:5]
    words = Counter(re.findall(rf"\b{re.escape(stem)}\w*", text))
    return [w for w in words if w != place and w[0].isupper()]
