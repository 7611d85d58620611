"""Laws of the aligners, on generated programs: a program against itself, or against a copy
with every name changed (Python function and argument names, or every name in the program
text), is identical at every level; swapping left and right mirrors the result.

These call the lab's aligners (`align`, `align_text`): the truth is the law, which holds by
construction. Our own canonicalisation confirms each renamed copy really is the same program.
"""

import inspect
import keyword
import re

import jax
import jax.numpy as jnp
import numpy as np
from hypothesis import given, settings, strategies as st
from jax import lax

from jaxbatch.lab import jaxprs
from jaxbatch.results.alignment import align
from jaxbatch.results.hlo import align_text

from .facts import canonical_hlo, canonical_jaxpr, canonical_stablehlo, header_param_spans

OPS = {
    "sin": jnp.sin,
    "tanh": jnp.tanh,
    "bump": lambda x: jnp.exp(-x * x),
    "neg": jnp.negative,
    "square": lambda x: x * x,
    "double": lambda x: 2.0 * x,
    "shift": lambda x: x + 1.0,
    "minus_self_t": lambda x: x - 0.5 * jnp.flip(x, axis=0),
    "transpose": lambda x: x.T,
    "cumsum": lambda x: jnp.cumsum(x, axis=0),
    "normalize": lambda x: x / (1.0 + jnp.abs(x).sum(axis=-1, keepdims=True)),
    "gram": lambda x: x @ x.T,
    "leaky": lambda x: jnp.where(x > 0, x, 0.1 * x),
    "loop": lambda x: lax.fori_loop(0, 3, lambda i, h: jnp.tanh(h) + 0.5, x),
    "cond": lambda x: lax.cond(x.sum() > 0, jnp.sin, jnp.cos, x),
}
X = jnp.asarray(np.random.default_rng(0).normal(size=(3, 4)).astype(np.float32))
LEVELS = ("stablehlo", "hlo")
MIRROR = {"same": "same", "differ": "differ", "only_left": "only_right", "only_right": "only_left"}

op_lists = st.lists(st.sampled_from(sorted(OPS)), min_size=1, max_size=5)
identifiers = st.from_regex(r"[a-z][a-z0-9_]{0,10}", fullmatch=True).filter(
    lambda s: not keyword.iskeyword(s) and s not in ("x", "program"))
quick = settings(max_examples=10, deadline=None)


def program(ops, fn_name="program", arg_name="x"):
    """ops applied in turn to one argument, as a function with the given names (JAX reads the
    argument name from the signature, the function name from __name__)."""

    def run(*args):
        y = args[0]
        for op in ops:
            y = OPS[op](y)
        return y

    run.__name__ = run.__qualname__ = fn_name
    run.__signature__ = inspect.Signature([inspect.Parameter(arg_name, inspect.Parameter.POSITIONAL_OR_KEYWORD)])
    return run


def texts(fn) -> dict[str, str]:
    lowered = jax.jit(fn).lower(X)
    return {"stablehlo": lowered.as_text(), "hlo": lowered.compile().as_text()}


def eqns(fn):
    return jaxprs.flatten(jax.make_jaxpr(fn)(X))


def statuses(rows) -> list[str]:
    return [r.status for r in rows]


def mirrored(ab_rows, ba_rows) -> bool:
    """The rows of b against a are those of a against b with the sides swapped."""
    def key(row):
        return tuple(-1 if i is None else i for i in row[:2]) + row[2:]

    ab = sorted(((r.left, r.right, r.status) for r in ab_rows), key=key)
    ba = sorted(((r.right, r.left, MIRROR[r.status]) for r in ba_rows), key=key)
    return ab == ba


@quick
@given(op_lists)
def test_a_program_against_itself_is_identical_at_every_level(ops):
    f = program(ops)
    assert align(eqns(f), eqns(f)).identical
    for level, text in texts(f).items():
        result = align_text(text, text, level)
        assert result.identical, level
        assert statuses(result.rows) == ["same"] * len(result.rows)


@quick
@given(op_lists, identifiers, identifiers)
def test_a_copy_with_other_python_names_is_identical_at_every_level(ops, fn_name, arg_name):
    f, g = program(ops), program(ops, fn_name, arg_name)
    # The fact, by our own canonicalisation: the same program at every level.
    tf, tg = texts(f), texts(g)
    assert canonical_jaxpr(jax.make_jaxpr(f)(X)) == canonical_jaxpr(jax.make_jaxpr(g)(X))
    assert canonical_stablehlo(tf["stablehlo"]) == canonical_stablehlo(tg["stablehlo"])
    assert canonical_hlo(tf["hlo"]) == canonical_hlo(tg["hlo"])
    # The claim.
    assert align(eqns(f), eqns(g)).identical
    for level in LEVELS:
        assert align_text(tf[level], tg[level], level).identical, level


def rename_all(text: str, level: str, prefix: str, order: list[int]) -> str:
    """Every name in the text replaced, consistently, by `prefix` and a shuffled number: SSA
    values and symbols (StableHLO); module, computations, instructions and the bare parameter
    names of computation headers (HLO)."""
    pattern = re.compile(r"[%@][\w$.\-]+" if level == "stablehlo" else r"%[\w.\-]+")
    lines = text.splitlines()
    found = list(dict.fromkeys(m.group(0)[1:] for m in pattern.finditer(text)))
    headers = {n: header_param_spans(line) for n, line in enumerate(lines)} if level == "hlo" else {}
    found += [lines[n][a:b] for n, spans in headers.items() for a, b in spans]
    found = list(dict.fromkeys(found))
    new = {name: f"{prefix}{order[i % len(order)] * len(found) + i}" for i, name in enumerate(found)}
    out = []
    for n, line in enumerate(lines):
        for a, b in reversed(headers.get(n, [])):
            line = line[:a] + new[line[a:b]] + line[b:]
        line = pattern.sub(lambda m: m.group(0)[0] + new[m.group(0)[1:]], line)
        out.append(re.sub(r"^HloModule [\w.\-]+", f"HloModule {prefix}module", line))
    return "\n".join(out) + "\n"


@quick
@given(op_lists, st.from_regex(r"[a-z]{1,6}_", fullmatch=True), st.permutations(list(range(5))))
def test_a_text_with_every_name_changed_is_identical(ops, prefix, order):
    for level, text in texts(program(ops)).items():
        renamed = rename_all(text, level, prefix, order)
        assert renamed != text
        canonical = canonical_stablehlo if level == "stablehlo" else canonical_hlo
        assert canonical(renamed) == canonical(text), level  # the fact
        assert align_text(text, renamed, level).identical, level


@quick
@given(op_lists, op_lists)
def test_swapping_left_and_right_mirrors_the_result(ops_a, ops_b):
    a, b = program(ops_a), program(ops_b, "other", "y")
    ab, ba = align(eqns(a), eqns(b)), align(eqns(b), eqns(a))
    assert mirrored(ab.rows, ba.rows)
    assert ab.identical is ba.identical
    assert statuses(ab.rows).count("only_left") == statuses(ba.rows).count("only_right")
    ta, tb = texts(a), texts(b)
    for level in LEVELS:
        ab, ba = align_text(ta[level], tb[level], level), align_text(tb[level], ta[level], level)
        assert mirrored(ab.rows, ba.rows), level
        assert ab.identical is ba.identical
        assert statuses(ab.rows).count("only_left") == statuses(ba.rows).count("only_right")
        assert statuses(ab.rows).count("only_right") == statuses(ba.rows).count("only_left")
