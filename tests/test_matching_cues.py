"""Cues over one sentence: negation, denial, hedging, doubt, attribution and the event's stage."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from claimwatch.matching import cues


def quoted(sentence: str, spans: list[tuple[int, int]]) -> list[str]:
    return [sentence[a:b] for a, b in spans]


# ---- negation -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("The convoy did not leave the base.", ["not"]),
        ("The convoy didn't leave the base.", ["didn't"]),
        ("The convoy never left the base.", ["never"]),
        ("No soldiers were seen in the square.", ["No"]),
        ("None of the detainees were charged.", ["None"]),
        ("Nobody was hurt and nothing was taken.", ["Nobody", "nothing"]),
        ("Neither the police nor the army fired.", ["Neither", "nor"]),
        ("The rally ended without arrests.", ["without"]),
        ("There is no evidence of foreign fighters.", ["no evidence of"]),
        ("Monitors found no sign of looting.", ["no sign of"]),
        ("The agency failed to publish the list.", ["failed to"]),
        ("Rights groups said the charges were false.", ["were false"]),
        ("The ministry called the rumours baseless and unfounded.", ["baseless", "unfounded"]),
        ("Войска не покинули город.", ["не"]),
        ("Никаких задержаний нет.", ["Никаких", "нет"]),
        ("Митинг прошёл без задержаний, и ни один человек не пострадал.", ["без", "ни", "не"]),
        ("The troops left on time.", []),
        ("A false start delayed the vote.", []),
    ],
)
def test_negation(sentence: str, expected: list[str]) -> None:
    assert quoted(sentence, cues.negation(sentence)) == expected


@pytest.mark.parametrize(
    ("sentence", "contrastive"),
    [
        ("The decree not only lifted the curfew but also freed detainees.", ["not only"]),
        ("Указ не только отменил комендантский час, но и освободил задержанных.", ["не только"]),
        ("There is no doubt the convoy left.", []),
        ("Resolution No. 5 was adopted.", []),
    ],
)
def test_phrases_that_are_not_negations(sentence: str, contrastive: list[str]) -> None:
    """ "not only ... but also" adds a fact: negation() skips it, contrastive() reports it."""
    assert cues.negation(sentence) == []
    assert quoted(sentence, cues.contrastive(sentence)) == contrastive


# ---- denial -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("The ministry denied that detainees were beaten.", ["denied"]),
        ("The governor denies any role in the shooting.", ["denies"]),
        ("Officials rejected the claims of torture.", ["rejected the claims"]),
        ("The office dismissed these reports outright.", ["dismissed these reports"]),
        ("Police dismissed the video as fake.", ["dismissed the video as fake"]),
        ("The spokesman refuted the account.", ["refuted"]),
        ("The agency disputed the figures.", ["disputed the figures"]),
        ("He called the reports of foreign mercenaries false.", [
            "called the reports of foreign mercenaries false",
        ]),
        ("There is no truth in these stories, the aide said.", ["There is no truth"]),
        ("Министерство опровергло сообщения о пытках.", ["опровергло"]),
        ("Власти отрицают применение силы.", ["отрицают"]),
        ("Суд отверг доводы защиты.", ["отверг"]),
        ("Пресс-служба назвала эти сведения ложными.", ["назвала эти сведения ложными"]),
        ("Journalists were denied access to the city.", []),
        ("The minister was dismissed on Friday.", []),
        ("The border is a disputed territory.", []),
    ],
)  # fmt: skip
def test_denial(sentence: str, expected: list[str]) -> None:
    assert quoted(sentence, cues.denial(sentence)) == expected


# ---- hedging and doubt --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Guards allegedly beat the detainees.", ["allegedly"]),
        ("The convoy reportedly left at night.", ["reportedly"]),
        ("A purportedly leaked memo circulated.", ["purportedly"]),
        ("Unconfirmed figures put the toll higher.", ["Unconfirmed"]),
        ("The group claimed the attack.", ["claimed"]),
        ("The general is said to have resigned.", ["is said to"]),
        ("Rumours spread about a second wave.", ["Rumours"]),
        ("Some shops may have been looted.", ["may have"]),
        (
            "The numbers could not be independently verified.",
            ["could not be independently verified"],
        ),
        ("Его якобы задержали на границе.", ["якобы"]),
        ("Предположительно, погибли десятки.", ["Предположительно"]),
        ("По неподтвержденным данным, склад сгорел.", ["По неподтвержденным данным"]),
        ("The convoy left at night.", []),
    ],
)
def test_hedge(sentence: str, expected: list[str]) -> None:
    assert quoted(sentence, cues.hedge(sentence)) == expected


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Observers saw no evidence of outside involvement.", ["no evidence"]),
        ("He blamed foreign agents without providing evidence.", ["without providing evidence"]),
        ("The agency has not provided evidence for the claim.", ["has not provided evidence"]),
        ("The ministry provided no evidence for the claim.", ["provided no evidence"]),
        ("It has still not produced any evidence of it.", ["has still not produced any evidence"]),
        ("Officials offered no proof of the plot.", ["offered no proof"]),
        ("The unsubstantiated claim spread fast.", ["unsubstantiated"]),
        ("Prosecutors failed to provide the files.", ["failed to provide"]),
        ("Обвинения остаются бездоказательными.", ["бездоказательными"]),
        ("Власти заявили об этом без доказательств.", ["без доказательств"]),
        ("Власти не представили никаких доказательств.", ["не представили никаких доказательств"]),
        (
            "Video undercut the official account that guards fired first.",
            ["undercut the official account"],
        ),
        (
            "Witnesses cast doubt on the government's version of events.",
            ["cast doubt on the government's version"],
        ),
        ("The story undercut sales.", []),
        ("The court reviewed the evidence for a week.", []),
    ],
)
def test_doubt(sentence: str, expected: list[str]) -> None:
    assert quoted(sentence, cues.doubt(sentence)) == expected


# ---- attribution --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "source", "cue"),
    [
        ("The toll rose to 90, the health ministry said on Monday.", "the health ministry", "said"),
        ("According to Amnesty International, 12 activists were held.", "Amnesty International",
         "according to"),
        ("Human Rights Watch reported that detainees were beaten.", "Human Rights Watch",
         "reported"),
        ("The region's Prosecutor General's Office said 40 cases were opened.",
         "The region's Prosecutor General's Office", "said"),
        ('"The mission is over," said Defence Minister Aslan Bekov.',
         "Defence Minister Aslan Bekov", "said"),
        ('"The mission is over," Bekov told reporters.', "Bekov", "told"),
        ("On Friday Bekov announced the end of the mission.", "Bekov", "announced"),
        ("In a statement the Interior Ministry confirmed the arrests.", "the Interior Ministry",
         "confirmed"),
        ("The president's office also said the curfew would end.", "The president's office",
         "said"),
        ("По данным МВД, задержаны 300 человек.", "МВД", "по данным"),
        ("По словам министра, войска уйдут.", "министра", "по словам"),
        ("Об этом сообщил глава ведомства Арман Касымов.", "глава ведомства Арман Касымов",
         "сообщил"),
        ("Министерство обороны заявило, что войска уйдут.", "Министерство обороны", "заявило"),
        ("ALMATY, Jan 9 - Interior Minister Aslan Bekov said order was restored.",
         "Interior Minister Aslan Bekov", "said"),
        ("On 7 January President Bekov said the curfew would stay.", "President Bekov", "said"),
        ("Hundreds were treated, doctors in the capital said.", "doctors in the capital", "said"),
        ("The curfew ends, the ministry said in a statement.", "the ministry", "said"),
        ("The curfew ends, according to officials in the capital.", "officials in the capital",
         "according to"),
        ("Hundreds were treated, doctors in Almaty said.", "doctors in Almaty", "said"),
        ("Ten were held, Aslan Bekov, a police spokesman, told reporters.", "Aslan Bekov", "told"),
        ("Bekov, who chaired the meeting, said the curfew would end.", "Bekov", "said"),
        ("The toll rose, according to people familiar with the count.",
         "people familiar with the count", "according to"),
        ("The curfew is over, a point several ministers stressed.", "several ministers",
         "stressed"),
    ],
)  # fmt: skip
def test_attribution(sentence: str, source: str, cue: str) -> None:
    found = cues.attribution(sentence)
    assert found is not None
    assert (found.source, found.cue) == (source, cue)
    assert sentence[found.start : found.end] == found.source


@pytest.mark.parametrize(
    "sentence",
    [
        '"We will go home soon," he said.',
        "It was reported that the airport had reopened.",
        "The number of confirmed cases rose again.",
        "An estimated 2,000 people marched.",
        "The convoy left the city at dawn.",
        "He was convicted of treason, charges he denied.",
        "A video that was widely shared said otherwise.",
        "No group has claimed the attack.",
        "More than 400 of them admitted to hospital.",
    ],
)
def test_no_attribution(sentence: str) -> None:
    assert cues.attribution(sentence) is None


def test_source_is_at_most_eight_words() -> None:
    sentence = (
        "The deputy head of the press office of the regional branch of the national "
        "security committee said nothing."
    )
    found = cues.attribution(sentence)
    assert found is not None and len(found.source.split()) <= cues.MAX_SOURCE_WORDS


# ---- aspect -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "event", "stage"),
    [
        ("The pullout began on Thursday and will be completed within ten days.", "pullout",
         "started"),
        ("The pullout has been completed.", "pullout", "completed"),
        ("The pullout of the allied units from the republic has been completed.", "pullout",
         "completed"),
        ("The allied units withdrew overnight.", "withdrew", "completed"),
        ("The allied units have left the republic.", "left", "completed"),
        ("The last allied units left the republic on Sunday.", "left", "completed"),
        ("The first allied units left the republic on Sunday.", "left", "started"),
        (
            "The first cargo planes carrying the allied soldiers and their kit left the base.",
            "left",
            "started",
        ),
        ("For the first time in a decade the allied units left the republic.", "left", "completed"),
        ("In the first week of the month the allied units left the republic.", "left", "completed"),
        ("The allied units are leaving the republic.", "leaving", "started"),
        ("The allied units are withdrawing in stages.", "withdrawing", "started"),
        ("The pullout is under way.", "pullout", "started"),
        ("The allied units started to withdraw.", "withdraw", "started"),
        ("The allied units will leave within days.", "leave", "announced"),
        ("The allied units are to leave by Friday.", "leave", "announced"),
        ("The allied units are set to leave next week.", "leave", "announced"),
        ("The allied units plan to leave soon.", "leave", "announced"),
        ("The allied units are expected to begin leaving on Monday.", "leaving", "announced"),
        ("The council decided to withdraw the units.", "withdraw", "announced"),
        ("The curfew was lifted in the capital.", "lifted", "completed"),
        ("The curfew will be lifted on Monday.", "lifted", "announced"),
        ("The curfew is to be lifted by the end of the month.", "lifted", "announced"),
        ("The curfew is being lifted district by district.", "lifted", "started"),
        ("Mobile service was partially restored on Sunday.", "restored", "started"),
        ("Flights to the capital resumed on Monday.", "resumed", "completed"),
        ("The curfew remains in force.", "curfew", "ongoing"),
        ("The operation still continues in two districts.", "operation", "ongoing"),
        ("Last week the allied units began their pullout.", "pullout", "started"),
        ("Союзные войска покинули республику.", "покинули", "completed"),
        ("Союзные войска выведены из республики.", "выведены", "completed"),
        ("Вывод войск будет завершен через десять дней.", "Вывод", "announced"),
        ("Вывод войск начался в четверг.", "Вывод", "started"),
        ("Вывод войск завершился в пятницу.", "Вывод", "completed"),
        ("Войска начнут вывод в понедельник.", "вывод", "announced"),
        ("The allied units arrived in the capital.", "units", None),
        ("Miners gather in the square.", "gather", None),
    ],
)  # fmt: skip
def test_aspect(sentence: str, event: str, stage: str | None) -> None:
    start = sentence.index(event)
    assert cues.aspect(sentence, (start, start + len(event))) == stage


def test_aspect_needs_a_word_at_the_span() -> None:
    assert cues.aspect("The units left.", (3, 3)) is None
    assert cues.aspect("", (0, 4)) is None


# ---- properties ---------------------------------------------------------------------------


@given(st.text(max_size=300))
def test_cues_never_crash_and_spans_lie_inside(sentence: str) -> None:
    for detect in (cues.negation, cues.denial, cues.hedge, cues.doubt, cues.contrastive):
        for start, end in detect(sentence):
            assert 0 <= start < end <= len(sentence)
    found = cues.attribution(sentence)
    if found is not None:
        assert sentence[found.start : found.end] == found.source and found.source
    assert cues.aspect(sentence, (0, len(sentence))) in (
        None,
        "completed",
        "started",
        "announced",
        "ongoing",
    )
