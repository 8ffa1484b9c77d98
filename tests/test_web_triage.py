"""Verdicts and claim holds from the served status page: the write token, sign-in sessions,
CSRF and same-origin checks, the 303 back to the page, and what reaches the store. Real
requests (httpx) against the real server on loopback, over a real SQLite state."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from claimwatch.alerts import Alert
from claimwatch.config import Config
from claimwatch.entries import Entry
from claimwatch.errors import ConfigError
from claimwatch.report import build_report
from claimwatch.store import Store
from claimwatch.triage import Triage
from claimwatch.verdicts import ClaimState, Verdict
from claimwatch.webaccess import access_for, describe
from claimwatch.webpage import CALLS_FOR
from claimwatch.websession import COOKIE, LIFETIME, Sessions, cross_site
from tests.test_web_access import Current, make_config, serving

WRITE_TOKEN = "write-token-for-tests-9f2c"
ALERT_ID = "0a1b2c3d4e5f60718293"
DETECTED = datetime(2022, 1, 20, 12, 0, tzinfo=UTC)
CSRF_FIELD = re.compile(r'name="csrf" value="([^"]+)"')


def bridge_alert(alert_id: str = ALERT_ID, entry: str = "e1") -> Alert:
    return Alert(
        alert_id, "contradiction", "freedonia", "bridge", f"https://news.example/{entry}",
        "Freedonia bridge closed", "news", entry, DETECTED, "The Freedonia bridge was closed.",
        "Reported closed.", DETECTED, True, None, f"closed:{entry}", 0.9,
    )  # fmt: skip


def store_alert(store: Store, alert: Alert, sinks: tuple[str, ...] = ("log",)) -> list[Alert]:
    entry = Entry("news", alert.entry_id, alert.article_url, alert.article_title, DETECTED, "")
    return store.commit_entry(entry, alert.entry_id, [alert], sinks, DETECTED)


async def chunks(*parts: bytes) -> AsyncIterator[bytes]:
    for part in parts:
        yield part


def triage_config(folder: Path, **http: Any) -> Config:
    (folder / "write-token").write_text(f"{WRITE_TOKEN}\n", encoding="utf-8")
    return make_config(folder, token_file="write-token", **http)


@dataclass
class Page:
    """A client of one served page, as a browser on it would send its requests."""

    http: httpx.AsyncClient
    url: str
    current: Current

    @property
    def origin(self) -> str:
        return self.url.rstrip("/")

    @property
    def store(self) -> Store:
        return self.current.rt.store

    def same_origin(self, **headers: str) -> dict[str, str]:
        return {"Origin": self.origin, "Sec-Fetch-Site": "same-origin", **headers}

    async def sign_in(self, token: str = WRITE_TOKEN) -> httpx.Response:
        return await self.http.post("login", data={"token": token}, headers=self.same_origin())

    async def csrf(self) -> str:
        page = await self.http.get("")
        found = CSRF_FIELD.search(page.text)
        assert found is not None, "the page shows no form"
        return found.group(1)

    async def judge(
        self, alert_id: str = ALERT_ID, headers: dict[str, str] | None = None, **fields: str
    ) -> httpx.Response:
        return await self.http.post(
            f"alerts/{alert_id}/verdict", data=fields, headers=headers or self.same_origin()
        )


@pytest.fixture
async def page(tmp_path: Path) -> AsyncIterator[Page]:
    async with serving(triage_config(tmp_path)) as (url, current):
        store_alert(current.rt.store, bridge_alert())
        async with httpx.AsyncClient(base_url=url, trust_env=False, timeout=5) as http:
            yield Page(http, url, current)


# ---- without token_file: read-only ------------------------------------------------------------


async def test_without_token_file_the_page_is_read_only(tmp_path: Path) -> None:
    async with serving(make_config(tmp_path)) as (url, current):
        store_alert(current.rt.store, bridge_alert())
        async with httpx.AsyncClient(base_url=url, trust_env=False, timeout=5) as http:
            shown = await http.get("")
            assert shown.status_code == 200 and "Freedonia bridge closed" in shown.text
            assert "<form" not in shown.text and 'id="a-' + ALERT_ID in shown.text
            origin = {"Origin": url.rstrip("/")}
            for path, data in [
                (f"alerts/{ALERT_ID}/verdict", {"verdict": "confirmed"}),
                ("claims/freedonia/bridge/state", {"state": "muted"}),
                ("login", {"token": "anything"}),
            ]:
                refused = await http.post(path, data=data, headers=origin)
                assert refused.status_code == 403, path
                assert "set [http] token_file" in refused.text
        assert current.rt.store.verdicts() == {} and current.rt.store.claim_states() == {}


@pytest.mark.parametrize("method", ["GET", "HEAD", "PUT", "DELETE", "PATCH"])
async def test_write_paths_take_post_only(page: Page, method: str) -> None:
    for path in (f"alerts/{ALERT_ID}/verdict", "claims/freedonia/bridge/state", "login", "logout"):
        answered = await page.http.request(method, path)
        assert answered.status_code == 405, (method, path)
        assert answered.headers["allow"] == "POST"


# ---- who may write --------------------------------------------------------------------------


async def test_reading_needs_no_token_and_offers_a_sign_in(page: Page) -> None:
    shown = await page.http.get("")
    assert shown.status_code == 200 and "Freedonia bridge closed" in shown.text
    assert '<form class="session" method="post" action="login">' in shown.text
    assert 'type="password" name="token"' in shown.text
    assert 'action="alerts/' not in shown.text and 'name="csrf"' not in shown.text
    assert "form-action 'self'" in shown.headers["content-security-policy"]


async def test_writes_without_the_token_or_with_a_wrong_one_are_refused(page: Page) -> None:
    missing = await page.judge(verdict="confirmed")
    assert missing.status_code == 403 and "sign in on the page" in missing.text
    wrong = {"Authorization": f"Bearer {WRITE_TOKEN}x"}
    assert (await page.judge(verdict="confirmed", headers=wrong)).status_code == 403
    forged = f"{int(DETECTED.timestamp()) + 10**9}.nonce.{'0' * 64}"
    page.http.cookies.set(COOKIE, forged)
    assert (await page.judge(verdict="confirmed")).status_code == 403
    failed = await page.sign_in("not-the-token")
    assert failed.status_code == 403 and failed.text == "wrong write token\n"
    assert "set-cookie" not in failed.headers
    assert page.store.verdicts() == {}


async def test_sign_in_then_a_verdict_is_stored_and_leads_back_to_the_report(page: Page) -> None:
    signed = await page.sign_in()
    assert (signed.status_code, signed.headers["location"]) == (303, "./")
    cookie = signed.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}=") and "HttpOnly" in cookie
    assert "SameSite=Strict" in cookie and f"Max-Age={LIFETIME}" in cookie
    csrf = await page.csrf()
    judged = await page.judge(
        verdict="dismissed", reason="restatement", csrf=csrf, back="status=contradicted&x=1"
    )
    assert judged.status_code == 303, judged.text
    assert judged.headers["location"] == f"../../?status=contradicted#a-{ALERT_ID}"
    stored = page.store.verdicts()[ALERT_ID]
    assert (stored.verdict, stored.reason, stored.by) == ("dismissed", "restatement", "page")
    # The dismissed report no longer counts: its claim left the contradicted ones, and the
    # whole page shows the report folded under its claim, with the call, to overrule it.
    after = await page.http.get("", params={"status": "contradicted"})  # where the 303 leads
    assert f'id="a-{ALERT_ID}"' not in after.text
    everything = (await page.http.get("")).text
    assert f'id="a-{ALERT_ID}"' in everything and 'class="dismissed"' in everything
    assert '<span class="badge v-dismissed">dismissed: restatement</span>' in everything
    confirmed = await page.judge(verdict="confirmed", reason="not-news", csrf=csrf)
    assert confirmed.headers["location"] == f"../../#a-{ALERT_ID}"
    latest = page.store.verdicts()[ALERT_ID]
    assert (latest.verdict, latest.reason) == ("confirmed", None)  # a reason only dismisses
    out = await page.http.post("logout", headers=page.same_origin())
    assert out.status_code == 303 and f'{COOKIE}=""' in out.headers["set-cookie"]
    assert 'name="csrf"' not in (await page.http.get("")).text


async def test_a_missing_or_wrong_csrf_token_is_refused(page: Page, tmp_path: Path) -> None:
    await page.sign_in()
    csrf = await page.csrf()
    changed = csrf[:-1] + ("1" if csrf.endswith("0") else "0")  # one character off
    for fields in ({}, {"csrf": ""}, {"csrf": changed}, {"csrf": csrf.upper()}):
        refused = await page.judge(verdict="confirmed", **fields)
        assert refused.status_code == 403 and "CSRF token" in refused.text, fields
    async with httpx.AsyncClient(base_url=page.url, trust_env=False, timeout=5) as other:
        second = Page(other, page.url, page.current)
        await second.sign_in()
        assert await second.csrf() != csrf  # each session its own
        assert (await second.judge(verdict="confirmed", csrf=csrf)).status_code == 403
    assert page.store.verdicts() == {}


async def test_requests_from_other_sites_are_refused(page: Page) -> None:
    await page.sign_in()
    csrf = await page.csrf()
    for headers in (
        {"Origin": "http://evil.example"},
        {"Origin": "null"},
        {"Origin": page.origin.replace("127.0.0.1", "localhost")},
        {"Origin": page.origin, "Sec-Fetch-Site": "cross-site"},
        {"Origin": page.origin, "Sec-Fetch-Site": "same-site"},
        {"Referer": "http://evil.example/page"},
        {"User-Agent": "test"},  # neither Origin nor Referer
    ):
        refused = await page.judge(verdict="confirmed", csrf=csrf, headers=headers)
        assert refused.status_code == 403 and "not sent from this server" in refused.text
        assert (
            await page.http.post("login", data={"token": WRITE_TOKEN}, headers=headers)
        ).status_code == 403
    assert page.store.verdicts() == {}
    referer = {"Referer": page.url + "?status=contradicted"}  # a browser that sends no Origin
    assert (await page.judge(verdict="seen", csrf=csrf, headers=referer)).status_code == 303


async def test_a_script_writes_with_the_bearer_token(page: Page) -> None:
    bearer = {"Authorization": f"Bearer {WRITE_TOKEN}"}  # no cookie, no Origin: nothing forged
    done = await page.judge(verdict="seen", note="checked by the night desk", headers=bearer)
    assert done.status_code == 303 and done.text == f"recorded {ALERT_ID}: seen by page\n"
    stored = page.store.verdicts()[ALERT_ID]
    assert (stored.verdict, stored.note, stored.by) == ("seen", "checked by the night desk", "page")
    longest = "ж" * 2000  # the longest note, in the longest encoding a form sends
    assert (await page.judge(verdict="seen", note=longest, headers=bearer)).status_code == 303
    assert page.store.verdicts()[ALERT_ID].note == longest


async def test_bad_writes_say_what_is_wrong(page: Page) -> None:
    bearer = {"Authorization": f"Bearer {WRITE_TOKEN}"}

    async def post(path: str, **options: Any) -> httpx.Response:
        return await page.http.post(
            path, headers={**bearer, **options.pop("headers", {})}, **options
        )

    cases = [
        ("alerts/ffffffffffffffffffff/verdict", {"data": {"verdict": "seen"}}, 404,
         "no stored alert has id 'ffffffffffffffffffff'"),
        (f"alerts/{ALERT_ID}/verdict", {"data": {"verdict": "maybe"}}, 400,
         "verdict: 'maybe' is not one of confirmed, dismissed, seen"),
        (f"alerts/{ALERT_ID}/verdict", {"data": {"verdict": "dismissed", "reason": "boring"}},
         400, "reason: 'boring' is not one of wrong-story, wrong-figure, restatement, not-news"),
        (f"alerts/{ALERT_ID}/verdict", {"data": {"verdict": "seen", "note": "x" * 2001}}, 400,
         "note: longer than 2000 characters"),
        (f"alerts/{ALERT_ID}/verdict", {"data": {"verdict": "seen", "note": "x" * 40_000}}, 413,
         "the form is larger than 32768 bytes"),
        (f"alerts/{ALERT_ID}/verdict", {"json": {"verdict": "seen"}}, 415,
         "send the fields as application/x-www-form-urlencoded"),
        ("claims/freedonia/nope/state", {"data": {"state": "muted"}}, 404,
         "no loaded baseline has the claim freedonia/nope"),
        ("claims/freedonia/bridge/state", {"data": {"state": "deleted"}}, 400,
         "state: 'deleted' is not one of open, muted, closed"),
    ]  # fmt: skip
    for path, options, status, message in cases:
        answered = await post(path, **options)
        assert (answered.status_code, answered.text) == (status, message + "\n"), path
    chunked = await post(  # no Content-Length: the server still stops at the limit
        f"alerts/{ALERT_ID}/verdict",
        content=chunks(b"verdict=seen&note=", b"x" * 40_000),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert chunked.status_code == 413
    assert page.store.verdicts() == {} and page.store.claim_states() == {}


async def test_the_basic_auth_user_is_who_judged(tmp_path: Path) -> None:
    (tmp_path / "password").write_text("pw\n", encoding="utf-8")
    config = triage_config(tmp_path, auth_username="desk", auth_password_file="password")
    async with serving(config) as (url, current):
        store_alert(current.rt.store, bridge_alert())
        async with httpx.AsyncClient(
            base_url=url, trust_env=False, timeout=5, auth=("desk", "pw")
        ) as http:
            browser = Page(http, url, current)
            assert (await browser.sign_in()).status_code == 303
            judged = await browser.judge(verdict="confirmed", csrf=await browser.csrf())
            assert judged.status_code == 303
            assert current.rt.store.verdicts()[ALERT_ID].by == "desk"
        async with httpx.AsyncClient(base_url=url, trust_env=False, timeout=5) as script:
            bearer = {"Authorization": f"Bearer {WRITE_TOKEN}"}  # the write token reads too
            assert (await script.get("", headers=bearer)).status_code == 200
            assert (await script.get("")).status_code == 401


async def test_a_rotated_token_ends_every_session(page: Page, tmp_path: Path) -> None:
    await page.sign_in()
    csrf = await page.csrf()
    (tmp_path / "write-token").write_text("the-next-token\n", encoding="utf-8")
    page.current.reload(make_config(tmp_path, token_file="write-token"))  # read again
    refused = await page.judge(verdict="confirmed", csrf=csrf)
    assert refused.status_code == 403 and "sign in" in refused.text
    assert 'action="login"' in (await page.http.get("")).text


# ---- claims: mute, close, reopen --------------------------------------------------------------


async def test_a_muted_claim_gets_no_deliveries_until_reopened(page: Page) -> None:
    await page.sign_in()
    csrf = await page.csrf()
    form = await page.http.get("")
    assert 'action="claims/freedonia/bridge/state"' in form.text
    muted = await page.http.post(
        "claims/freedonia/bridge/state",
        data={"state": "muted", "note": "wire re-runs", "csrf": csrf},
        headers=page.same_origin(),
    )
    assert muted.status_code == 303, muted.text
    assert muted.headers["location"] == "../../../#c-freedonia-bridge"
    held = page.store.claim_states()[("freedonia", "bridge")]
    assert (held.state, held.note, held.by) == ("muted", "wire re-runs", "page")
    store_alert(page.store, bridge_alert("1" * 20, "e2"), sinks=("log", "email"))
    due = page.store.due_deliveries(["log", "email"], DETECTED)
    assert [d.alert.alert_id for d in due] == [ALERT_ID]  # the new one is kept, not sent
    shown = (await page.http.get("")).text
    assert '<span class="badge h-muted">muted</span>' in shown and "wire re-runs" in shown
    assert '<button name="state" value="open">Reopen</button>' in shown
    reopened = await page.http.post(
        "claims/freedonia/bridge/state",
        data={"state": "open", "csrf": csrf},
        headers=page.same_origin(),
    )
    assert reopened.status_code == 303
    store_alert(page.store, bridge_alert("2" * 20, "e3"), sinks=("log",))
    due = page.store.due_deliveries(["log"], DETECTED)
    assert [d.alert.alert_id for d in due] == [ALERT_ID, "2" * 20]


# ---- the config and the parts -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("http", "words"),
    [
        ({"token_file": "missing"}, "http.token_file: cannot read"),
        ({"token_file": "empty"}, "http.token_file: "),
        (
            {"listen": "0.0.0.0:8650", "allowed_networks": ["10.0.0.0/8"]},
            "http.listen: '0.0.0.0:8650' is reachable beyond this machine without a token: set "
            "http.token_file",
        ),
        ({"listen": "192.0.2.1:8650"}, "nothing protects it"),
    ],
)
def test_the_config_names_the_key(tmp_path: Path, http: dict[str, Any], words: str) -> None:
    (tmp_path / "empty").write_text(" \n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        make_config(tmp_path, **http)
    assert words in str(caught.value)


def test_writes_and_reads_are_separate_secrets(tmp_path: Path) -> None:
    (tmp_path / "read-token").write_text("reader\n", encoding="utf-8")
    config = triage_config(tmp_path, auth_token_file="read-token", listen="127.0.0.1:8650")
    said = "\n".join(describe(config.http))
    assert "\n  writes: verdicts and claim states from the page, with the write token" in said
    assert WRITE_TOKEN not in said
    read_only = describe(make_config(tmp_path, listen="127.0.0.1:8650").http)
    assert "  writes: off, the page is read-only (set token_file to triage from it)" in read_only
    access = access_for(config.http, "127.0.0.1")
    assert access.authorized(f"Bearer {WRITE_TOKEN}")  # writing reads
    assert access.bearer_writes(f"Bearer {WRITE_TOKEN}")
    assert not access.bearer_writes("Bearer reader")  # reading does not write
    (tmp_path / "write-token").unlink()
    broken = access_for(config.http, "127.0.0.1")
    assert broken.write_broken is not None and not broken.bearer_writes(f"Bearer {WRITE_TOKEN}")
    assert broken.authorized("Bearer reader")  # reading goes on


def test_sessions_are_signed_expire_and_belong_to_one_token() -> None:
    sessions, now = Sessions(b"k" * 32), 1_700_000_000.0
    cookie = sessions.issue(b"token", now)
    session = sessions.session(b"token", cookie, now + 60)
    assert session is not None
    assert sessions.session(b"token", cookie, now + LIFETIME + 1) is None  # expired
    assert sessions.session(b"other", cookie, now) is None  # the token was rotated
    assert Sessions(b"j" * 32).session(b"token", cookie, now) is None  # another process
    expires, nonce, mac = cookie.split(".")
    longer = f"{int(expires) + 86400}.{nonce}.{mac}"
    assert sessions.session(b"token", longer, now) is None  # tampered
    for junk in (None, "", "x", "1.2", "..", f"{expires}..{mac}"):
        assert sessions.session(b"token", junk, now) is None
    csrf = sessions.csrf(b"token", session)
    assert sessions.csrf_matches(b"token", session, csrf)
    assert not sessions.csrf_matches(b"token", session, csrf[:-1])


@pytest.mark.parametrize(
    ("origin", "referer", "site", "refused"),
    [
        ("http://h:1", None, "same-origin", False),
        ("https://h:1", None, None, False),  # behind a TLS proxy that keeps Host
        (None, "http://h:1/?status=contradicted", None, False),
        ("http://h:2", None, None, True),
        ("http://evil.example", "http://h:1/", None, True),  # Origin wins over Referer
        ("null", None, None, True),
        ("ftp://h:1", None, None, True),
        ("http://h:1", None, "cross-site", True),
        (None, None, None, True),
    ],
)
def test_same_origin(
    origin: str | None, referer: str | None, site: str | None, refused: bool
) -> None:
    assert (cross_site("h:1", origin, referer, site) is not None) is refused


def test_the_file_shows_verdicts_and_holds_but_no_forms(tmp_path: Path) -> None:
    from claimwatch.baselines import load_baselines

    config = make_config(tmp_path)
    baselines = load_baselines(config.baselines)
    verdict = Verdict(ALERT_ID, "dismissed", "desk", DETECTED, "wrong-figure", "2,500 is right")
    hold = ClaimState("freedonia", "bridge", "closed", "desk", DETECTED, "reopened on 3 Feb")
    triage = Triage({ALERT_ID: verdict}, {("freedonia", "bridge"): hold})
    html = build_report(baselines, [bridge_alert()], now=DETECTED, triage=triage)
    assert "<form" not in html and "csrf" not in html
    assert '<span class="badge v-dismissed">dismissed: wrong figure</span>' in html
    assert "by desk, 20 Jan 2022 12:00 UTC</span> · 2,500 is right" in html
    assert '<span class="badge h-closed">closed</span>' in html and "reopened on 3 Feb" in html
    plain = build_report(baselines, [bridge_alert()], now=DETECTED)
    assert "badge v-" not in plain and f'id="a-{ALERT_ID}"' in plain


async def test_a_verdict_written_elsewhere_shows_within_seconds(page: Page) -> None:
    before = await page.http.get("")
    assert "badge v-" not in before.text
    elsewhere = Verdict(ALERT_ID, "confirmed", "analyst", DETECTED)  # as `alerts confirm` does
    assert page.store.record_verdict(elsewhere)
    started = time.monotonic()
    while "badge v-confirmed" not in (await page.http.get("")).text:
        assert time.monotonic() - started < CALLS_FOR + 3, "the verdict never showed"
        await asyncio.sleep(0.1)


def test_the_token_file_may_come_from_systemd_credentials(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "credentials").mkdir()
    (tmp_path / "credentials" / "write").write_text(WRITE_TOKEN, encoding="utf-8")
    monkeypatch.setenv("CREDENTIALS_DIRECTORY", str(tmp_path / "credentials"))
    config = make_config(tmp_path, token_file="${CREDENTIALS_DIRECTORY}/write")
    assert config.http.token_file == str(tmp_path / "credentials" / "write")
    assert access_for(config.http, "127.0.0.1").bearer_writes(f"Bearer {WRITE_TOKEN}")
