"""Words of a sentence -> baseline terms cut to a stem* (names are ``draft.entities``).

No tagger: a draft only has to give the user a sensible start. Words count as content unless
they are function words or reporting verbs ("said", "noted"), which say nothing about the
claim.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


STOPWORDS = _words(
    "a an the and or but nor so yet of in on at to for from by with without within into onto "
    "over under about above below after before during since until upon via per as than then "
    "this that these those there here it its it's they them their theirs he him his she her "
    "we us our you your i me my who whom whose which what when where why how all any some "
    "each every both either neither no not none only also even just still very more most "
    "much many such other another same own is are was were be been being am has have had "
    "having do does did doing will would shall should can could may might must one two "
    "if because while although though whether due according upon against among between "
    "mr mrs ms up down out off again further once well so-called currently throughout "
    "including despite regarding amid around toward towards across behind beside "
    "и в во на с со к по за из от до для о об а но что как это этот эта эти он она они "
    "мы вы его ее их не ни же ли бы был была были было будет будут быть также уже"
)
# Verbs that introduce speech: the claim is what was said, not that it was said.
REPORTING = _words(
    "said says say told tells noted notes added adds stressed stresses asserted asserts "
    "remarked remarks reiterated reiterates concluded concludes emphasized emphasised "
    "emphasizes stated states explained explains claimed claims announced announces "
    "sunday monday tuesday wednesday thursday friday saturday interview exclusive "
    "заявил заявила сообщил сообщила отметил отметила добавил добавила подчеркнул"
)
# Nouns and modifiers that fit any story: never a claim's own term.
GENERIC = _words(
    "diplomat diplomats ambassador official officials spokesman spokeswoman spokesperson "
    "situation country countries number result results part side way time times thing "
    "things people today yesterday tomorrow important unfortunately specific forward even "
    "particular certain various several whole entire full fully soon immediately promptly"
)
_TOKEN = re.compile(r"[^\W\d_](?:[\w'’-]*\w)?")
_SUFFIXES = (
    "ations", "itions", "ments", "ingly", "ings", "ing", "ily", "ly", "ers", "ies", "ied",
    "ed", "es", "s", "e",
)  # fmt: skip
_KEEP = ("ation", "ition", "ment", "ness", "ship")  # cut only their plural: "operation*"
_RU_SUFFIXES = (
    "ями", "ами", "ого", "ему", "ыми", "ими", "ией", "ия", "ий", "ый", "ой", "ая", "ое", "ые",
    "ых", "ах", "ях", "ом", "ем", "ов", "ев", "а", "я", "ы", "и", "е", "о", "у", "ю", "ь",
)  # fmt: skip
_CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Word:
    """One word as written: ``sentence[start:end] == text``."""

    text: str
    start: int
    end: int

    @property
    def lower(self) -> str:
        return self.text.lower().removesuffix("'s").removesuffix("’s")


def tokens(sentence: str) -> list[Word]:
    return [Word(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(sentence)]


def is_content(word: Word) -> bool:
    low = word.lower
    return len(low) > 2 and low not in STOPWORDS and low not in REPORTING and low not in GENERIC


def stem(word: str) -> str:
    """``peacekeepers`` -> ``peacekeep*``; short words stay whole (``gas``, ``CSTO``)."""
    low = word.lower().removesuffix("'s").removesuffix("’s").replace("’", "'")
    low = re.sub(r"[^\w-]", "", low)
    if len(low) <= 4:
        return low
    suffixes = _RU_SUFFIXES if _CYRILLIC.search(low) else _SUFFIXES
    if low.endswith(_KEEP) or low.endswith(tuple(k + "s" for k in _KEEP)):
        return low.removesuffix("s") + "*"
    for suffix in suffixes:
        shortest = 5 if suffix == "ers" else 4  # "peacekeep*", but "member*" not "memb*"
        if low.endswith(suffix) and len(low) - len(suffix) >= shortest:
            return low[: -len(suffix)] + "*"
    return low + "*" if len(low) >= 7 else low
