"""When a reader last looked at the served status page, so that "new" means new to them.

The browser keeps it in a cookie of two times: the visit before this one and the latest
request. A visit is a run of page loads with less than VISIT_GAP between two of them, so
reloading the page, or clicking its filters, does not make everything old at once; the
next visit, after a pause, shows as new what was found since the last one began its pause.
Nothing is kept on the server, and a cookie that cannot be read counts as a first visit.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

COOKIE = "claimwatch_seen"
VISIT_GAP = timedelta(minutes=30)
LIFETIME = 400 * 24 * 3600  # seconds: the longest a browser keeps a cookie


def since_last_visit(cookie: str | None, now: datetime) -> tuple[datetime | None, str]:
    """(the end of the reader's previous visit, or None on a first one; the cookie's new value)."""
    previous, latest = _read(cookie, now)
    if latest is None:
        return None, _write(None, now)
    if now - latest >= VISIT_GAP:  # a new visit: the one before ended at ``latest``
        previous = latest
    return previous, _write(previous, now)


def _read(cookie: str | None, now: datetime) -> tuple[datetime | None, datetime | None]:
    parts = (cookie or "").split("~")
    if len(parts) != 2:
        return None, None
    try:
        times = [datetime.fromtimestamp(int(part), UTC) if part else None for part in parts]
    except (ValueError, OverflowError, OSError):
        return None, None
    previous, latest = times
    if latest is None or latest > now or (previous is not None and previous > latest):
        return None, None  # from a clock set wrong, or not ours
    return previous, latest


def _write(previous: datetime | None, now: datetime) -> str:
    return f"{int(previous.timestamp()) if previous else ''}~{int(now.timestamp())}"
