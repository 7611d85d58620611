"""Same program or not, at each level: jaxprs compared up to variable names by walking our own
jax.make_jaxpr; StableHLO and optimized HLO from our own lower() and compile(), compared after
our own canonicalisation of every name."""

import pytest

from jaxbatch.models import CATALOG

from .claims import claim, fixture_ref
from .facts import BATCH, canonical_hlo, canonical_stablehlo, scheduled_opcodes

LEVELS = ("jaxpr", "stablehlo", "hlo")
FIXTURES = ("LAX_MAP", "NESTED", "RENAMED", "SWAPPED")
REFS = [*CATALOG, *(pytest.param(fixture_ref(a), id=a) for a in FIXTURES)]


def _pair(r, f) -> tuple[str, str]:
    """The compared pair: the hand version (the loop when there is none) against vmap."""
    left = "manual" if f.manual is not None else "loop"
    alignment = claim(r, "alignment")
    assert (alignment["left"], alignment["right"]) == (left, "vmap")
    return left, "vmap"


@pytest.mark.parametrize("ref", REFS)
def test_same_program_at_each_level(ref, report, facts):
    r, f = report(ref, BATCH), facts(ref, BATCH)
    left, right = _pair(r, f)
    shown = claim(r, "same_program")
    assert shown["pair"] == [left, right]
    found = {level: f.same(left, right, level) for level in LEVELS}
    assert {level: shown[level] for level in LEVELS} == found


@pytest.mark.parametrize("ref", REFS)
def test_alignment_says_identical_exactly_when_the_jaxprs_are(ref, report, facts):
    r, f = report(ref, BATCH), facts(ref, BATCH)
    left, right = _pair(r, f)
    same = f.same(left, right, "jaxpr")
    alignment = claim(r, "alignment")
    assert claim(alignment, "identical") is same, alignment["verdict"]
    assert ("identical up to variable names" in alignment["verdict"]) is same, alignment["verdict"]


@pytest.mark.parametrize("ref", REFS)
def test_hlo_verdict_says_same_program_exactly_when_it_is(ref, report, facts):
    r, f = report(ref, BATCH), facts(ref, BATCH)
    left, right = _pair(r, f)
    same = f.same(left, right, "hlo")
    verdict = claim(r, "hlo_verdict")
    if same is None:
        assert verdict.startswith("unknown"), verdict
    else:
        assert ("same program" in verdict) is same, verdict


@pytest.mark.parametrize("ref", REFS)
def test_the_stablehlo_and_hlo_shown_are_the_programs(ref, report, facts):
    r, f = report(ref, BATCH), facts(ref, BATCH)
    for key in ("manual", "vmap") if f.manual is not None else ("vmap",):
        shown = claim(r, "hlo", key)
        assert canonical_stablehlo(shown["stablehlo"]) == canonical_stablehlo(f.lowered(key).as_text()), key
        assert canonical_hlo(shown["optimized"]) == canonical_hlo(f.compiled(key).as_text()), key


@pytest.mark.parametrize("ref", REFS)
def test_scheduled_op_counts(ref, report, facts):
    """`hlo.<s>.ops`: opcode counts of what XLA schedules, ENTRY and the computations control
    flow runs (loop bodies once), a fusion one op."""
    r, f = report(ref, BATCH), facts(ref, BATCH)
    for key in ("manual", "vmap") if f.manual is not None else ("vmap",):
        counts = scheduled_opcodes(f.compiled(key).as_text())
        assert claim(r, "hlo", key, "ops") == counts, key
        assert claim(r, "hlo", key, "fusions") == counts.get("fusion", 0), key


def test_a_renamed_copy_is_the_same_program_at_every_level(report, facts):
    """Built by construction: the hand version is the model's own body under other names."""
    ref = fixture_ref("RENAMED")
    f = facts(ref, BATCH)
    assert all(f.same("manual", "vmap", level) for level in LEVELS)
    r = report(ref, BATCH)
    assert claim(r, "alignment", "identical") is True
    assert "same program" in claim(r, "hlo_verdict"), r["hlo_verdict"]
    assert claim(r, "same_program") == {"pair": ["manual", "vmap"], "jaxpr": True, "stablehlo": True, "hlo": True,
                                        "unknown": {}}  # nothing unknown, so no reason given


def test_swapped_operands_are_another_program(report, facts):
    """x - y against y - x: the same primitive on the same types, wired the other way."""
    ref = fixture_ref("SWAPPED")
    f = facts(ref, BATCH)
    assert not any(f.same("manual", "vmap", level) for level in LEVELS)
    r = report(ref, BATCH)
    assert claim(r, "alignment", "identical") is False, r["alignment"]["verdict"]
    assert claim(r, "same_program", "jaxpr") is False
