"""Country names, in English and Russian, from the ISO 3166 list that pycountry keeps.

Grounding uses them to notice an article set in another country: a border clash in a
neighbouring state reported with the story's own words (casualties, a state of emergency,
the same alliance) is not news of the story.
"""

from __future__ import annotations

import gettext
import re
from functools import lru_cache

import pycountry

# Names coverage uses that the ISO list does not (it has "Russian Federation", "Czechia").
_EVERYDAY = {
    "RU": ("Russia", "Россия"),
    "CZ": ("Czech Republic",),
    "GB": ("Britain", "Great Britain", "UK", "Великобритания"),
    "US": ("US", "USA", "U.S.", "США"),
    "AE": ("UAE",),
}


# ISO names that are also a person's first name, a US state or a common word.
_AMBIGUOUS = frozenset({"Georgia", "Jordan", "Chad", "Jersey", "Guernsey", "Грузия"})


def _short(name: str) -> str:
    """ "Iran, Islamic Republic of" -> "Iran"; "Falkland Islands (Malvinas)" -> the islands."""
    return re.sub(r"\s*\(.*?\)", "", name.split(",")[0]).strip()


@lru_cache(maxsize=1)
def _names() -> dict[str, str]:
    """Every name, as written -> its country's two-letter code."""
    russian = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["ru"])
    found: dict[str, str] = {}
    for country in pycountry.countries:
        code = country.alpha_2
        english = [country.name, getattr(country, "common_name", None)]
        names = {_short(n) for n in english if n} | {_short(russian.gettext(country.name))}
        names |= set(_EVERYDAY.get(code, ()))
        for name in names - _AMBIGUOUS:
            found.setdefault(name, code)
    return found


_CAPITALISED = re.compile(r"(?<![\w.])[A-ZÀ-ÖØ-ÞА-ЯЁ][\w'’.-]*")
_CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)


@lru_cache(maxsize=1)
def _by_first_word() -> dict[str, list[tuple[str, str]]]:
    """First word (a Russian one without its case ending) -> the names it opens, longest first."""
    index: dict[str, list[tuple[str, str]]] = {}
    for name, code in sorted(_names().items(), key=lambda item: -len(item[0])):
        first = name.split()[0]
        if _CYRILLIC.search(first):
            if " " in name:
                continue  # a Russian name of several words changes every word's ending
            first = _russian_stem(first)
        index.setdefault(first, []).append((name, code))
    return index


def _russian_stem(word: str) -> str:
    return word[:-1] if word[-1] in "аяиыйьоеу" else word


def countries_named(text: str) -> frozenset[str]:
    """The two-letter codes of the countries ``text`` names (as written: "us" is not the US)."""
    index = _by_first_word()
    found = set()
    for match in _CAPITALISED.finditer(text):
        for key in _keys(match.group()):
            for name, code in index.get(key, ()):
                if _CYRILLIC.search(key) or _written_whole(text, match.start(), name):
                    found.add(code)  # a Russian key is a one-word name already
                    break
    return frozenset(found)


def _written_whole(text: str, start: int, name: str) -> bool:
    """``name`` stands at ``start`` and is not the beginning of a longer word."""
    end = start + len(name)
    return text.startswith(name, start) and not text[end : end + 1].isalnum()


def _keys(word: str) -> list[str]:
    """The index keys a capitalised word may stand for: as written, without a closing full
    stop, or (Russian) without up to three letters of case ending."""
    if _CYRILLIC.search(word):
        return [word[: len(word) - cut] for cut in range(4) if len(word) - cut >= 4]
    return list(dict.fromkeys([word, word.rstrip(".")]))


def country_name(code: str) -> str:
    """A two-letter code's everyday English name ("KG" -> "Kyrgyzstan")."""
    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        return code
    return _short(getattr(country, "common_name", None) or country.name)
