"""An analyst's calls on the page: the verdict on each report and the hold on each claim, and,
when the daemon serves the page with writes on, the forms that make them.

The forms need no script: each posts to the daemon (webtriage.py), which answers with a
redirect back to the report's or the claim's anchor on the page the form was on. Their
actions are relative, so the page keeps working behind a proxy that serves it under a path.
A file has no forms: nothing would receive them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from claimwatch.report.markup import esc, minute
from claimwatch.verdicts import DISMISS_REASONS, ClaimState, Verdict

# read: no forms (a file, or a server without [http] token_file); sign-in: writes are on
# and the reader has not proved the write token yet; write: the reader has.
Mode = Literal["read", "sign-in", "write"]
NOTE_LIMIT = 500  # characters of a note the forms take (the server enforces its own limit)
REASON_LABELS = {reason: reason.replace("-", " ") for reason in DISMISS_REASONS}


@dataclass(frozen=True, slots=True)
class PageCalls:
    """What the page shows of the analysts' calls, and whether it offers forms to make them.

    ``csrf`` is the value of the forms' hidden CSRF field (the server may render a
    placeholder and fill in each session's token); ``back`` the filter's query string the
    forms return to (``status=contradicted``)."""

    verdicts: Mapping[str, Verdict] = field(default_factory=dict)
    states: Mapping[tuple[str, str], ClaimState] = field(default_factory=dict)
    mode: Mode = "read"
    csrf: str = ""
    back: str = ""

    @property
    def forms(self) -> bool:
        return self.mode == "write"


NO_CALLS = PageCalls()


def alert_anchor(alert_id: str) -> str:
    """The id of a report on the page (escaped for an attribute): where a verdict leads back."""
    return esc(f"a-{alert_id}")


def _hidden(calls: PageCalls) -> str:
    return (
        f'<input type="hidden" name="csrf" value="{esc(calls.csrf)}">'
        f'<input type="hidden" name="back" value="{esc(calls.back)}">'
    )


def _by(by: str, at: str) -> str:
    return f'<span class="muted">by {esc(by)}, {at}</span>'


def verdict_note(verdict: Verdict | None) -> str:
    """The latest call on a report, as a badge with who and when; nothing without one."""
    if verdict is None:
        return ""
    said: str = verdict.verdict
    if verdict.reason:
        said += f": {REASON_LABELS.get(verdict.reason, verdict.reason)}"
    note = f" · {esc(verdict.note)}" if verdict.note else ""
    return (
        f'<span class="verdict"><span class="badge v-{esc(verdict.verdict)}">{esc(said)}</span> '
        f"{_by(verdict.by, minute(verdict.at))}{note}</span>"
    )


def verdict_form(alert_id: str, calls: PageCalls) -> str:
    """Confirm, seen, or dismiss with an optional reason: one form, one button per verdict."""
    if not calls.forms:
        return ""
    reasons = "".join(f'<option value="{k}">{v}</option>' for k, v in REASON_LABELS.items())
    return (
        f'<form class="act" method="post" action="alerts/{esc(alert_id)}/verdict">'
        f"{_hidden(calls)}"
        '<button name="verdict" value="confirmed">Confirm</button>'
        '<button name="verdict" value="seen">Seen</button>'
        f'<select name="reason" aria-label="Why it is a false alarm">'
        f'<option value="">reason…</option>{reasons}</select>'
        '<button name="verdict" value="dismissed">Dismiss</button></form>'
    )


def alert_calls(alert_id: str, calls: PageCalls) -> str:
    """A report's verdict and, when the page offers them, its form."""
    parts = [verdict_note(calls.verdicts.get(alert_id)), verdict_form(alert_id, calls)]
    joined = "".join(p for p in parts if p)
    return f'<div class="calls">{joined}</div>' if joined else ""


def state_form(baseline_id: str, claim_id: str, calls: PageCalls) -> str:
    """Mute or close (with a note) an open claim; reopen a held one."""
    if not calls.forms:
        return ""
    action = f"claims/{esc(baseline_id)}/{esc(claim_id)}/state"
    state = calls.states.get((baseline_id, claim_id))
    if state is not None and state.state != "open":
        return (
            f'<form class="act" method="post" action="{action}">{_hidden(calls)}'
            '<button name="state" value="open">Reopen</button></form>'
        )
    return (
        f'<details class="act"><summary>Mute or close</summary>'
        f'<form method="post" action="{action}">{_hidden(calls)}'
        f'<input name="note" maxlength="{NOTE_LIMIT}" aria-label="Note" '
        'placeholder="note: why it is closed">'
        '<button name="state" value="muted">Mute</button>'
        '<button name="state" value="closed">Close</button></form></details>'
    )


def session_bar(calls: PageCalls) -> str:
    """At the top of a served page with writes on: sign in with the write token, or out."""
    if calls.mode == "sign-in":
        return (
            '<form class="session" method="post" action="login">'
            f'<input type="hidden" name="back" value="{esc(calls.back)}">'
            '<label>Write token <input type="password" name="token" required '
            'autocomplete="current-password"></label> <button>Sign in to triage</button></form>'
        )
    if calls.mode == "write":
        return (
            '<form class="session" method="post" action="logout">'
            f"{_hidden(calls)}Signed in to triage. <button>Sign out</button></form>"
        )
    return ""
