"""Verdicts on alerts and states of claims, shared by both engines (see claimwatch/verdicts.py).

Both are histories: a call is a new row, never an update, so who said what and when stays
on record, and the latest row (the highest ``id``, i.e. the last one written, whatever time
it carries) is the one that counts. Writing verdicts is all or nothing: when one of them
names no stored alert, none is written. A claim's state is read again by every alert stored
(rows.insert_alert), so a mute takes effect at the next alert, in any daemon.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from claimwatch.alerts import Alert
from claimwatch.store.rows import (
    ALERT_COLUMNS_OF_A,
    ALERT_WIDTH,
    alert_from_row,
    decode_time,
    encode_time,
    insert_verdicts,
)
from claimwatch.store.sql import SqlStore, chunks
from claimwatch.verdicts import ClaimState, Verdict

# S608 below: only constant column lists and "?" placeholders are ever interpolated.
_VERDICT = "v.alert_id, v.verdict, v.judged_by, v.judged_at, v.reason, v.note"
_LATEST_VERDICT = (
    "JOIN (SELECT max(id) AS id FROM verdicts GROUP BY alert_id) latest ON latest.id = v.id"
)


def verdict_from_row(row: Sequence[Any]) -> Verdict:
    alert_id, verdict, by, at, reason, note = row
    moment = decode_time(at)
    assert moment is not None  # NOT NULL column
    return Verdict(alert_id, verdict, by, moment, reason, note)


def _state_from_row(row: Sequence[Any]) -> ClaimState:
    baseline_id, claim_id, state, by, at, note = row
    moment = decode_time(at)
    assert moment is not None  # NOT NULL column
    return ClaimState(baseline_id, claim_id, state, by, moment, note)


class VerdictStore(SqlStore):
    """The analyst's half of the shared queries."""

    def record_verdict(self, verdict: Verdict) -> bool:
        """Record one verdict; False (nothing written) when no alert has its id."""
        return not self.record_verdicts([verdict])

    def record_verdicts(self, verdicts: Sequence[Verdict]) -> list[str]:
        """Record every verdict in one transaction, or none: return the alert ids no stored
        alert has (in the order given), and write nothing when there is one."""
        wanted = list(dict.fromkeys(v.alert_id for v in verdicts))
        with self._transaction("record verdicts") as db:
            known: set[str] = set()
            for chunk in chunks(wanted):
                marks = ",".join("?" * len(chunk))
                rows = db.execute(
                    f"SELECT alert_id FROM alerts WHERE alert_id IN ({marks})",  # noqa: S608
                    chunk,
                ).fetchall()
                known.update(row[0] for row in rows)
            unknown = [alert_id for alert_id in wanted if alert_id not in known]
            if not unknown:
                insert_verdicts(db, verdicts)
        return unknown

    def count_verdicts(self, *, not_by: str | None = None) -> int:
        """How many verdicts were ever written (not by ``not_by``): rows are only ever added,
        so a change in the count is a cheap sign that the verdicts changed."""
        if not_by is None:
            return int(self._rows("SELECT count(*) FROM verdicts")[0][0])
        rows = self._rows("SELECT count(*) FROM verdicts WHERE judged_by <> ?", (not_by,))
        return int(rows[0][0])

    def verdicts(self, alert_ids: Iterable[str] | None = None) -> dict[str, Verdict]:
        """The latest verdict of each alert that has one (of ``alert_ids``, when given)."""
        query = f"SELECT {_VERDICT} FROM verdicts v {_LATEST_VERDICT}"  # noqa: S608
        if alert_ids is None:
            return {row[0]: verdict_from_row(row) for row in self._rows(query)}
        found: dict[str, Verdict] = {}
        for chunk in chunks(list(dict.fromkeys(alert_ids))):
            marks = ",".join("?" * len(chunk))
            rows = self._rows(f"{query} WHERE v.alert_id IN ({marks})", chunk)
            found.update((row[0], verdict_from_row(row)) for row in rows)
        return found

    def judged_alerts(self) -> list[tuple[Alert, Verdict]]:
        """Every alert with a verdict, with its latest one, oldest alert first."""
        rows = self._rows(
            f"SELECT {ALERT_COLUMNS_OF_A}, {_VERDICT} FROM alerts a "  # noqa: S608
            f"JOIN verdicts v ON v.alert_id = a.alert_id {_LATEST_VERDICT} ORDER BY a.rowid"
        )
        return [
            (alert_from_row(row[:ALERT_WIDTH]), verdict_from_row(row[ALERT_WIDTH:])) for row in rows
        ]

    def alert_ids_starting(self, prefix: str, limit: int = 2) -> list[str]:
        """Up to ``limit`` stored alert ids that start with ``prefix``, in order (two tell a
        unique prefix from an ambiguous one)."""
        rows = self._rows(
            "SELECT alert_id FROM alerts WHERE substr(alert_id, 1, ?) = ? "
            "ORDER BY alert_id LIMIT ?",
            (len(prefix), prefix, limit),
        )
        return [row[0] for row in rows]

    def record_claim_state(self, state: ClaimState) -> None:
        with self._transaction("record claim state") as db:
            db.execute(
                "INSERT INTO claim_states (baseline_id, claim_id, state, note, set_by, set_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (state.baseline_id, state.claim_id, state.state, state.note, state.by,
                 encode_time(state.at)),
            )  # fmt: skip

    def claim_states(self) -> dict[tuple[str, str], ClaimState]:
        """The latest state of each claim that ever had one (``open`` included)."""
        rows = self._rows(
            "SELECT s.baseline_id, s.claim_id, s.state, s.set_by, s.set_at, s.note "
            "FROM claim_states s JOIN (SELECT max(id) AS id FROM claim_states "
            "GROUP BY baseline_id, claim_id) latest ON latest.id = s.id"
        )
        return {(row[0], row[1]): _state_from_row(row) for row in rows}
