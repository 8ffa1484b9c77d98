"""The triage flow in a real browser: headless Chromium signs in with the write token, sees
the forms with their CSRF fields, dismisses a report with a reason by clicking, and lands
back at the report; a page of another origin that posts the same form is refused.

Skipped where Chromium is missing, except in CI (CI=true), where it must be there.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from tests.cdp import chromium
from tests.servers import HTML_TYPE, FeedServer
from tests.test_web_access import serving
from tests.test_web_triage import (
    ALERT_ID,
    CSRF_FIELD,
    WRITE_TOKEN,
    bridge_alert,
    store_alert,
    triage_config,
)

pytestmark = pytest.mark.slow


async def test_triage_in_chromium(tmp_path: Path, feed_server: FeedServer) -> None:
    async with serving(triage_config(tmp_path)) as (url, current):
        store = current.rt.store
        store_alert(store, bridge_alert())
        async with chromium(tmp_path / "profile") as tab:
            await tab.open(url)
            first = await tab.html()
            assert "Freedonia bridge closed" in first and 'action="login"' in first
            assert 'name="csrf"' not in first and "<script" not in first

            await tab.type_into('form.session input[name="token"]', WRITE_TOKEN)
            await tab.click("form.session button")
            await tab.loaded()  # POST /login, 303, the page again with the session cookie
            signed = await tab.html()
            tokens = set(CSRF_FIELD.findall(signed))
            assert len(tokens) == 1 and len(CSRF_FIELD.findall(signed)) >= 3  # one per form
            assert f'action="alerts/{ALERT_ID}/verdict"' in signed
            assert 'action="claims/freedonia/bridge/state"' in signed

            await tab.select(f'#a-{ALERT_ID} select[name="reason"]', "res")  # restatement
            await tab.click(f'#a-{ALERT_ID} button[value="dismissed"]')
            await tab.loaded()
            assert await tab.url() == f"{url}#a-{ALERT_ID}"  # back at the report
            stored = store.verdicts()[ALERT_ID]
            assert (stored.verdict, stored.reason, stored.by) == (
                "dismissed",
                "restatement",
                "page",
            )
            judged = await tab.html()
            assert '<span class="badge v-dismissed">dismissed: restatement</span>' in judged
            with Image.open(io.BytesIO(await tab.screenshot())) as image:
                rgb = image.convert("RGB")
                colours = rgb.getcolors(maxcolors=1 << 20) or []
            white = max((n for n, colour in colours if colour == (255, 255, 255)), default=0)
            assert len(colours) >= 30 and white < 0.98 * rgb.width * rgb.height

            # Another origin on the same host (so the same site: the Strict cookie goes
            # along) posts the same form, even with the session's CSRF token.
            (csrf,) = tokens
            feed_server.route(
                "/prize.html",
                f'<form method="post" action="{url}alerts/{ALERT_ID}/verdict">'
                '<input type="hidden" name="verdict" value="confirmed">'
                f'<input type="hidden" name="csrf" value="{csrf}">'
                "<button>Claim your prize</button></form>".encode(),
                content_type=HTML_TYPE,
            )
            await tab.open(feed_server.url("/prize.html"))
            await tab.click("button")
            await tab.loaded()
            refused = await tab.html()  # the cookie went along: the session was valid
            assert "not sent from this server's page (Sec-Fetch-Site is 'same-site'" in refused
            assert store.verdicts()[ALERT_ID].verdict == "dismissed"  # unchanged
