"""Figures: the quantities a sentence asserts, the interval each claims, and what is no figure."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from claimwatch.matching.figures import Figure, find_figures
from claimwatch.matching.numerals import find_numerals

INF = math.inf


def read(sentence: str) -> list[tuple[str, float, str]]:
    return [(f.text, f.value, f.approx) for f in find_figures(sentence)]


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Officials counted 2,030 soldiers.", [("2,030", 2030, "exact")]),
        ("Officials counted 2.030 soldiers.", [("2.030", 2030, "exact")]),
        ("Officials counted 2 030 soldiers.", [("2 030", 2030, "exact")]),
        ("Officials counted 2\u00a0030 soldiers.", [("2\u00a0030", 2030, "exact")]),
        ("Officials counted 1,234,567 votes.", [("1,234,567", 1234567, "exact")]),
        ("The index rose 2.5 points.", [("2.5", 2.5, "exact")]),
        ("About 2,500 troops came.", [("About 2,500", 2500, "about")]),
        ("Around 800 officers came.", [("Around 800", 800, "about")]),
        ("Approximately 90 buses left.", [("Approximately 90", 90, "about")]),
        ("Roughly 70 shops closed.", [("Roughly 70", 70, "about")]),
        ("Some 4,000 people marched.", [("Some 4,000", 4000, "about")]),
        ("An estimated 600 cars burned.", [("An estimated 600", 600, "about")]),
        ("Nearly 300 were hurt.", [("Nearly 300", 300, "about")]),
        ("Almost 50 flights left.", [("Almost 50", 50, "about")]),
        ("Close to 120 arrived.", [("Close to 120", 120, "about")]),
        ("More than 200 were held.", [("More than 200", 200, "more_than")]),
        ("Over 1,000 were held.", [("Over 1,000", 1000, "more_than")]),
        ("Upwards of 90 were held.", [("Upwards of 90", 90, "more_than")]),
        ("In excess of 40 were held.", [("In excess of 40", 40, "more_than")]),
        ("At least 164 people died.", [("At least 164", 164, "at_least")]),
        ("No fewer than 30 died.", [("No fewer than 30", 30, "at_least")]),
        ("A minimum of 12 died.", [("A minimum of 12", 12, "at_least")]),
        ("Up to 3,000 may come.", [("Up to 3,000", 3000, "at_most")]),
        ("At most 40 may come.", [("At most 40", 40, "at_most")]),
        ("No more than 25 may come.", [("No more than 25", 25, "at_most")]),
        ("Fewer than 10 came.", [("Fewer than 10", 10, "less_than")]),
        ("Less than 500 came.", [("Less than 500", 500, "less_than")]),
        ("Under 70 came.", [("Under 70", 70, "less_than")]),
        ("3,000 or more came.", [("3,000 or more", 3000, "at_least")]),
        ("A 2,000+ crowd came.", [("2,000+", 2000, "more_than")]),
        ("Some 50-odd came.", [("Some 50", 50, "about")]),
        ("They found 40-odd rifles.", [("40-odd", 40, "about")]),
        ("A 2,500-strong force came.", [("2,500", 2500, "exact")]),
        ("They sent 1.5 million doses.", [("1.5 million", 1_500_000, "exact")]),
        ("They sent 2.5 thousand doses.", [("2.5 thousand", 2500, "exact")]),
        ("They sent 10k doses.", [("10k", 10_000, "exact")]),
        ("They sent two thousand doses.", [("two thousand", 2000, "exact")]),
        ("They sent twelve doses.", [("twelve", 12, "exact")]),
        ("They sent forty-five doses.", [("forty-five", 45, "exact")]),
        ("They sent a hundred doses.", [("a hundred", 100, "exact")]),
        ("They sent a dozen doses.", [("a dozen", 12, "exact")]),
        ("They sent two hundred and fifty doses.", [("two hundred and fifty", 250, "exact")]),
        ("They sent two or three doses.", [("two or three", 2.5, "range")]),
        ("They sent two and a half thousand doses.", [("two and a half thousand", 2500, "exact")]),
        ("They sent half a million doses.", [("half a million", 500_000, "exact")]),
        ("They sent 1 and a half million doses.", [("1 and a half million", 1_500_000, "exact")]),
        ("Only one person was hurt.", [("one", 1, "exact")]),
        ("One of the guards and no one else left.", []),
        ("It was a political act, not a legal one.", []),
        ("Около 10 тысяч человек вышли.", [("Около 10 тысяч", 10_000, "about")]),
        ("Прибыли 2,5 тыс. военных.", [("2,5 тыс.", 2500, "exact")]),
        ("Задержаны более 200 человек.", [("более 200", 200, "more_than")]),
        ("Задержаны свыше 5 тыс. человек.", [("свыше 5 тыс.", 5000, "more_than")]),
        ("Погибли не менее 164 человек.", [("не менее 164", 164, "at_least")]),
        ("Прибыли почти 3 тыс. военных.", [("почти 3 тыс.", 3000, "about")]),
        ("Прибудут до 3 тыс. военных.", [("до 3 тыс.", 3000, "at_most")]),
        ("Прибыли две тысячи военных.", [("две тысячи", 2000, "exact")]),
        ("Прибыли сто военных.", [("сто", 100, "exact")]),
        ("Прибыли тысяча военных.", [("тысяча", 1000, "exact")]),
        ("Прибыли 2 030 военных.", [("2 030", 2030, "exact")]),
        ("Прибыли полторы тысячи военных.", [("полторы тысячи", 1500, "exact")]),
        ("Число погибших выросло до 225.", [("225", 225, "exact")]),
    ],
)
def test_reads_figures(sentence: str, expected: list[tuple[str, float, str]]) -> None:
    assert read(sentence) == expected


@pytest.mark.parametrize(
    ("sentence", "text", "low", "high"),
    [
        ("Between 2,000 and 3,000 came.", "Between 2,000 and 3,000", 2000, 3000),
        ("Some 2,000-3,000 came.", "2,000-3,000", 2000, 3000),
        ("Some 2,000 – 3,000 came.", "2,000 – 3,000", 2000, 3000),
        ("They expect 2,000 to 3,000 troops.", "2,000 to 3,000", 2000, 3000),
        ("They spent 2-3 million.", "2-3 million", 2_000_000, 3_000_000),
        ("They expect two to three thousand troops.", "two to three thousand", 2000, 3000),
        ("Ожидают от 2 до 3 тыс. военных.", "от 2 до 3 тыс.", 2000, 3000),
    ],
)
def test_ranges(sentence: str, text: str, low: float, high: float) -> None:
    (figure,) = find_figures(sentence)
    assert (figure.text, figure.approx, figure.low, figure.high) == (text, "range", low, high)
    assert figure.value == (low + high) / 2


@pytest.mark.parametrize(
    "sentence",
    ["The toll rose from 164 to 225 overnight.", "Число погибших выросло с 164 до 225."],
)
def test_a_change_is_two_figures_not_a_range(sentence: str) -> None:
    assert [(f.value, f.approx) for f in find_figures(sentence)] == [
        (164, "exact"),
        (225, "exact"),
    ]


@pytest.mark.parametrize(
    ("sentence", "low", "high"),
    [
        ("Hundreds of people gathered.", 200, 999),
        ("Thousands of people gathered.", 2000, 9999),
        ("Dozens of people gathered.", 24, 99),
        ("Tens of thousands gathered.", 20_000, 99_999),
        ("Several hundred people gathered.", 200, 999),
        ("Сотни людей собрались.", 200, 999),
        ("Тысячи людей собрались.", 2000, 9999),
        ("Десятки тысяч людей собрались.", 20_000, 99_999),
        ("The damage runs to tens of billions.", 2e10, 99_999_999_999),
    ],
)
def test_vague_counts_are_flagged(sentence: str, low: float, high: float) -> None:
    (figure,) = find_figures(sentence)
    assert figure.vague and figure.approx == "about"
    assert (figure.low, figure.high) == (low, high)


def test_qualified_vague_count() -> None:
    (figure,) = find_figures("More than hundreds of people gathered.")
    assert (figure.approx, figure.low, figure.high, figure.vague) == ("more_than", 200, INF, True)


@pytest.mark.parametrize(
    ("sentence", "approx", "low", "high"),
    [
        ("They held 100 people.", "exact", 100, 100),
        ("They held about 100 people.", "about", 90, 110),
        ("They held nearly 100 people.", "about", 90, 100),
        ("They held more than 100 people.", "more_than", 100, INF),
        ("They held at least 100 people.", "at_least", 100, INF),
        ("They held up to 100 people.", "at_most", 0, 100),
        ("They held fewer than 100 people.", "less_than", 0, 100),
    ],
)
def test_intervals(sentence: str, approx: str, low: float, high: float) -> None:
    (figure,) = find_figures(sentence)
    assert figure.approx == approx
    assert figure.low == pytest.approx(low) and figure.high == pytest.approx(high)


@pytest.mark.parametrize(
    "sentence",
    [
        "Unrest broke out in 2022 across the region.",
        "Since 2011 the town has been quiet.",
        "The 2021-22 season ended.",
        "It started on January 6 in the west.",
        "It started on January 6, 2022 in the west.",
        "It started on 6 January in the west.",
        "It started on Jan. 6 in the west.",
        "It started on 6th January.",
        "It started on January 6-7.",
        "Rallies were held on 4 and 5 January.",
        "Rallies were held on January 4 and 5.",
        "Митинги прошли 4, 5 и 6 января.",
        "Всё началось 6 января 2022 г. на западе.",
        "The decree is dated 06.01.2022 and 2022-01-06.",
        "The post went up at 21:29 local time.",
        "The curfew starts at 10 a.m. and at 11pm.",
        "She came 1st and he came 6th.",
        "Under Article 4 of the treaty, and under Articles 2 and 4.",
        "Resolution No. 3 and Resolution 2254 were cited.",
        "Суд применил статья 272 часть 2 и пункт 3.",
        "Call +7 727 123 4567 or (727) 123-4567 or 555-12-34.",
        "Details at https://example.org/2022/01/06/report-164 and info2500@example.org.",
        "The COVID-19 rules and Su-25 jets and a G7 summit.",
        "In the 1990s and в 90-х годах and 6-й отряд.",
        "The list read 1,5 and then stopped.",
        "The first and second waves passed.",
    ],
)
def test_not_figures(sentence: str) -> None:
    assert read(sentence) == []


def test_years_with_a_qualifier_and_a_noun_are_counts() -> None:
    assert read("About 2000 troops came.") == [("About 2000", 2000, "about")]
    assert read("It was around 2015, the villagers say.") == []


@pytest.mark.parametrize(
    ("sentence", "unit"),
    [
        ("Prices rose 15%.", "percent"),
        ("Prices rose 15 percent.", "percent"),
        ("Prices rose 15 per cent.", "percent"),
        ("Цены выросли на 15 процентов.", "percent"),
        ("They lost $1.5bn.", "currency"),
        ("They lost €20 million.", "currency"),
        ("They lost 500 tenge.", "currency"),
        ("They lost 500 million rubles.", "currency"),
        ("Они потеряли 500 млн тенге.", "currency"),
        ("They lost 40 US dollars.", "currency"),
        ("They kept the 50-tenge cap.", "currency"),
        ("They lost billions of tenge.", "currency"),
        ("The curfew lasts 10 days.", "duration"),
        ("A three-day mourning began.", "duration"),
        ("A 12-year-old was hurt.", "age"),
        ("A man aged 45 was hurt.", "age"),
        ("The convoy drove 300 km.", "measure"),
        ("The convoy had 300 trucks.", None),
    ],
)
def test_units(sentence: str, unit: str | None) -> None:
    (figure,) = find_figures(sentence)
    assert figure.unit == unit


def test_percent_sign_joins_the_text() -> None:
    assert [f.text for f in find_figures("Turnout was about 15 %.")] == ["about 15 %"]


@pytest.mark.parametrize(
    ("sentence", "parts"),
    [
        ("The toll hit 164 people, including 103 in the city.", [False, True]),
        ("The toll hit 164, of whom 40 were police.", [False, True]),
        ("The toll hit 164; among them 12 children.", [False, True]),
        ("The toll hit 164 people, including 103 in the city and 20 in the south.", [
            False, True, True,
        ]),
        ("Погибли 164 человека, в том числе 103 в городе.", [False, True]),
        ("Задержаны 900 человек, из них 40 иностранцев.", [False, True]),
        ("They held 900 people and freed 40 others.", [False, False]),
    ],
)  # fmt: skip
def test_parts_of_a_total(sentence: str, parts: list[bool]) -> None:
    assert [f.is_part for f in find_figures(sentence)] == parts


def test_result_is_a_fresh_list() -> None:
    first = find_figures("About 2,500 troops came.")
    first.clear()
    assert len(find_figures("About 2,500 troops came.")) == 1


def test_numerals_do_not_overlap() -> None:
    numerals = find_numerals("Две тысячи и 10 тысяч и тысячи людей.")
    assert [(n.value, n.vague) for n in numerals] == [(2000, False), (10_000, False), (2000, True)]


# ---- properties ---------------------------------------------------------------------------

_QUALIFIERS = [
    ("about", "about"),
    ("around", "about"),
    ("approximately", "about"),
    ("roughly", "about"),
    ("an estimated", "about"),
    ("nearly", "about"),
    ("almost", "about"),
    ("more than", "more_than"),
    ("over", "more_than"),
    ("upwards of", "more_than"),
    ("in excess of", "more_than"),
    ("at least", "at_least"),
    ("no fewer than", "at_least"),
    ("a minimum of", "at_least"),
    ("up to", "at_most"),
    ("at most", "at_most"),
    ("no more than", "at_most"),
    ("fewer than", "less_than"),
    ("less than", "less_than"),
    ("under", "less_than"),
    ("около", "about"),
    ("почти", "about"),
    ("более", "more_than"),
    ("свыше", "more_than"),
    ("не менее", "at_least"),
    ("не более", "at_most"),
]
_PREFIXES = ["Officials counted", "There were", "Police said", "Власти насчитали", "Итого"]
_NOUNS = ["people", "troops", "vehicles", "человек", "военных"]


def _invariants(sentence: str, figures: list[Figure]) -> None:
    previous_end = 0
    for f in figures:
        assert sentence[f.start : f.end] == f.text
        assert f.start >= previous_end
        previous_end = f.end
        assert f.low <= f.value <= f.high


@given(st.text())
def test_any_text_never_crashes_and_spans_round_trip(sentence: str) -> None:
    _invariants(sentence, find_figures(sentence))


_NUMBERISH = st.lists(
    st.sampled_from(
        [
            "2,500", "2.030", "2 030", "1.5", "2,5", "million", "тыс.", "about", "more than",
            "up to", "between", "and", "to", "-", "–", "or", "more", "+", "%", "$", "January",
            "6", "2022", "Article", "No.", "including", "hundreds", "of", "thousands", "two",
            "forty-five", "a", "dozen", "people", "около", "от", "до", "тысяч", "21:29", "(",
            ")", "+7", ",", ".",
        ]
    ),
    max_size=25,
).map(" ".join)  # fmt: skip


@given(_NUMBERISH)
def test_number_soup_never_crashes_and_spans_round_trip(sentence: str) -> None:
    _invariants(sentence, find_figures(sentence))


@given(
    st.integers(min_value=0, max_value=10**12),
    st.sampled_from(_PREFIXES),
    st.sampled_from(_NOUNS),
)
def test_any_grouped_integer_is_read(n: int, prefix: str, noun: str) -> None:
    sentence = f"{prefix} {n:,} {noun} on Monday."
    assert [f.value for f in find_figures(sentence)] == [n]


@given(st.integers(min_value=1000, max_value=10**9), st.sampled_from(_NOUNS))
def test_space_grouped_integer_is_read(n: int, noun: str) -> None:
    sentence = f"Власти насчитали {n:,} {noun}.".replace(",", "\u00a0")
    assert [f.value for f in find_figures(sentence)] == [n]


@given(
    st.integers(min_value=1, max_value=10**9),
    st.sampled_from(_QUALIFIERS),
    st.sampled_from(_NOUNS),
)
def test_qualifiers_map_to_their_kind(n: int, qualifier: tuple[str, str], noun: str) -> None:
    phrase, kind = qualifier
    sentence = f"Officials said {phrase} {n:,} {noun} came."
    (figure,) = find_figures(sentence)
    assert figure.approx == kind
    assert figure.value == n
    assert figure.text == f"{phrase} {n:,}"
    assert figure.low <= n <= figure.high
