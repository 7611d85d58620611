"""The truth suite's own tools, checked on cases whose answer is known by hand."""

import jax
import jax.numpy as jnp
import numpy as np

from .facts import canonical_hlo, canonical_jaxpr, canonical_stablehlo, header_param_spans, ulp_distance


def test_ulp_distance_counts_representable_floats():
    x = np.float32(1.5)
    up = np.nextafter(x, np.float32(np.inf))
    assert ulp_distance(np.array([x]), np.array([up]))[0] == 1
    tiny = np.float32(np.finfo(np.float32).smallest_subnormal)
    assert ulp_distance(np.array([-tiny]), np.array([tiny]))[0] == 2  # across zero
    assert ulp_distance(np.array([-0.0], np.float32), np.array([0.0], np.float32))[0] == 0
    assert ulp_distance(np.array([np.nan], np.float32), np.array([np.nan], np.float32))[0] == 0
    assert ulp_distance(np.array([np.nan], np.float32), np.array([1.0], np.float32))[0] == np.inf
    # Within one binade, n ULP apart is n spacings apart.
    a = np.float32(3.0)
    b = a + 37 * np.spacing(a)
    assert ulp_distance(np.array([a]), np.array([b]))[0] == 37


def test_canonical_jaxpr_sees_wiring_and_ignores_names():
    x = jnp.ones(3)

    def sub(a, b):
        return a - b

    def sub_renamed(left, right):
        return left - right

    def sub_swapped(a, b):
        return b - a

    assert canonical_jaxpr(jax.make_jaxpr(sub)(x, x)) == canonical_jaxpr(jax.make_jaxpr(sub_renamed)(x, x))
    assert canonical_jaxpr(jax.make_jaxpr(sub)(x, x)) != canonical_jaxpr(jax.make_jaxpr(sub_swapped)(x, x))


def test_canonical_texts_ignore_names_and_see_operands():
    x = jnp.ones(3)

    def f(v):
        return jnp.tanh(v) * v

    def g(renamed):
        return jnp.tanh(renamed) * renamed

    def h(v):
        return jnp.tanh(v) + v

    lf, lg, lh = (jax.jit(fn).lower(x) for fn in (f, g, h))
    assert canonical_stablehlo(lf.as_text()) == canonical_stablehlo(lg.as_text())
    assert canonical_stablehlo(lf.as_text()) != canonical_stablehlo(lh.as_text())
    assert canonical_hlo(lf.compile().as_text()) == canonical_hlo(lg.compile().as_text())
    assert canonical_hlo(lf.compile().as_text()) != canonical_hlo(lh.compile().as_text())


def test_header_parameters_with_tuple_types():
    line = "%body.1 (p.0: (s32[], f32[2,3]{1,0}), q_1: f32[]) -> (s32[], f32[2,3]) {"
    assert [line[a:b] for a, b in header_param_spans(line)] == ["p.0", "q_1"]
    assert header_param_spans("  %p.0 = f32[] parameter(0)") == []
