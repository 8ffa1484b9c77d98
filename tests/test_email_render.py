"""Building email messages from alerts: subject, parts, highlight, escaping, stable Message-ID."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest

from claimwatch import health
from claimwatch.alerts import Alert
from claimwatch.sinks.base import Digest
from claimwatch.sinks.email_render import (
    Envelope,
    alert_message,
    by_claim,
    digest_message,
    message_id,
    one_line,
    safe_link,
    split_highlight,
)

NOW = datetime(2022, 1, 20, 12, 30, tzinfo=UTC)
ENVELOPE = Envelope("claimwatch@example.org", ("Desk <desk@example.org>", "ops@example.org"))
EVIDENCE = "Officials said 2,030 troops had arrived by Friday."


def alert(alert_id: str = "a" * 20, **changes: object) -> Alert:
    base = Alert(
        alert_id=alert_id,
        kind="contradiction",
        baseline_id="kazakhstan-2022-01",
        claim_id="csto-troop-count",
        article_url="https://news.example.org/csto",
        article_title="CSTO force numbers revised",
        feed="wire",
        entry_id="e1",
        published=datetime(2022, 1, 12, 10, 0, tzinfo=UTC),
        evidence=EVIDENCE,
        reason="The article gives 2,030 troops; the baseline said about 2,500.",
        detected_at=NOW,
        novel=True,
        value=2030.0,
        fact="value:2030",
        score=0.8,
        highlight=(EVIDENCE.index("2,030"), EVIDENCE.index("2,030") + len("2,030 troops")),
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def parsed(message: EmailMessage) -> EmailMessage:
    """The message as a mail client sees it: serialized, then parsed again."""
    result = message_from_bytes(message.as_bytes(), policy=policy.default)
    assert isinstance(result, EmailMessage)
    return result


def parts(message: EmailMessage) -> tuple[str, str]:
    plain, rich = message.get_body(("plain",)), message.get_body(("html",))
    assert plain is not None and rich is not None
    return str(plain.get_content()), str(rich.get_content())


def test_one_email_has_the_headers_and_both_parts() -> None:
    message = parsed(alert_message(alert(), ENVELOPE))
    assert message["Subject"] == (
        "[claimwatch] contradiction · csto-troop-count · CSTO force numbers revised"
    )
    assert message["From"] == "claimwatch@example.org"
    assert message["To"] == "Desk <desk@example.org>, ops@example.org"
    assert message["Message-ID"] == f"<{'a' * 20}.email@claimwatch>"
    assert message["X-Claimwatch-Alert-Id"] == "a" * 20
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Date"].datetime == NOW
    text, rich = parts(message)
    for body in (text, rich):
        assert "csto-troop-count" in body and "kazakhstan-2022-01" in body
        assert "the baseline said about 2,500" in body
        assert "wire" in body and "2022-01-12 10:00 UTC" in body
    assert "**2,030 troops**" in text
    assert "Link:      https://news.example.org/csto" in text
    assert ">2,030 troops</mark>" in rich
    assert '<a href="https://news.example.org/csto">CSTO force numbers revised</a>' in rich


def test_follow_up_is_spelled_with_a_hyphen() -> None:
    message = alert_message(alert(kind="follow_up"), ENVELOPE)
    assert str(message["Subject"]).startswith("[claimwatch] follow-up · ")


def test_message_id_is_stable_across_builds() -> None:
    first, second = alert_message(alert(), ENVELOPE), alert_message(alert(), ENVELOPE)
    assert first["Message-ID"] == second["Message-ID"] == message_id("a" * 20, "email")
    assert parts(parsed(first)) == parts(parsed(second))
    other = alert_message(alert("b" * 20), ENVELOPE)
    assert other["Message-ID"] != first["Message-ID"]


def test_a_hostile_title_cannot_add_headers() -> None:
    title = "Breaking\r\nBcc: victim@example.net\r\n\r\n<script>alert(1)</script>"
    message = parsed(alert_message(alert(article_title=title), ENVELOPE))
    assert message["Bcc"] is None
    assert "\n" not in str(message["Subject"]) and "Bcc: victim" in str(message["Subject"])
    raw = alert_message(alert(article_title=title), ENVELOPE).as_bytes()
    assert b"\nBcc:" not in raw
    text, rich = parts(message)
    assert "<script>" not in rich and "&lt;script&gt;alert(1)&lt;/script&gt;" in rich
    assert "\nBcc:" not in text  # the title cannot start a line of its own either


def test_hostile_evidence_and_feed_are_escaped_in_html() -> None:
    evidence = 'He said "<b>2,030</b>" & <img src=x onerror=alert(1)> troops.'
    start = evidence.index("2,030")
    hostile = alert(evidence=evidence, feed="<i>wire</i>", highlight=(start, start + 5))
    _, rich = parts(parsed(alert_message(hostile, ENVELOPE)))
    assert "<img" not in rich and "<b>2,030" not in rich and "<i>" not in rich
    assert "&lt;img src=x onerror=alert(1)&gt;" in rich and "&amp;" in rich
    assert ">2,030</mark>" in rich


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "data:text/html,<b>x</b>", "//evil.example", None]
)
def test_only_http_links_become_links(url: str | None) -> None:
    _, rich = parts(parsed(alert_message(alert(article_url=url), ENVELOPE)))
    assert "<a href" not in rich
    assert safe_link(url) is None


def test_a_quote_in_a_link_cannot_leave_the_attribute() -> None:
    url = 'https://example.org/a"onmouseover="alert(1)'
    _, rich = parts(parsed(alert_message(alert(article_url=url), ENVELOPE)))
    assert 'href="https://example.org/a&quot;onmouseover=&quot;alert(1)"' in rich


def test_a_long_title_is_cut_in_the_subject() -> None:
    message = alert_message(alert(article_title="word " * 100), ENVELOPE)
    subject = str(message["Subject"])
    assert subject.endswith("…") and len(subject) < 180


@pytest.mark.parametrize(
    "title",
    [
        "Войска ОДКБ покинут Казахстан",  # folds where the stock policy loses a space
        "Войска ОДКБ покинут Казахстан в течение десяти дней, заявил Токаев на заседании",
        "Almaty café reopens",
    ],
)
def test_non_ascii_subjects_survive_the_round_trip(title: str) -> None:
    message = parsed(alert_message(alert(article_title=title), ENVELOPE))
    assert message["Subject"] == f"[claimwatch] contradiction · csto-troop-count · {title}"
    assert title in parts(message)[1]


@pytest.mark.parametrize(
    ("span", "expected"),
    [
        ((4, 9), ("The ", "quick", " fox")),
        (None, ("The quick fox", "", "")),
        ((9, 4), ("The quick fox", "", "")),
        ((0, 99), ("The quick fox", "", "")),
        ((-1, 3), ("The quick fox", "", "")),
    ],
)
def test_split_highlight(span: tuple[int, int] | None, expected: tuple[str, str, str]) -> None:
    assert split_highlight("The quick fox", span) == expected


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("a\r\nb\tc\x00d", None, "a b c d"),
        ("  spaced   out  ", None, "spaced out"),
        ("abcdefghij", 5, "abcd…"),
        ("abc", 5, "abc"),
    ],
)
def test_one_line(text: str, limit: int | None, expected: str) -> None:
    assert one_line(text, limit) == expected


def test_highlight_survives_whitespace_in_the_evidence() -> None:
    evidence = "Officials  said\n2,030 troops."
    start = evidence.index("2,030")
    message = parsed(
        alert_message(alert(evidence=evidence, highlight=(start, start + 5)), ENVELOPE)
    )
    assert "Officials said **2,030** troops." in parts(message)[0]


# ---- digests -----------------------------------------------------------------------------


def digest_of(*alerts: Alert) -> Digest:
    start = datetime(2022, 1, 20, 12, 0, tzinfo=UTC)
    return Digest(start, start + timedelta(hours=1), alerts)


def sample_digest() -> Digest:
    return digest_of(
        alert("a1" * 10),
        alert("a2" * 10, claim_id="death-toll", kind="follow_up", article_title="Toll rises"),
        alert("a3" * 10, novel=False, article_title="Same figure, other outlet", feed="daily"),
    )


def test_by_claim_groups_novel_and_repeats() -> None:
    groups = by_claim(sample_digest().alerts)
    assert [(g[1], len(g[2]), len(g[3])) for g in groups] == [
        ("csto-troop-count", 1, 1),
        ("death-toll", 1, 0),
    ]


def test_digest_groups_by_claim_and_lists_repeats_as_corroboration() -> None:
    message = parsed(digest_message(sample_digest(), ENVELOPE))
    assert message["Subject"] == (
        "[claimwatch] digest · 3 alerts on 2 claims · 2022-01-20 12:00 UTC – 2022-01-20 13:00 UTC"
    )
    assert message["Date"].datetime == datetime(2022, 1, 20, 13, 0, tzinfo=UTC)
    text, rich = parts(message)
    troops, toll = text.index("csto-troop-count =="), text.index("death-toll ==")
    corroboration = text.index("Corroboration")
    assert troops < corroboration < toll
    assert "Same figure, other outlet (daily)" in text[corroboration:toll]
    assert "**2,030 troops**" in text and "Toll rises" in text
    assert rich.count("<h3>") == 2 and "Corroboration" in rich
    assert "Same figure, other outlet</a>" in rich


def test_digest_message_id_names_the_period_and_its_alerts() -> None:
    first = digest_message(sample_digest(), ENVELOPE)["Message-ID"]
    again = digest_message(sample_digest(), ENVELOPE)["Message-ID"]
    assert first == again and str(first).startswith("<digest-20220120T1200Z-")
    fewer = digest_message(digest_of(alert("a1" * 10)), ENVELOPE)["Message-ID"]
    assert fewer != first


def test_digest_of_one_alert_says_so() -> None:
    message = digest_message(digest_of(alert()), ENVELOPE)
    assert "· 1 alert on 1 claim ·" in str(message["Subject"])


# ---- operator alerts about feeds -------------------------------------------------------------


def feed_alert(kind: str) -> Alert:
    episode = health.Episode("failing", datetime(2022, 1, 19, 8, 0, tzinfo=UTC))
    change = health.HealthChange(kind, episode, "HTTP 503 from https://wire.example.org/rss")  # type: ignore[arg-type]
    return health.alert(change, feed="wire", url="https://wire.example.org/rss", now=NOW)


def test_a_feed_alert_reads_as_an_operator_alert_not_a_claim() -> None:
    message = parsed(alert_message(feed_alert("feed_failing"), ENVELOPE))
    assert message["Subject"] == "[claimwatch] feed failing · wire"
    text, rich = parts(message)
    assert text.startswith("Feed failing: an operator alert, not about a claim")
    assert "Feed:      wire" in text and "Since:     2022-01-19 08:00 UTC" in text
    assert "HTTP 503" in text and "baseline claim" not in text and "Claim:" not in text
    assert "<h2>Feed failing: wire</h2>" in rich and "baseline" not in rich


def test_a_digest_puts_feed_alerts_under_feed_health() -> None:
    digest = digest_of(alert(), feed_alert("feed_recovered"))
    text, rich = parts(parsed(digest_message(digest, ENVELOPE)))
    assert "== feed health ==" in text and "== kazakhstan-2022-01 / csto-troop-count ==" in text
    assert "works again" in text and " / ==" not in text
    assert "<h3>feed health</h3>" in rich and "Feed recovered:</b>" in rich
