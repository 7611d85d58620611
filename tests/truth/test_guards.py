"""The primitive names `jaxbatch.testing` accepts (`jaxbatch.lab.jaxprs.primitive_names`): every
primitive that plain `jax.make_jaxpr` finds in a spread of programs, walked equation by equation
into every sub-program, is among them, the set taken in a fresh interpreter before any of those
programs is traced; a misspelling is not, and its nearest names hold the word meant."""

import difflib
import json
import subprocess
import sys

PROGRAMS = r'''
import json

import jax
import jax.numpy as jnp
import numpy as np
from jax.extend import core as jcore

from jaxbatch.lab.jaxprs import primitive_names

accepted = primitive_names()  # before any program below is traced

x, w, i = jnp.ones(4), jnp.ones((4, 4)), jnp.arange(4)
key = jax.random.key(0)
PROGRAMS = [
    (lambda x, w: jnp.tanh(x @ w).sum(), (x, w)),
    (lambda x, i: jnp.take(x, i) + x.at[i].set(1.0), (x, i)),
    (lambda x: jax.nn.relu(x) + jax.nn.softmax(x) + jax.nn.sigmoid(x), (x,)),
    (lambda x: jnp.sort(x) + jnp.argsort(x) + jnp.cumsum(x) + jax.lax.top_k(x, 4)[0], (x,)),
    (lambda x: jax.lax.scan(lambda c, v: (c + v, c * v), 0.0, x)[1], (x,)),
    (lambda x: jax.lax.while_loop(lambda c: c[0] < 3, lambda c: (c[0] + 1, c[1] * 2), (0, x))[1], (x,)),
    (lambda x: jax.lax.cond(x.sum() > 0, jnp.sin, jnp.cos, x), (x,)),
    (lambda x: jax.lax.fori_loop(0, 3, lambda _, c: c + 1, x), (x,)),
    (lambda w, x: jnp.linalg.solve(w + jnp.eye(4), x) + jnp.linalg.inv(w + jnp.eye(4)).sum(), (w, x)),
    (lambda k: jax.random.normal(k, (3,)) + jax.random.uniform(jax.random.split(k)[0], (3,)), (key,)),
    (lambda x: jax.pure_callback(np.sin, jax.ShapeDtypeStruct(x.shape, x.dtype), x), (x,)),
    (lambda x: jax.checkpoint(jnp.sin)(x) + jax.jit(jnp.cos)(x), (x,)),
    (jax.grad(lambda x: jnp.sum(jnp.exp(x) ** 2)), (x,)),
    (lambda x: jnp.fft.fft(x).real + jnp.convolve(x, x, mode="same"), (x,)),
    (jax.vmap(lambda x: jnp.where(x > 0, x, -x).max()), (w,)),
]
found = set()


def walk(jaxpr):
    for eqn in jaxpr.eqns:
        found.add(eqn.primitive.name)
        for value in eqn.params.values():
            for sub in value if isinstance(value, (tuple, list)) else (value,):
                if isinstance(sub, (jcore.Jaxpr, jcore.ClosedJaxpr)):
                    walk(getattr(sub, "jaxpr", sub))


for fn, args in PROGRAMS:
    walk(jax.make_jaxpr(fn)(*args).jaxpr)
print(json.dumps({"found": sorted(found), "accepted": sorted(accepted)}))
'''


def test_every_primitive_the_programs_hold_is_accepted_and_a_misspelling_is_not():
    out = subprocess.run([sys.executable, "-c", PROGRAMS], capture_output=True, text=True, check=True, timeout=300)
    seen = json.loads(out.stdout.splitlines()[-1])
    found, accepted = set(seen["found"]), set(seen["accepted"])
    # the spread reaches wrappers, control flow, callbacks and keys, not only lax's arithmetic
    assert {"custom_jvp_call", "jit", "scan", "while", "cond", "pure_callback", "random_bits", "gather"} <= found
    assert found <= accepted, sorted(found - accepted)
    assert not {"gahter", "vamp", "matmul", "einsum", "relu"} & accepted
    assert "gather" in difflib.get_close_matches("gahter", sorted(accepted), n=3, cutoff=0.6)
