"""Alerts -> email messages (plain text + HTML, stable Message-ID). Pure: no I/O, no sending.

All article text (titles, evidence, feed names, links) comes from strangers and is treated so:
header values are collapsed to one line before ``EmailMessage`` sees them (it refuses CR/LF
anyway), a subject holding encoded-word syntax is encoded itself (``set_subject``), the HTML
part escapes every value with ``html.escape``, and only http(s) links become links. Feed
text reaches no header but the Subject. The Message-ID is derived from the alert id (or a
digest's alerts) and the sink name, so a message sent again after a crash is recognisably
the same message.
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.header import Header
from email.message import EmailMessage
from email.utils import format_datetime
from urllib.parse import urlsplit

from claimwatch.alerts import FEED_KINDS, TEST_KIND, Alert
from claimwatch.matching.explain import ClaimExplanation
from claimwatch.sinks.base import Digest
from claimwatch.why import rule_line

TITLE_LIMIT = 120  # characters of an article title in a subject line
KIND_LABELS = {
    "contradiction": "contradiction",
    "follow_up": "follow-up",
    "feed_failing": "feed failing",
    "feed_recovered": "feed recovered",
    TEST_KIND: "test alert",
}
FEED_HEALTH = "feed health"  # the heading of operator alerts, which concern no claim
ENCODED_WORD_START = "=?"  # RFC 2047: what makes a mail client decode the text after it
_SPACES = re.compile(r"[\s\x00-\x1f\x7f]+")
_STYLE = {
    "body": "font-family:sans-serif;line-height:1.45;color:#222;max-width:46em",
    "quote": "border-left:4px solid #b44;margin:.8em 0;padding:.1em 1em;background:#faf7f2",
    "mark": "background:#ffe08a;font-weight:bold",
    "muted": "color:#777;font-size:small",
}


@dataclass(frozen=True, slots=True)
class Envelope:
    """Who sends to whom, and how subjects start; ``sink`` goes into the Message-ID."""

    sender: str
    recipients: tuple[str, ...]
    subject_prefix: str = "[claimwatch]"
    sink: str = "email"


def message_id(key: str, sink: str) -> str:
    """``<key.sink@claimwatch>``: the same alert and sink always give the same id."""
    return f"<{key}.{sink}@claimwatch>"


def digest_key(digest: Digest) -> str:
    """Names the period and the exact set of alerts, so a resend has the same Message-ID."""
    ids = "\n".join(sorted(a.alert_id for a in digest.alerts)).encode("ascii")
    return f"digest-{digest.start:%Y%m%dT%H%M}Z-{hashlib.sha256(ids).hexdigest()[:16]}"


def one_line(text: str, limit: int | None = None) -> str:
    """Whitespace and control characters collapsed to single spaces; cut with an ellipsis."""
    flat = _SPACES.sub(" ", text).strip()
    if limit is not None and len(flat) > limit:
        return flat[: limit - 1].rstrip() + "…"
    return flat


def split_highlight(evidence: str, span: tuple[int, int] | None) -> tuple[str, str, str]:
    """(before, highlighted, after); the whole sentence unhighlighted when the span is unusable."""
    if span is None:
        return evidence, "", ""
    start, end = span
    if not 0 <= start < end <= len(evidence):
        return evidence, "", ""
    return evidence[:start], evidence[start:end], evidence[end:]


def kind_label(alert: Alert) -> str:
    return KIND_LABELS.get(alert.kind, alert.kind)


def is_feed_alert(alert: Alert) -> bool:
    """An operator alert about a feed (failing, recovered), not a finding about a claim."""
    return alert.kind in FEED_KINDS


def is_test_alert(alert: Alert) -> bool:
    """A test sent by ``claimwatch alerts test``: about no claim, never stored."""
    return alert.kind == TEST_KIND


def safe_link(url: str | None) -> str | None:
    """The URL when it is http(s) (never ``javascript:`` and the like), else None."""
    if not url:
        return None
    parts = urlsplit(url.strip())
    return url.strip() if parts.scheme in ("http", "https") and parts.netloc else None


def utc_text(moment: datetime | None) -> str:
    if moment is None:
        return "date unknown"
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return f"{moment.astimezone(UTC):%Y-%m-%d %H:%M} UTC"


# ---- one alert ---------------------------------------------------------------------------


def alert_subject(alert: Alert, prefix: str) -> str:
    """``[claimwatch] contradiction · csto-troop-count · <title>`` on one line."""
    if is_test_alert(alert):
        return one_line(f"{prefix} test alert · not about any claim")
    if is_feed_alert(alert):
        return one_line(f"{prefix} {kind_label(alert)} · {one_line(alert.feed, TITLE_LIMIT)}")
    title = one_line(alert.article_title, TITLE_LIMIT) or "(untitled)"
    return one_line(f"{prefix} {kind_label(alert)} · {alert.claim_id} · {title}")


def alert_text(alert: Alert) -> str:
    """The plain-text part; the decisive phrase between ``**``."""
    if is_test_alert(alert):
        return _test_text(alert)
    if is_feed_alert(alert):
        return _feed_text(alert)
    parts = split_highlight(alert.evidence, alert.highlight)
    before, mark, after = (_SPACES.sub(" ", part) for part in parts)
    evidence = (f"{before}**{mark}**{after}" if mark else before).strip()
    return "\n".join(
        [
            f"{kind_label(alert).capitalize()} of a baseline claim",
            "",
            f"Claim:     {alert.baseline_id} / {alert.claim_id}",
            f"Evidence:  “{evidence}”",
            f"Why:       {one_line(alert.reason)}",
            *([f"Rule:      {one_line(rule_line(alert.why))}"] if alert.why else []),
            f"Article:   {one_line(alert.article_title) or '(untitled)'}",
            f"Source:    {one_line(alert.feed)}, published {utc_text(alert.published)}",
            f"Link:      {one_line(alert.article_url or '-')}",
            "",
            f"alert {alert.alert_id} · detected {utc_text(alert.detected_at)}"
            f" · score {alert.score:.2f}",
            "",
        ]
    )


def _feed_text(alert: Alert) -> str:
    return "\n".join(
        [
            f"{kind_label(alert).capitalize()}: an operator alert, not about a claim",
            "",
            f"Feed:      {one_line(alert.feed)}",
            f"URL:       {one_line(alert.article_url or '-')}",
            f"Why:       {one_line(alert.reason)}",
            f"Since:     {utc_text(alert.published)}",
            "",
            f"alert {alert.alert_id} · detected {utc_text(alert.detected_at)}",
            "",
        ]
    )


def _test_text(alert: Alert) -> str:
    return "\n".join(
        [
            "Test alert: not about any claim",
            "",
            one_line(alert.reason),
            "",
            f"Sent by:   {one_line(alert.evidence)}",
            f"Sent at:   {_seconds_text(alert.detected_at)}",
            "",
            f"alert {alert.alert_id}",
            "",
        ]
    )


def _test_html(alert: Alert) -> str:
    return _page(
        html.escape(alert_subject(alert, "")),
        f'<p style="{_STYLE["muted"]}">test alert, not about any claim</p>',
        "<h2>Test alert</h2>",
        f"<p>{html.escape(one_line(alert.reason))}</p>",
        f"<p><b>Sent by:</b> {html.escape(one_line(alert.evidence))}<br>"
        f"<b>Sent at:</b> {_seconds_text(alert.detected_at)}</p>",
        f'<p style="{_STYLE["muted"]}">alert {html.escape(alert.alert_id)}</p>',
    )


def _seconds_text(moment: datetime) -> str:
    """To the second: tells one test send from the next."""
    return f"{moment.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC"


def _feed_html(alert: Alert) -> str:
    heading = f"{kind_label(alert).capitalize()}: {one_line(alert.feed)}"
    return _page(
        html.escape(alert_subject(alert, "")),
        f'<p style="{_STYLE["muted"]}">operator alert, not about a claim</p>',
        f"<h2>{html.escape(heading)}</h2>",
        f"<p>{html.escape(one_line(alert.article_url or '-'))}</p>",
        f"<p><b>Why:</b> {html.escape(one_line(alert.reason))}</p>",
        f'<p style="{_STYLE["muted"]}">alert {html.escape(alert.alert_id)} · detected '
        f"{utc_text(alert.detected_at)}</p>",
    )


def evidence_html(alert: Alert) -> str:
    before, mark, after = split_highlight(alert.evidence, alert.highlight)
    marked = f'<mark style="{_STYLE["mark"]}">{html.escape(mark)}</mark>' if mark else ""
    body = f"{html.escape(before)}{marked}{html.escape(after)}"
    return f'<blockquote style="{_STYLE["quote"]}">{body}</blockquote>'


def article_html(alert: Alert) -> str:
    """Title (linked when the link is http(s)), source and date, all escaped."""
    title = html.escape(one_line(alert.article_title) or "(untitled)")
    link = safe_link(alert.article_url)
    if link is not None:
        title = f'<a href="{html.escape(link, quote=True)}">{title}</a>'
    source = f"{html.escape(one_line(alert.feed))}, published {utc_text(alert.published)}"
    return f"{title}<br>{source}"


def rule_html(why: ClaimExplanation) -> str:
    """The detector's rule and the claim's expectation (why.py), for the curious reader."""
    return f'<p style="{_STYLE["muted"]}">Rule: {html.escape(one_line(rule_line(why)))}</p>'


def alert_html(alert: Alert) -> str:
    """The HTML part: every value escaped."""
    if is_test_alert(alert):
        return _test_html(alert)
    if is_feed_alert(alert):
        return _feed_html(alert)
    kind = html.escape(kind_label(alert).capitalize())
    return _page(
        html.escape(alert_subject(alert, "")),
        f'<p style="{_STYLE["muted"]}">{kind} of a baseline claim</p>',
        f"<h2>{html.escape(alert.claim_id)}</h2>",
        f'<p style="{_STYLE["muted"]}">baseline {html.escape(alert.baseline_id)}</p>',
        evidence_html(alert),
        f"<p><b>Why:</b> {html.escape(one_line(alert.reason))}</p>",
        *([rule_html(alert.why)] if alert.why else []),
        f"<p>{article_html(alert)}</p>",
        f'<p style="{_STYLE["muted"]}">alert {html.escape(alert.alert_id)} · detected '
        f"{utc_text(alert.detected_at)} · score {alert.score:.2f}</p>",
    )


def _page(title: str, *parts: str) -> str:
    head = f'<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>{title}</title></head>'
    return "\n".join([head, f'<body style="{_STYLE["body"]}">', *parts, "</body></html>", ""])


def _message(envelope: Envelope, subject: str, key: str, date: datetime) -> EmailMessage:
    message = EmailMessage()
    message["From"] = envelope.sender
    message["To"] = ", ".join(envelope.recipients)
    set_subject(message, one_line(subject))
    message["Date"] = format_datetime(date if date.tzinfo else date.replace(tzinfo=UTC))
    message["Message-ID"] = message_id(key, envelope.sink)
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies
    return message


def set_subject(message: EmailMessage, subject: str) -> None:
    """The subject as mail clients will show it, whatever a feed put in the title.

    Non-ASCII subjects go through ``email.header.Header``: the default policy's folding can
    drop the space between two encoded words (a CPython bug), e.g. before a Cyrillic title.
    So does an ASCII subject holding ``=?``: a title such as ``=?utf-8?b?...?=`` would be
    decoded by the reader's client into text of the sender's choosing (RFC 2047), while as
    the content of an encoded word it reads back literally.
    """
    if subject.isascii() and ENCODED_WORD_START not in subject:
        message["Subject"] = subject
    else:  # ``subject`` is one line already; Header output is plain ASCII encoded words
        message.set_raw("Subject", Header(subject, "utf-8", header_name="Subject").encode())


def alert_message(alert: Alert, envelope: Envelope) -> EmailMessage:
    """One email for one alert; Date is the detection time, so a resend is byte-identical."""
    subject = alert_subject(alert, envelope.subject_prefix)
    message = _message(envelope, subject, alert.alert_id, alert.detected_at)
    message["X-Claimwatch-Alert-Id"] = alert.alert_id
    message.set_content(alert_text(alert))
    message.add_alternative(alert_html(alert), subtype="html")
    return message


# ---- digests -----------------------------------------------------------------------------

ClaimGroup = tuple[str, str, list[Alert], list[Alert]]  # baseline, claim, novel, repeats


def by_claim(alerts: Iterable[Alert]) -> list[ClaimGroup]:
    """Alerts grouped by claim in order of first appearance: novel ones, then repeats."""
    groups: dict[tuple[str, str], ClaimGroup] = {}
    for alert in alerts:
        key = (alert.baseline_id, alert.claim_id)
        group = groups.setdefault(key, (*key, [], []))
        (group[2] if alert.novel else group[3]).append(alert)
    return list(groups.values())


def digest_subject(digest: Digest, prefix: str) -> str:
    count, claims = len(digest.alerts), len({(a.baseline_id, a.claim_id) for a in digest.alerts})
    alerts = f"{count} alert{'s' * (count != 1)} on {claims} claim{'s' * (claims != 1)}"
    return f"{prefix} digest · {alerts} · {_period(digest)}"


def _period(digest: Digest) -> str:
    return f"{utc_text(digest.start)} – {utc_text(digest.end)}"


def _repeat_line(alert: Alert) -> str:
    title = one_line(alert.article_title, TITLE_LIMIT) or "(untitled)"
    return f"  - {title} ({one_line(alert.feed)}): {one_line(alert.article_url or '-')}"


def digest_text(digest: Digest) -> str:
    """Plain text: per claim, the new alerts in full, then repeats listed as corroboration."""
    lines = [f"claimwatch digest, {_period(digest)}", ""]
    for baseline_id, claim_id, novel, repeats in by_claim(digest.alerts):
        heading = f"{baseline_id} / {claim_id}" if claim_id else FEED_HEALTH
        lines += [f"== {heading} ==", ""]
        for alert in novel:
            lines += ["  " + line if line else "" for line in alert_text(alert).splitlines()]
        if repeats:
            lines.append("Corroboration (facts already alerted, reported again):")
            lines += [_repeat_line(alert) for alert in repeats]
            lines.append("")
    return "\n".join(lines)


def _repeats_html(repeats: Sequence[Alert]) -> list[str]:
    if not repeats:
        return []
    items = "".join(f"<li>{article_html(alert)}</li>" for alert in repeats)
    intro = "<p><b>Corroboration</b> (facts already alerted, reported again):</p>"
    return [intro, f"<ul>{items}</ul>"]


def digest_html(digest: Digest) -> str:
    parts = [f"<h2>claimwatch digest</h2><p>{html.escape(_period(digest))}</p>"]
    for baseline_id, claim_id, novel, repeats in by_claim(digest.alerts):
        baseline = f" <small>({html.escape(baseline_id)})</small>" if claim_id else ""
        parts.append(f"<h3>{html.escape(claim_id or FEED_HEALTH)}{baseline}</h3>")
        for alert in novel:
            if is_feed_alert(alert):
                parts.append(
                    f"<p><b>{html.escape(kind_label(alert).capitalize())}:</b> "
                    f"{html.escape(one_line(alert.reason))}</p>"
                )
                continue
            parts += [
                f"<p><b>{html.escape(kind_label(alert).capitalize())}</b></p>",
                evidence_html(alert),
                f"<p><b>Why:</b> {html.escape(one_line(alert.reason))}</p>",
                f"<p>{article_html(alert)}</p>",
            ]
        parts += _repeats_html(repeats)
    return _page(html.escape(digest_subject(digest, "")), *parts)


def digest_message(digest: Digest, envelope: Envelope) -> EmailMessage:
    """One email for a period's alerts, grouped by claim."""
    subject = digest_subject(digest, envelope.subject_prefix)
    message = _message(envelope, subject, digest_key(digest), digest.end)
    message.set_content(digest_text(digest))
    message.add_alternative(digest_html(digest), subtype="html")
    return message
