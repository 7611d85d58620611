"""Panes 3 and 4 with the scripted timing helper: what is shown, what is dropped, the keys."""

import dataclasses

from textual.geometry import Region

from jaxbatch.messages import HelperFailed, HelperStatus, SweepUpdated, TimingsUpdated
from jaxbatch.presentation.units import byte_size
from jaxbatch.results.report import Roof
from jaxbatch.results.selection import Selection
from jaxbatch.results.timing import LiveTimings
from jaxbatch.widgets.key_bar import KeyBar
from jaxbatch.widgets.sweep_view import SafePlot, SweepView
from jaxbatch.widgets.timings_view import TimingsView, bar, table_lines

from app_helpers import make_test_app, scripted_live, scripted_sweep, settle, shown_text, widget_text


def roofed(live: LiveTimings, roof: Roof) -> LiveTimings:
    """`live` as the helper sends it once the device's roofline is measured."""
    return dataclasses.replace(live, timings=dataclasses.replace(live.timings, roof=roof))


async def test_pane_3_shows_each_strategy_with_its_ratio_and_the_floor():
    app = make_test_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("3")
        text = shown_text(app.query_one("#timings-view", TimingsView))
        assert "floor 6 µs" in text and "measuring 12/100" in text
        assert "0.228x" in text and "906x" in text and "~est." in text  # 39 / 171; the loop is an estimate
        assert "Backends: cpu ✓" in text and "gpu ✗ jax[cuda12]" in text


async def test_a_timing_for_an_older_job_is_dropped():
    app = make_test_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("3")
        old = app.requests.helper
        app.action_restart_timings()
        app.post_message(TimingsUpdated(old, dataclasses.replace(scripted_live(), instances=999)))
        await pilot.pause()
        assert "999 inst." not in shown_text(app.query_one("#timings-view", TimingsView))
        assert app.helper.commands[-1][:2] == ("time", app.requests.helper) and app.requests.helper > old


async def test_updates_faster_than_a_mount_update_the_sparklines_without_error():
    """A second round can arrive before the first one's sparkline rows are mounted."""
    app = make_test_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("3")
        view = app.query_one("#timings-view", TimingsView)
        app.live = None
        live = scripted_live()
        app.live = live
        app.live = live  # no await between: the rows from the first call are not mounted yet
        await pilot.pause()
        assert len(view.query("Sparkline")) == len(live.history)
        assert view.sparklines["vmap"].data == list(live.history["vmap"])


async def test_a_sparkline_s_label_follows_the_live_timings_and_a_strategy_gone_loses_its_row():
    """Another model names its hand-batched version anew: the label beside its sparkline says
    so, and a strategy no longer timed has no sparkline left."""
    app = make_test_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("3")
        view = app.query_one("#timings-view", TimingsView)
        first = scripted_live()
        app.post_message(TimingsUpdated(app.requests.helper, first))
        await pilot.pause()
        assert [widget_text(label) for label in view.query(".spark-label")] == ["loop", "einsum", "vmap"]
        scan = "scan over a batch of states"
        history = {k: h for k, h in first.history.items() if k != "loop"}
        app.post_message(TimingsUpdated(app.requests.helper, dataclasses.replace(
            first, history=history, labels={**first.labels, "manual": scan})))
        await pilot.pause()
        rows = view.query(".spark-row")
        assert [widget_text(row.query_one(".spark-label")) for row in rows] == [scan, "vmap"]
        assert [row.query_one("Sparkline").data for row in rows] == [list(h) for h in history.values()]


async def test_space_pauses_and_resumes_and_r_restarts():
    app = make_test_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("3", "space")
        assert app.helper.commands[-1] == ("pause",)
        assert "paused 12/100" in shown_text(app.query_one("#timings-view", TimingsView))
        await pilot.press("space")
        assert app.helper.commands[-1] == ("resume",)
        old = app.requests.helper
        await pilot.press("r")
        assert app.helper.commands[-1][:2] == ("time", app.requests.helper) and app.requests.helper > old


async def test_s_runs_the_sweep_names_the_crossover_and_escape_cancels():
    app = make_test_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await pilot.pause()
        assert app.query_one("TabbedContent").active == "sweep"
        text = shown_text(app.query_one(SweepView))
        assert "vmap pulls ahead of einsum from batch 128" in text
        assert "Cancel sweep" not in widget_text(app.query_one(KeyBar))  # the scripted sweep is done at once
        await pilot.press("escape")
        assert app.helper.commands[-1][0] == "sweep"  # nothing to cancel
        app.post_message(SweepUpdated(app.requests.helper, scripted_sweep(stopped="")))  # still running
        await pilot.pause()
        assert "esc Cancel sweep" in widget_text(app.query_one(KeyBar))
        await pilot.press("escape")
        assert app.helper.commands[-1] == ("stop",)
        assert "Sweep cancelled" in shown_text(app.query_one(SweepView))
        assert "Cancel sweep" not in widget_text(app.query_one(KeyBar))


async def test_a_helper_error_is_shown_in_the_pane():
    app = make_test_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("3")
        app.post_message(HelperFailed(None, "the timing helper exited with status 1"))
        await pilot.pause()
        assert "exited with status 1" in shown_text(app.query_one("#timings-view", TimingsView))


def test_bars_are_log_scaled_from_the_floor_and_fit_the_width():
    assert bar(1e-6, 1e-6, 1e-2, 8).strip() == "▏"  # at the floor: the least mark
    assert bar(1e-2, 1e-6, 1e-2, 8) == "█" * 8
    assert bar(1e-4, 1e-6, 1e-2, 8) == "████    "  # half the decades, half the bar
    for width in (78, 100, 158):  # the pane at 80 and 160 columns
        assert all(len(line.plain) <= width for line in table_lines(scripted_live(), width))


async def test_a_sweep_with_one_size_or_flat_times_draws_without_error():
    """plotext takes logs of its limits: one, two or three sizes, or equal times, must draw."""
    from dataclasses import replace

    from app_helpers import scripted_sweep

    app = make_test_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("4")
        view = app.query_one(SweepView)
        full = scripted_sweep(stopped="")
        flat = replace(full, per_instance_s={k: tuple(1e-6 for _ in v) for k, v in full.per_instance_s.items()})
        first = [replace(full, sizes=full.sizes[:n], per_instance_s={k: v[:n] for k, v in full.per_instance_s.items()})
                 for n in (1, 2, 3)]
        for state in (*first, flat, full):
            app.sweep = state
            await pilot.pause()
            app.export_screenshot()  # renders every widget now
            plots = view.query(SafePlot)
            assert len(plots) == 3  # time, peak memory (hidden: this sweep has none), the ratio
            if len(state.sizes) > 1:  # drawn, and drawn again: plotext's log axes can't build twice
                renders = [str(p.render()) for p in plots if p.display for _ in range(2)]
                assert all(r and "unavailable" not in r for r in renders), renders
        assert "running: batch 4,096" in shown_text(view)


async def test_sharded_timings_show_the_scaling_over_devices():
    from app_helpers import scripted_live

    app = make_test_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("3")
        app.post_message(TimingsUpdated(app.requests.helper, scripted_live(sharded=True)))
        await pilot.pause()
        text = shown_text(app.query_one("#timings-view", TimingsView))
        assert "shard_map" in text and "sharded over 4 cpu devices: 1.39x vmap on one, 35% scaling efficiency" in text
        rounds = len(scripted_live(sharded=True).history["loop"])
        assert f"Last {rounds} rounds" in text
        assert {line.size.width for line in app.query("#timings-view Sparkline")} == {rounds}  # a column a round


async def test_a_timing_event_that_arrives_while_the_app_closes_is_dropped(monkeypatch):
    """The helper keeps talking until it is stopped: a line that lands while the panes are
    taken down must not touch them (it crashed the app at exit)."""
    app = make_test_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("3")
        head = app.query_one("#timings-view", TimingsView).query_one(".head")
        before = widget_text(head)
        with monkeypatch.context() as closing:  # what Textual's `is_running` says once shutdown begins
            closing.setattr(type(app), "is_running", property(lambda _: False))
            app.on_helper_status(HelperStatus(app.requests.helper, "compiling…"))
        assert widget_text(head) == before and "compiling" not in before


async def test_the_helper_status_is_shown_while_timing_and_dropped_for_an_older_request():
    app = make_test_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("3")
        app.post_message(HelperStatus(app.requests.helper - 1, "stale words"))
        app.post_message(HelperStatus(app.requests.helper, "compiling…"))
        await pilot.pause()
        text = shown_text(app.query_one("#timings-view", TimingsView))
        assert "⟳ compiling…" in text and "stale words" not in text


async def test_a_sweep_update_for_an_older_request_is_dropped_and_a_failure_is_shown_in_pane_4():
    app = make_test_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await pilot.pause()
        shown = app.sweep
        app.post_message(SweepUpdated(app.requests.helper - 1, scripted_sweep(stopped="")))
        await pilot.pause()
        assert app.sweep is shown
        app.post_message(SweepUpdated(app.requests.helper, scripted_sweep(stopped="")))  # still running
        await pilot.pause()
        assert "esc Cancel sweep" in widget_text(app.query_one(KeyBar))
        app.post_message(HelperFailed(app.requests.helper, "the model raised"))
        await pilot.pause()
        assert "Sweep failed: the model raised" in shown_text(app.query_one(SweepView))
        assert "Cancel sweep" not in widget_text(app.query_one(KeyBar))  # a failed sweep is over
        await pilot.press("escape")
        assert app.helper.commands[-1][0] == "sweep"  # nothing was sent to cancel


async def test_queued_timings_for_one_request_are_handled_once_the_latest():
    """A burst of snapshots while the UI is busy: only the newest is drawn (`can_replace`)."""
    app = make_test_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        shown = []
        await pilot.press("3")
        view = app.query_one("#timings-view", TimingsView)
        view.watch_live = lambda live: shown.append(live.instances)  # each time the pane draws
        for instances in (101, 102, 103):
            live = dataclasses.replace(scripted_live(), instances=instances)
            app.post_message(TimingsUpdated(app.requests.helper, live))
        await pilot.pause()
        assert shown == [103] and app.live.instances == 103


async def test_memory_beside_the_times_only_for_the_selection_timed():
    """The scripted helper times 4,096 instances: at batch 4096 the pane gives each program's
    peak memory (XLA's plan, roofline's beside it) and where each runs out; at batch 5 those
    figures would be another selection's, and are not shown."""
    app = make_test_app(Selection(batch_shape=(4096,)))
    async with app.run_test(size=(80, 40)) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        memory = app.query_one("#timings-view .memory")
        text = widget_text(memory)
        assert memory.display and "Peak memory" in text and "chunked k=64" in text
        assert "Out of memory (" in text and "available on this host) from batch: einsum ≈" in text
        plan = app.report.strategies["vmap"].hlo.peak_bytes
        assert byte_size(plan) in text
    app = make_test_app()
    async with app.run_test(size=(80, 40)) as pilot:
        await settle(pilot)
        await pilot.press("3")
        assert not app.query_one("#timings-view .memory").display


async def test_the_roofline_is_at_the_matmul_precision_the_report_ran_at():
    """The helper sends the device's roof at the precision it timed (with every precision's
    peak); the pane judges the calls against the peak at the precision of the report it shows
    (here "highest"), and says what "latency" means once a call is judged so: the scripted 4,096
    calls of the seed are microseconds for a few hundred kB, far under an H200's roofline. A roof
    for another precision (timings of the selection before) is not shown against this report."""
    peaks = {"default": 389e12, "high": 130e12, "highest": 50e12}
    roof = Roof("gpu", "NVIDIA H200", 3.2e12, 389e12, "cache", 0.0, "default", peaks)
    app = make_test_app(Selection(batch_shape=(4096,), precision="highest"))
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await pilot.press("3")
        app.post_message(TimingsUpdated(app.requests.helper, roofed(scripted_live(), roof)))
        await settle(pilot)
        assert not app.query_one("#timings-view .roofline").display  # timed at default: not this report's
        app.post_message(TimingsUpdated(app.requests.helper,
                                        roofed(scripted_live(), roof.at("highest"))))
        await settle(pilot)
        shown = app.query_one("#timings-view .roofline")
        text = widget_text(shown)
        assert shown.display and "roofline on gpu: 3.2 TB/s, 50 Tflop/s at highest matmul precision (cached)" in text
        assert "latency" in text and "latency: under 0.1% of the roofline" in text


def test_a_long_hand_batched_label_goes_above_its_numbers_and_nothing_is_cut():
    labels = {**scripted_live().labels, "manual": "scan over a batch of states"}
    long = dataclasses.replace(scripted_live(), labels=labels)
    both = _vmap_at_the_floor(long)
    for width in (71, 77):  # the dashboard's column, the pane at 80: vmap's row with both flags, whole
        assert all(len(line.plain) <= width for line in table_lines(both, width)), width
    for width in (78, 158):
        lines = [line.plain for line in table_lines(long, width)]
        assert all(len(line) <= width for line in lines), width
        said = "\n".join(lines)
        assert "scan over a batch of states" in said and "171 µs" in said and "41.7 ns" in said and "31 ms" in said
    narrow = [line.plain for line in table_lines(long, 78)]
    at = narrow.index("scan over a batch of states")
    assert "171 µs" in narrow[at + 1]  # its numbers on the next line, whole


async def test_at_80x24_scan_rnn_s_long_label_and_its_ratio_head_fit_the_timings_pane():
    """scan-rnn's hand-batched `scan over a batch of states` names the ratio column too: its head
    wraps in the column, the label goes above its numbers, and every row is drawn whole, both
    flags on vmap's (no `-…` or `m…` where Textual would cut a row too long for the pane)."""
    app = make_test_app(Selection("scan-rnn"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("3")
        live = scripted_live()
        labels = {k: app.report.strategies[k].label for k in live.labels if k in app.report.strategies}
        live = _vmap_at_the_floor(dataclasses.replace(live, labels={**live.labels, **labels}))
        app.post_message(TimingsUpdated(app.requests.helper, live))
        await settle(pilot)
        table = app.query_one("#timings-view .table")
        drawn = [strip.text.rstrip() for strip in table.render_lines(Region(0, 0, *table.outer_size))]
    assert labels["manual"] == "scan over a batch of states"
    assert "…" not in "\n".join(drawn)
    assert "scan over a batch of states" in drawn
    assert any(line.endswith("vs scan over a") for line in drawn)  # the ratio head, wrapped in its column
    for label, end in (("loop", "~est."), ("scan over a batch of states", "31 ms"), ("vmap", "≈floor ~est.")):
        assert drawn[drawn.index(label) + 1].rstrip(" ▏▎▍▌▋▊▉█").endswith(end), (label, drawn)


def _vmap_at_the_floor(live: LiveTimings) -> LiveTimings:
    """`live` with vmap's row carrying both flags (at the dispatch floor, and estimated): its widest."""
    t = live.timings
    vmap = dataclasses.replace(t["vmap"], median_s=7e-6, dispatch_bound=True, estimated=True)
    return dataclasses.replace(live, timings=dataclasses.replace(t, by_strategy={**t.by_strategy, "vmap": vmap}))
