"""The timing helper as the app runs it: a second process speaking JSON lines."""

import os
import threading
from pathlib import Path

import pytest

from jaxbatch.lab.devices import inventory, resolve_device
from jaxbatch.messages import HelperFailed, HelperStatus, SweepUpdated, TimingsUpdated
from jaxbatch.results.errors import LabError
from jaxbatch.results.selection import Selection
from jaxbatch.timing_client import TimingClient, message_from

from app_helpers import scripted_live, scripted_sweep


def test_the_helper_times_a_selection_and_ends_with_its_input():
    messages, got = [], threading.Event()

    def post(message):
        messages.append(message)
        if isinstance(message, (TimingsUpdated, HelperFailed)):
            got.set()

    client = TimingClient(post)
    client.time(7, Selection(batch_shape=(5,)))
    assert got.wait(120), messages
    _assert_runs_behind_the_app(client.proc.pid)
    client.close()
    assert client.proc.wait(5) is not None
    live = next(m.live for m in messages if isinstance(m, TimingsUpdated))
    assert set(live.timings) == {"loop", "manual", "vmap", "chunked"} and live.labels["manual"] == "einsum"
    assert all(m.request == 7 for m in messages) and isinstance(messages[0], HelperStatus)


def _assert_runs_behind_the_app(pid: int) -> None:
    """Niced 10 below us, and so is its scheduling group where the kernel has autogroups: the
    helper is a session of its own, so its process niceness alone would rank nothing."""
    assert os.getpriority(os.PRIO_PROCESS, pid) == os.getpriority(os.PRIO_PROCESS, 0) + 10
    group = Path(f"/proc/{pid}/autogroup")
    if group.exists():
        assert group.read_text().split()[-1] == "10", group.read_text()


def test_a_bad_selection_is_an_error_event_not_a_dead_helper():
    messages, got = [], threading.Event()
    client = TimingClient(lambda m: (messages.append(m), got.set()) if isinstance(m, HelperFailed) else None)
    client.time(1, Selection(model="no-such-model"))
    assert got.wait(60)
    assert messages[-1].request == 1 and "no-such-model" in messages[-1].error
    assert client.proc.poll() is None  # still serving
    client.close()


def test_devices_are_named_and_a_missing_platform_says_what_to_install():
    inv = inventory()
    spec, device = inv.devices[0]
    assert spec == "cpu:0" and device.platform == "cpu"
    if "gpu" in inv.missing:
        assert inv.install["gpu"] == "jax[cuda12]"
        with pytest.raises(LabError, match="no gpu device.*jax\\[cuda12\\]"):
            resolve_device("gpu:0")
    with pytest.raises(LabError, match="out of range"):
        resolve_device("cpu:99")
    with pytest.raises(LabError, match="unknown device"):
        resolve_device("quantum")


def test_each_line_of_the_protocol_becomes_its_message():
    live, state = scripted_live(), scripted_sweep()
    assert message_from({"request": 3, "event": "timings", "data": live.to_json()}) == TimingsUpdated(3, live)
    assert message_from({"request": 3, "event": "sweep", "data": state.to_json()}) == SweepUpdated(3, state)
    assert message_from({"request": 3, "event": "status", "text": "compiling…"}) == HelperStatus(3, "compiling…")
    assert message_from({"request": None, "event": "error", "text": "gone"}) == HelperFailed(None, "gone")
    assert message_from({"request": 3, "event": "something new"}) is None


def test_a_newer_update_for_the_same_request_replaces_a_queued_one():
    """Textual asks the queued message whether the next one may take its place (`can_replace`)."""
    old, new = TimingsUpdated(4, None), TimingsUpdated(4, None)
    assert old.can_replace(new) and SweepUpdated(4, None).can_replace(SweepUpdated(4, None))
    assert not old.can_replace(TimingsUpdated(5, None))  # another request's
    assert not old.can_replace(SweepUpdated(4, None))  # another kind
    assert not HelperStatus(4, "compiling…").can_replace(HelperStatus(4, "compiling…"))  # said once each
    assert not HelperFailed(4, "x").can_replace(HelperFailed(4, "x"))
