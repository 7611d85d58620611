"""The report's Primitives line: what runs inside while, cond and scan bodies is shown inside them."""

import re

import jax
import jax.numpy as jnp

from jaxbatch.lab import jaxprs
from jaxbatch.presentation.outputs import primitives_text


def control_flow(x):
    y = jax.lax.cond(x[0] > 0, jnp.sin, jnp.cos, x)
    z = jax.lax.while_loop(lambda c: c[0] < 3, lambda c: (c[0] + 1, jnp.tanh(c[1])), (0, y))[1]
    return jax.lax.scan(lambda c, v: (c + v, c * v), 0.0, jax.jit(jnp.exp)(z))[0]


def test_each_body_is_named_inside_its_primitive_and_jit_shows_as_its_body():
    closed = jaxprs.trace(control_flow, jnp.ones(3))
    assert primitives_text(jaxprs.flatten(closed)) == (
        "slice squeeze gt convert_element_type cond{branch 0: cos; branch 1: sin} while{cond: lt; body: add tanh} "
        "exp scan{body: convert_element_type add convert_element_type mul}"
    )


def test_without_the_body_labels_the_line_is_the_report_s_primitives_list():
    closed = jaxprs.trace(control_flow, jnp.ones(3))
    line = primitives_text(jaxprs.flatten(closed))
    words = re.sub(r"[{;]\s*\w+(?: \d+)?: ", " ", line).replace("}", " ").split()
    assert words == jaxprs.primitives(closed)
    assert "tanh" in words and "sin" in words  # what runs in the bodies is listed too


def test_nested_control_flow_nests():
    def nested(x):
        return jax.lax.fori_loop(0, 2, lambda i, v: jax.lax.cond(i > 0, jnp.sin, jnp.cos, v), x)

    line = primitives_text(jaxprs.flatten(jaxprs.trace(nested, jnp.ones(3))))
    assert "{branch 0: cos; branch 1: sin}" in line and re.search(r"(while|scan)\{.*cond\{", line)
