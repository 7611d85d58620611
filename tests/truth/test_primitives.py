"""Primitives: which primitives each strategy's jaxpr holds, from our own jax.make_jaxpr walked
equation by equation (sub-programs of jit, cond, while, scan, custom_jvp ... included)."""

import re

import pytest

from jaxbatch.models import CATALOG

from .claims import claim
from .facts import BATCH, every_primitive, listed_primitives

MODELS = list(CATALOG)

_EQUATION = re.compile(r"(?:^|\s)=\s+([a-z_][a-z0-9_]*)\b")


def in_text(jaxpr_text: str) -> set[str]:
    """The primitives a printed jaxpr shows: the word after ` = ` of each equation."""
    return set(_EQUATION.findall(jaxpr_text))


def _keys(f):
    return ["loop", "vmap"] + (["manual"] if f.manual is not None else [])


@pytest.mark.parametrize("name", MODELS)
def test_the_jaxpr_shown_is_the_program(name, report, facts):
    r, f = report(name, BATCH), facts(name, BATCH)
    for key in _keys(f):
        assert claim(r, "jaxpr", key) == f.jaxpr(key).pretty_print(use_color=False), key


@pytest.mark.parametrize("name", MODELS)
def test_the_primitives_listed_are_every_primitive_that_runs(name, report, facts):
    """`primitives.<s>`: program order, wrappers (jit, custom_jvp, ...) replaced by their body,
    control flow (while, cond, scan) followed by what runs in its bodies."""
    r, f = report(name, BATCH), facts(name, BATCH)
    for key in _keys(f):
        assert claim(r, "primitives", key) == listed_primitives(f.jaxpr(key)), key


@pytest.mark.parametrize("name", MODELS)
def test_every_primitive_anywhere_shows_in_the_jaxpr_text(name, report, facts):
    r, f = report(name, BATCH), facts(name, BATCH)
    for key in _keys(f):
        assert in_text(claim(r, "jaxpr", key)) == every_primitive(f.jaxpr(key)), key


@pytest.mark.parametrize("name", MODELS)
def test_a_primitive_listed_on_one_side_only_is_absent_from_the_other(name, report, facts):
    """Read as "X is in vmap's program and not in the hand version's", a primitive in one
    strategy's list and not the other's must be absent from the other's whole program, control
    flow bodies included."""
    r, f = report(name, BATCH), facts(name, BATCH)
    if f.manual is None:
        pytest.skip("no hand version")
    listed = {k: set(claim(r, "primitives", k)) for k in ("manual", "vmap")}
    everywhere = {k: every_primitive(f.jaxpr(k)) for k in ("manual", "vmap")}
    misleading = {
        f"{p} (listed for {a} only, but {b} runs it inside a sub-program its list does not show)"
        for a, b in (("vmap", "manual"), ("manual", "vmap"))
        for p in listed[a] - listed[b] if p in everywhere[b]
    }
    assert not misleading, sorted(misleading)


# What each model's note says one strategy's program has and the other's has not, as
# (primitive, has it, lacks it); None for "lacks it" where both have it.
CONTRASTS = {
    "dynamic-slice": [("gather", "vmap", None), ("gather", "manual", None)],  # take_along_axis is a gather too
    "index-update": [("scatter", "vmap", "manual"), ("iota", "manual", "vmap")],
    "cond": [("stop_gradient", "vmap", "manual"), ("select_n", "vmap", None), ("select_n", "manual", None),
             ("cond", "loop", "vmap")],
    "while-loop": [("reduce_or", "manual", "vmap"), ("select_n", "manual", "vmap"), ("while", "vmap", None)],
    "sort-topk": [("sort", "vmap", "manual"), ("top_k", "manual", "vmap")],
    "per-example-grad": [("logistic", "manual", "vmap")],
    "attention": [("transpose", "vmap", "manual")],
    "random-keys": [("random_bits", "vmap", None), ("random_wrap", "vmap", None)],
    "conv-batched-kernel": [("conv_general_dilated", "vmap", None), ("conv_general_dilated", "manual", None)],
    "linear-solve": [("lu", "vmap", None), ("lu", "manual", None)],
    "at-set-large": [("scatter", "vmap", "manual"), ("gather", "manual", "vmap")],
    "argsort": [("sort", "vmap", None), ("sort", "manual", None), ("broadcast_in_dim", "vmap", "manual")],
    "scan-rnn": [("scan", "loop", None), ("scan", "vmap", None), ("scan", "manual", None)],
    "eigh": [("eigh", "vmap", None), ("eigh", "manual", None)],
    "custom-vjp": [("custom_vjp_call", "vmap", "manual"), ("logistic", "vmap", None), ("logistic", "manual", None)],
}


@pytest.mark.parametrize("name, primitive, has, lacks",
                         [(n, *c) for n, cs in CONTRASTS.items() if n in CATALOG for c in cs])
def test_what_the_notes_say_one_program_has_and_the_other_lacks(name, primitive, has, lacks, report, facts):
    r, f = report(name, BATCH), facts(name, BATCH)
    assert primitive in every_primitive(f.jaxpr(has)), f"the fact: {has} has no {primitive}"
    assert primitive in in_text(claim(r, "jaxpr", has)), f"the report's {has} jaxpr shows no {primitive}"
    if lacks is not None:
        assert primitive not in every_primitive(f.jaxpr(lacks)), f"the fact: {lacks} has {primitive} too"
        assert primitive not in in_text(claim(r, "jaxpr", lacks))
        assert primitive not in claim(r, "primitives", lacks)


@pytest.mark.parametrize("name", MODELS)
def test_the_signature_the_note_claims_is_in_my_own_jaxpr(name, facts):
    """Each model's `signature` (what its note says the jaxprs show, written for batch 5) is
    found in jax.make_jaxpr's own print of that strategy."""
    f = facts(name, 5)
    if not f.model.signature:
        pytest.skip("no signature")
    texts = {}
    for key, pattern in f.model.signature:
        if key not in texts:
            texts[key] = f.jaxpr(key).pretty_print(use_color=False)
        assert re.search(pattern, texts[key]), f"{key}: /{pattern}/ not in\n{texts[key]}"

