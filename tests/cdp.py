"""Headless Chromium driven over the DevTools protocol, for tests of the served page.

A few protocol calls over one WebSocket (aiohttp's client), no automation framework: open a
URL, read the DOM, type into a field and click a button with real input events (so the
browser itself submits the form, with its own Origin, Sec-Fetch-Site and cookies), read the
address it ended up at, take a screenshot. The page under test runs no script; nothing here
injects one.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import itertools
import json
import os
import re
import signal
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp

from tests.test_report_browser import BROWSER_TIMEOUT, _chromium

STEP_TIMEOUT = 20.0  # seconds for one load or one protocol answer


class Tab:
    """One page of a running Chromium: ``call`` a protocol method, or the helpers below."""

    def __init__(self, socket: aiohttp.ClientWebSocketResponse) -> None:
        self._socket = socket
        self._ids = itertools.count(1)
        self._answers: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self._loads: asyncio.Queue[None] = asyncio.Queue()
        self._reader = asyncio.get_running_loop().create_task(self._read())

    async def _read(self) -> None:
        async for message in self._socket:
            data = json.loads(message.data)
            if "id" in data and data["id"] in self._answers:
                self._answers.pop(data["id"]).set_result(data)
            elif data.get("method") == "Page.loadEventFired":
                self._loads.put_nowait(None)

    def close(self) -> None:
        self._reader.cancel()

    async def call(self, method: str, **params: Any) -> dict[str, Any]:
        number = next(self._ids)
        answer = self._answers[number] = asyncio.get_running_loop().create_future()
        await self._socket.send_json({"id": number, "method": method, "params": params})
        data = await asyncio.wait_for(answer, STEP_TIMEOUT)
        if "error" in data:
            raise AssertionError(f"{method}: {data['error']}")
        result: dict[str, Any] = data["result"]
        return result

    async def loaded(self) -> None:
        """Until the next page load completes (after a navigation or a form's redirect)."""
        await asyncio.wait_for(self._loads.get(), STEP_TIMEOUT)

    async def open(self, url: str) -> None:
        await self.call("Page.navigate", url=url)
        await self.loaded()

    async def html(self) -> str:
        root = await self.call("DOM.getDocument", depth=0)
        return str(
            (await self.call("DOM.getOuterHTML", nodeId=root["root"]["nodeId"]))["outerHTML"]
        )

    async def url(self) -> str:
        history = await self.call("Page.getNavigationHistory")
        return str(history["entries"][history["currentIndex"]]["url"])

    async def node(self, selector: str) -> int:
        root = await self.call("DOM.getDocument", depth=0)
        found = await self.call(
            "DOM.querySelector", nodeId=root["root"]["nodeId"], selector=selector
        )
        if not found["nodeId"]:
            raise AssertionError(f"nothing on the page matches {selector!r}")
        return int(found["nodeId"])

    async def type_into(self, selector: str, text: str) -> None:
        await self.call("DOM.focus", nodeId=await self.node(selector))
        await self.call("Input.insertText", text=text)

    async def select(self, selector: str, label: str) -> None:
        """Choose an option of a closed <select> by typing its first letters, as a user can."""
        await self.call("DOM.focus", nodeId=await self.node(selector))
        for char in label:
            await self.call("Input.dispatchKeyEvent", type="char", text=char)

    async def click(self, selector: str) -> None:
        """A left click in the middle of the element, scrolled into view first."""
        node = await self.node(selector)
        await self.call("DOM.scrollIntoViewIfNeeded", nodeId=node)
        quad = (await self.call("DOM.getBoxModel", nodeId=node))["model"]["content"]
        x, y = sum(quad[0::2]) / 4, sum(quad[1::2]) / 4
        for kind in ("mousePressed", "mouseReleased"):
            await self.call(
                "Input.dispatchMouseEvent", type=kind, x=x, y=y, button="left", clickCount=1
            )

    async def screenshot(self) -> bytes:
        """The viewport as PNG."""
        shot = await self.call("Page.captureScreenshot", format="png", captureBeyondViewport=False)
        return base64.b64decode(shot["data"])


@contextlib.asynccontextmanager
async def chromium(profile: Path, window: str = "1280,1600") -> AsyncIterator[Tab]:
    """A headless Chromium with a fresh profile and one blank tab; closed on the way out."""
    process = await asyncio.create_subprocess_exec(
        _chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--hide-scrollbars", f"--user-data-dir={profile}", f"--window-size={window}",
        "--remote-debugging-port=0", "about:blank",
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
        start_new_session=True,
    )  # fmt: skip
    drain: asyncio.Task[None] | None = None
    try:
        endpoint = await asyncio.wait_for(_devtools(process), BROWSER_TIMEOUT)
        drain = asyncio.get_running_loop().create_task(_drain(process))  # never a full pipe
        async with aiohttp.ClientSession() as http:
            async with http.get(f"http://{endpoint}/json/list") as listed:
                pages = [t for t in await listed.json() if t["type"] == "page"]
            async with http.ws_connect(pages[0]["webSocketDebuggerUrl"], max_msg_size=0) as ws:
                tab = Tab(ws)
                try:
                    await tab.call("Page.enable")
                    yield tab
                    with contextlib.suppress(Exception):
                        await tab.call("Browser.close")
                finally:
                    tab.close()
    finally:
        with contextlib.suppress(ProcessLookupError):
            if process.returncode is None:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(process.wait(), 5)
            if process.returncode is None:
                os.killpg(process.pid, signal.SIGKILL)  # the group this test started
        await process.wait()
        if drain is not None:
            drain.cancel()


async def _drain(process: asyncio.subprocess.Process) -> None:
    assert process.stderr is not None
    while await process.stderr.read(65536):
        pass


async def _devtools(process: asyncio.subprocess.Process) -> str:
    """``host:port`` of the DevTools endpoint Chromium announces on stderr."""
    assert process.stderr is not None
    async for line in process.stderr:
        found = re.search(rb"DevTools listening on ws://([^/]+)/", line)
        if found:
            return found.group(1).decode()
    raise AssertionError(f"chromium exited ({await process.wait()}) without a DevTools endpoint")
