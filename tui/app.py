"""The Textual app: a selection bar, panes chosen by number keys (or a dashboard on big
terminals), the lab thread and the timing helper process.

JAX is never imported on the UI thread: the first request is started after the first frame,
in the lab thread (lab_runner), which imports the lab. Every request to the lab or the timing
helper gets the next number from one counter; results come back as messages stamped with it,
and one for an older request is dropped.

What the panes show is the app's reactive state (`report`, `live`, `sweep`, …), bound to each
pane's own reactives as it is mounted (`_view`): a handler sets the state, and the bound panes
redraw. A pane's view is mounted, and its code imported, the first time the pane is shown, so
one shown later still shows the state as it is, and the first frame waits for none of them.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import gc
import os
import signal
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

from textual import events, on
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.reactive import var
from textual.widgets import Input, Label, Select, Static, TabbedContent, TabPane

from jaxbatch import heap
from jaxbatch.helper_job import CHUNK_SWEEP, JOBS, SWEEP, HelperJob, Requests
from jaxbatch.keymap import config_path
from jaxbatch.lab_runner import LabRunner
from jaxbatch.media.export import OSC52_LIMIT, base_name, described, export
from jaxbatch.messages import JobUpdated
from jaxbatch.models import CATALOG
from jaxbatch.quitting import HANGUP, TERMINATED
from jaxbatch.results.errors import LabError
from jaxbatch.results.selection import (
    Selection,
    format_batch_shape,
    format_in_axes,
    parse_batch_shape,
    parse_chunk,
    parse_in_axes,
)
from jaxbatch.timing_client import TimingClient
from jaxbatch.widgets.key_bar import PANE_KEYS, KeyBar
from jaxbatch.widgets.pane import Note, Pane, Scroll
from jaxbatch.widgets.panes import PANES, Panes, pane_key

if TYPE_CHECKING:  # the panes, screens and palette are imported when first used, after the first frame
    from textual.widget import AwaitMount, Widget

    from jaxbatch.messages import (
        DevicesFound,
        HelperFailed,
        HelperStatus,
        LabDone,
        LabFailed,
        LabOutputs,
        TimingsUpdated,
    )
    from jaxbatch.quitting import Deadline
    from jaxbatch.results.chunk_sweep_state import ChunkSweepState
    from jaxbatch.results.report import Backends, FirstOutputs, Report
    from jaxbatch.results.sweep_state import SweepState
    from jaxbatch.results.timing import LiveTimings

# Below this the layout can't be read: a message asks for more room. From DASHBOARD_SIZE up,
# outputs and timings stand beside the panes, which open on the programs.
MIN_SIZE = (70, 20)
DASHBOARD_SIZE = (160, 48)
STATUS_LINES = 3  # the status line's most (app.tcss)


class JaxBatchApp(App):
    CSS_PATH = "app.tcss"
    TITLE = "jaxbatch-tui"
    AUTO_FOCUS = None  # the active pane's widget is focused on mount (focus also picks the tab)
    BINDINGS = [
        # Priority, so a focused model list can't swallow them; off while typing a batch shape.
        Binding("1", "show_pane('outputs')", "Outputs", id="pane.outputs", priority=True, group=PANE_KEYS,
                tooltip="Outputs: one instance, the batch, each strategy"),
        Binding("2", "show_pane('programs')", "Programs", id="pane.programs", priority=True, group=PANE_KEYS,
                tooltip="Programs side by side: jaxpr, StableHLO, HLO"),
        Binding("3", "show_pane('timings')", "Timings", id="pane.timings", priority=True, group=PANE_KEYS,
                tooltip="Live timings on the chosen device"),
        Binding("4", "show_pane('sweep')", "Sweep", id="pane.sweep", priority=True, group=PANE_KEYS,
                tooltip="Per-instance time across batch sizes"),
        Binding("5", "show_pane('chunks')", "Chunks", id="pane.chunks", priority=True, group=PANE_KEYS,
                tooltip="Time and memory of the chunked strategy across chunk sizes"),
        Binding("6", "show_pane('compare')", "Compare", id="pane.compare", priority=True, group=PANE_KEYS,
                tooltip="With --compare A.json: what changed from that saved report to this run"),
        Binding("s", "sweep", "Sweep", id="sweep.start", tooltip="Time every strategy at batch sizes 1, 2, 4, …"),
        Binding("S", "chunk_sweep", "Chunk sweep", id="chunk_sweep.start",
                tooltip="Time the chunked strategy at k = 1, 2, 4, … up to the batch, against vmap"),
        Binding("m", "focus_model", "Model", id="focus.model", tooltip="Choose the model"),
        Binding("b", "focus_batch", "Batch", id="focus.batch", tooltip="Type a batch shape: 5, 4,8 or (4, 8)"),
        Binding("a", "in_axes", "in_axes", id="in_axes", tooltip="Set the in_axes: 0 or None per argument"),
        Binding("K", "chunk", "Chunk", id="chunk",
                tooltip="Set the chunked strategy's instances per step: lax.map(..., batch_size=K)"),
        Binding("d", "focus_device", "Device", id="focus.device", tooltip="Choose the device (every JAX device found)"),
        Binding("c", "copy", "Copy", id="copy",
                tooltip="Copy the pane's text to your clipboard (OSC 52, works over SSH)"),
        Binding("e", "export", "Export", id="export", tooltip="Write the report as text, JSON and an SVG screenshot"),
        Binding("question_mark,f1", "help", "Help", id="help", tooltip="Show every key"),
        Binding("q", "quit", "Quit", id="quit", tooltip="Quit jaxbatch-tui"),
        # ctrl+c quits too, as in any terminal program (Textual's default only says how to quit)
        Binding("ctrl+c", "quit", "Quit", id="quit.ctrl_c", show=False, priority=True, tooltip="Quit jaxbatch-tui"),
    ]

    # What the panes show, bound to them in compose. Results are compared by identity only
    # (always_update): a new one always redraws, and a report is never compared field by field.
    report: var[Report | None] = var(None, always_update=True)  # the lab's answer on screen
    computing = var(False)  # the lab is working on the selection: the report panes show it
    first_outputs: var[FirstOutputs | None] = var(None)  # the loop's outputs, while computing: pane 1 shows them
    backends: var[Backends | None] = var(None)  # every device JAX found, for the picker and pane 3
    live: var[LiveTimings | None] = var(None, always_update=True)  # the timings so far
    paused = var(False)
    timings_note: var[Note | None] = var(None)  # pane 3's heading in place of the timings'
    sweep: var[SweepState | None] = var(None, always_update=True, bindings=True)  # the last sweep, also exported
    sweep_note: var[Note | None] = var(None)
    chunk_sweep: var[ChunkSweepState | None] = var(None, always_update=True, bindings=True)  # the last chunk sweep
    chunk_sweep_note: var[Note | None] = var(None)

    def __init__(self, selection: Selection, helper=TimingClient, keymap_path: Path | None = None,
                 theme: str | None = None, compare: tuple[str, Report] | None = None,
                 log: Path | None = None, deadline: Deadline | None = None, analyze=None) -> None:
        """`deadline` ends the process soon after an exit is asked for (the CLI's; never in tests);
        `analyze` stands in for the lab's analysis (tests: one that keeps reports).
        `helper` makes the timing helper's client from `post_message` and `log` (tests inject
        one); `compare` is a saved report (its file name, the Report it holds) to show beside this run, in
        pane 6; `log` is where the process's stderr goes while the app draws (the CLI's
        `stderr_log`), which the help names and the timing helper's stderr joins."""
        super().__init__()
        self.log_path = log
        self.deadline = deadline
        self.saved = compare
        if theme is not None:
            self.theme = theme
        self.keymap_path = keymap_path or config_path()
        self.selection = selection
        # The user's own model keeps its inputs and hand-batched twin when chosen again.
        self.user = None if selection.model in CATALOG else selection
        self.requests = Requests()
        self.lab = LabRunner(self.post_message, analyze=analyze)
        self.helper = helper(self.post_message, log)
        self._mounts: dict[str, AwaitMount] = {}  # the panes' views mounted since start (_show)
        self._early_keys: list[events.Key] | None = []  # typed before the panes were mounted; None after
        self._notified: object = None  # the topic of the last status too long for its lines, notified whole

    def compose(self) -> ComposeResult:
        """The first frame: the bar's labels and batch input, the status and the keys. The model
        and device lists and the tabs are slow to mount (with them in it, the first frame took
        1.4x a bare Textual app's on 2 cores, 1.0x without): they follow, in `_mount_the_rest`."""
        with Horizontal(id="bar"):
            yield Label("Model", classes="bar-label", id="model-label")
            yield Label("Batch", classes="bar-label")
            yield Input(format_batch_shape(self.selection.batch_shape), compact=True, id="batch",
                        tooltip="Batch shape: 5, 4,8 or (4, 8); enter runs it")
            yield Label("Device", classes="bar-label")
        yield Static(id="status")
        yield Static(id="too-small")
        with Horizontal(id="main"):
            yield Vertical(id="dashboard")  # beside the panes, from DASHBOARD_SIZE up: filled when first wide
        yield KeyBar(pinned=("help", "quit"))

    async def _mount_the_rest(self) -> None:
        """After the first frame: the lists and the panes, then the lab's first request. Only
        the shown pane's view is mounted: each other one the first time its pane is shown."""
        options = [(name, name) for name in CATALOG]
        if self.selection.model not in CATALOG:
            options.append((self.selection.model, self.selection.model))
        # On a big terminal the outputs are on the left already: the panes open on the programs
        initial = "programs" if self._is_wide(*self.size) else "outputs"
        tabs = Panes(id="panes", initial=initial)
        for pane, title in PANES.items():
            if pane != "compare" or self.saved is not None:
                views = [self._view(pane)] if pane == initial else []
                tabs.compose_add_child(TabPane(title, *views, id=pane))
        with self.batch_update():  # one frame, not one per widget
            bar = self.query_one("#bar")
            await bar.mount(Select(options, value=self.selection.model, allow_blank=False, compact=True,
                                   id="model"), after="#model-label")
            await bar.mount(Select([(self.selection.device, self.selection.device)], value=self.selection.device,
                                   allow_blank=False, compact=True, id="device"))
            await self.query_one("#main").mount(tabs)
        self.watch(tabs, "active", self._show, init=False)
        self._apply_keymap()
        # The heap so far (Textual, the app) out of the collector's sight: a full collection while
        # the lab imports JAX then scans only what JAX adds (stalls of the UI: 40-48 ms -> 22-25).
        gc.freeze()
        self.request(self.selection)
        self.call_after_refresh(self._take_keys)  # once the tabs have made their pane active

    async def _take_keys(self) -> None:
        """Focus the pane, then answer the keys typed before it was mounted, in order."""
        self._focus_pane()
        while self._early_keys:
            await super().on_event(self._early_keys.pop(0))
        self._early_keys = None

    async def on_event(self, event: events.Event) -> None:
        """Keys typed before the panes are mounted wait for them (`_mount_the_rest`)."""
        if self._early_keys is not None and isinstance(event, events.Key) and not event.is_forwarded:
            self._early_keys.append(event)
            return
        await super().on_event(event)

    def _view(self, pane: str, id: str = "") -> Widget:
        """Pane `pane`'s view, bound to the app's state; its module is imported here, when the pane
        is first shown: all six at start doubled the time to the first frame (plotext, pygments,
        the report renderers; 92 widgets). Bound, it shows the state as it is when mounted."""
        id = id or f"{pane}-view"
        if pane == "outputs":
            from jaxbatch.widgets.outputs_view import OutputsView

            return OutputsView(id=id).data_bind(JaxBatchApp.report, JaxBatchApp.first_outputs, JaxBatchApp.computing)
        if pane == "programs":
            from jaxbatch.widgets.programs_view import ProgramsView

            return ProgramsView(id=id).data_bind(JaxBatchApp.report, loading=JaxBatchApp.computing)
        if pane == "timings":
            from jaxbatch.widgets.timings_view import TimingsView

            return TimingsView(id=id).data_bind(JaxBatchApp.live, JaxBatchApp.paused, JaxBatchApp.backends,
                                                JaxBatchApp.report, note=JaxBatchApp.timings_note)
        if pane == "sweep":
            from jaxbatch.widgets.sweep_view import SweepView

            return SweepView(id=id).data_bind(JaxBatchApp.sweep, note=JaxBatchApp.sweep_note)
        if pane == "chunks":
            from jaxbatch.widgets.chunk_sweep_view import ChunkSweepView

            return ChunkSweepView(id=id).data_bind(JaxBatchApp.chunk_sweep, note=JaxBatchApp.chunk_sweep_note)
        from jaxbatch.widgets.compare_view import CompareView

        name, saved = self.saved
        return CompareView(saved, name, id=id).data_bind(JaxBatchApp.report, JaxBatchApp.live)

    def _show(self, pane: str) -> None:
        """Mount the view of the pane just shown, the first time it is, and focus it once it is
        mounted: pane 2's focusable part is not there yet when `action_show_pane` focuses."""
        tab = self.query_one(TabbedContent).get_pane(pane) if pane else None
        if tab is not None and not tab.children:
            self._mounts[pane] = tab.mount(self._view(pane))
            self.call_next(self._focus_once_mounted, pane)

    async def _focus_once_mounted(self, pane: str) -> None:
        await self._mounts[pane]
        if self.focused is None and self.query_one(TabbedContent).active == pane:
            self._focus_pane()

    def on_resize(self, event) -> None:
        self.fit(event.size.width, event.size.height)

    def fit(self, width: int, height: int) -> None:
        """The layout for this terminal size: too small, one pane at a time, or the dashboard."""
        small = width < MIN_SIZE[0] or height < MIN_SIZE[1]
        self.query_one("#too-small", Static).update(
            f"Terminal too small: {width} x {height}.\nNeed at least {MIN_SIZE[0]} x {MIN_SIZE[1]}; "
            f"from {DASHBOARD_SIZE[0]} x {DASHBOARD_SIZE[1]} up, a dashboard.")
        wide = not small and self._is_wide(width, height)
        if wide and not self.query_one("#dashboard").children:
            self.query_one("#dashboard").mount_all([self._view("outputs", "dash-outputs"),
                                                    self._view("timings", "dash-timings")])
        tabs = next(iter(self.query(TabbedContent)), None)  # mounted after the first frame
        if wide and not self.has_class("-dashboard") and tabs is not None and tabs.active == "outputs":
            tabs.active = "programs"  # the outputs are on the left now
            self.call_after_refresh(self._focus_pane)
        self.set_class(small, "-too-small")
        self.set_class(wide, "-dashboard")

    @staticmethod
    def _is_wide(width: int, height: int) -> bool:
        return width >= DASHBOARD_SIZE[0] and height >= DASHBOARD_SIZE[1]

    def on_mount(self) -> None:
        if self.log_path is not None:  # what Python prints while the app runs: on_print
            self.begin_capture_print(self)
        # A hang-up (the SSH connection closed) or SIGTERM ends the app the way q does, with the
        # conventional status: terminal restored, timing helper stopped, within the deadline.
        with contextlib.suppress(NotImplementedError, AttributeError, RuntimeError):
            loop = asyncio.get_running_loop()
            loop.add_signal_handler(signal.SIGHUP, self.exit, None, HANGUP)
            loop.add_signal_handler(signal.SIGTERM, self.exit, None, TERMINATED)
        self.fit(self.size.width, self.size.height)
        # A blinking cursor is an animation: still where animations are off (TEXTUAL_ANIMATIONS=none)
        self.query_one("#batch", Input).cursor_blink = self.animation_level != "none"
        # Paint the first frame before the rest is mounted and the lab thread starts importing JAX.
        self.call_after_refresh(self._mount_the_rest)
        self.set_interval(1.0, self._check_lab_time)

    def _apply_keymap(self) -> None:
        """The user's keymap file, after the first frame: its ids are checked against every pane's
        bindings, and importing the panes for that is left to a file that has keys."""
        from jaxbatch.keymap import load_keymap

        keymap, problems = load_keymap(self.keymap_path, binding_ids())
        self.set_keymap(keymap)
        for problem in problems:
            self.notify(f"Keymap skipped: {problem}", severity="warning", timeout=10, markup=False)

    # ---- requests and results -------------------------------------------------------------

    def request(self, selection: Selection) -> None:
        """Ask the lab for `selection`; whatever an older request returns later is dropped."""
        self.selection = selection
        self.requests.to_lab()
        self._status(Content.assemble(("⟳ ", "$warning"),
                                      f"computing {selection.model} at batch {selection.batch_shape} "
                                      f"on {selection.device}…"))
        self.first_outputs = None
        self.computing = True
        self.lab.request(self.requests.lab, selection)
        self._hold_timings()

    def _hold_timings(self) -> None:
        """Stop what the timing helper does for the last selection, and time this one once the
        lab has answered it: the helper's JAX import, compiles and roofline would otherwise
        take CPU from the lab's first answer (on 2 cores, 3.9 s to the seed's numbers against
        7.1 s, loaded, issue 23)."""
        if self.helper_job:
            self.helper.stop()
        self._next_job("")
        self.requests.timings_after = self.requests.lab
        self.timings_note = Note(f"⟳ timings of {self.selection.model} at batch {self.selection.batch_shape} "
                                 "start once its outputs are in…", "busy")

    def _time_once_answered(self, request: int) -> None:
        if request == self.requests.timings_after:
            self.requests.timings_after = 0
            self.action_restart_timings()

    def _check_lab_time(self) -> None:
        """Say so when the current selection has run past the lab's time limit."""
        waited = self.lab.running_s()
        if self.requests.answered != self.requests.lab and waited > self.lab.time_limit_s:
            self._status(Content.assemble(("✗ ", "$error"), (
                f"{self.selection.model} has run {waited:.0f} s without an answer: it goes on in the background "
                "(a Python thread can't be stopped); choose another model or batch", "$error")),
                topic=("no answer", self.requests.lab))  # said again each second: notified once

    def on_lab_outputs(self, message: LabOutputs) -> None:
        """The loop's outputs, before the strategies are judged against them: pane 1 shows them."""
        if message.request == self.requests.lab and self.computing and self.is_running:
            self.first_outputs = message.outputs

    def on_lab_done(self, message: LabDone) -> None:
        """Show the lab's answer: a first one (outputs, verdicts, programs) while it reads the
        plans at other batch sizes, then the whole."""
        if message.request != self.requests.lab or not self.is_running:
            return  # an older selection's; or the app is closing and its panes are being taken down
        from jaxbatch.presentation.units import device_text  # not on the path to the first frame

        self.report = r = message.report
        self._time_once_answered(message.request)
        if self.computing:  # its first answer
            self.computing = False
            self.first_outputs = None  # in the report now
            self._offer_devices()  # `cpu` or `0` is shown as the device it chose
            self._refocus()
        planning = ("⟳ reading XLA's memory plans at other batch sizes…", "$warning") if r.planning else ""
        self._status(Content.assemble(("● ", "$success"), f"{r.model} · batch {r.batch_shape} · "
                                      f"{device_text(r.device)} · jax {r.jax_version}", " · " * bool(planning),
                                      planning))
        if not r.planning:
            self.requests.answered = message.request
            self.call_after_refresh(heap.settle)

    def on_lab_failed(self, message: LabFailed) -> None:
        if message.request != self.requests.lab or not self.is_running:
            return
        self.requests.answered = message.request
        self.computing = False
        self.first_outputs = None  # the last results are shown, whole
        self._time_once_answered(message.request)
        self._refocus()
        kept = " · showing the last results" if self.report is not None else ""
        self._status(Content.assemble(("✗ ", "$error"), (message.error, "$error"), (kept, "$text-muted")))

    # ---- timings and the sweeps, from the helper process ----------------------------------

    @property
    def helper_job(self) -> str:
        """What the timing helper is doing: "timings", a HelperJob's kind, or "" (nothing)."""
        return self.requests.helper_kind

    def _next_job(self, kind: str) -> int:
        """A new request to the helper; its answers to earlier ones are dropped from now on."""
        request = self.requests.to_helper(kind)
        self.paused, self.live = False, None
        self.refresh_bindings()  # escape cancels only while a sweep runs
        return request

    def action_restart_timings(self) -> None:
        self.helper.time(self._next_job("timings"), self.selection)
        self.timings_note = Note(f"⟳ starting the timing helper for {self.selection.model} at batch "
                                 f"{self.selection.batch_shape}…", "busy")

    def action_pause_timings(self) -> None:
        if self.helper_job != "timings" or self.live is None or self.live.state == "settled":
            self.notify("Nothing to pause: r measures again", severity="warning")
            return
        self.paused = not self.paused
        self.helper.pause() if self.paused else self.helper.resume()

    def action_sweep(self) -> None:
        self.start_job(SWEEP)

    def action_chunk_sweep(self) -> None:
        self.start_job(CHUNK_SWEEP)

    def action_cancel_sweep(self) -> None:
        self.cancel_job(SWEEP)

    def action_cancel_chunk_sweep(self) -> None:
        self.cancel_job(CHUNK_SWEEP)

    def start_job(self, job: HelperJob) -> None:
        """Start `job` on the selection, in place of whatever the helper was doing, and show its pane."""
        getattr(self.helper, job.kind)(self._next_job(job.kind), self.selection)
        setattr(self, job.kind, None)
        setattr(self, f"{job.kind}_note", Note(job.starting(self.selection), "busy"))
        self.timings_note = Note(job.stops_timings(pane_key(job.pane)))
        self.action_show_pane(job.pane)

    def cancel_job(self, job: HelperJob) -> None:
        if self.job_running(job):
            self.helper.stop()
            self._next_job("")
            setattr(self, f"{job.kind}_note", Note(job.cancelled()))

    def job_running(self, job: HelperJob) -> bool:
        """Whether `job` is what the helper is doing, and not done yet: escape cancels it."""
        state = getattr(self, job.kind)
        return self.helper_job == job.kind and (state is None or not state.stopped)

    def _answers_helper(self, request: int | None, kind: str = "") -> bool:
        """Whether a helper message is for its current request (and, given `kind`, of that kind);
        not when the app is closing."""
        return self.requests.answers_helper(request, kind) and self.is_running

    def on_timings_updated(self, message: TimingsUpdated) -> None:
        if self._answers_helper(message.request, "timings"):
            self.live, self.timings_note = message.live, None

    @on(JobUpdated)  # both sweeps' (Textual matches a handler by the message's bases too)
    def _job_updated(self, message: JobUpdated) -> None:
        if self._answers_helper(message.request, message.kind):
            setattr(self, message.kind, message.state)
            setattr(self, f"{message.kind}_note", None)

    def on_helper_status(self, message: HelperStatus) -> None:
        if self._answers_helper(message.request, "timings"):
            self.timings_note = Note(f"⟳ {message.text}", "busy")

    def on_helper_failed(self, message: HelperFailed) -> None:
        """The job failed (or the helper ended): said in its pane, and over: nothing to cancel."""
        if not self._answers_helper(message.request):
            return
        job = JOBS.get(self.helper_job)
        if job is not None:
            setattr(self, f"{job.kind}_note", Note(job.failed(message.error), "error"))
        else:
            self.timings_note = Note(f"✗ {message.error}", "error")
        self._next_job("")

    def exit(self, result=None, return_code: int = 0, message=None) -> None:
        """Exit as Textual does; the helper is stopped now, not after the last frame, and the
        deadline (the CLI's, see jaxbatch.quitting) is armed with this status."""
        self.helper.close()
        if self.deadline is not None:
            self.deadline.arm(return_code)
        super().exit(result, return_code, message)

    def on_unmount(self) -> None:
        self.helper.close()

    def on_devices_found(self, message: DevicesFound) -> None:
        self.backends = message.backends

    def watch_backends(self) -> None:
        self._offer_devices()

    def _offer_devices(self) -> None:
        """Every device JAX found, once each, the selected one chosen; a device it did not find
        (`--device tpu` on a CPU box) is listed too, as chosen, until another is picked."""
        if self.backends is None:
            return
        picker = self.query_one("#device", Select)
        current = self.device_spec()
        options = [] if current in dict(self.backends.devices) else [(current, current)]
        options += [(spec if d.kind == d.platform else f"{spec} {d.kind}", spec) for spec, d in self.backends.devices]
        with self.prevent(Select.Changed):
            picker.set_options(options)
            picker.value = current

    def device_spec(self) -> str:
        """The selected device under the name the picker lists it by: `cpu` is `cpu:0`, and a
        bare index the device the lab ran on."""
        current, specs = self.selection.device, dict(self.backends.devices) if self.backends else {}
        if current in specs:
            return current
        if f"{current}:0" in specs:
            return f"{current}:0"
        ran_on = [spec for spec, d in specs.items() if self.report is not None and d == self.report.device]
        return ran_on[0] if current.isdigit() and ran_on else current

    # ---- the selection bar ----------------------------------------------------------------

    @on(Select.Changed, "#device")
    def _device_changed(self, event: Select.Changed) -> None:
        if event.value != self.device_spec():
            self.request(dataclasses.replace(self.selection, device=str(event.value)))

    @on(Select.Changed, "#model")
    def _model_changed(self, event: Select.Changed) -> None:
        """Another model, at the same batch, device, chunk size and precision: a chunk size fits any
        batch (one above it is one vmap). Only the in_axes are the model's own."""
        if event.value != self.selection.model:
            base = self.user if self.user and event.value == self.user.model else Selection(str(event.value))
            current = self.selection
            self.request(dataclasses.replace(base, batch_shape=current.batch_shape, device=current.device,
                                             chunk=current.chunk, precision=current.precision))

    @on(Input.Submitted, "#batch")
    def _batch_submitted(self, event: Input.Submitted) -> None:
        try:
            shape = parse_batch_shape(event.value)
        except LabError as exc:
            event.input.add_class("-invalid")
            self._status(Content.assemble(("✗ ", "$error"), (str(exc), "$error"),
                                          (" · last results kept", "$text-muted")))
            return
        event.input.remove_class("-invalid")
        event.input.value = format_batch_shape(shape)
        self.request(dataclasses.replace(self.selection, batch_shape=shape))
        self._focus_pane()  # typing is done: the keys (2, q, …) are the app's again

    # ---- actions ----------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "show_pane" and isinstance(self.focused, Input):
            return False  # the digit goes to the input instead
        if action == "show_pane" and parameters == ("compare",) and self.saved is None:
            return False  # no saved report to compare with: the key is neither shown nor bound
        if action.startswith("cancel_") and action[len("cancel_"):] in JOBS:
            return self.job_running(JOBS[action[len("cancel_"):]])  # escape does nothing else there: hidden
        return True

    def action_show_pane(self, pane: str) -> None:
        self.query_one(TabbedContent).active = pane  # mounts its view the first time: _show
        self._focus_pane()

    def _focus_pane(self) -> None:
        """Focus the active pane's main widget, so its keys (scrolling, n, l, c) work at once."""
        pane = self.query_one(TabbedContent).active_pane
        self.set_focus(next((w for w in pane.query("*") if w.focusable), None) if pane else None)

    def _refocus(self) -> None:
        """A pane can't take focus while it is loading: it gets it once the lab has answered."""
        if self.focused is None:
            self.call_after_refresh(self._focus_pane)

    def action_focus_model(self) -> None:
        self.query_one("#model", Select).focus()

    def action_focus_device(self) -> None:
        self.query_one("#device", Select).focus()

    def action_focus_batch(self) -> None:
        self.query_one("#batch", Input).focus()

    def action_in_axes(self) -> None:
        if self.report is None or self.report.model != self.selection.model:
            self.notify("in_axes can be set once the model has results", severity="warning")
        elif len(self.report.in_axes) < 2:
            self.notify(f"{self.report.model} has one argument: its in_axes is 0", severity="warning", markup=False)
        else:
            avals = self.report.single.arg_avals

            def parse(text: str):
                axes = parse_in_axes(text)
                if len(axes) != len(avals):
                    raise LabError(f"{len(axes)} entries for {len(avals)} arguments")
                return axes

            from jaxbatch.screens.ask_screen import AskScreen

            self.push_screen(AskScreen("in_axes: 0 (batched) or None (shared), per argument",
                                       f"arguments: {', '.join(avals)}", format_in_axes(tuple(self.report.in_axes)),
                                       parse), self._set_in_axes)

    def _set_in_axes(self, axes) -> None:
        if axes is not None and axes != tuple(self.report.in_axes):
            self.request(dataclasses.replace(self.selection, in_axes=axes))

    def action_chunk(self) -> None:
        from jaxbatch.screens.ask_screen import AskScreen

        self.push_screen(AskScreen("chunk: instances per step of the chunked strategy",
                                   "lax.map(model, batch, batch_size=K): a loop over chunks of K, each one "
                                   "vmapped; K above the batch is one vmap, no loop",
                                   str(self.selection.chunk), parse_chunk), self._set_chunk)

    def _set_chunk(self, chunk) -> None:
        if chunk is not None and chunk != self.selection.chunk:
            self.request(dataclasses.replace(self.selection, chunk=chunk))

    def set_precision(self, precision: str) -> None:
        """Analyse and time everything again at this matmul precision (the palette's choice)."""
        if precision != self.selection.precision:
            self.request(dataclasses.replace(self.selection, precision=precision))

    def action_copy(self) -> None:
        tab = self.query_one(TabbedContent).active_pane
        if tab is None or self.report is None:
            self.notify("Nothing to copy yet", severity="warning")
            return
        view = tab.children[0]  # each tab holds one pane
        assert isinstance(view, Pane)
        what, text = view.copy_text()
        size = len(text.encode())
        if not text.strip():
            self.notify(f"The {what} pane is empty: nothing copied", severity="warning", markup=False)
        elif size > OSC52_LIMIT:
            self.notify(f"The {what} text is {size // 1000:,} kB, more than terminals take by OSC 52: "
                        "e exports it to a file instead", severity="warning", timeout=8, markup=False)
        else:
            self.copy_to_clipboard(text)
            self.notify(f"Copied {what}: {text.count(chr(10)) + 1:,} lines, sent to your terminal's clipboard "
                        "(OSC 52; in tmux: set -g set-clipboard on)", timeout=6, markup=False)

    def action_export(self) -> None:
        if self.report is None:
            self.notify("Nothing to export yet", severity="warning")
            return
        # as the app shows it: with the live timings so far, and the roofline they are judged against
        report = self.report if self.live is None else dataclasses.replace(self.report, timings=self.live.timings)
        folder = Path.cwd()
        try:
            paths = [*export(report, self.sweep, folder, self.chunk_sweep),
                     Path(self.save_screenshot(f"{base_name(report)}.svg", str(folder)))]
            said = ", ".join(map(described, paths))
        except OSError as exc:
            self.notify(f"Export failed: {exc.strerror or exc} ({folder})", severity="error", timeout=8, markup=False)
            return
        self.notify(f"Exported {said} to {folder}", timeout=8, markup=False)

    def get_system_commands(self, screen):
        from jaxbatch.commands import commands

        yield from commands(self)
        yield from super().get_system_commands(screen)

    def choose(self, selector: str, value: str) -> None:
        """Pick `value` in the model or device list, as a person would (the change runs it)."""
        self.query_one(selector, Select).value = value

    def compare(self, pair: tuple[str, str]) -> None:
        self.call_next(self._show_programs, pair=pair)

    def show_level(self, level: str) -> None:
        self.call_next(self._show_programs, level=level)

    async def _show_programs(self, **shown) -> None:
        """Pane 2, showing `shown` (its pair or level), set once its view is mounted (the first
        time it is shown, it is mounted now)."""
        self.action_show_pane("programs")
        if "programs" in self._mounts:
            await self._mounts["programs"]
        view = self.query_one("#programs-view")
        for name, value in shown.items():
            setattr(view, name, value)

    def on_print(self, event: events.Print) -> None:
        """What Python code prints while the app draws (a model's print(), a warning), which
        Textual holds back from the screen: into the log, fd 2, beside what XLA writes there."""
        with contextlib.suppress(OSError):
            os.write(2, event.text.encode("utf-8", "replace"))

    def action_help(self) -> None:
        from jaxbatch.screens.help_screen import HelpScreen

        self.push_screen(HelpScreen(help_sections(), str(self.keymap_path), str(self.log_path or "")))

    def on_key(self, event) -> None:
        if event.key == "escape" and isinstance(self.focused, Input) and self.focused.id == "batch":
            self._focus_pane()
            event.stop()

    def _status(self, content: Content, topic: object = None) -> None:
        """The status line: it wraps to STATUS_LINES lines; a message longer still (a model's
        error at length) is notified too, whole, so that none of it is out of reach; once per
        `topic` (by default, per text)."""
        status = self.query_one("#status", Static)
        status.update(content)
        width = max(self.size.width - status.styles.gutter.width, 1)
        topic = content.plain if topic is None else topic
        if len(content.wrap(width)) > STATUS_LINES and topic != self._notified:
            self._notified = topic
            self.notify(content.plain, title="In full", severity="error" if content.plain.startswith("✗") else
                        "information", timeout=30, markup=False)


def help_sections() -> list[tuple[str, list[Binding]]]:
    """Every key the app answers to, by where it works: the help screen lists exactly these.
    It imports every pane's module, so it is called for the help or a keymap file, not at start."""
    from jaxbatch.widgets.chunk_sweep_view import ChunkSweepView
    from jaxbatch.widgets.programs_view import ProgramsView
    from jaxbatch.widgets.side_by_side import SideBySide
    from jaxbatch.widgets.sweep_view import SweepView
    from jaxbatch.widgets.timings_view import TimingsView

    return [
        ("Anywhere", list(JaxBatchApp.BINDINGS)),
        ("Outputs, timings and compare panes (1, 3, 6)", list(Scroll.BINDINGS)),
        ("Programs pane (2)", [*ProgramsView.BINDINGS, *SideBySide.BINDINGS]),
        ("Timings pane (3)", list(TimingsView.BINDINGS)),
        ("Sweep pane (4)", list(SweepView.BINDINGS)),
        ("Chunks pane (5)", list(ChunkSweepView.BINDINGS)),
    ]


def binding_ids() -> Iterator[str]:
    """Every binding's id, lazily: `load_keymap` reads them (importing every pane) only for a
    keymap file with keys in it."""
    for _, bindings in help_sections():
        yield from (b.id for b in bindings if b.id)


def make_app(selection: Selection | None = None, helper=TimingClient, keymap_path: Path | None = None,
             theme: str | None = None, compare: tuple[str, Report] | None = None,
             log: Path | None = None, deadline: Deadline | None = None, analyze=None) -> JaxBatchApp:
    """The factory tests and the CLI share."""
    return JaxBatchApp(selection or Selection(), helper, keymap_path, theme, compare, log, deadline, analyze)
