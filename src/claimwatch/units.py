"""Units of measure written after (or, for money, before) a figure, and their conversions.

"948-foot", "984 feet", "300 metres", "289m", "1.6 miles", "$1.7 billion", "€20m", "120 tenge":
each unit has a dimension and a factor to that dimension's base unit (metres, kilograms,
litres, square metres, metres per second), so that "289 m" and "948 ft" compare as equal. Money
compares only within one currency: no exchange rates are assumed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from claimwatch.matching.figures import Figure


@dataclass(frozen=True, slots=True)
class Unit:
    name: str
    dimension: str  # "length", "mass", "volume", "area", "speed" or "currency:<code>"
    factor: float  # to the dimension's base unit


def _units(dimension: str, table: dict[str, tuple[float, str]]) -> dict[str, Unit]:
    return {
        spelling: Unit(name, dimension, factor)
        for name, (factor, spellings) in table.items()
        for spelling in spellings.split("|")
    }


_FOOT = 0.3048
UNITS: dict[str, Unit] = {
    **_units(
        "length",
        {
            "m": (1.0, "m|metre|metres|meter|meters|metre-long|meter-long|метр|метра|метров"),
            "km": (1000.0, "km|kilometre|kilometres|kilometer|kilometers|км|километр|километров"),
            "cm": (0.01, "cm|centimetre|centimetres|centimeter|centimeters"),
            "ft": (_FOOT, "ft|foot|feet|foot-long|feet-long|-foot|фут|футов"),
            "in": (0.0254, "inch|inches"),
            "yd": (0.9144, "yard|yards"),
            "mi": (1609.344, "mi|mile|miles|mile-long|миля|мили|миль"),
            "nmi": (1852.0, "nautical mile|nautical miles"),
        },
    ),
    **_units(
        "mass",
        {
            "t": (1000.0, "t|tonne|tonnes|ton|tons|metric tons|тонна|тонны|тонн"),
            "kg": (1.0, "kg|kilogram|kilograms|kilo|kilos|кг|килограмм|килограммов"),
            "lb": (0.45359237, "lb|lbs|pound|pounds"),
        },
    ),
    **_units(
        "volume",
        {
            "l": (1.0, "l|litre|litres|liter|liters|литр|литра|литров"),
            "gal": (3.785411784, "gal|gallon|gallons"),
            "bbl": (158.987294928, "bbl|barrel|barrels|баррель|барреля|баррелей"),
            "m3": (1000.0, "cubic metres|cubic meters|m3|кубометров"),
        },
    ),
    **_units(
        "area",
        {
            "ha": (10_000.0, "ha|hectare|hectares|гектар|гектаров"),
            "acre": (4046.8564224, "acre|acres"),
            "km2": (1e6, "sq km|square kilometres|square kilometers|km2|кв км"),
            "mi2": (2_589_988.11, "sq mi|square miles|square mile"),
            "ft2": (0.09290304, "sq ft|square feet|square foot"),
        },
    ),
    **_units(
        "speed",
        {
            "kn": (0.514444, "kn|knot|knots|узел|узла|узлов"),
            "mph": (0.44704, "mph|miles per hour"),
            "kmh": (1 / 3.6, "km/h|kph|kilometres per hour|kilometers per hour|км/ч"),
        },
    ),
}
CURRENCIES: dict[str, str] = {
    "$": "USD",
    "us$": "USD",
    "dollar": "USD",
    "dollars": "USD",
    "usd": "USD",
    "€": "EUR",
    "euro": "EUR",
    "euros": "EUR",
    "eur": "EUR",
    "£": "GBP",
    "gbp": "GBP",
    "sterling": "GBP",
    "tenge": "KZT",
    "kzt": "KZT",
    "тенге": "KZT",
    "rouble": "RUB",
    "roubles": "RUB",
    "ruble": "RUB",
    "rubles": "RUB",
    "rub": "RUB",
    "рубль": "RUB",
    "рубля": "RUB",
    "рублей": "RUB",
    "yuan": "CNY",
    "yen": "JPY",
    "rupees": "INR",
}
_AFTER = re.compile(
    r"[\s-]*(?P<unit>"
    + "|".join(
        re.escape(s).replace(r"\ ", r"\s+")
        for s in sorted({*UNITS, *CURRENCIES}, key=len, reverse=True)
        if not s.startswith(("$", "€", "£", "-"))
    )
    + r")(?![\w/])",
    re.IGNORECASE,
)
_BEFORE = re.compile(r"(?P<sign>US\$|\$|€|£)\s*$", re.IGNORECASE)
_SCALE_WORD = re.compile(
    r"\s*(?:million|billion|trillion|thousand|mn|bn|m|млн|млрд|тыс\.?)\b", re.IGNORECASE
)


def unit_named(name: str) -> Unit | None:
    """The unit a baseline names (``ft``, ``metres``, ``USD``...), or None."""
    key = name.strip().lower()
    if key in UNITS:
        return UNITS[key]
    code = CURRENCIES.get(key) or (key.upper() if key.upper() in CURRENCIES.values() else None)
    if key == "currency":
        code = "ANY"
    return Unit(code, f"currency:{code}", 1.0) if code else None


def unit_of(sentence: str, figure: Figure) -> Unit | None:
    """The unit written with ``figure`` in ``sentence``, if any."""
    sign = _BEFORE.search(sentence, max(0, figure.start - 4), figure.start)
    if sign is not None or _has_sign(figure.text):
        key = (sign.group("sign") if sign else _sign_in(figure.text)).lower()
        code = CURRENCIES.get(key, "USD")
        return Unit(code, f"currency:{code}", 1.0)
    end = figure.end
    scale = _SCALE_WORD.match(sentence, end)
    if scale is not None and figure.value >= 1e3:
        end = scale.end()  # "15 million dollars": the scale is already in the value
    after = _AFTER.match(sentence, end)
    if after is None:
        return None
    key = " ".join(after.group("unit").lower().split())
    if key in CURRENCIES:
        code = CURRENCIES[key]
        return Unit(code, f"currency:{code}", 1.0)
    if key == "m" and _money_scale(sentence, figure):
        return None  # "$15m" is money, caught above; "15m" alone stays metres
    return UNITS.get(key) or UNITS.get(key.rstrip("s"))


def _has_sign(text: str) -> bool:
    return any(s in text for s in ("$", "€", "£"))


def _sign_in(text: str) -> str:
    return next(s for s in ("US$", "$", "€", "£") if s in text)


def _money_scale(sentence: str, figure: Figure) -> bool:
    return _BEFORE.search(sentence, max(0, figure.start - 4), figure.start) is not None


def comparable(claim: Unit, found: Unit) -> bool:
    """Same dimension; any currency matches a claim in unnamed ``currency``."""
    if claim.dimension == "currency:ANY":
        return found.dimension.startswith("currency:")
    return claim.dimension == found.dimension


def convert(value: float, source: Unit, target: Unit) -> float:
    """``value`` in ``source`` units expressed in ``target`` units (same dimension)."""
    return value * source.factor / target.factor
