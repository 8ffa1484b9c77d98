"""The term index: its candidates always include every claim and baseline that matches."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from claimwatch.baselines import Assertion, Baseline, Claim, load_baselines
from claimwatch.matching import Document, match
from claimwatch.matching.index import fold, index_for, term_key
from claimwatch.terms import PatternSet

ROOT = Path(__file__).resolve().parent.parent


def claim(cid: str, *about: str) -> Claim:
    empty = PatternSet.of([])
    expectation = Assertion(empty, PatternSet.of(["denied"]), empty, False)
    return Claim(cid, cid, cid, None, PatternSet.of(list(about)), empty, (expectation,))


def baseline(bid: str, subject: list[str], claims: list[Claim]) -> Baseline:
    patterns = PatternSet.of(subject)
    return Baseline(
        bid, bid, "outlet", None, None, None, ("en",), patterns, patterns, tuple(claims), Path()
    )


@pytest.mark.parametrize(
    ("term", "key"),
    [
        ("people", ("people", False)),
        ("state of emergency", ("state", False)),
        ("peacekeep*", ("peacek", True)),  # long prefixes are cut (a wider superset)
        ("open* fire", ("open", True)),
        ("Nur-Sultan", ("nur", True)),  # "NurSultan" and "Nur Sultan" match too
        ("ex-", ("ex", False)),
        ("Mayor's", ("mayor", True)),
        ("2,500", ("2", True)),
        ("$5", None),
        ("İstanbul", ("istanbul", False)),
    ],
)
def test_term_keys(term: str, key: tuple[str, bool] | None) -> None:
    assert term_key(term) == key


def test_a_claim_is_a_candidate_only_when_every_group_could_hit() -> None:
    b = baseline(
        "b",
        ["Ruritania*"],
        [
            claim("troops", "troops|soldiers + arriv*|deploy*"),
            claim("prices", "gas + price*"),
            claim("money", "€5|dollar*"),  # "€5" cannot be ruled out by words
        ],
    )
    text = "Ruritanian soldiers were deployed on Monday; fuel stayed cheap."
    scan = index_for((b,)).scan(text)
    assert [c.id for c in scan.claims(b)] == ["troops", "money"]
    assert scan.baselines() == (b,)
    assert [c.id for c in scan.narrow()[0].claims] == ["troops", "money"]
    assert index_for((b,)).scan("Nothing about it here.").baselines() == ()


def test_remembered_words_start_over_without_changing_candidates(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from claimwatch.matching import index

    b = baseline("b", ["Ruritania*"], [claim("troops", "troops|soldiers + arriv*|deploy*")])
    texts = [
        "Ruritanian soldiers were deployed on Monday.",
        "Soldiers arrived in Ruritania.",
        "Ruritania's troops stayed home.",
        "Ruritanian soldiers were deployed on Monday.",
    ]
    expected = [[c.id for c in index.TermIndex((b,)).scan(t).claims(b)] for t in texts]
    assert expected == [["troops"], ["troops"], [], ["troops"]]
    monkeypatch.setattr(index, "REMEMBERED_WORDS", 3)
    small = index.TermIndex((b,))
    assert [[c.id for c in small.scan(t).claims(b)] for t in texts] == expected
    assert len(small._by_word) <= 3


def test_the_index_is_kept_per_baselines_tuple() -> None:
    b = baseline("b", ["x"], [claim("c", "y")])
    same = (b,)
    assert index_for(same) is index_for(same)


def test_folding_equates_what_ignorecase_equates() -> None:
    assert fold("İSTANBUL") == fold("istanbul") == fold("ıstanbul")
    assert fold("Straße") == fold("STRASSE")
    assert fold("ſun") == fold("sun")


def test_narrowed_matching_finds_the_same_on_the_corpus() -> None:
    baselines = load_baselines([ROOT / "baselines"])
    found = 0
    for path in sorted((ROOT / "tests" / "corpus").glob("*.txt")):
        header, _, body = path.read_text(encoding="utf-8").partition("\n---\n")
        title = next((ln[6:].strip() for ln in header.splitlines() if ln.startswith("title:")), "")
        document = Document(title, body.strip())
        findings = match(document, baselines)
        assert findings == match(document, baselines, indexed=False), path.name
        found += len(findings)
    assert found > 50  # the corpus is mostly coverage that should alert


LETTERS = "abcdeiIİısSſßkK"
word = st.text(alphabet=LETTERS + "0-'", min_size=1, max_size=6).filter(
    lambda w: w.strip("-'") != "" and w[0] not in "-'"
)
term = st.builds(
    lambda words, star: " ".join(words) + ("*" if star else ""),
    st.lists(word, min_size=1, max_size=2),
    st.booleans(),
)
group = st.lists(term, min_size=1, max_size=3).map("|".join)
pattern = st.lists(group, min_size=1, max_size=3).map(" + ".join)
gap = st.sampled_from([" ", "-", ", ", "\u0307", "\u0345", "'", "\n", "—"])
text = st.lists(st.tuples(word, gap), max_size=12).map(lambda p: "".join(a + b for a, b in p))


@settings(max_examples=400, deadline=None)
@given(st.lists(pattern, min_size=1, max_size=4), text)
def test_every_match_is_a_candidate(patterns: list[str], sample: str) -> None:
    claims = [claim(f"c{i}", p) for i, p in enumerate(patterns)]
    b = baseline("b", patterns[:1], claims)
    scan = index_for((b,)).scan(sample)
    found = {c.id for c in scan.claims(b)}
    for c in claims:
        if c.about.matches(sample):
            assert c.id in found, (c.about.patterns[0].source, sample)
    if b.required.matches(sample):
        assert scan.baselines() == (b,)


def test_passing_tuples_made_on_the_fly_keeps_the_steady_index() -> None:
    steady = (baseline("b", ["x"], [claim("c", "y")]),)
    first = index_for(steady)
    for n in range(10):
        index_for((baseline(f"t{n}", ["x"], [claim("c", "y")]),))
        assert index_for(steady) is first
