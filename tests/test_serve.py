"""`--serve`: the app in a real browser (headless Chromium) answers a key; binding beyond
loopback is warned about first."""

import asyncio
import time

import pytest

from jaxbatch.results.selection import Selection
from jaxbatch.serve import app_command, is_loopback

from browser import browser, chromium, served


def test_only_loopback_is_quiet():
    assert is_loopback("127.0.0.1") and is_loopback("localhost") and is_loopback("::1")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.4") and not is_loopback("example.org")


def test_each_browser_tab_runs_the_same_selection():
    command = app_command(Selection("mlp", (4, 8), "cpu"), "nord")
    assert command.endswith("-m jaxbatch --model mlp --batch 4,8 --device cpu --theme nord")


@pytest.mark.skipif(chromium() is None, reason="needs Chromium (Debian's chromium package; .ci/run installs it)")
def test_a_key_pressed_in_the_browser_reaches_the_app(tmp_path):
    async def drive(url: str) -> bool:
        async with browser(url) as page:
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:  # e exports once the seed's results are in
                await page.type("e")
                await asyncio.sleep(2)
                if (tmp_path / "jaxbatch-tanh-dense-5.json").exists():
                    return True
        return False

    with served(tmp_path) as url:
        assert asyncio.run(drive(url))
    assert '"model": "tanh-dense"' in (tmp_path / "jaxbatch-tanh-dense-5.json").read_text()
