"""The timing helper as the app runs it: a second process speaking JSON lines."""

import threading

import pytest

from jaxbatch.lab.devices import inventory, resolve_device
from jaxbatch.lab.errors import LabError
from jaxbatch.lab.selection import Selection
from jaxbatch.lab.timing import LiveTimings
from jaxbatch.timing_client import TimingClient


def test_the_helper_times_a_selection_and_ends_with_its_input():
    events, got = [], threading.Event()

    def on_event(event):
        events.append(event)
        if event.get("event") in ("timings", "error"):
            got.set()

    client = TimingClient(on_event)
    client.time(7, Selection(batch_shape=(5,)))
    assert got.wait(120), events
    client.close()
    assert client.proc.wait(5) is not None
    live = LiveTimings.from_json(next(e for e in events if e.get("event") == "timings")["data"])
    assert set(live.timings) == {"loop", "manual", "vmap"} and live.labels["manual"] == "einsum"
    assert all(e["gen"] == 7 for e in events) and events[0]["event"] == "status"


def test_a_bad_selection_is_an_error_event_not_a_dead_helper():
    events, got = [], threading.Event()
    client = TimingClient(lambda e: (events.append(e), got.set()) if e.get("event") == "error" else None)
    client.time(1, Selection(model="no-such-model"))
    assert got.wait(60)
    assert events[-1]["gen"] == 1 and "no-such-model" in events[-1]["text"]
    assert client.proc.poll() is None  # still serving
    client.close()


def test_devices_are_named_and_a_missing_platform_says_what_to_install():
    inv = inventory()
    assert {"spec": "cpu:0", "platform": "cpu"}.items() <= inv["devices"][0].items()
    if "gpu" in inv["missing"]:
        assert inv["install"]["gpu"] == "jax[cuda12]"
        with pytest.raises(LabError, match="no gpu device.*jax\\[cuda12\\]"):
            resolve_device("gpu:0")
    with pytest.raises(LabError, match="out of range"):
        resolve_device("cpu:99")
    with pytest.raises(LabError, match="unknown device"):
        resolve_device("quantum")
