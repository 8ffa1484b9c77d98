"""The reader's last visit: "new" on the served page means found since they last looked."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from claimwatch.lastvisit import VISIT_GAP, since_last_visit

NOW = datetime(2022, 1, 20, 12, 0, tzinfo=UTC)


def stamp(moment: datetime | None) -> str:
    return str(int(moment.timestamp())) if moment else ""


def test_a_first_visit_has_no_last_one() -> None:
    assert since_last_visit(None, NOW) == (None, f"~{stamp(NOW)}")


def test_reloads_within_a_visit_keep_what_was_new() -> None:
    before = NOW - timedelta(days=2)
    cookie = f"{stamp(before)}~{stamp(NOW - timedelta(minutes=5))}"
    assert since_last_visit(cookie, NOW) == (before, f"{stamp(before)}~{stamp(NOW)}")


def test_a_visit_after_a_pause_starts_from_the_last_one() -> None:
    last = NOW - VISIT_GAP - timedelta(minutes=1)
    cookie = f"{stamp(NOW - timedelta(days=2))}~{stamp(last)}"
    assert since_last_visit(cookie, NOW) == (last, f"{stamp(last)}~{stamp(NOW)}")


def test_a_cookie_that_is_not_ours_counts_as_a_first_visit() -> None:
    future = stamp(NOW + timedelta(days=1))
    for cookie in ("", "x~y", "1~2~3", f"~{future}", f"{future}~{stamp(NOW)}", "~99999999999999"):
        assert since_last_visit(cookie, NOW) == (None, f"~{stamp(NOW)}"), cookie
