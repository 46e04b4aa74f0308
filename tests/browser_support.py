"""Headless Chromium for the tests that open pages in a real browser (test_real_clients.py,
test_html_escaping.py): one browser per test session (conftest.py's ``browser`` fixture), driven
over the DevTools protocol with networking off; each visit opens a tab of its own and closes it.
"""
from __future__ import annotations

import asyncio
import base64
import json
import os
import re
import signal
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from tornado.websocket import websocket_connect

CHROMIUM_FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-extensions",
                  "--disable-default-apps", "--mute-audio", "--hide-scrollbars",
                  "--host-resolver-rules=MAP * ~NOTFOUND", "--window-size=1000,1400"]


@contextmanager
def chromium_running(chromium: str, profile: Path) -> Iterator[str]:
    """Headless Chromium on a blank page, in a process group of its own; its DevTools websocket URL.
    Stopped (the whole group) on leaving."""
    proc = subprocess.Popen([chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--remote-debugging-port=0",
                             "--remote-debugging-address=127.0.0.1", "about:blank"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        ws_url = None
        for line in proc.stderr:
            m = re.search(r"DevTools listening on (ws://\S+)", line)
            if m:
                ws_url = m.group(1)
                break
        assert ws_url, "chromium did not open its DevTools endpoint"
        yield ws_url
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


class Tab:
    """One tab of headless Chromium over the DevTools protocol, opened on a page and loaded.

    ``call`` sends a command to the tab and returns its result, keeping every event read meanwhile
    in ``events``; ``drain`` reads events for a while (a JavaScript dialog, which would block the
    page, is closed); ``close`` closes the tab.
    """

    def __init__(self, conn):
        self.conn, self.events, self.session, self.target = conn, [], None, None
        self._ids = iter(range(1, 10**6))

    @classmethod
    async def open(cls, ws_url: str, page_url: str, domains: tuple[str, ...],
                   size: tuple[int, int] | None = None) -> "Tab":
        """A new tab with ``domains`` enabled (and a viewport of ``size`` pixels, if given),
        navigated to ``page_url``, once its load event fired."""
        tab = cls(await websocket_connect(ws_url, max_message_size=64 << 20))
        tab.target = (await tab.call("Target.createTarget", {"url": "about:blank"}))["targetId"]
        tab.session = (await tab.call("Target.attachToTarget", {"targetId": tab.target, "flatten": True}))["sessionId"]
        for domain in domains:
            await tab.call(f"{domain}.enable")
        if size:
            await tab.call("Emulation.setDeviceMetricsOverride",
                           {"width": size[0], "height": size[1], "deviceScaleFactor": 1, "mobile": False})
        await tab.call("Page.navigate", {"url": page_url})
        deadline = time.monotonic() + 60
        while not any(e.get("method") == "Page.loadEventFired" for e in tab.events) and time.monotonic() < deadline:
            await tab.drain(0.5)
        return tab

    async def call(self, method: str, params: dict | None = None, *, browser: bool = False) -> dict:
        """The result of ``method``, sent to the tab (or, ``browser``, to the browser itself)."""
        msg_id = next(self._ids)
        to = {"sessionId": self.session} if self.session and not browser else {}
        await self.conn.write_message(json.dumps({"id": msg_id, "method": method, "params": params or {}, **to}))
        while True:
            raw = await asyncio.wait_for(self.conn.read_message(), timeout=60)
            assert raw is not None, "DevTools connection closed"
            got = json.loads(raw)
            if got.get("id") == msg_id:
                assert "error" not in got, got
                return got.get("result", {})
            self.events.append(got)

    async def drain(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        while (left := end - time.monotonic()) > 0:
            try:
                raw = await asyncio.wait_for(self.conn.read_message(), timeout=left)
            except asyncio.TimeoutError:
                return
            if raw is None:
                return
            event = json.loads(raw)
            self.events.append(event)
            if event.get("method") == "Page.javascriptDialogOpening":     # a dialog blocks the page: close it
                await self.conn.write_message(json.dumps({
                    "id": next(self._ids), "method": "Page.handleJavaScriptDialog", "params": {"accept": True},
                    "sessionId": event.get("sessionId")}))

    async def close(self) -> None:
        await self.call("Target.closeTarget", {"targetId": self.target}, browser=True)
        self.conn.close()


async def _visit(ws_url: str, page_url: str) -> tuple[list[dict], bytes]:
    """Open ``page_url`` in a new tab; (events seen, screenshot PNG)."""
    tab = await Tab.open(ws_url, page_url, ("Network", "Log", "Runtime", "Page"))
    await tab.drain(1.0)                      # late console messages, lazy requests
    shot = await tab.call("Page.captureScreenshot", {"format": "png"})
    await tab.close()
    return tab.events, base64.b64decode(shot["data"])


def watch(ws_url: str, html_file: Path, visitor=None):
    """Open a local HTML file in a new tab of the browser at ``ws_url``: (its file:// URL, DevTools
    events, screenshot PNG), or (its URL, what ``visitor(ws_url, page_url)`` returns) when a visitor
    is given."""
    page = Path(html_file).resolve().as_uri()
    if visitor is not None:
        return page, asyncio.run(visitor(ws_url, page))
    events, png = asyncio.run(_visit(ws_url, page))
    return page, events, png
