"""Names never decide a verdict: renaming entry parameters, computations, instructions,
functions, SSA values or op metadata changes no row of the StableHLO or HLO alignment, and no
verdict, on programs compiled from built-in models and the README's own x / xs example."""

from __future__ import annotations

import dataclasses
import functools
import re
from pathlib import Path

import jax
import jax.numpy as jnp
from hypothesis import given, settings, strategies as st

from jaxbatch.lab import strategies
from jaxbatch.lab.workload import prepare
from jaxbatch.presentation.hlo import SAME, hlo_verdict
from jaxbatch.results import hlo
from jaxbatch.results.selection import Selection

HLO_DIR = Path(__file__).parent / "fixtures" / "hlo"
LEVELS = ("stablehlo", "hlo")
SETTINGS = settings(max_examples=15, deadline=None)


def compiled(fn, *args):
    lowered = jax.jit(fn).lower(*args)
    return lowered, lowered.compile()


def model_pair(name: str) -> tuple[hlo.Hlo, hlo.Hlo]:
    w = prepare(Selection(model=name))
    with jax.default_device(w.device):
        hand = compiled(strategies.manual(w.manual, w.model.in_axes, w.shape), *w.batch)
        vmapped = compiled(strategies.vmapped(w.single, w.model.in_axes, w.shape), *w.batch)
    return hlo.describe(*hand), hlo.describe(*vmapped)


def model(x, w):  # the README's example
    return jnp.tanh(x @ w).sum()


def model_batched(xs, w):
    return jnp.tanh(xs @ w).sum(axis=1)


def model_batched_x(x, w):  # the same, its argument renamed
    return jnp.tanh(x @ w).sum(axis=1)


@functools.cache
def readme():
    args = (jnp.ones((8, 3)), jnp.ones((3, 2)))
    return {name: hlo.describe(*compiled(fn, *args)) for name, fn in
            (("xs", model_batched), ("x", model_batched_x), ("vmap", jax.vmap(model, in_axes=(0, None))))}


@functools.cache
def pairs():
    """(left, right) compiled programs: equal, differing and with loops, regions and calls.
    Cached rather than fixtures, so hypothesis never prints them."""
    found = [model_pair(name) for name in ("tanh-dense", "while-loop", "sort-topk")]
    return found + [(readme()["xs"], readme()["vmap"])]


@functools.cache
def raw_hlo():
    """Optimized HLO as XLA prints it: op metadata and the source tables left in."""
    args = (jnp.ones((8, 3)), jnp.ones((3, 2)))
    return [compiled(fn, *args)[1].as_text() for fn in (model_batched, jax.vmap(model, in_axes=(0, None)))]


# ---- renaming, done independently of the code under test -----------------------------------

def hlo_names(text: str) -> list[str]:
    names = set(re.findall(r"%([\w.\-]+)", text)) | set(re.findall(r"^HloModule ([\w.\-]+)", text, re.M))
    for line in text.splitlines():
        if _is_header(line):
            names |= set(re.findall(r"([\w.\-]+): ", _params(line)))
    return sorted(names)


def _is_header(line: str) -> bool:
    return bool(re.match(r"(ENTRY\s+)?%[\w.\-]+\s*\(", line)) and line.rstrip().endswith("{")


def _params(line: str) -> str:
    return line[line.index("("):line.rindex("->")]


def rename_hlo(text: str, new: dict[str, str], noise: str) -> str:
    out, in_table = [], False
    for line in text.splitlines():
        in_table = (in_table or line in ("FileNames", "FunctionNames")) and not line.startswith(("%", "ENTRY"))
        if in_table:
            line = re.sub(r'"[^"]*"', f'"{noise}"', line)
        if _is_header(line):
            params = _params(line)
            line = line.replace(params, re.sub(r"([\w.\-]+)(?=: )", lambda m: new[m[1]], params), 1)
        line = re.sub(r"%([\w.\-]+)", lambda m: "%" + new[m[1]], line)
        line = re.sub(r"^HloModule ([\w.\-]+)", lambda m: "HloModule " + new[m[1]], line)
        line = re.sub(r'op_name="[^"]*"', f'op_name="{noise}"', line)
        out.append(line)
    return "\n".join(out) + "\n"


def stablehlo_names(text: str) -> list[str]:
    values = set(re.findall(r"[%^]([\w$.\-]+)", text))
    symbols = set(re.findall(r"(?:func\.func\s+(?:public\s+|private\s+)?|module\s+)@([\w$.\-]+)", text))
    return sorted(values | {"@" + s for s in symbols})


def rename_stablehlo(text: str, new: dict[str, str], noise: str) -> str:
    text = re.sub(r"([%^])([\w$.\-]+)", lambda m: m[1] + new[m[2]], text)
    text = re.sub(r"@([\w$.\-]+)", lambda m: "@" + new.get("@" + m[1], m[1]), text)  # calls to outside stay
    return re.sub(r'(jax\.result_info = )"[^"]*"', rf'\1"{noise}"', text)


NAMES = {"hlo": (hlo_names, rename_hlo), "stablehlo": (stablehlo_names, rename_stablehlo)}


@st.composite
def renamings(draw, names: list[str]):
    """Fresh, distinct names for `names` in a random order, and a random metadata string."""
    prefix = draw(st.from_regex(r"[a-zA-Z_][a-zA-Z0-9_]{0,3}(\.|-)?", fullmatch=True))
    order = draw(st.permutations(range(len(names))))
    suffix = draw(st.sampled_from(["", ".1", "_x", "-0"]))
    noise = draw(st.from_regex(r"[a-z/()_.]{0,12}", fullmatch=True))
    return {n: f"{prefix}{k}{suffix}".lstrip("@") for n, k in zip(names, order)}, noise


def rename(text: str, level: str, data) -> str:
    names, apply = NAMES[level]
    new, noise = data.draw(renamings(names(text)))
    return apply(text, new, noise)


def text_of(h: hlo.Hlo, level: str) -> str:
    return h.stablehlo if level == "stablehlo" else h.optimized


def statuses(alignment):
    return [(r.left, r.right, r.status) for r in alignment.rows]


# ---- properties -------------------------------------------------------------------------------

@SETTINGS
@given(st.integers(0, 3), st.sampled_from(LEVELS), st.data())
def test_renaming_never_changes_a_row_status(which, level, data):
    left, right = (text_of(h, level) for h in pairs()[which])
    renamed_left, renamed_right = rename(left, level, data), rename(right, level, data)
    assert renamed_left != left  # the renaming did something
    before = hlo.align_text(left, right, level)
    after = hlo.align_text(renamed_left, renamed_right, level)
    assert statuses(after) == statuses(before)
    assert after.left_lines == renamed_left.splitlines()  # rows show the text as it is, not canonicalised


@SETTINGS
@given(st.integers(0, 3), st.data())
def test_renaming_never_changes_a_verdict(which, data):
    left, right = pairs()[which]

    def renamed(h):
        return dataclasses.replace(h, optimized=rename(h.optimized, "hlo", data),
                                   stablehlo=rename(h.stablehlo, "stablehlo", data))

    for level in LEVELS:
        before = hlo.compare(left, right, "a", "b", level)
        after = hlo.compare(renamed(left), renamed(right), "a", "b", level)
        assert after == before and hlo_verdict(after) == hlo_verdict(before)


@SETTINGS
@given(st.integers(0, 3), st.sampled_from(LEVELS), st.data())
def test_a_program_renamed_is_the_same_program(which, level, data):
    text = text_of(pairs()[which][0], level)
    assert hlo.align_text(text, rename(text, level, data), level).identical


@SETTINGS
@given(st.data())
def test_renaming_and_metadata_in_raw_hlo_change_nothing(data):
    left, right = raw_hlo()
    assert "metadata=" in left and "FunctionNames" in left
    renamed = hlo.align_text(rename(left, "hlo", data), rename(right, "hlo", data), "hlo")
    assert statuses(renamed) == statuses(hlo.align_text(left, right, "hlo"))
    assert renamed.identical


@SETTINGS
@given(st.data())
def test_regions_that_reuse_names_stay_aligned(data):
    text = (HLO_DIR / "scan.stablehlo.mlir").read_text()  # %c_4 and %2 are defined in both cond and do
    assert hlo.align_text(text, rename(text, "stablehlo", data), "stablehlo").identical


# ---- names set aside, but what they refer to still counts ------------------------------------

def test_swapped_operands_differ_on_their_row_only():
    text = pairs()[0][0].optimized
    line = next(line for line in text.splitlines() if " dot(" in line)
    a, b = re.search(r"dot\((%[\w.\-]+), (%[\w.\-]+)\)", line).groups()
    swapped = text.replace(line, line.replace(f"dot({a}, {b})", f"dot({b}, {a})"))
    alignment = hlo.align_text(text, swapped, "hlo")
    differing = [alignment.left_lines[r.left] for r in alignment.rows if r.status != "same"]
    assert differing == [line]


def test_a_use_of_another_value_differs():
    left = "%a = f32[] parameter(0)\n%b = f32[] parameter(1)\nROOT %c = f32[] add(%a, %a)"
    right = "%x = f32[] parameter(0)\n%y = f32[] parameter(1)\nROOT %z = f32[] add(%x, %y)"
    assert [r.status for r in hlo.align_text(left, right, "hlo").rows] == ["same", "same", "differ"]


def test_the_readme_example_is_one_program_whatever_the_argument_is_called():
    xs, x, vmapped = readme()["xs"], readme()["x"], readme()["vmap"]
    assert xs.optimized != vmapped.optimized and "xs.1" in xs.optimized  # only names differ
    for h in (xs, x):
        assert hlo_verdict(hlo.compare(h, vmapped, "model_batched", "vmap")) == "XLA compiled both to the same program"
        assert hlo_verdict(hlo.compare(h, vmapped, "model_batched", "vmap", "stablehlo")) == \
            "JAX lowered both to the same StableHLO program"


def test_the_hlo_verdict_is_same_exactly_when_every_row_is():
    for left, right in pairs():
        for level in LEVELS:
            compared = hlo.compare(left, right, "a", "b", level)
            assert compared.same == hlo.align_text(text_of(left, level), text_of(right, level), level).identical
            assert (hlo_verdict(compared) == SAME[level]) == compared.same
    assert not all(hlo.align_text(a.optimized, b.optimized, "hlo").identical for a, b in pairs())
