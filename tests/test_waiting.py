"""`report`'s "still running" notice is for a thread that makes no progress: its stack still and
not in XLA's compiler. The clock is given and stacks are scripted or taken at chosen moments,
so nothing here depends on how fast the machine is."""

import itertools
import sys
import threading
import time
from types import SimpleNamespace

import jax
import jax.numpy as jnp
import pytest

from jaxbatch import cli
from jaxbatch.lab import waiting
from jaxbatch.lab.waiting import Quiet, Stack
from jaxbatch.results.selection import Selection

AFTER = cli.NOTICE_AFTER_S


def fake_stack(*frames: tuple[str, str, int]) -> Stack:
    """A stack of (module, function, line), innermost first, made of stand-in frames."""
    made = [SimpleNamespace(f_globals={"__name__": module}, f_lineno=line, f_locals={},
                            f_code=SimpleNamespace(co_qualname=fn, co_name=fn, co_filename=f"/src/{module}.py"))
            for module, fn, line in frames]
    return Stack(tuple(made), tuple(line for _, _, line in frames))


MODEL = ("my_model", "model", 7)
LOOP = ("jaxbatch.lab.reference", "reference_call", 40)
COMPILING = fake_stack(("jax._src.compiler", "backend_compile_and_load", 330), ("jax._src.profiler", "wrapper", 9),
                       ("jax._src.compiler", "compile_or_get_cached", 480), ("jax._src.pjit", "_pjit_call_impl", 99),
                       MODEL, LOOP)


def test_a_still_stack_is_told_once_after_the_wait():
    blocked = fake_stack(("time", "sleep", 1), MODEL, LOOP)
    quiet = Quiet(AFTER, now=0.0)
    assert [quiet.notice(blocked, t) for t in (0.2, AFTER - 0.1)] == ["", ""]
    said = quiet.notice(blocked, AFTER + 0.2)
    assert said.startswith("the model on ?, at my_model.py line 7, in model")  # `what` is not a local here
    assert quiet.notice(blocked, AFTER + 10) == ""  # once


def test_a_stack_that_keeps_changing_is_never_told():
    quiet = Quiet(AFTER, now=0.0)
    for t in range(100):  # a new line of the model at every sample, long past the wait
        assert quiet.notice(fake_stack(("my_model", "model", t % 3), LOOP), float(t)) == ""


def test_a_new_call_at_the_same_line_is_progress():
    """Calling the same function again (a timing loop's next call) is a new frame, though its
    code and line are the same."""
    quiet = Quiet(AFTER, now=0.0)
    for t in range(100):
        assert quiet.notice(fake_stack(("jaxbatch.lab.live", "<lambda>", 85), LOOP), float(t)) == ""


def test_a_compile_however_long_is_not_told_and_the_wait_starts_after_it():
    quiet = Quiet(AFTER, now=0.0)
    assert COMPILING.compiling
    assert all(quiet.notice(COMPILING, float(t)) == "" for t in range(100))
    blocked = fake_stack(("time", "sleep", 1), MODEL, LOOP)
    assert quiet.notice(blocked, 100.0) == "" and quiet.notice(blocked, 100 + AFTER - 0.1) == ""
    assert quiet.notice(blocked, 100 + AFTER) != ""


def test_only_jax_frames_innermost_count_as_compiling():
    """A model that calls back into its own code from under a compile is the model's wait."""
    assert not fake_stack(MODEL, ("jax._src.compiler", "compile_or_get_cached", 480), LOOP).compiling
    assert not fake_stack(("jax._src.interpreters.partial_eval", "trace_to_jaxpr", 5), MODEL, LOOP).compiling
    assert "XLA compiling, at my_model.py line 7" in waiting.waiting_for(COMPILING)


def test_jaxs_own_compile_path_is_recognised(monkeypatch):
    """The stack under XLA's compile, as JAX calls it today: if JAX moves its compiler, this says so."""
    from jax._src import compiler

    seen = []
    original = compiler.backend_compile_and_load

    def backend_compile_and_load(*args, **kwargs):
        seen.append(Stack.of(sys._getframe(1)))  # where the C++ compile would run
        return original(*args, **kwargs)

    monkeypatch.setattr(compiler, "backend_compile_and_load", backend_compile_and_load)
    jax.jit(lambda x: jnp.sin(x) * 3.25).lower(jnp.ones(7)).compile()
    assert seen and all(stack.compiling for stack in seen)


def wait_at(gate: threading.Lock, here: threading.Event) -> None:
    here.set()
    gate.acquire()  # blocks in C: this frame is the innermost, on this line, until the gate opens


GATE_LINE = wait_at.__code__.co_firstlineno + 2


def settled(thread: threading.Thread) -> Stack:
    """The thread's stack once it is blocked at the gate."""
    for _ in range(100_000):
        stack = waiting.stack(thread)
        if stack.frames and stack.frames[0].f_code is wait_at.__code__ and stack.lines[0] == GATE_LINE:
            return stack
        time.sleep(0.001)
    pytest.fail("the thread never came to the gate")


def test_a_real_blocked_thread_is_told_where_it_waits_and_a_stepping_one_is_not():
    gates, arrived = [threading.Lock() for _ in range(3)], [threading.Event() for _ in range(3)]
    for gate in gates:
        gate.acquire()

    def model():
        for gate, here in zip(gates, arrived):
            wait_at(gate, here)

    thread = threading.Thread(target=model, daemon=True)
    thread.start()
    try:
        quiet = Quiet(AFTER, now=0.0)
        arrived[0].wait()
        assert quiet.notice(settled(thread), 0.0) == ""
        gates[0].release()  # one step: a new call of wait_at, its code and lines all as before
        arrived[1].wait()
        assert quiet.notice(settled(thread), AFTER + 1) == ""
        said = quiet.notice(settled(thread), 2 * AFTER + 1)  # no step since
        assert said == f"the analysis, at test_waiting.py line {GATE_LINE}, in wait_at"
    finally:
        for gate in gates:
            gate.release()
        thread.join()


@pytest.mark.parametrize("stacks, told", [
    (itertools.repeat(fake_stack(("time", "sleep", 1), MODEL, LOOP)), 1),
    (itertools.repeat(COMPILING), 0),
    ((fake_stack(MODEL[:2] + (n % 5,), LOOP) for n in itertools.count()), 0),
], ids=["blocked", "compiling", "stepping"])
def test_report_watches_with_the_given_clock_and_stacks(capsys, stacks, told):
    """`_watched` as `report` runs it, its clock a second per reading: the notice comes only for
    the blocked stack, and the computation's answer is returned."""
    done, looks = threading.Event(), itertools.count(1)

    def look(thread):
        if next(looks) == 3 * AFTER:  # well past the wait, on the fake clock
            done.set()
        return next(stacks)

    clock = itertools.count().__next__
    value = cli._watched(lambda: done.wait(60) and "answer", Selection(), None, clock=clock, look=look, poll_s=0.001)
    err = capsys.readouterr().err
    assert value == "answer" and err.count("still running") == told
    if told:
        assert err.startswith("jaxbatch-tui: still running tanh-dense at batch 5: waiting for the model on ?, at "
                              "my_model.py line 7, in model (Ctrl+C stops; --timeout SECONDS gives up)")
