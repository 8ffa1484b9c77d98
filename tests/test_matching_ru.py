"""Russian text in the detector: sentences, numbers in Russian style, inflected terms, negation,
and whole articles judged against the seed baseline's Russian terms."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from claimwatch.baselines import Baseline, load_baselines
from claimwatch.matching import Document, match
from claimwatch.matching.cues import negation
from claimwatch.matching.figures import find_figures
from claimwatch.matching.index import index_for, term_key
from claimwatch.matching.sentences import split_sentences
from claimwatch.terms import compile_pattern, russian_stems

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def seed() -> tuple[Baseline, ...]:
    return tuple(b for b in load_baselines([ROOT / "baselines"]) if b.id == "kazakhstan-2022-01")


# ---- sentences ----------------------------------------------------------------------------


def test_sentences_keep_abbreviations_and_split_at_capitals() -> None:
    text = (
        "Миротворцы покинули г. Алматы 19 января. Всего прибыли около 2,5 тыс. военных. "
        "В т.ч. 1 тыс. из России. По словам министра, миссия завершена."
    )
    assert [s.text for s in split_sentences(text)] == [
        "Миротворцы покинули г. Алматы 19 января.",
        "Всего прибыли около 2,5 тыс. военных.",
        "В т.ч. 1 тыс. из России.",
        "По словам министра, миссия завершена.",
    ]


def test_thousand_abbreviation_ends_a_sentence_before_an_opener() -> None:
    text = "Задержаны почти 10 тыс. В их числе иностранцы."
    assert [s.text for s in split_sentences(text)] == [
        "Задержаны почти 10 тыс.",
        "В их числе иностранцы.",
    ]


# ---- numbers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("В страну прибыли 2 030 военнослужащих.", ("2 030", 2030, 2030, 2030, "exact")),
        ("Прибыли 2\u00a0030 военнослужащих.", ("2\u00a0030", 2030, 2030, 2030, "exact")),
        ("Контингент составил 2,5 тыс. человек.", ("2,5 тыс.", 2500, 2500, 2500, "exact")),
        ("Погибли более 200 человек.", ("более 200", 200, 200, float("inf"), "more_than")),
        ("Задержаны около 10 тысяч человек.", ("около 10 тысяч", 10000, 9000, 11000, "about")),
        ("Задержаны почти 10 тыс. человек.", ("почти 10 тыс.", 10000, 9000, 10000, "about")),
        (
            "Прибыли не менее 2 000 военных.",
            ("не менее 2 000", 2000, 2000, float("inf"), "at_least"),
        ),
        (
            "В стране две с половиной тысячи миротворцев.",
            ("две с половиной тысячи", 2500, 2500, 2500, "exact"),
        ),
        ("Прибыли полторы тысячи военных.", ("полторы тысячи", 1500, 1500, 1500, "exact")),
        ("Число погибших выросло до 238.", ("238", 238, 238, 238, "exact")),
    ],
)
def test_russian_numbers(sentence: str, expected: tuple[str, float, float, float, str]) -> None:
    figures = find_figures(sentence)
    assert [(f.text, f.value, f.low, f.high, f.approx) for f in figures] == [expected]


def test_part_of_a_total() -> None:
    figures = find_figures("Погибли 225 человек, в том числе 19 силовиков.")
    assert [(f.value, f.is_part) for f in figures] == [(225, False), (19, True)]


def test_dates_and_ordinals_are_no_counts() -> None:
    assert find_figures("Протесты начались 2 января в 90-х годах не бывало такого.") == []


# ---- inflected terms ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("term", "found", "not_found"),
    [
        ("миротворцы", ["миротворцев", "миротворцами", "Миротворца"], ["миротворческий"]),
        ("задержаны", ["задержанных", "задержали", "задержан"], ["задержка"]),
        ("чрезвычайное положение", ["чрезвычайного положения", "чрезвычайном положении"], []),
        ("отменен", ["отменён", "отменена", "отменили"], []),
        ("Казахстан", ["Казахстане", "Казахстана"], ["казахстанский"]),
        ("режим", ["режима", "режиме"], ["режимный"]),
        ("мир", ["мир"], ["мира", "мирный"]),  # three letters: as written
        ("ОДКБ", ["ОДКБ"], ["ОДКБшный"]),  # an acronym: as written
        ("погиб*", ["погиб", "погибли", "погибших"], []),  # a stem change: the user's wildcard
    ],
)
def test_russian_words_match_their_inflected_forms(
    term: str, found: list[str], not_found: list[str]
) -> None:
    pattern = compile_pattern(term)
    assert all(pattern.matches(f"Сообщается: {w}.") for w in found), found
    assert not any(pattern.matches(f"Сообщается: {w}.") for w in not_found), not_found


def test_words_sharing_endings_in_one_group_each_keep_their_forms() -> None:
    group = compile_pattern("миротворцы|задержаны|протест*|peacekeep*|отменен")
    for word in ("миротворцев", "задержанных", "протестующие", "peacekeepers", "отменена"):
        assert group.spans(f"Сообщается: {word}.") == [(12, 12 + len(word))], word
    assert not group.matches("Сообщается: миротворческий мандат.")


def test_a_phrase_is_found_whole_beside_its_first_word() -> None:
    pattern = compile_pattern("режим|режим чрезвычайного положения")
    text = "Введён режим чрезвычайного положения."
    assert pattern.spans(text) == [(text.index("режим"), len(text) - 1)]


def test_cyrillic_terms_cannot_hit_a_text_without_cyrillic_letters() -> None:
    pattern = compile_pattern("Kazakh*|Казахстан + protest*|протест*")
    assert pattern.spans("Protests spread across Kazakhstan.") == [(23, 33), (0, 8)]
    assert pattern.spans("Протесты охватили Казахстан.") == [(18, 27), (0, 8)]
    assert pattern.spans("Протесты в Kazakhstan.") == [(11, 21), (0, 8)]
    assert not compile_pattern("Казахстан + протест*").matches("Protests in Kazakhstan.")


_MIXED_WORDS = st.sampled_from(
    ["protest", "protesters", "Kazakh", "Kazakhstan's", "миротворцев", "миротворцы",
     "задержали", "задержанных", "режим", "чрезвычайного", "положения", "peacekeepers",
     "the", "и", "в", "gas", "газа", "—", "-", "2,500", "ё"]
)  # fmt: skip


@given(st.lists(_MIXED_WORDS, max_size=14), st.sampled_from([" ", "-", "\n", ", "]))
def test_a_cyrillic_letter_elsewhere_changes_no_hit(words: list[str], gap: str) -> None:
    """Texts without Cyrillic are searched with fewer alternatives; the hits must be the
    ones every alternative gives, which a Cyrillic letter after the text brings in."""
    pattern = compile_pattern(
        "protest*|протест*|миротворцы + Kazakh*|Казахстан|режим чрезвычайного положения"
        "|peacekeep*|задержаны|газа"
    )
    text = gap.join(words)
    assert pattern.spans(text) == pattern.spans(text + "\nЪ")
    for index in range(pattern.group_count):
        assert pattern.group_spans(text, index) == pattern.group_spans(text + "\nЪ", index)


def test_english_words_are_not_stemmed() -> None:
    assert russian_stems("protests") == ()
    assert not compile_pattern("protest").matches("protests")


def test_index_files_russian_words_under_their_stem(seed: tuple[Baseline, ...]) -> None:
    assert term_key("миротворцы") == ("миротв", True)
    assert term_key("ОДКБ") == ("одкб", False)
    [baseline] = seed
    text = "В Алматы задержаны ещё 200 человек; миротворцы ОДКБ охраняют аэропорт."
    ids = {c.id for c in index_for(seed).scan(text).claims(baseline)}
    assert {"airport-seized", "csto-mandate", "investigation"} <= ids


# ---- negation -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "cue"),
    [
        ("Войска не покинули страну.", "не"),
        ("Протестующие не подвергаются никакому преследованию.", "никакому"),
        ("Доказательств нет.", "нет"),
        ("Никто не пострадал.", "Никто"),
    ],
)
def test_russian_negation(sentence: str, cue: str) -> None:
    assert cue in [sentence[a:b] for a, b in negation(sentence)]


def test_not_only_is_no_negation() -> None:
    assert negation("Пострадали не только полицейские.") == []


# ---- whole texts --------------------------------------------------------------------------

JAN = datetime(2022, 1, 20, tzinfo=UTC)


def found(seed: tuple[Baseline, ...], text: str, when: datetime = JAN) -> set[tuple[str, str]]:
    return {(f.claim_id, f.kind) for f in match(Document("", text, when), seed)}


def test_negated_seizure_contradicts(seed: tuple[Baseline, ...]) -> None:
    text = "Свидетели говорят, что аэропорт Алматы в январе не был захвачен, охрана ушла сама."
    assert ("airport-seized", "contradiction") in found(seed, text)
    text = "Свидетели говорят, что аэропорт Алматы в январе был захвачен вооруженными людьми."
    assert ("airport-seized", "contradiction") not in found(seed, text)


def test_negated_withdrawal_is_no_follow_up(seed: tuple[Baseline, ...]) -> None:
    text = "Миротворцы ОДКБ не покинули Казахстан, хотя беспорядки в январе прекратились."
    assert ("csto-withdrawal", "follow_up") not in found(seed, text)


def test_withdrawal_completed_is_a_follow_up(seed: tuple[Baseline, ...]) -> None:
    text = "Вывод миротворцев ОДКБ из Казахстана полностью завершен, сообщили в Минобороны."
    assert ("csto-withdrawal", "follow_up") in found(seed, text)


def test_planned_withdrawal_on_a_condition_is_no_follow_up(seed: tuple[Baseline, ...]) -> None:
    text = "Миротворцы ОДКБ будут выведены из Казахстана, как только ситуация стабилизируется."
    assert ("csto-withdrawal", "follow_up") not in found(seed, text)


def test_incompatible_russian_figure_contradicts(seed: tuple[Baseline, ...]) -> None:
    text = "В Казахстане находятся 2 030 миротворцев ОДКБ, сообщил генсек организации."
    assert ("csto-troop-count", "contradiction") in found(seed, text)
    text = "В Казахстане находятся около 2,5 тыс. миротворцев ОДКБ, сообщил генсек организации."
    assert ("csto-troop-count", "contradiction") not in found(seed, text)


def test_denial_of_an_accusation_is_no_contradiction(seed: tuple[Baseline, ...]) -> None:
    text = (
        "Генпрокуратура Казахстана опровергла сообщения о пытках задержанных "
        "после январских беспорядков."
    )
    assert ("peaceful-protesters-not-persecuted", "contradiction") not in found(seed, text)


def test_a_request_for_an_inquiry_is_no_follow_up(seed: tuple[Baseline, ...]) -> None:
    text = (
        "Правозащитники призвали возбудить уголовные дела по фактам январских беспорядков "
        "в Казахстане."
    )
    assert ("investigation", "follow_up") not in found(seed, text)


def test_date_of_another_clause_does_not_date_the_event(seed: tuple[Baseline, ...]) -> None:
    text = "Протесты в Жанаозене вспыхнули после того, как с 1 января цена газа выросла вдвое."
    assert ("protests-origin", "contradiction") not in found(seed, text)
    text = "Протесты в Жанаозене вспыхнули 4 января, говорят местные жители."
    assert ("protests-origin", "contradiction") in found(seed, text)
