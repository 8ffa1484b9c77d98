"""feedback: dismissed alerts teach which new alerts repeat a false alarm; confirmed ones
keep a pattern alive. Alerts come from made-up texts through the real detector."""

from __future__ import annotations

import dataclasses

import pytest

from claimwatch.alerts import Alert
from claimwatch.baselines import Baseline
from claimwatch.feedback import learn, phrase_key, same_sentence, sentence_words
from tests.feedback_story import alert_of, ferry_baseline, judged

SIXTEEN = (
    "Sixteen passengers of the Silver Tern are missing off Marlow Point, the coast guard said."
)
SIXTEEN_AGAIN = "At least 16 people from the Silver Tern are missing off Marlow."
SIXTEEN_COPY = "MARLOW (Wire) - " + SIXTEEN
TWENTY = "Twenty passengers of the Silver Tern are missing off Marlow Point, the coast guard said."
AT_LEAST = "At least {} people from the Silver Tern are missing off Marlow."
CAFE = "The port of Marlow reopened its cafe for the Silver Tern's rescuers, the owners said."
OFFICE = "The port authority said the owners of the Silver Tern reopened their Marlow office."
SHIPPING = (
    "The harbour of Marlow reopened to all shipping on Friday after the Silver Tern was towed."
)


@pytest.fixture(scope="module")
def ferry(tmp_path_factory: pytest.TempPathFactory) -> Baseline:
    return ferry_baseline(tmp_path_factory.mktemp("feedback"))


def test_a_dismissed_figure_holds_back_that_figure_and_no_other(ferry: Baseline) -> None:
    dismissed = alert_of(ferry, SIXTEEN, "https://a.example/1")
    assert (dismissed.kind, dismissed.fact) == ("contradiction", "value:16")
    feedback = learn([judged(dismissed, "dismissed")])
    again = feedback.check(alert_of(ferry, SIXTEEN_AGAIN, "https://b.example/2"))
    assert again is not None and again.lesson.rule == "figure"
    assert again.dismissed_id == dismissed.alert_id
    assert feedback.check(alert_of(ferry, TWENTY, "https://b.example/3")) is None


def test_a_syndicated_copy_of_a_dismissed_sentence_is_held_back(ferry: Baseline) -> None:
    dismissed = alert_of(ferry, SIXTEEN, "https://a.example/1")
    copy = alert_of(ferry, SIXTEEN_COPY, "https://other.example/wire/1")
    found = learn([judged(dismissed, "dismissed")]).check(copy)
    assert found is not None and found.lesson.rule == "sentence"


def test_a_copy_with_another_figure_is_news(ferry: Baseline) -> None:
    feedback = learn([judged(alert_of(ferry, SIXTEEN, "https://a.example/1"), "dismissed")])
    assert feedback.check(alert_of(ferry, TWENTY, "https://other.example/2")) is None
    words = sentence_words(SIXTEEN)
    assert same_sentence(words, sentence_words(SIXTEEN_COPY))
    assert same_sentence(words, sentence_words(SIXTEEN.replace("Sixteen", "16")))
    assert not same_sentence(words, sentence_words(SIXTEEN.replace("Sixteen", "17")))
    assert not same_sentence(words, sentence_words(TWENTY))


def test_a_phrase_is_learnt_once_dismissed_in_two_articles(ferry: Baseline) -> None:
    cafe = alert_of(ferry, CAFE, "https://a.example/cafe")
    office = alert_of(ferry, OFFICE, "https://b.example/office")
    shipping = alert_of(ferry, SHIPPING, "https://c.example/shipping")
    assert {cafe.fact, office.fact, shipping.fact} == {"reopening:completed"}
    assert phrase_key(cafe) == phrase_key(office) == "reopen"
    assert learn([judged(cafe, "dismissed")]).check(shipping) is None  # one article: a fluke
    found = learn([judged(cafe, "dismissed"), judged(office, "dismissed")]).check(shipping)
    assert found is not None and found.lesson.rule == "phrase" and found.lesson.pattern == "reopen"
    assert [a.alert_id for a in found.lesson.dismissed] == [cafe.alert_id, office.alert_id]


def test_a_pattern_an_analyst_confirmed_is_not_learnt(ferry: Baseline) -> None:
    cafe = alert_of(ferry, CAFE, "https://a.example/cafe")
    office = alert_of(ferry, OFFICE, "https://b.example/office")
    shipping = alert_of(ferry, SHIPPING, "https://c.example/shipping")
    again = alert_of(ferry, SHIPPING.replace("Friday", "Saturday"), "https://d.example/x")
    feedback = learn(
        [judged(cafe, "dismissed"), judged(office, "dismissed"), judged(shipping, "confirmed")]
    )
    assert feedback.check(again) is None
    assert ("marlow-ferry", "harbour-closed", "follow_up", "phrase", "reopen") in feedback.blocked
    sixteen = alert_of(ferry, SIXTEEN, "https://a.example/1")
    confirmed = alert_of(ferry, SIXTEEN_AGAIN, "https://b.example/2")
    mixed = learn([judged(sixteen, "dismissed"), judged(confirmed, "confirmed")])
    assert mixed.check(alert_of(ferry, SIXTEEN_AGAIN, "https://c.example/3")) is None


def test_a_figure_phrase_generalises_over_different_figures_only(ferry: Baseline) -> None:
    sixteen = alert_of(ferry, AT_LEAST.format(16), "https://a.example/16")
    twenty = alert_of(ferry, AT_LEAST.format(20), "https://b.example/20")
    sixteen_again = alert_of(ferry, AT_LEAST.format(16), "https://c.example/16")
    later = alert_of(ferry, AT_LEAST.format(25), "https://d.example/25")
    assert phrase_key(later) == "at least #"
    one_figure = learn([judged(sixteen, "dismissed"), judged(sixteen_again, "dismissed")])
    assert one_figure.check(later) is None
    found = learn([judged(sixteen, "dismissed"), judged(twenty, "dismissed")]).check(later)
    assert found is not None and (found.lesson.rule, found.lesson.pattern) == (
        "phrase",
        "at least #",
    )


def test_only_the_latest_verdict_counts_and_seen_teaches_nothing(ferry: Baseline) -> None:
    sixteen = alert_of(ferry, SIXTEEN, "https://a.example/1")
    again = alert_of(ferry, SIXTEEN_AGAIN, "https://b.example/2")
    changed_mind = [judged(sixteen, "confirmed", 5), judged(sixteen, "dismissed", 1)]
    assert learn(changed_mind).check(again) is None
    assert learn([judged(sixteen, "seen")]).lessons == {}
    assert learn(list(reversed(changed_mind))).check(again) is None
    assert learn([judged(sixteen, "confirmed", 1), judged(sixteen, "dismissed", 5)]).check(again)


def test_only_the_same_claim_and_kind_and_never_an_operator_alert(ferry: Baseline) -> None:
    sixteen = alert_of(ferry, SIXTEEN, "https://a.example/1")
    again = alert_of(ferry, SIXTEEN_AGAIN, "https://b.example/2")
    feedback = learn([judged(sixteen, "dismissed")])
    assert feedback.check(dataclasses.replace(again, claim_id="other")) is None
    assert feedback.check(dataclasses.replace(again, kind="follow_up")) is None
    assert feedback.check(dataclasses.replace(again, kind="feed_failing")) is None
    feed = dataclasses.replace(sixteen, kind="feed_failing")
    assert learn([judged(feed, "dismissed")]).lessons == {}


def test_the_reason_names_the_dismissed_alert(ferry: Baseline) -> None:
    dismissed = alert_of(ferry, SIXTEEN, "https://a.example/1")
    alerts: list[Alert] = [
        alert_of(ferry, SIXTEEN_AGAIN, "https://b.example/2"),
        alert_of(ferry, TWENTY, "https://b.example/3"),
    ]
    kept, held = learn([judged(dismissed, "dismissed")]).screen(alerts)
    assert kept == alerts[1:]
    (suppression,) = held
    assert suppression.reason == (
        'missing (contradiction): repeats the figure "value:16" of dismissed alert '
        f"{dismissed.alert_id} (https://a.example/1)"
    )
    record = suppression.to_json()
    assert record["rule"] == "figure" and record["dismissed_id"] == dismissed.alert_id
    assert record["alert_id"] == alerts[0].alert_id


@pytest.mark.parametrize(
    ("evidence", "phrase", "key"),
    [
        ("At Least 7 Missing", "At Least 7", "at least #"),
        ("seven others remain", "seven", "#"),
        ("a rise from 60 to 120 tenge", "60 to 120", "# to #"),
        ("about 2,500 troops", "about 2,500", "about #"),
        ("the lights went out", "lights", "light"),
        ("“Jury-rigged” repairs", "“Jury-rigged”", "jury-rigg"),
        ("вывод миротворцев завершён", "вывод миротворцев", "вывод миротворц"),
    ],
)
def test_phrases_compare_by_stem_with_numbers_as_a_class(
    ferry: Baseline, evidence: str, phrase: str, key: str
) -> None:
    alert = alert_of(ferry, SIXTEEN, "https://a.example/1")
    start = evidence.index(phrase)
    shaped = dataclasses.replace(alert, evidence=evidence, highlight=(start, start + len(phrase)))
    assert phrase_key(shaped) == key


LONG = "The ferry and the tug and the barge were all seen near the harbour wall by the crew."


@pytest.mark.parametrize(
    ("other", "same"),
    [
        (LONG, True),
        ("WIRE - " + LONG, True),  # a dateline: a syndicated copy
        (LONG.replace("seen", "spotted"), True),  # one word edited in a long sentence
        (LONG.replace("the crew", "3 crew"), False),  # a figure of its own: news
        (LONG.replace("ferry and the tug", "ship"), False),  # rewritten
        ("Fourteen are still missing.", False),
    ],
)
def test_near_copies_of_a_sentence(other: str, same: bool) -> None:
    assert same_sentence(sentence_words(LONG), sentence_words(other)) is same
    assert same_sentence(sentence_words("Fourteen are missing."), sentence_words(other)) is (
        other == "Fourteen are missing."
    )
