"""The text report as a person reads it: columns that hold whatever the labels, sections apart,
and parameters as plain numbers. Fed scripted results (no JAX)."""

from jaxbatch.media.json_report import report_json
from jaxbatch.media.text import render
from jaxbatch.presentation.programs import jaxpr_text
from jaxbatch.presentation.sweep import sweep_lines
from jaxbatch.presentation.units import byte_size
from jaxbatch.results.sweep_state import SweepState
from jaxbatch.results.timing import Timings

import scripted

LONG = "model_batched"  # a user's hand-batched function: longer than the 12-wide name column

# JAX's own printer, as it shows vmap's reduce_sum: the axis a NumPy scalar.
RAW_JAXPR = ("{ lambda ; a:f32[5,2]. let\n"
             "    b:f32[5] = reduce_sum[axes=(np.int64(1),) out_sharding=None] a\n"
             "    c:f32[5,1] = broadcast_in_dim[broadcast_dimensions=(0, np.int64(1)) sharding=None] b\n"
             "  in (c,) }")


def long_report(**overrides):
    strategies = {k: scripted.strategy(k, label=LONG if k == "manual" else scripted.LABELS[k]) for k in scripted.LABELS}
    return scripted.report(strategies, **overrides)


def timed_report():
    timings = {k: scripted.timing_of(t) for k, t in (("loop", 5e-3), ("manual", 171e-6), ("vmap", 180e-6))}
    return long_report(timings=Timings(timings, 6e-6))


def test_verdicts_line_up_after_a_long_label():
    lines = render(long_report()).splitlines()
    strategies = lines[lines.index("Strategies (compared with the loop, the reference)") + 1:]
    strategies = strategies[:strategies.index("")]
    rows = [line for line in strategies if line.startswith(("  loop ", f"  {LONG} ", "  vmap "))]
    assert len(rows) >= 3
    columns = {line[2:].split()[0]: len(line) - len(line[2:].split(None, 1)[1]) for line in rows}
    assert len(set(columns.values())) == 1, rows  # every verdict starts in the same column
    assert all(c > len(LONG) + 2 for c in columns.values())


def test_primitives_line_up_after_a_long_label():
    report = scripted.report({k: scripted.strategy(k, label=LONG if k == "manual" else k, jaxpr=RAW_JAXPR)
                              for k in ("manual", "vmap")})
    lines = render(report).splitlines()
    at = lines.index("Primitives")
    rows = lines[at + 1:at + 3]
    starts = {len(line) - len(line.lstrip()[len(line.split()[0]):].lstrip()) for line in rows}
    assert len(starts) == 1, rows


def test_the_timings_ratio_head_sits_over_its_column_and_apart_from_per_inst():
    lines = render(timed_report()).splitlines()
    head = next(line for line in lines if "per inst." in line)
    assert f"vs {LONG}" in head and "per inst. vs" not in head  # two spaces at least, as between other heads
    ratio_end = head.index(f"vs {LONG}") + len(f"vs {LONG}")
    rows = [line for line in lines if line.startswith(("  loop ", f"  {LONG} ", "  vmap ")) and " ms" in line
            or line.startswith(("  loop ", f"  {LONG} ", "  vmap ")) and " µs" in line]
    assert rows
    for row in rows:
        ratio = row[:ratio_end].rstrip()
        assert ratio.endswith("x") and len(row[:ratio_end]) == ratio_end, (head, row)  # right-aligned under it
    name_columns = {len(row) - len(row[2:].split(None, 1)[1]) for row in rows}
    assert len(name_columns) == 1


def test_the_hlo_table_keeps_a_long_left_label_apart_from_the_right_one():
    name = "a_hand_batched_function_with_a_long_name"
    strategies = {k: scripted.strategy(k, label=name if k == "manual" else scripted.LABELS[k]) for k in scripted.LABELS}
    lines = render(scripted.report(strategies)).splitlines()
    below = lines.index("Below the jaxpr: what XLA compiled")
    head = next(line for line in lines[below:] if line.startswith(" " * 20))  # the two labels over the table
    right_at = head.index("vmap", head.index(name) + len(name))
    assert head[right_at - 2:right_at] == "  "
    fusions = next(line for line in lines if line.strip().startswith("fusions"))
    assert fusions[right_at - 1] == " " and fusions[right_at] != " "  # the right values under the right label


def test_primitives_is_its_own_section():
    report = scripted.report({k: scripted.strategy(k, jaxpr=RAW_JAXPR) for k in scripted.LABELS})
    lines = render(report).splitlines()
    at = lines.index("Primitives")
    assert lines[at - 1] == ""


def test_parameters_read_as_plain_numbers_in_the_report_and_stay_jaxs_own_in_the_json():
    report = scripted.report({k: scripted.strategy(k, jaxpr=RAW_JAXPR) for k in scripted.LABELS})
    text = render(report)
    assert "np.int64" not in text
    assert "reduce_sum[axes=(1,) out_sharding=None]" in text and "broadcast_dimensions=(0, 1)" in text
    assert report_json(report)["jaxpr"]["vmap"] == RAW_JAXPR  # the JSON keeps JAX's text as it is


def test_jaxpr_text_turns_numpy_scalars_into_plain_values_and_nothing_else():
    assert jaxpr_text("x[a=np.int64(0) b=np.float32(0.5) c=np.True_ d=np.uint8(3)]") == "x[a=0 b=0.5 c=True d=3]"
    assert jaxpr_text("e:f32[] = add 1.0:f32[] d") == "e:f32[] = add 1.0:f32[] d"
    assert jaxpr_text("y[k=np.float8_e4m3fn(1.0) m=np.bfloat16(2)] xnp.int8(1)") == "y[k=1.0 m=2] xnp.int8(1)"


def test_sweep_columns_hold_a_long_label():
    labels = {"loop": "loop", "manual": LONG, "vmap": "vmap"}
    sizes = (1, 2)
    s = SweepState(labels, sizes, sizes, {"loop": (1e-3, 1e-3), "manual": (2e-6, 1e-6), "vmap": (3e-6, 2e-6)},
                   (1e-9, 1e-9), scripted.CPU, "done")
    head, *rows = sweep_lines(s)[2:4]
    assert f"  {LONG}" in head and f"  vmap/{LONG}" in head  # two spaces at least before each head
    for label in (LONG, f"vmap/{LONG}"):
        end = head.index(label) + len(label)
        assert all(row[end - 1] != " " and (len(row) == end or row[end] == " ") for row in rows), (head, rows)


def test_memory_is_per_call_and_per_instance_for_each_compiled_strategy():
    r = long_report()  # scripted plans: temporaries + arguments + outputs, nothing aliased
    lines = render(r).splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Memory"))
    rows = [line for line in lines[start:] if line.startswith("  ") and "per call" in line][:2]
    peak = {k: s.hlo.peak_bytes for k, s in r.strategies.items() if s.hlo is not None}
    assert set(peak) == {"manual", "vmap"}  # the loop has no one plan
    for row, key in zip(rows, ("manual", "vmap")):
        assert row.split()[0] == r.strategies[key].label and "per call" in row and "per instance" in row
        assert byte_size(peak[key]) in row and byte_size(peak[key] / 5) in row  # batch 5
    assert report_json(r)["memory"]["vmap"]["per_instance_bytes"] == peak["vmap"] / 5


def test_sizes_read_in_three_digits_and_decimal_units():
    assert [byte_size(n) for n in (0.5, 812, 41_900_000, 2_150_000_000)] == ["0.5 B", "812 B", "41.9 MB", "2.15 GB"]
