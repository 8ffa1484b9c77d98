"""Writes from the status page: verdicts on reports, holds on claims, and the sign-in that
allows them (the page's forms: report/triage.py).

    POST /login                                  token=        a session cookie, 303 to the page
    POST /logout                                               the cookie cleared, 303
    POST /alerts/{alert_id}/verdict              verdict=confirmed|dismissed|seen, reason=, note=
    POST /claims/{baseline_id}/{claim_id}/state  state=muted|closed|open, note=

Every write needs ``[http] token_file``'s token (without it the page is read-only and these
answer 403), proved either by ``Authorization: Bearer <token>`` (scripts) or by a session
from ``/login`` together with its CSRF token and a same-origin request (websession.py). The
reading rules (webaccess.py) apply first, as to every path. A write answers ``303 See Other``
back to the page, at the report's or the claim's anchor and with the filter the form was
shown under, so reloading the page never sends the form again. Bodies are small forms:
``application/x-www-form-urlencoded`` only, at most MAX_BODY bytes.

The store is written on the event loop, like every write of the daemon (short transactions).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping
from datetime import datetime
from typing import cast
from urllib.parse import parse_qsl, urlencode

from aiohttp import web

from claimwatch.errors import StateError
from claimwatch.pipeline import Runtime
from claimwatch.report import EVERYTHING, FilterError, Mode, parse_filter
from claimwatch.report.markup import anchor
from claimwatch.report.triage import alert_anchor
from claimwatch.throttle import Throttled
from claimwatch.verdicts import (
    CLAIM_STATE_KINDS,
    DISMISS_REASONS,
    VERDICT_KINDS,
    ClaimState,
    ClaimStateKind,
    DismissReason,
    Verdict,
    VerdictKind,
)
from claimwatch.webaccess import Access
from claimwatch.websession import COOKIE, LIFETIME, Sessions, cross_site

# Bytes of a form: a note of NOTE_LIMIT characters, percent-encoded, is at most 24 KB.
MAX_BODY = 32 * 1024
NOTE_LIMIT = 2000  # characters of a note
FORM_TYPE = "application/x-www-form-urlencoded"
PLAIN = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
NO_WRITES = (
    "writes are off: set [http] token_file to a file holding the write token to record "
    "verdicts and claim states from the page"
)
SIGN_IN = (
    "writing needs the write token of [http] token_file: sign in on the page, or send "
    "Authorization: Bearer <token>"
)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class Refused(Exception):
    """A write not done: the status and the line the client gets."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


class Writes:
    """The write endpoints of one server; ``register`` adds them, ``page_mode`` tells the page
    which forms to show a request."""

    def __init__(
        self,
        runtime: Callable[[], Runtime],
        access: Callable[[], Access],
        refused: Throttled,
        changed: Callable[[], None],
        sessions: Sessions | None = None,
    ) -> None:
        """``changed`` is called after each write (the live page reads the calls again)."""
        self._runtime, self._access, self._refused = runtime, access, refused
        self._changed = changed
        self.sessions = sessions or Sessions()

    def register(self, router: web.UrlDispatcher) -> None:
        router.add_post("/login", self._answer(self._login))
        router.add_post("/logout", self._answer(self._logout))
        router.add_post("/alerts/{alert_id}/verdict", self._answer(self._verdict))
        router.add_post("/claims/{baseline_id}/{claim_id}/state", self._answer(self._state))

    def page_mode(self, request: web.Request) -> tuple[Mode, str]:
        """The forms the page shows this request, and its session's CSRF token."""
        token = self._access().usable_write_token
        if token is None:
            return "read", ""
        session = self._session(request, token)
        if session is None:
            return "sign-in", ""
        return "write", self.sessions.csrf(token, session)

    # ---- the checks ------------------------------------------------------------------------

    def _answer(self, handler: Handler) -> Handler:
        async def answer(request: web.Request) -> web.StreamResponse:
            try:
                return await handler(request)
            except Refused as refusal:
                if refusal.status == 403:
                    self._refused.note(f"{request.remote}: {request.path}: {refusal.message}")
                text = f"{refusal.message}\n"
                return web.Response(status=refusal.status, text=text, headers=PLAIN)

        return answer

    def _token(self) -> bytes:
        """The write token, or Refused when writes are off or its file cannot be read."""
        access = self._access()
        if access.write_broken is not None:
            raise Refused(503, f"writes are off for now: {access.write_broken}")
        if access.write_token is None:
            raise Refused(403, NO_WRITES)
        return access.write_token

    def _session(self, request: web.Request, token: bytes) -> str | None:
        return self.sessions.session(token, request.cookies.get(COOKIE), time.time())

    @staticmethod
    def _same_site(request: web.Request) -> None:
        headers = request.headers
        why = cross_site(
            headers.get("Host"),
            headers.get("Origin"),
            headers.get("Referer"),
            headers.get("Sec-Fetch-Site"),
        )
        if why is not None:
            raise Refused(403, f"refused: not sent from this server's page ({why})")

    @staticmethod
    async def _form(request: web.Request) -> dict[str, str]:
        """The posted fields (the first of each name); Refused unless a small plain form."""
        if request.content_length is not None and request.content_length > MAX_BODY:
            raise Refused(413, f"the form is larger than {MAX_BODY} bytes")
        if not request.body_exists:
            return {}
        if request.content_type != FORM_TYPE:
            raise Refused(415, f"send the fields as {FORM_TYPE}")
        try:
            body = await request.read()  # at most client_max_size (web.py): else 413
            pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
        except web.HTTPRequestEntityTooLarge:
            raise Refused(413, f"the form is larger than {MAX_BODY} bytes") from None
        except UnicodeDecodeError:
            raise Refused(400, "the form is not UTF-8") from None
        fields: dict[str, str] = {}
        for key, value in pairs:
            fields.setdefault(key, value)
        return fields

    async def _writer(self, request: web.Request) -> tuple[str, dict[str, str]]:
        """Who writes (``by``: the basic-auth user, else "page") and the form; Refused when
        the request does not prove the write token or may come from another site."""
        token, authorization = self._token(), request.headers.get("Authorization")
        access = self._access()
        by = access.basic_user(authorization) or "page"
        if access.bearer_writes(authorization):
            return by, await self._form(request)  # a script: no cookie, nothing to forge
        session = self._session(request, token)
        if session is None:
            raise Refused(403, SIGN_IN)
        self._same_site(request)
        form = await self._form(request)
        if not self.sessions.csrf_matches(token, session, form.get("csrf", "")):
            raise Refused(403, "the form's CSRF token is missing or wrong: reload the page")
        return by, form

    # ---- the endpoints ---------------------------------------------------------------------

    async def _login(self, request: web.Request) -> web.StreamResponse:
        token = self._token()
        self._same_site(request)
        form = await self._form(request)
        if not self._access().write_token_matches(form.get("token", "").strip()):
            raise Refused(403, "wrong write token")
        response = back(form, "./", "", "signed in")
        response.set_cookie(
            COOKIE,
            self.sessions.issue(token, time.time()),
            max_age=LIFETIME,
            path="/",
            httponly=True,
            samesite="Strict",
        )
        return response

    async def _logout(self, request: web.Request) -> web.StreamResponse:
        self._same_site(request)
        form = await self._form(request)
        response = back(form, "./", "", "signed out")
        response.del_cookie(COOKIE, path="/")
        return response

    async def _verdict(self, request: web.Request) -> web.StreamResponse:
        by, form = await self._writer(request)
        alert_id = request.match_info["alert_id"]
        verdict = read_verdict(alert_id, form, by, self._runtime().clock())
        with _state_errors():
            if not self._runtime().store.record_verdict(verdict):
                raise Refused(404, f"no stored alert has id {alert_id!r}")
        self._changed()
        said = f"{alert_id}: {verdict.verdict}" + (f" ({verdict.reason})" if verdict.reason else "")
        return back(form, "../../", alert_anchor(alert_id), f"recorded {said} by {by}")

    async def _state(self, request: web.Request) -> web.StreamResponse:
        by, form = await self._writer(request)
        baseline_id, claim_id = request.match_info["baseline_id"], request.match_info["claim_id"]
        known = {(b.id, c.id) for b in self._runtime().baselines for c in b.claims}
        if (baseline_id, claim_id) not in known:
            raise Refused(404, f"no loaded baseline has the claim {baseline_id}/{claim_id}")
        state = read_state(baseline_id, claim_id, form, by, self._runtime().clock())
        with _state_errors():
            self._runtime().store.record_claim_state(state)
        self._changed()
        said = f"{baseline_id}/{claim_id}: {state.state}"
        return back(form, "../../../", anchor(baseline_id, claim_id), f"recorded {said} by {by}")


@contextlib.contextmanager
def _state_errors() -> Iterator[None]:
    """A database that fails a write: 503, naming it (the daemon's own health says more)."""
    try:
        yield
    except StateError as exc:
        raise Refused(503, f"state database: {exc}") from None


# ---- the fields ---------------------------------------------------------------------------


def _note(form: Mapping[str, str]) -> str | None:
    note = form.get("note", "").strip()
    if len(note) > NOTE_LIMIT:
        raise Refused(400, f"note: longer than {NOTE_LIMIT} characters")
    return note or None


def _one_of(form: Mapping[str, str], key: str, allowed: tuple[str, ...]) -> str:
    value = form.get(key, "").strip()
    if value not in allowed:
        raise Refused(400, f"{key}: {value!r} is not one of {', '.join(allowed)}")
    return value


def read_verdict(alert_id: str, form: Mapping[str, str], by: str, at: datetime) -> Verdict:
    """The verdict a form asks for; Refused (400) naming the field that is wrong. A reason
    counts with a dismissal only (the page's form offers it beside every button)."""
    kind = cast(VerdictKind, _one_of(form, "verdict", VERDICT_KINDS))
    reason: DismissReason | None = None
    if kind == "dismissed" and form.get("reason", "").strip():
        reason = cast(DismissReason, _one_of(form, "reason", DISMISS_REASONS))
    return Verdict(alert_id, kind, by, at, reason, _note(form))


def read_state(
    baseline_id: str, claim_id: str, form: Mapping[str, str], by: str, at: datetime
) -> ClaimState:
    kind = cast(ClaimStateKind, _one_of(form, "state", CLAIM_STATE_KINDS))
    return ClaimState(baseline_id, claim_id, kind, by, at, _note(form))


def back(form: Mapping[str, str], up: str, fragment: str, said: str) -> web.Response:
    """303 to the page (``up`` leads there from the request's path), with the filter the form
    was shown under (``back``: checked again, so it can only ever name this page)."""
    try:
        chosen = parse_filter(dict(parse_qsl(form.get("back", ""))))
    except FilterError:
        chosen = EVERYTHING
    query = urlencode(chosen.params())
    location = up + (f"?{query}" if query else "") + (f"#{fragment}" if fragment else "")
    headers = {**PLAIN, "Location": location}
    return web.Response(status=303, text=f"{said}\n", headers=headers)
