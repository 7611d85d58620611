"""What a person sees, pinned as SVG snapshots at the two designed sizes.

Deterministic by construction: seeded inputs, scripted timings (no clock), a fixed memory
size, and every snapshot is taken after the lab's worker has answered (no loading animation).
Review `snapshot_report.html` before `pytest --snapshot-update`.
"""

import pytest

from jaxbatch.messages import TimingsUpdated
from jaxbatch.results.selection import Selection

from app_helpers import make_test_app, settle
from reports import Reports

SIZES = [(80, 24), (160, 48)]
# Analysed with sixteen_gib's memory, each selection once: kept apart from the run's shared reports.
SIXTEEN_GIB_REPORTS = Reports("sixteen-gib")


@pytest.fixture(autouse=True)
def sixteen_gib(monkeypatch):
    """The device's memory, injected as the clock is: the RAM available changes from run to run,
    and the timings pane says from which batch each strategy runs out of it."""
    from jaxbatch.lab import memory

    monkeypatch.setattr(memory, "memory_limit", lambda device: (16 * 2**30, "host"))


def app_of(selection=None):
    return make_test_app(selection, analyze=SIXTEEN_GIB_REPORTS)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
class TestSeed:
    def test_outputs(self, snap_compare, size):
        assert snap_compare(app_of(), terminal_size=size, run_before=settle)

    def test_programs(self, snap_compare, size):
        assert snap_compare(app_of(), terminal_size=size, press=["2"], run_before=settle)

    def test_optimized_hlo(self, snap_compare, size):
        assert snap_compare(app_of(), terminal_size=size, press=["2", "l", "l"], run_before=settle)

    def test_loop_against_vmap(self, snap_compare, size):
        async def compare_loop(pilot):
            await settle(pilot)
            await pilot.press("2", "p")
            await settle(pilot)

        assert snap_compare(app_of(), terminal_size=size, run_before=compare_loop)

    def test_timings(self, snap_compare, size):
        """Scripted timings (the helper is injected): numbers, bars and sparklines are fixed."""
        assert snap_compare(app_of(), terminal_size=size, press=["3"], run_before=settle)

    def test_sweep(self, snap_compare, size):
        assert snap_compare(app_of(), terminal_size=size, press=["s"], run_before=settle)

    def test_help(self, snap_compare, size):
        assert snap_compare(app_of(), terminal_size=size, press=["f1"], run_before=settle)


class TestBatchInput:
    def test_two_batch_dims(self, snap_compare):
        assert snap_compare(app_of(Selection(batch_shape=(4, 8))), terminal_size=(80, 24), run_before=settle)

    def test_bad_shape_keeps_results(self, snap_compare):
        async def type_bad_shape(pilot):
            await settle(pilot)
            await pilot.press("b", "backspace", *"1e12", "enter")
            await settle(pilot)

        assert snap_compare(app_of(), terminal_size=(80, 24), run_before=type_bad_shape)


class TestZoo:
    def test_silently_wrong_on_the_batch(self, snap_compare):
        """index-update runs on the whole batch without error, and the pane says it is WRONG."""
        assert snap_compare(app_of(Selection("index-update")), terminal_size=(80, 24), run_before=settle)

    def test_vmap_makes_a_gather(self, snap_compare):
        assert snap_compare(app_of(Selection("dynamic-slice")), terminal_size=(80, 24), press=["2"],
                            run_before=settle)


class TestLayouts:
    def test_too_small(self, snap_compare):
        """Below 70x20 the app says what it needs instead of drawing a broken layout."""
        assert snap_compare(app_of(), terminal_size=(60, 15), run_before=settle)


class TestSharded:
    def test_timings_over_four_devices(self, snap_compare):
        """Scripted timings with both sharded strategies, and the scaling line under them."""
        from app_helpers import scripted_live

        async def sharded_timings(pilot):
            await settle(pilot)
            await pilot.press("3")
            app = pilot.app
            app.post_message(TimingsUpdated(app.requests.helper, scripted_live(sharded=True)))
            await pilot.pause()

        assert snap_compare(app_of(), terminal_size=(80, 24), run_before=sharded_timings)
