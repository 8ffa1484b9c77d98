"""``claimwatch alerts confirm|dismiss|seen`` and ``claimwatch claims``: an analyst's calls.

Alerts are named by id or by a unique prefix of one, as git takes commit ids. Every id is
resolved before anything is written: one that matches no alert, or several, is an error that
names it (exit 2), and then no verdict is recorded at all, for any of the ids given. Claims
are named ``BASELINE_ID/CLAIM_ID`` and checked the same way against the loaded baselines and
the stored alerts.

Both write beside a running daemon, as ``alerts --retry`` does (SQLite's write lock makes
the writes take turns; no writer's lock is taken). A state that does not exist yet is never
created here: one created outside ``run``/``once`` would hide a lost state from their checks.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from claimwatch.baselines import Baseline
from claimwatch.config import Config, default_config_path, load_config
from claimwatch.errors import InputError, StateError
from claimwatch.exits import EXIT_OK
from claimwatch.inputs import load_inputs
from claimwatch.status import ClaimLine, claim_lines, missing_text
from claimwatch.status_json import claim_json
from claimwatch.store import Store, open_store
from claimwatch.triage import NO_TRIAGE, Triage
from claimwatch.verdicts import AUTOMATIC_BY, ClaimState, ClaimStateKind, Verdict, VerdictKind

VERDICTS: dict[str, VerdictKind] = {"confirm": "confirmed", "dismiss": "dismissed", "seen": "seen"}
STATES: dict[str, ClaimStateKind] = {"mute": "muted", "close": "closed", "open": "open"}
COLUMNS = ("CLAIM", "STATE", "CONTRA", "FOLLOW-UPS", "CONFIRMED", "DISMISSED", "UNJUDGED", "LATEST")
AMBIGUOUS_SHOWN = 3  # matches of an ambiguous prefix named in the error
EFFECT = {
    "muted": "new alerts are stored, not delivered",
    "closed": "new alerts are stored, not delivered",
    "open": "new alerts are delivered again",
}


def config_path(args: argparse.Namespace) -> Path:
    path: Path = args.config or default_config_path()
    return path


def login_name() -> str:
    """Who is calling: the login name, as ``getpass`` finds it."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no LOGNAME/USER and no password entry (a bare container)
        return "unknown"


def caller(args: argparse.Namespace) -> tuple[str, str | None]:
    """(by, note) from ``--by`` and ``--note``; an empty ``--by`` is an error."""
    by = login_name() if args.by is None else args.by.strip()
    if not by:
        raise InputError("--by: give a name (or leave it out for the login name)")
    if by == AUTOMATIC_BY:  # the feedback never learns from its verdicts (holdback.py)
        where = "--by" if args.by is not None else "the login name"
        raise InputError(
            f"{where} {by!r} is the name of claimwatch's own calls, which teach nothing: "
            "give yours with --by NAME"
        )
    note = (args.note or "").strip() or None
    return by, note


@contextmanager
def state_of(config: Config) -> Iterator[Store]:
    """The configured state, opened as ``alerts`` opens it; StateError when there is none."""
    if config.state_missing:
        raise StateError(
            "no state yet (it does not exist): nothing is stored to judge; run `claimwatch "
            "once` or the service first",
            subject=config.state_display,
        )
    store = open_store(config.state_location)
    try:
        yield store
    finally:
        store.close()


# ---- verdicts on alerts --------------------------------------------------------------------


def resolve(store: Store, given: Sequence[str]) -> list[str]:
    """The full alert ids ``given`` ids or prefixes name, in order, each once; InputError
    naming every id that matches no alert or several."""
    found: list[str] = []
    problems: list[str] = []
    for text in given:
        prefix = text.strip().lower()
        matches = store.alert_ids_starting(prefix, AMBIGUOUS_SHOWN + 1) if prefix else []
        if len(matches) == 1:
            found.append(matches[0])
        elif not matches:
            problems.append(f"alert {text!r}: no stored alert has this id or starts with it")
        else:
            more = " and more" if len(matches) > AMBIGUOUS_SHOWN else ""
            named = ", ".join(matches[:AMBIGUOUS_SHOWN])
            problems.append(f"alert {text!r}: ambiguous, matches {named}{more}")
    if problems:
        raise InputError("\n".join([*problems, "no verdict was recorded"]))
    return list(dict.fromkeys(found))


def record_verdicts(args: argparse.Namespace) -> int:
    """``claimwatch alerts confirm|dismiss|seen ALERT_ID...``"""
    config = load_config(config_path(args))
    by, note = caller(args)
    kind = VERDICTS[args.alerts_command]
    reason = getattr(args, "reason", None)  # dismiss only
    with state_of(config) as store:
        ids = resolve(store, args.alert_ids)
        now = datetime.now(UTC)
        made = [Verdict(alert_id, kind, by, now, reason, note) for alert_id in ids]
        unknown = store.record_verdicts(made)
        if unknown:  # alerts are never deleted, so only a state replaced meanwhile gets here
            raise InputError(f"alert {unknown[0]!r}: gone meanwhile; no verdict was recorded")
        alerts = {a.alert_id: a for a, _ in store.judged_alerts() if a.alert_id in set(ids)}
    for verdict in made:
        alert = alerts[verdict.alert_id]
        reason_text = f" ({verdict.reason})" if verdict.reason else ""
        print(
            f"{verdict.verdict}{reason_text} {alert.alert_id} {alert.baseline_id}/"
            f"{alert.claim_id}: {alert.article_title}"
        )
    return EXIT_OK


# ---- claims --------------------------------------------------------------------------------


def claims(args: argparse.Namespace) -> int:
    """``claimwatch claims [--json]`` lists; ``claims mute|close|open CLAIM...`` sets."""
    config, baselines = load_inputs(config_path(args))
    if args.claims_command is None:
        return list_claims(config, baselines, as_json=args.json)
    by, note = caller(args)
    kind = STATES[args.claims_command]
    with state_of(config) as store:
        keys = claim_keys(args.claims, baselines, store)
        now = datetime.now(UTC)
        for baseline_id, claim_id in keys:
            store.record_claim_state(ClaimState(baseline_id, claim_id, kind, by, now, note))
    for baseline_id, claim_id in keys:
        noted = f" ({note})" if note else ""
        print(f"{kind} {baseline_id}/{claim_id}{noted}: {EFFECT[kind]}")
    return EXIT_OK


def claim_keys(
    given: Sequence[str], baselines: Sequence[Baseline], store: Store
) -> list[tuple[str, str]]:
    """(baseline_id, claim_id) per ``BASELINE_ID/CLAIM_ID`` given; InputError naming every
    one that is malformed, or that no loaded baseline holds and no stored alert names."""
    known = {(b.id, c.id) for b in baselines for c in b.claims}
    keys: list[tuple[str, str]] = []
    problems: list[str] = []
    for text in given:
        baseline_id, slash, claim_id = text.strip().partition("/")
        if not (slash and baseline_id and claim_id):
            problems.append(f"claim {text!r}: expected BASELINE_ID/CLAIM_ID")
            continue
        keys.append((baseline_id, claim_id))
    unknown = [key for key in keys if key not in known]
    if unknown:
        named = {(a.baseline_id, a.claim_id) for a in store.all_alerts()}
        problems += [
            f"claim '{b}/{c}': no loaded baseline holds it and no stored alert names it"
            for b, c in unknown
            if (b, c) not in named
        ]
    if problems:
        raise InputError("\n".join([*problems, "no claim state was recorded"]))
    return list(dict.fromkeys(keys))


def list_claims(config: Config, baselines: Sequence[Baseline], *, as_json: bool) -> int:
    """Every claim with its state and counts (nothing stored yet: every claim open, no
    alerts)."""
    alerts, triage = [], NO_TRIAGE
    if not config.state_missing:
        with state_of(config) as store:
            alerts, triage = store.all_alerts(), Triage(store.verdicts(), store.claim_states())
    lines = claim_lines(baselines, alerts, triage)
    if as_json:
        current = {(b.id, c.id) for b in baselines for c in b.claims}
        for line in lines:
            record = claim_json(line, current, {})
            del record["alerts"]
            print(json.dumps(record, ensure_ascii=False))
        return EXIT_OK
    print(claims_table(lines))
    if config.state_missing:
        print(missing_text(config), file=sys.stderr)
    return EXIT_OK


def claims_table(lines: Sequence[ClaimLine]) -> str:
    """Aligned columns, one claim a line, the note last (it may be long)."""
    rows: list[tuple[str, ...]] = [COLUMNS]
    notes = ["NOTE"]
    for line in lines:
        state = line.state.state if line.state else "open"
        latest = "-" if line.latest is None else f"{line.latest.astimezone(UTC):%Y-%m-%d}"
        counts = (line.contradictions, line.follow_ups, line.confirmed, line.dismissed)
        cells = (*map(str, counts), str(line.unjudged), latest)
        rows.append((f"{line.baseline_id}/{line.claim_id}", state, *cells))
        notes.append(line.state.note or "" if line.state else "")
    widths = [max(len(cell) for cell in column) for column in zip(*rows, strict=True)]
    return "\n".join(
        "  ".join(
            [*(cell.ljust(width) for cell, width in zip(row, widths, strict=True)), note]
        ).rstrip()
        for row, note in zip(rows, notes, strict=True)
    )
