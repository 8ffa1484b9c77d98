"""Sentence splitting: boundaries news text needs, and offsets that always point at the source."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from claimwatch.matching.sentences import MAX_SENTENCE_CHARS, Sentence, split_sentences


def texts(source: str) -> list[str]:
    return [s.text for s in split_sentences(source)]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        pytest.param(
            "Troops pull back from the capital\nThe ministry said calm had returned.",
            ["Troops pull back from the capital", "The ministry said calm had returned."],
            id="headline-line-without-full-stop",
        ),
        pytest.param(
            "Prices rose. Protests followed! Why now? Nobody knows… Officials met.",
            ["Prices rose.", "Protests followed!", "Why now?", "Nobody knows…", "Officials met."],
            id="terminal-punctuation",
        ),
        pytest.param(
            "Mr. Petrov and Dr. Ivanova met Gen. Lee and Lt. Col. Ray at St. Mark's on Jan. 6.",
            ["Mr. Petrov and Dr. Ivanova met Gen. Lee and Lt. Col. Ray at St. Mark's on Jan. 6."],
            id="titles-and-months",
        ),
        pytest.param(
            "The U.S. Embassy and the U.N. Security Council spoke. E.U. envoys agreed.",
            ["The U.S. Embassy and the U.N. Security Council spoke.", "E.U. envoys agreed."],
            id="dotted-acronyms-mid-sentence",
        ),
        pytest.param(
            "Aid came from the U.S. The convoy arrived at 10 p.m. It left at dawn.",
            ["Aid came from the U.S.", "The convoy arrived at 10 p.m.", "It left at dawn."],
            id="acronym-at-sentence-end-before-an-opener",
        ),
        pytest.param(
            "The vote passed 2.5 to 1. Turnout was 2.030 voters per precinct.",
            ["The vote passed 2.5 to 1.", "Turnout was 2.030 voters per precinct."],
            id="decimals",
        ),
        pytest.param(
            "Resolution No. 3 passed, approx. 40 votes vs. 12 etc. and Acme Inc. agreed.",
            ["Resolution No. 3 passed, approx. 40 votes vs. 12 etc. and Acme Inc. agreed."],
            id="reference-abbreviations",
        ),
        pytest.param(
            "The answer was no. The talks ended.",
            ["The answer was no.", "The talks ended."],
            id="no-as-a-word",
        ),
        pytest.param(
            "Witness A. Karimov said so. He was sure.",
            ["Witness A. Karimov said so.", "He was sure."],
            id="initials",
        ),
        pytest.param(
            '"We are leaving soon," he said. "The job is done." Then he left.',
            ['"We are leaving soon," he said.', '"The job is done."', "Then he left."],
            id="quotes-close-after-full-stop",
        ),
        pytest.param(
            "He paused... and then went on. The hall fell silent.",
            ["He paused... and then went on.", "The hall fell silent."],
            id="ellipsis-mid-sentence",
        ),
        pytest.param(
            "В 2021 г. в стране было 5 тыс. участников, т.е. немало. В г. Шымкент прибыли войска.",
            [
                "В 2021 г. в стране было 5 тыс. участников, т.е. немало.",
                "В г. Шымкент прибыли войска.",
            ],
            id="russian-abbreviations",
        ),
        pytest.param(
            "Пострадали дома, машины и т.д. Власти начали проверку.",
            ["Пострадали дома, машины и т.д.", "Власти начали проверку."],
            id="russian-list-end",
        ),
        pytest.param("", [], id="empty"),
        pytest.param(" \n\n \t ", [], id="only-whitespace"),
    ],
)
def test_split(source: str, expected: list[str]) -> None:
    assert texts(source) == expected


def test_offsets_point_into_the_source() -> None:
    source = "  First one.  Second one?\n\nThird  "
    sentences = split_sentences(source)
    assert sentences == [
        Sentence("First one.", 2, 12),
        Sentence("Second one?", 14, 25),
        Sentence("Third", 27, 32),
    ]


def test_very_long_sentence_is_cut_at_semicolons() -> None:
    clause = "the committee reviewed another long list of complaints from the regions"
    source = "; ".join([clause] * 12) + "."
    assert len(source) > MAX_SENTENCE_CHARS
    parts = texts(source)
    assert len(parts) == 12
    assert parts[0] == clause + ";"
    assert parts[-1] == clause + "."


def test_long_sentence_without_semicolons_stays_whole() -> None:
    source = " ".join(["word"] * 300) + "."
    assert texts(source) == [source]


# ---- properties ---------------------------------------------------------------------------

_PIECES = st.sampled_from(
    [
        "Mr.", "U.S.", "Jan.", "2.5", "2,030", "A.", "etc.", "т.е.", "г.", "тыс.", "...", "…",
        '."', ".”", "?", "!", ";", "; ", "\n", "\n\n", " ", "  ", "\u2028", "\r\n", "The", "he",
        "said", "В", "он", "(", ")", "«", "»", "'", "word", "Word", "x" * 50,
    ]
)  # fmt: skip
_NEWSISH = st.lists(_PIECES, max_size=60).map(" ".join)


def _check_invariants(source: str) -> None:
    sentences = split_sentences(source)
    previous_end = 0
    for s in sentences:
        assert source[s.start : s.end] == s.text
        assert s.text and s.text == s.text.strip()
        assert s.start >= previous_end
        previous_end = s.end
    kept = "".join(s.text for s in sentences)
    assert "".join(kept.split()) == "".join(source.split())


@given(st.text())
def test_any_text_keeps_offsets_and_loses_only_whitespace(source: str) -> None:
    _check_invariants(source)


@given(_NEWSISH)
def test_newslike_text_keeps_offsets_and_loses_only_whitespace(source: str) -> None:
    _check_invariants(source)
