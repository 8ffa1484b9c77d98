"""Country names in text, as grounding reads them (English and Russian, as written)."""

from __future__ import annotations

import pytest

from claimwatch.matching.countries import countries_named


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("Clashes on the border with Tajikistan", {"TJ"}),
        ("Troops flew from Russia to Kazakhstan.", {"RU", "KZ"}),
        ("Talks in Iran and the United States", {"IR", "US"}),
        ("Officials in the U.S. and the UK", {"US", "GB"}),
        ("Bosnia and Herzegovina, South Korea", {"BA", "KR"}),
        ("give us the facts; we turkeys", set()),  # as written: "us" is not the US
        ("Georgia ports and Jordan's speech", set()),  # also a US state, a first name
        ("Войска вернулись из Казахстана в Россию", {"KZ", "RU"}),
        ("на границе Киргизии и Таджикистана", {"KG", "TJ"}),
    ],
)
def test_countries_named(text: str, codes: set[str]) -> None:
    assert countries_named(text) == codes
