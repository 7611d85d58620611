"""Counting XLA compilations through jax.monitoring's listeners (a public API): how the lab
tells a model that compiles on every eager call, such as one that defines its scan step inside
itself, so each call traces a new function. Each such executable takes memory maps for good;
thousands of them end the process."""

from __future__ import annotations

import contextlib
from typing import Callable, Iterator

import jax

# The event JAX records once per executable XLA compiles, or reads back from its persistent
# compilation cache (JAX_COMPILATION_CACHE_DIR): either way, one executable more.
BACKEND_COMPILE = "/jax/core/compile/backend_compile_duration"


@contextlib.contextmanager
def counting() -> Iterator[Callable[[], int]]:
    """`with counting() as count:` ... `count()` is the compilations since the block began
    (in any thread: the lab compiles in one)."""
    seen = 0

    def listener(event: str, duration_secs: float, **kwargs) -> None:
        nonlocal seen
        if event == BACKEND_COMPILE:
            seen += 1

    jax.monitoring.register_event_duration_secs_listener(listener)
    try:
        yield lambda: seen
    finally:
        jax.monitoring.unregister_event_duration_listener(listener)


def per_eager_call(single: Callable, args) -> int:
    """Compilations in an eager call of the model after a first one: 0 for most models, whose
    operations JAX compiles once and caches."""
    jax.block_until_ready(single(*args))
    with counting() as count:
        jax.block_until_ready(single(*args))
    return count()
