"""Small HTML pieces every part of the page shares: escaping, safe links, dates, badges, ids.

Article text comes from strangers: it reaches the page only through ``esc`` (``html.escape``),
and only http(s) links become links.
"""

from __future__ import annotations

import hashlib
import html
from datetime import datetime

from claimwatch.alerts import Alert
from claimwatch.report.status import ClaimStatus, Status, utc
from claimwatch.sinks.email_render import safe_link


def esc(text: str) -> str:
    return html.escape(text, quote=True)


def link(url: str | None, body: str) -> str:
    """``body`` (already escaped) as a link when ``url`` is http(s), else as plain text."""
    target = safe_link(url)
    return f'<a href="{esc(target)}">{body}</a>' if target else body


def day(moment: datetime | None) -> str:
    return f"{utc(moment).day} {utc(moment):%b %Y}" if moment else "–"


def reported_day(alert: Alert) -> str:
    """When a report appeared, or when claimwatch saw it when its date is unknown."""
    return day(alert.published) if alert.published else f"seen {day(alert.detected_at)}"


def latest_day(item: ClaimStatus) -> str:
    return reported_day(item.latest[0]) if item.latest else "–"


def minute(moment: datetime) -> str:
    return f"{day(moment)} {utc(moment):%H:%M} UTC"


def plural(count: int, word: str, many: str | None = None) -> str:
    return f"{count} {word if count == 1 else many or word + 's'}"


def badge(status: Status) -> str:
    return f'<span class="badge st-{status.replace(" ", "-")}">{status}</span>'


def anchor(baseline_id: str, claim_id: str) -> str:
    """The id of a claim's card or line (escaped for an attribute)."""
    return esc(f"c-{baseline_id}-{claim_id}")


def baseline_anchor(baseline_id: str) -> str:
    return esc(f"b-{baseline_id}")


def source_anchor(feed: str) -> str:
    """An id for a source in the index: feed names hold any characters, so a digest of it."""
    return "f-src-" + hashlib.sha256(feed.encode("utf-8")).hexdigest()[:10]
