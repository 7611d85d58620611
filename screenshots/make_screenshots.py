"""Regenerate the README's screenshots: `python screenshots/make_screenshots.py [NAME.svg ...]`.

Drives the real app headless with Pilot on the seed's model and writes SVGs next to this file.
Outputs and programs are seeded, so they are the same on every machine with the same JAX; the
timings and the sweep are measured live, on this machine, by the timing helper.
"""

import asyncio
import sys
from pathlib import Path

from jaxbatch.app import make_app
from jaxbatch.results.selection import Selection

HERE = Path(__file__).parent
SHOTS = {
    "outputs.svg": (Selection(), []),
    "programs.svg": (Selection(), ["2"]),
    "hlo.svg": (Selection(), ["2", "l", "l"]),
    "batch-4x8.svg": (Selection(batch_shape=(4, 8)), []),
    "help.svg": (Selection(), ["f1"]),
    "timings.svg": (Selection(batch_shape=(4096,)), ["3"]),
    "sweep.svg": (Selection(), ["s"]),
    "chunk-sweep.svg": (Selection("at-set-large", (512,)), ["S"]),
    "dashboard.svg": (Selection(batch_shape=(4096,)), []),
}
SIZES = {"dashboard.svg": (160, 48)}
# Live panes: wait until they have something worth showing.
READY = {
    "timings.svg": lambda app: app.live is not None and app.live.rounds >= 30,
    "sweep.svg": lambda app: app.sweep is not None and bool(app.sweep.stopped),
    "chunk-sweep.svg": lambda app: app.chunk_sweep is not None and bool(app.chunk_sweep.stopped),
    "dashboard.svg": lambda app: app.live is not None and app.live.rounds >= 30,
}


async def shoot(name: str, selection: Selection, keys: list[str], size=(100, 30)) -> None:
    app = make_app(selection)
    async with app.run_test(size=size) as pilot:
        while app.requests.lab == 0 or app.requests.answered != app.requests.lab:  # the lab's results are in
            await pilot.pause(0.05)
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press(*keys)
        await pilot.pause()
        ready = READY.get(name, lambda app: True)
        for _ in range(1200):
            if ready(app):
                break
            await pilot.pause(0.1)
        await pilot.pause()
        app.save_screenshot(str(HERE / name))
    print(HERE / name)


async def main(names: list[str]) -> None:
    for name, (selection, keys) in SHOTS.items():
        if names and name not in names:
            continue
        await shoot(name, selection, keys, SIZES.get(name, (100, 30)))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1:]))  # names of shots to take again; none: all
