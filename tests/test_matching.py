"""The detector with the seed baseline, one case per claim id, plus the rules that keep it quiet."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from claimwatch.baselines import Baseline, load_baselines
from claimwatch.matching import Document, is_relevant, match

ROOT = Path(__file__).resolve().parent.parent
LATER = datetime(2022, 1, 20, 12, tzinfo=UTC)


@pytest.fixture(scope="module")
def seed() -> tuple[Baseline, ...]:
    return load_baselines([ROOT / "baselines" / "kazakhstan-2022-01.yaml"])


def found(baselines: tuple[Baseline, ...], text: str, title: str = "") -> set[tuple[str, str]]:
    document = Document(title=title or "Kazakhstan after the unrest", text=text, published=LATER)
    return {(f.claim_id, f.kind) for f in match(document, baselines)}


# One invented report per claim id and kind; each names the country, as real coverage does.
CASES = [
    (
        "protests-origin",
        "contradiction",
        "The protests in Kazakhstan began on 1 January in Zhanaozen, residents said.",
    ),
    (
        "gas-price-rollback",
        "follow_up",
        "Kazakhstan capped the liquefied gas price at 50 tenge per litre for 180 days.",
    ),
    (
        "gas-price-rollback",
        "contradiction",
        "In Aktau, gas prices were not reduced at most stations, drivers in Kazakhstan said.",
    ),
    (
        "detainees-released",
        "contradiction",
        "Two men detained at the first rallies in Zhanaozen are still in custody, "
        "their lawyer in Kazakhstan said.",
    ),
    (
        "state-of-emergency",
        "follow_up",
        "Kazakhstan lifted the state of emergency in the Mangystau region on Thursday.",
    ),
    (
        "almaty-seizures",
        "follow_up",
        "In Almaty, the city hall was set on fire and gutted during the unrest in Kazakhstan.",
    ),
    (
        "almaty-seizures",
        "contradiction",
        "Staff said the Almaty TV station was never seized during the unrest in Kazakhstan.",
    ),
    (
        "airport-seized",
        "follow_up",
        "Almaty airport reopened to passenger flights on Thursday after the unrest in Kazakhstan.",
    ),
    (
        "foreign-trained-terrorists",
        "contradiction",
        "Officials in Kazakhstan have provided no evidence of foreign-trained terrorists "
        "taking part in the unrest.",
    ),
    (
        "rioters-no-demands",
        "contradiction",
        "Protesters in Almaty chanted slogans demanding that Nazarbayev step down "
        "during the unrest in Kazakhstan.",
    ),
    (
        "security-council-chair",
        "follow_up",
        "Parliament in Kazakhstan voted to abolish Nazarbayev's lifelong chairmanship of the "
        "Security Council after the unrest.",
    ),
    (
        "counter-terror-operation",
        "follow_up",
        "The counter-terrorist operation in Kazakhstan ended in most regions on Wednesday "
        "after the unrest.",
    ),
    (
        "csto-troop-count",
        "contradiction",
        "The CSTO said about 2,000 peacekeepers had been deployed to Kazakhstan during the unrest.",
    ),
    (
        "csto-mandate",
        "follow_up",
        "CSTO peacekeepers guarded the Almaty power station during the unrest in Kazakhstan.",
    ),
    (
        "csto-mandate",
        "contradiction",
        "Witnesses said CSTO troops fired on protesters in Almaty during the unrest in Kazakhstan.",
    ),
    (
        "csto-withdrawal",
        "follow_up",
        "The last CSTO peacekeepers left Kazakhstan on 19 January, completing the withdrawal "
        "after the unrest.",
    ),
    (
        "csto-withdrawal",
        "contradiction",
        "Russia's troops will stay indefinitely in Kazakhstan as part of the CSTO force, "
        "a minister said after the unrest.",
    ),
    (
        "investigation",
        "follow_up",
        "Prosecutors in Kazakhstan said 9,900 people had been detained after the unrest.",
    ),
    (
        "investigation",
        "contradiction",
        "The findings of the investigation into the unrest in Kazakhstan will be kept secret, "
        "officials said.",
    ),
    (
        "economic-policy-unchanged",
        "contradiction",
        "Tokayev said big companies in Kazakhstan must pay into a new fund every year "
        "after the unrest.",
    ),
    (
        "economic-policy-unchanged",
        "follow_up",
        "Foreign investors in Kazakhstan remain cautious after the unrest, bankers said.",
    ),
    (
        "internet-shutdown",
        "follow_up",
        "Internet access was restored across Kazakhstan on Tuesday after the unrest.",
    ),
    (
        "internet-shutdown",
        "contradiction",
        "Rights groups said Kazakhstan cut the internet to silence protesters during the unrest.",
    ),
    (
        "peaceful-protesters-not-persecuted",
        "contradiction",
        "Human rights groups said detainees in Kazakhstan were tortured after the unrest.",
    ),
    (
        "peaceful-protesters-not-persecuted",
        "follow_up",
        "Tokayev proposed an amnesty for protesters detained in the unrest in Kazakhstan.",
    ),
    (
        "casualties",
        "follow_up",
        "Officials said 225 people were killed in the unrest in Kazakhstan.",
    ),
    (
        "national-mourning",
        "follow_up",
        "Flags flew at half-mast in Kazakhstan on the day of national mourning for victims "
        "of the unrest.",
    ),
    (
        "national-mourning",
        "contradiction",
        "Kazakhstan held its day of national mourning on 12 January for victims of the unrest.",
    ),
]


@pytest.mark.parametrize(("claim", "kind", "text"), CASES, ids=[f"{c}-{k}" for c, k, _ in CASES])
def test_each_claim_and_kind(seed: tuple[Baseline, ...], claim: str, kind: str, text: str) -> None:
    assert (claim, kind) in found(seed, text)


def test_every_seed_claim_has_a_case(seed: tuple[Baseline, ...]) -> None:
    assert {c.id for c in seed[0].claims} == {claim for claim, _, _ in CASES}


QUIET = [
    ("a restated figure", "About 2,500 CSTO peacekeepers are in Kazakhstan after the unrest."),
    ("a compatible figure", "More than 2,000 CSTO troops arrived in Kazakhstan after the unrest."),
    ("a part of the force", "Russia sent 3,000 paratroopers to Kazakhstan with the CSTO force."),
    (
        "a denial of an accusation",
        "Kazakhstan's interior ministry denied that detainees were tortured after the unrest.",
    ),
    (
        "a restated condition",
        "The CSTO peacekeepers will leave Kazakhstan once the situation stabilises.",
    ),
    (
        "a call for an inquiry",
        "Rights groups called for an independent investigation into the unrest in Kazakhstan.",
    ),
    (
        "older unrest",
        "In 2011, police in Zhanaozen, Kazakhstan, shot dead 16 striking oil workers.",
    ),
    ("another country", "Protesters in Sri Lanka stormed the president's residence; 3 died."),
]


@pytest.mark.parametrize(("why", "text"), QUIET, ids=[w for w, _ in QUIET])
def test_stays_quiet(seed: tuple[Baseline, ...], why: str, text: str) -> None:
    assert found(seed, text, title="News") == set()


def test_coverage_before_since_is_ignored(seed: tuple[Baseline, ...]) -> None:
    document = Document(
        "Kazakhstan unrest",
        "Officials said 164 people were killed in the unrest in Kazakhstan.",
        published=datetime(2022, 1, 8, tzinfo=UTC),
    )
    assert match(document, seed) == []


def test_finding_explains_itself(seed: tuple[Baseline, ...]) -> None:
    text = "The CSTO said 2,030 servicemen had been deployed to Kazakhstan during the unrest."
    (finding,) = match(Document("Kazakhstan", text, LATER), seed)
    assert finding.value == 2030 and finding.value_text == "2,030"
    assert finding.evidence == text and finding.highlight is not None
    assert finding.evidence[finding.highlight[0] : finding.highlight[1]] == "2,030"
    assert "2,030 servicemen" in finding.reason and "about 2,500" in finding.reason
    assert "according to the CSTO" in finding.reason


def test_is_relevant_uses_subject_terms(seed: tuple[Baseline, ...]) -> None:
    assert is_relevant("CSTO peacekeepers arrive in Almaty", seed)
    assert not is_relevant("Football results from the weekend", seed)
