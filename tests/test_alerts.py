"""alerts: stable ids, one alert per claim and kind, novelty, the JSON Lines contract."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest

from claimwatch.alerts import alert_id, article_key, build, strongest, to_json
from claimwatch.articles import Article
from claimwatch.entries import Entry
from claimwatch.matching.findings import Finding

NOW = datetime(2022, 1, 20, 12, 0, tzinfo=UTC)
CONTRACT_KEYS = {
    "alert_id",
    "kind",
    "claim_id",
    "baseline_id",
    "article_url",
    "article_title",
    "feed",
    "published",
    "evidence",
    "reason",
    "detected_at",
    "novel",
    "value",
    "score",
    "fact",
    "why",  # added with the explanation (null when none was kept): a new key only
}


def article(
    url: str | None = "https://example.org/a", published: datetime | None = None
) -> Article:
    entry = Entry("feed-1", "guid-1", url, "A headline", published, "Summary.")
    return Article(entry, "Text.", "entry")


def finding(
    claim: str = "c1",
    kind: str = "contradiction",
    fact: str = "value:3000",
    score: float = 0.8,
    value: float | None = 3000.0,
) -> Finding:
    return Finding(
        baseline_id="b1",
        claim_id=claim,
        kind=kind,  # type: ignore[arg-type]
        evidence=f"Evidence for {claim}.",
        reason=f"Reason for {claim}.",
        fact=fact,
        score=score,
        value=value,
    )


def test_alert_id_is_stable_short_hex() -> None:
    first = alert_id("https://example.org/a", "b1", "c1", "contradiction")
    assert first == alert_id("https://example.org/a", "b1", "c1", "contradiction")
    assert 16 <= len(first) <= 24
    int(first, 16)


@pytest.mark.parametrize(
    "other",
    [
        ("https://example.org/b", "b1", "c1", "contradiction"),
        ("https://example.org/a", "b2", "c1", "contradiction"),
        ("https://example.org/a", "b1", "c2", "contradiction"),
        ("https://example.org/a", "b1", "c1", "follow_up"),
    ],
    ids=["article", "baseline", "claim", "kind"],
)
def test_alert_id_differs_per_part(other: tuple[str, str, str, str]) -> None:
    assert alert_id(*other) != alert_id("https://example.org/a", "b1", "c1", "contradiction")


def test_article_key_falls_back_to_feed_and_entry() -> None:
    assert article_key("f", "e", "https://x.org/") == "https://x.org/"
    assert article_key("f", "e", None) != article_key("f", "e2", None)
    assert article_key("f", "e", None) != article_key("g", "e", None)


def test_same_article_in_two_feeds_gets_one_id() -> None:
    one = build([finding()], article=article(), detected_at=NOW, known_facts=())
    entry = Entry("feed-2", "other-guid", "https://example.org/a", "A headline", None, "")
    two = build([finding()], article=Article(entry, "", "entry"), detected_at=NOW, known_facts=())
    assert one[0].alert_id == two[0].alert_id


def test_strongest_keeps_one_per_claim_and_kind() -> None:
    weak, strong = finding(score=0.4, fact="value:1"), finding(score=0.9, fact="value:2")
    other_kind = finding(kind="follow_up", score=0.1)
    other_claim = finding(claim="c2", score=0.2)
    kept = strongest([weak, strong, other_kind, other_claim])
    assert kept == [strong, other_kind, other_claim]


def test_strongest_prefers_the_first_on_a_tie() -> None:
    first, second = finding(fact="value:1"), finding(fact="value:2")
    assert strongest([first, second]) == [first]


@pytest.mark.parametrize(
    ("known", "novel"),
    [
        (set(), True),
        ({("b1", "c1", "contradiction", "value:3000")}, False),
        ({("b1", "c1", "contradiction", "value:2500")}, True),  # another figure is news
        ({("b1", "c1", "follow_up", "value:3000")}, True),  # same fact, other kind
        ({("b1", "c2", "contradiction", "value:3000")}, True),  # same fact, other claim
    ],
    ids=["first", "repeat", "other-fact", "other-kind", "other-claim"],
)
def test_novelty_against_known_facts(known: set[tuple[str, str, str, str]], novel: bool) -> None:
    (alert,) = build([finding()], article=article(), detected_at=NOW, known_facts=known)
    assert alert.novel is novel


def test_build_fills_the_contract_fields() -> None:
    published = datetime(2022, 1, 19, 8, 30, tzinfo=timezone(timedelta(hours=6)))
    (alert,) = build(
        [finding()], article=article(published=published), detected_at=NOW, known_facts=()
    )
    assert (alert.feed, alert.entry_id, alert.article_title) == ("feed-1", "guid-1", "A headline")
    assert (alert.claim_id, alert.kind, alert.value, alert.fact) == (
        "c1",
        "contradiction",
        3000.0,
        "value:3000",
    )
    assert alert.published == published and alert.detected_at == NOW


def test_to_json_is_the_flat_contract() -> None:
    published = datetime(2022, 1, 19, 8, 30, tzinfo=timezone(timedelta(hours=6)))
    (alert,) = build(
        [finding()], article=article(published=published), detected_at=NOW, known_facts=()
    )
    record = to_json(alert)
    assert set(record) == CONTRACT_KEYS
    assert record["published"] == "2022-01-19T02:30:00+00:00"
    assert record["detected_at"] == "2022-01-20T12:00:00+00:00"
    assert record["novel"] is True and record["value"] == 3000.0
    assert json.loads(json.dumps(record)) == record


def test_to_json_nulls() -> None:
    (alert,) = build(
        [finding(value=None)], article=article(url=None), detected_at=NOW, known_facts=()
    )
    record = to_json(alert)
    assert record["published"] is None and record["value"] is None and record["why"] is None
    assert record["article_url"] is None
