"""The detector on frame claims: times, measures, trends, rulings-out, grounding, focus.

One invented story (a ferry capsized off Marlow) and made-up sentences of the kinds real
coverage writes; each test says which reading it pins down.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from claimwatch.baselines import Baseline, load_baseline
from claimwatch.matching import Document, match

BASELINE = """\
id: marlow-ferry
title: Ferry capsizes off Marlow
source: {outlet: our own test, date: 2023-03-12}
since: 2023-03-12
entities:
  vessel: "Silver Tern"
  place: "Marlow|Marlow Point"
  bridge: "Marlow Bridge"
claims:
  - {id: capsize-time, statement: It capsized at about 6:15 a.m., frame: time, event: sinking,
     time: "06:15", about: "ferry|Silver Tern"}
  - {id: missing, statement: 14 passengers are missing., frame: people-count, fate: missing,
     value: 14, approx: exact, about: "passenger*"}
  - {id: dead, statement: Two people died., frame: people-count, fate: killed, value: 2,
     approx: at_least}
  - {id: length, statement: The Silver Tern is 62 metres long., frame: measure, value: 62,
     unit: m, about: "Silver Tern|ferry|vessel"}
  - {id: foul-play, statement: Police see no foul play., frame: none, of: intent,
     about: "capsiz*|sinking|ferry"}
  - {id: harbour-closed, statement: The harbour is closed., frame: state, state: closure,
     about: "harbour"}
  - {id: bridge-closed, statement: Marlow Bridge is closed., frame: state, state: closure,
     about: "Marlow Bridge|bridge"}
  - {id: water-safe, statement: The water is safe to drink., frame: safety, matter: water,
     about: "water|tap water"}
"""
DAY = dt.datetime(2023, 3, 14, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def ferry(tmp_path_factory: pytest.TempPathFactory) -> Baseline:
    path: Path = tmp_path_factory.mktemp("ferry") / "marlow.yaml"
    path.write_text(BASELINE, encoding="utf-8")
    return load_baseline(path)


def found(ferry: Baseline, text: str, title: str = "Marlow ferry") -> set[tuple[str, str]]:
    return {(f.claim_id, f.kind) for f in match(Document(title, text, DAY), [ferry])}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The Silver Tern capsized at 6:12 a.m. off Marlow.", {("capsize-time", "follow_up")}),
        ("The Silver Tern capsized at around 7 a.m. off Marlow.",
         {("capsize-time", "contradiction")}),
        ("The Silver Tern capsized shortly before 7am off Marlow.",
         {("capsize-time", "contradiction")}),
        ("The Silver Tern capsized at about 6:15 a.m. off Marlow.", set()),
        ("The sinking of the Silver Tern was first reported at 7:40 a.m. in Marlow.", set()),
        ("Off Marlow the Silver Tern's engine failed at 6:02 a.m.; it capsized soon after.",
         {("capsize-time", "follow_up")}),
    ],
)  # fmt: skip
def test_clock_times(ferry: Baseline, text: str, expected: set[tuple[str, str]]) -> None:
    assert found(ferry, text) & {("capsize-time", k) for k in ("follow_up", "contradiction")} == (
        expected
    )


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("The 70-metre Silver Tern sailed from Marlow.", "contradiction"),
        ("The Silver Tern, about 230 feet long, sailed from Marlow.", "contradiction"),
        ("The Silver Tern is 203 feet long, Marlow officials said.", None),  # 62 m in feet
        ("The nearly 65-metre Silver Tern sailed from Marlow.", None),  # vague wording
        ("The Silver Tern was 400 metres from Marlow Point when it capsized.", None),  # distance
    ],
)
def test_measures_in_any_unit(ferry: Baseline, text: str, kind: str | None) -> None:
    kinds = {k for c, k in found(ferry, text) if c == "length"}
    assert kinds == ({kind} if kind else set())


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("In Marlow, 16 passengers are missing.", "contradiction"),
        ("In Marlow, nine passengers remain missing after divers found five bodies.",
         "follow_up"),
        ("In Marlow, 14 passengers are still missing.", None),
        ("Eight were initially unaccounted for in Marlow.", None),
    ],
)  # fmt: skip
def test_a_count_that_shrinks(ferry: Baseline, text: str, kind: str | None) -> None:
    kinds = {k for c, k in found(ferry, text) if c == "missing"}
    assert kinds == ({kind} if kind else set())


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("The death toll in Marlow rose to five.", "follow_up"),  # a count that grows
        ("At least seven people died in Marlow, officials said.", "follow_up"),  # higher floor
        ("In Marlow three more people died in hospital.", "follow_up"),  # an increment
        ("In Marlow, at least two people died.", None),  # restated
    ],
)
def test_a_count_that_grows(ferry: Baseline, text: str, kind: str | None) -> None:
    kinds = {k for c, k in found(ferry, text) if c == "dead"}
    assert kinds == ({kind} if kind else set())


def test_missing_follows_up_with_a_later_fate(ferry: Baseline) -> None:
    assert ("missing", "follow_up") in found(ferry, "Divers in Marlow recovered three bodies.")
    assert ("missing", "follow_up") in found(ferry, "The 14 passengers are presumed dead.")


def test_a_figure_counts_what_stands_after_it(ferry: Baseline) -> None:
    text = "In Marlow 14 passengers are missing and 31 were rescued."
    assert ("missing", "contradiction") not in found(ferry, text)


def test_a_ruled_out_thing(ferry: Baseline) -> None:
    assert found(ferry, "A diver said the Silver Tern sinking was deliberate sabotage.") == {
        ("foul-play", "contradiction")
    }
    assert found(ferry, "There is no indication that the capsizing was deliberate.") == set()
    assert found(ferry, "Investigators haven't found anything deliberate in the sinking.") == set()
    rumour = "Conspiracy theories that the ferry sinking was sabotage spread online in Marlow."
    assert found(ferry, rumour) == {("foul-play", "follow_up")}


def test_a_bystanders_impression_contradicts_nothing(ferry: Baseline) -> None:
    assert found(ferry, "“The tap water doesn't look safe to me,” one Marlow resident said.") == (
        set()
    )
    official = "Tests found the tap water in Marlow contaminated with diesel, the council said."
    assert ("water-safe", "contradiction") in found(ferry, official)


def test_news_of_another_ship_or_bridge_is_silent(ferry: Baseline) -> None:
    other = (
        "The ferry Morning Star capsized at 9:40 p.m. near the Kessel Bridge. "
        "Twenty passengers are missing and the harbour is closed."
    )
    assert found(ferry, other, title="Another ferry disaster") == set()
    recalled = (
        "The Silver Tern capsized off Marlow in March.\n\n"
        "In 2011 the ferry Morning Star capsized at 9:40 p.m. and 30 passengers were missing. "
        "It was 90 metres long."
    )
    assert found(ferry, recalled) == set()


def test_a_sentence_goes_to_the_claim_whose_things_it_names(ferry: Baseline) -> None:
    text = "Marlow Bridge reopened on Monday.\n\nThe harbour stays closed, officials said."
    kinds = found(ferry, text)
    assert ("bridge-closed", "follow_up") in kinds
    assert ("harbour-closed", "follow_up") not in kinds


def test_shares_and_wholes_of_figures(ferry: Baseline) -> None:
    assert ("missing", "contradiction") not in found(
        ferry, "In Marlow four of the 14 missing passengers were children."
    )


def test_the_body_overrules_its_headline(ferry: Baseline) -> None:
    kinds = found(ferry, "In Marlow, 14 passengers are missing.", title="20 missing in Marlow")
    assert ("missing", "contradiction") not in kinds


def test_contractions_negate(ferry: Baseline) -> None:
    assert found(ferry, "Marlow Bridge wasn't reopened on Monday.") == set()


def test_an_article_set_in_another_country_is_silent(ferry: Baseline) -> None:
    """It shares the story's words (and here a fate and a harbour) but never names its places."""
    elsewhere = (
        "In Norway, 20 passengers are missing after a ferry capsized near Bergen. "
        "The harbour is closed."
    )
    assert found(ferry, elsewhere, title="Ferry capsizes in Norway") == set()
    here = "20 passengers are missing after the ferry capsized, Marlow police said."
    assert ("missing", "contradiction") in found(ferry, here, title="Ferry tragedy in Norway?")


CANAL = """\
id: canal
title: Canal blocked
source: {outlet: our own test, date: 2021-03-24}
since: 2021-03-24
subject: {terms: ["canal"]}
claims:
  - id: blocked
    statement: The canal is closed to shipping.
    about: ["canal"]
    expect:
      - type: state
        holds: "closed|blocked"
        changes:
          - {name: reopening, terms: "reopen*"}
"""


@pytest.mark.parametrize(
    ("text", "kind", "reason"),
    [
        ("The canal was never closed, the authority said.", "contradiction", "opposite"),
        ("The canal is no longer closed.", "follow_up", "it ended"),
        ("The canal is not blocked any more.", "follow_up", "it ended"),
        ("The canal remains closed.", None, None),
    ],
)
def test_a_states_holds_is_terms_as_an_assertions_is(
    tmp_path: Path, text: str, kind: str | None, reason: str | None
) -> None:
    path = tmp_path / "canal.yaml"
    path.write_text(CANAL, encoding="utf-8")
    findings = match(Document("Canal news", text, DAY), [load_baseline(path)])
    assert [f.kind for f in findings] == ([kind] if kind else [])
    if reason:
        assert reason in findings[0].reason
        assert "closed|blocked" not in findings[0].reason  # terms are not quoted as a phrase


def test_a_paragraph_that_opens_by_referring_back_continues_the_last(ferry: Baseline) -> None:
    """ "It reopened on Monday" after a paragraph about the harbour is about the harbour."""
    text = "Ships waited outside the closed harbour at Marlow.\n\nIt reopened on Monday."
    assert ("harbour-closed", "follow_up") in found(ferry, text)
    unrelated = "Ships waited outside the closed harbour at Marlow.\n\nA cafe reopened on Monday."
    assert ("harbour-closed", "follow_up") not in found(ferry, unrelated)
