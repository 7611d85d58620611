"""Memory claims against plain JAX: roofline's peak beside XLA's plan, the device's memory, and
how large a batch vmap fits, found here from XLA's plans at two batch sizes."""

import logging

import jax
import numpy as np
import pytest

from .claims import claim
from .facts import BATCH
from .test_chunked import my_chunked

roofline = pytest.importorskip("jax.experimental.roofline")

MODELS = ("tanh-dense", "at-set-large", "index-update", "argsort")


def my_roofline_peak(fn, *args):
    logging.getLogger().setLevel(logging.ERROR)  # roofline warns on the root logger for unruled primitives
    _, result = roofline.roofline(fn)(*args)
    return int(result.peak_hbm_bytes)


@pytest.mark.parametrize("name", MODELS)
def test_the_roofline_peak_shown_is_jax_experimental_roofline_s(name, report, facts):
    r, f = report(name, BATCH), facts(name, BATCH)
    fns = {"vmap": f.fn("vmap"), "chunked": my_chunked(f.single, f.in_axes, 64)}
    if f.manual is not None:
        fns["manual"] = f.manual
    for key, fn in fns.items():
        assert claim(r, "memory", key, "roofline_peak_bytes") == my_roofline_peak(fn, *f.batch), key
        plan = f.compiled(key).memory_analysis() if key != "chunked" else None
        if plan is not None:  # XLA's plan, as the report gives it
            peak = plan.temp_size_in_bytes + plan.argument_size_in_bytes + plan.output_size_in_bytes \
                - plan.alias_size_in_bytes
            assert claim(r, "memory", key, "peak_bytes") == peak, key


def _mem_available() -> int:
    with open("/proc/meminfo") as meminfo:
        return next(int(line.split()[1]) * 1024 for line in meminfo if line.startswith("MemAvailable:"))


def test_the_memory_limit_on_cpu_is_the_ram_available(report):
    r = report("tanh-dense", BATCH)
    shown = claim(r, "memory_limit_bytes")
    assert abs(shown - _mem_available()) < 0.2 * _mem_available()  # other processes come and go meanwhile
    assert claim(r, "memory_limit_source") == "host"  # XLA:CPU gives no allocator limit


def test_vmap_runs_out_where_xlas_plans_at_two_batches_say_it_would(report, facts):
    """at-set-large under vmap: a batch x N buffer, so XLA's peak is a line in the batch. The
    report reads its plan at other batch sizes too; here the line comes from two, compiled by
    plain JAX, and the report finds it a line."""
    f = facts("at-set-large", BATCH)
    r = report("at-set-large", BATCH)

    def planned(n):
        batch = [jax.numpy.concatenate([a] * (n // BATCH)) if ax == 0 else a for a, ax in zip(f.batch, f.in_axes)]
        m = jax.jit(f.fn("vmap")).lower(*batch).compile().memory_analysis()
        return m.temp_size_in_bytes + m.argument_size_in_bytes + m.output_size_in_bytes - m.alias_size_in_bytes

    small, large = planned(BATCH), planned(4 * BATCH)
    slope = (large - small) / (3 * BATCH)
    limit = claim(r, "memory_limit_bytes")
    mine = (limit - (small - slope * BATCH)) / slope  # the batch whose planned peak is the limit
    fit = claim(r, "fits_up_to", "vmap")
    assert fit["never"] is False and fit["method"] == "linear"
    assert 0.95 * mine <= fit["up_to"] <= mine  # scaling every byte errs small, never large
    assert np.isfinite(mine)


def test_the_sharded_peak_is_one_device_s_plan_and_says_so(report, facts):
    """vmap over a 4-device mesh compiles one program per device: its plan holds a quarter of
    the batched input. Compiled here with a plain NamedSharding; the report's peak is that plan,
    marked per device, and its per-instance figure is over the device's share."""
    f = facts("tanh-dense", BATCH)
    r = report("tanh-dense", BATCH)
    mesh = jax.make_mesh((4,), ("batch",), axis_types=(jax.sharding.AxisType.Explicit,))
    shard = [jax.sharding.NamedSharding(mesh, jax.P("batch") if ax == 0 else jax.P()) for ax in f.in_axes]
    args = [jax.device_put(a, s) for a, s in zip(f.batch, shard)]
    plan = jax.jit(f.fn("vmap")).lower(*args).compile().memory_analysis()
    whole = sum(np.asarray(a).nbytes for a in f.batch)
    batched = sum(np.asarray(a).nbytes for a, ax in zip(f.batch, f.in_axes) if ax == 0)
    assert plan.argument_size_in_bytes == whole - batched + batched // 4  # one device's share
    peak = plan.temp_size_in_bytes + plan.argument_size_in_bytes + plan.output_size_in_bytes \
        - plan.alias_size_in_bytes
    assert claim(r, "memory", "sharded", "per_device") is True
    assert claim(r, "memory", "vmap", "per_device") is False
    assert claim(r, "memory", "sharded", "argument_bytes") == plan.argument_size_in_bytes
    assert claim(r, "memory", "sharded", "peak_bytes") == peak
    assert claim(r, "memory", "sharded", "per_instance_bytes") == peak / (BATCH // 4)
