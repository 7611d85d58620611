"""The text report laid out to the terminal: its width (COLUMNS, else 100 when piped), prose
wrapped at words, and the loop's jaxpr folded to one instance and the count."""

import re

import pytest

from jaxbatch.cli import main
from jaxbatch.media.text import PIPED_WIDTH, render, terminal_width
from jaxbatch.presentation.programs import fold_instances, fold_primitives
from jaxbatch.results.selection import Selection

import reports

pytestmark = pytest.mark.usefixtures("shared_analyses")  # the reports main makes in this process

# The loop's jaxpr as JAX prints it at batch 3: one instance's equations, three times, then a stack.
LOOP = """{ lambda a:f32[2,3]; b:f32[3,3]. let
    c:f32[1,3] = slice[limit_indices=(1, 3) start_indices=(0, 0) strides=None] b
    d:f32[3] = squeeze[dimensions=(0,)] c
    e:f32[2] = dot_general[
      dimension_numbers=(([1], [0]), ([], []))
    ] a d
    f:f32[1,3] = slice[limit_indices=(2, 3) start_indices=(1, 0) strides=None] b
    g:f32[3] = squeeze[dimensions=(0,)] f
    h:f32[2] = dot_general[
      dimension_numbers=(([1], [0]), ([], []))
    ] a g
    i:f32[1,3] = slice[limit_indices=(3, 3) start_indices=(2, 0) strides=None] b
    j:f32[3] = squeeze[dimensions=(0,)] i
    k:f32[2] = dot_general[
      dimension_numbers=(([1], [0]), ([], []))
    ] a j
    l:f32[3,2] = stack[axis=0] e h k
  in (l,) }"""


def test_columns_sets_the_width_and_a_pipe_without_it_gets_100(monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    assert terminal_width() == 80
    monkeypatch.delenv("COLUMNS")
    assert terminal_width() == PIPED_WIDTH == 100  # pytest's stdout is no terminal


@pytest.mark.parametrize("columns", [80, 100, 60])
def test_no_line_of_the_seed_s_report_passes_the_terminal_s_width(capsys, monkeypatch, columns):
    monkeypatch.setenv("COLUMNS", str(columns))
    assert main(["report", "--batch", "5", "--no-timings"]) == 0
    out = capsys.readouterr().out
    assert [line for line in out.splitlines() if len(line) > columns] == []
    words = " ".join(out.split())
    assert "the einsum computes dot_general(v, M) -> (n, k) and sums axis 1" in words  # prose wrapped at words


def test_prose_breaks_between_words_never_inside_one():
    report = reports.analyze(Selection("at-set-large", (8,), "cpu"))
    text = render(report, width=80)
    note = report.note.split()
    lines = [line.strip() for line in text.splitlines()]
    inside = [w for w in note if len(w) < 60 and w not in " ".join(lines).split()]
    assert inside == []  # every word of the note whole on some line ("alias / ed" would split one)


def test_the_loop_s_jaxpr_is_one_instance_and_the_count():
    folded = fold_instances(LOOP, 3)
    assert (folded.count, folded.equations) == (3, 3)
    lines = folded.text.splitlines()
    assert sum("slice[" in line for line in lines) == 1 and "stack[axis=0] e h k" in folded.text
    assert "the same 3 equations for each of the other 2 instances" in folded.text
    assert lines[-1] == "  in (l,) }"
    assert fold_instances(LOOP, 4) is None  # not 4 repeats: shown whole
    assert fold_primitives("slice squeeze dot_general " * 3 + "stack", 3) == (
        "slice squeeze dot_general (× 3 instances) stack")


def test_the_report_folds_the_loop_at_batch_64():
    text = render(reports.analyze(Selection("tanh-dense", (64,), "cpu")), width=100)
    at = text.index("Jaxpr: loop (one instance of 64 shown; the same 6 equations run for each)")
    loop = text[at:text.index("\n\n", at)]
    assert len(re.findall(r"= slice\[", loop)) == 1 and len(loop.splitlines()) < 20
    assert len(text.splitlines()) < 300  # was 1,032 lines, 840 of them the loop unrolled
