"""A headless Chromium, driven over its DevTools protocol, for testing `jaxbatch-tui --serve`.

Used by tests/test_serve.py; run as a script it takes the README's browser screenshot:

    python tests/browser.py screenshots/browser.png
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import itertools
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import aiohttp


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return
        time.sleep(0.2)
    raise TimeoutError(f"nothing listens on port {port}")


@contextlib.contextmanager
def served(cwd: Path, *args: str):
    """`jaxbatch-tui --serve` on a free loopback port, in `cwd`; yields its URL."""
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "jaxbatch", "--serve", "--port", str(port), *args], cwd=cwd,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        wait_for_port(port)
        yield f"http://127.0.0.1:{port}"
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=10)


class Page:
    """One tab of a headless Chromium, and the few DevTools commands the tests need."""

    def __init__(self, ws) -> None:
        self.ws, self.ids = ws, itertools.count(1)

    async def send(self, method: str, **params):
        call = next(self.ids)
        await self.ws.send_str(json.dumps({"id": call, "method": method, "params": params}))
        async for message in self.ws:
            data = json.loads(message.data)
            if data.get("id") == call:
                return data.get("result", {})
        raise ConnectionError("Chromium closed the connection")

    async def type(self, text: str) -> None:
        await self.send("Runtime.evaluate", expression="document.querySelector('.xterm-helper-textarea').focus()")
        for ch in text:
            for kind in ("keyDown", "keyUp"):
                await self.send("Input.dispatchKeyEvent", type=kind, key=ch, text=ch if kind == "keyDown" else "",
                                code=f"Key{ch.upper()}" if ch.isalpha() else "", windowsVirtualKeyCode=ord(ch.upper()))

    async def screenshot(self, path: Path) -> None:
        shot = await self.send("Page.captureScreenshot", format="png")
        path.write_bytes(base64.b64decode(shot["data"]))


@contextlib.asynccontextmanager
async def browser(url: str, size: tuple[int, int] = (1280, 800)):
    """A headless Chromium showing `url`; yields a Page."""
    port, profile = free_port(), tempfile.mkdtemp(prefix="jaxbatch-chromium-")
    proc = subprocess.Popen([chromium(), "--headless=new", "--no-sandbox", "--disable-gpu",
                             f"--user-data-dir={profile}", f"--remote-debugging-port={port}",
                             f"--window-size={size[0]},{size[1]}", url],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_port(port)
        targets = []
        for _ in range(50):
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list") as answer:
                targets = [t for t in json.load(answer) if t.get("type") == "page"]
            if targets:
                break
            await asyncio.sleep(0.2)
        async with aiohttp.ClientSession() as session, session.ws_connect(
                targets[0]["webSocketDebuggerUrl"], max_msg_size=0) as ws:
            yield Page(ws)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        shutil.rmtree(profile, ignore_errors=True)


async def _screenshot(path: Path) -> None:
    with tempfile.TemporaryDirectory() as cwd, served(Path(cwd)) as url:
        async with browser(url) as page:
            await asyncio.sleep(20)  # the app imports JAX and computes the seed's results
            await page.screenshot(path)


if __name__ == "__main__":
    asyncio.run(_screenshot(Path(sys.argv[1])))
