"""Arithmetic intensity against XLA's cost analysis, computed here with plain JAX: on loop-free
programs the report's flops and bytes are XLA's own, so the roofline's intensity for a
strategy must be exactly XLA's flops over its bytes accessed for that strategy's program."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from jaxbatch.results.report import Roof
from jaxbatch.results.roof import judge

from .claims import claim
from .facts import BATCH

# Built-in models whose programs have no loop: the report's counts are XLA's, uncorrected.
LOOP_FREE = ("tanh-dense", "mlp")
ROOF = Roof("cpu", "cpu", 1e10, 1e11, "measured", 0.0)  # any roof: intensity does not depend on it


def xla_cost(compiled) -> tuple[float, float]:
    """XLA's flops and bytes accessed for a compiled program."""
    cost = compiled.cost_analysis()
    cost = cost[0] if isinstance(cost, (list, tuple)) else cost  # older JAX: one per device program
    return cost["flops"], cost["bytes accessed"]


@pytest.mark.parametrize("name", LOOP_FREE)
def test_intensity_is_xla_s_flops_over_bytes(name, report, facts):
    r, f = report(name, BATCH), facts(name, BATCH)
    for key in ("manual", "vmap"):
        assert claim(r, "hlo", key, "loops") == [], key
        point = judge(claim(r, "hlo", key, "flops"), claim(r, "hlo", key, "bytes"), None, None, ROOF)
        flops, bytes_accessed = xla_cost(f.compiled(key))
        assert point.intensity == pytest.approx(flops / bytes_accessed, rel=1e-12), key


def test_a_matmul_s_intensity():
    """A 256 x 256 float32 matmul: 2 n^3 flops over three n x n arrays read or written."""
    n = 256
    a = jnp.asarray(np.ones((n, n), np.float32))
    flops, bytes_accessed = xla_cost(jax.jit(jnp.matmul).lower(a, a).compile())
    assert (flops, bytes_accessed) == (2 * n ** 3, 3 * n * n * 4)
    assert judge(flops, bytes_accessed, None, None, ROOF).intensity == 2 * n ** 3 / (3 * n * n * 4)
