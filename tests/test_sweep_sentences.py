"""Every conclusion a sweep prints is true of the table printed above it (issue 22).

For arbitrary sweeps (sizes, medians, quartiles, failed strategies), the report's text is read
back as a reader would read it: the figures as printed, the verdict at each size by the rule
printed with them, worked out here anew. Each sentence must then hold of those rows, and each
pair measured gets one. The chunk sweep's best trade-off likewise."""

import re
from fractions import Fraction

from hypothesis import given, settings, strategies as st

from jaxbatch.presentation.chunk_sweep import chunk_sweep_lines
from jaxbatch.presentation.sweep import sweep_lines
from jaxbatch.results import strategy_table
from jaxbatch.results.chunk_sweep_state import ChunkSweepState
from jaxbatch.results.report import Device
from jaxbatch.results.sweep_state import SweepState

CPU = Device("cpu", "cpu", 0)
LABELS = {"loop": "loop", "manual": "einsum", "vmap": "vmap", "chunked": "chunked k=64"}
PAIRS = strategy_table.sweep_pairs()
SCALE = {"s": Fraction(1), "ms": Fraction(1, 10**3), "µs": Fraction(1, 10**6), "ns": Fraction(1, 10**9),
         "B": Fraction(1), "kB": Fraction(10**3), "MB": Fraction(10**6), "GB": Fraction(10**9)}
# Factors that land on and beside the rule's edges (1.1, spreads that touch), and anything else.
FACTORS = st.one_of(st.sampled_from([0.1, 0.5, 0.9, 1 / 1.1, 0.95, 1.0, 1.05, 1.1, 1.1001, 1.2, 2.0, 9.0]),
                    st.floats(0.05, 20))


# ---- reading the text back ----------------------------------------------------------------------

def figure(text: str):
    """`1.23 µs` or `41.9 MB` as an exact number; None for `-`."""
    if text == "-":
        return None
    number, unit = text.split(" ")
    return Fraction(number) * SCALE[unit]


def spread(text: str):
    """`1.21–1.45 µs` or `998 ns–1.02 µs` as exact (q1, q3); None for `-`."""
    if text == "-":
        return None
    low, high = text.split("–")
    return figure(low if " " in low else f"{low} {high.split(' ')[1]}"), figure(high)


def columns(head: str, names: list[str], rows: list[str]) -> list[list[str]]:
    """Right-aligned cells under each name of `head`, a row at a time."""
    ends = []
    for name in names:
        ends.append(head.index(name, ends[-1] if ends else 0) + len(name))
    return [[row[start:end].strip() for start, end in zip([0, *ends], ends)] for row in rows]


def read_sweep(lines: list[str], labels: dict[str, str]):
    """{size: {key: (median, spread)}} from the time and spread tables, and the sentences."""
    keys = list(labels)
    names = ["batch", *(labels[k] for k in keys)]
    sizes_at = 3
    n = next((i for i, line in enumerate(lines[sizes_at:]) if not re.match(r"\s+[\d,]+ ", line)),
             len(lines) - sizes_at)
    times = columns(lines[2], names, lines[sizes_at:sizes_at + n])
    start = next((i for i, line in enumerate(lines) if "Middle half of the rounds" in line), None)
    spreads = columns(lines[start + 1], names, lines[start + 2:start + 2 + n]) if start is not None else None
    rows = {}
    for i, row in enumerate(times):
        size = int(row[0].replace(",", ""))
        rows[size] = {k: (figure(row[j + 1]), spread(spreads[i][j + 1]) if spreads else None)
                      for j, k in enumerate(keys)}
    rule_end = max((i for i, line in enumerate(lines) if "not judged." in line), default=None)
    said = [line.strip() for line in lines[rule_end + 1:]] if rule_end is not None else []
    return rows, said, " ".join(line.strip() for line in lines)


def verdict(a, b):
    """The rule printed over the sentences, applied to two printed (median, spread) cells: "a",
    "b", "even", or None where either has no time (not judged)."""
    (ta, qa), (tb, qb) = a, b
    if ta is None or tb is None:
        return None
    (lo_a, hi_a), (lo_b, hi_b) = qa or (ta, ta), qb or (tb, tb)
    if hi_a < lo_b and ta * Fraction(11, 10) < tb:
        return "a"
    if hi_b < lo_a and tb * Fraction(11, 10) < ta:
        return "b"
    return "even"


# ---- the sweep ----------------------------------------------------------------------------------

@st.composite
def sweeps(draw) -> SweepState:
    keys = ["vmap", *draw(st.lists(st.sampled_from(["loop", "manual", "chunked"]), unique=True))]
    labels = {k: LABELS[k] for k in LABELS if k in keys}
    sizes = tuple(2**e for e in range(draw(st.integers(1, 14))))
    medians, quartiles = {k: [] for k in labels}, {k: [] for k in labels}
    for n in sizes:
        base = draw(st.floats(1e-9, 1.0)) / n
        for k in labels:
            median = None if draw(st.integers(0, 9)) == 0 else base * draw(FACTORS)
            medians[k].append(median)
            spread_known = median is not None and draw(st.booleans())
            quartiles[k].append((median * (1 - draw(st.sampled_from([0, 0.001, 0.05, 0.3]) | st.floats(0, 0.9))),
                                 median * (1 + draw(st.sampled_from([0, 0.001, 0.05, 0.3]) | st.floats(0, 2))))
                                if spread_known else None)
    return SweepState(labels, sizes, sizes, {k: tuple(v) for k, v in medians.items()}, tuple(1e-6 for _ in sizes),
                      CPU, "done", quartiles_s={k: tuple(v) for k, v in quartiles.items()})


def spans(text: str) -> list[tuple[int, int]]:
    """`1–8, 64 and 256–1,024` as [(1, 8), (64, 64), (256, 1024)]."""
    out = []
    for part in text.replace(" and ", ", ").split(", "):
        low, _, high = part.partition("–")
        out.append((int(low.replace(",", "")), int((high or low).replace(",", ""))))
    return out


def check(sentence: str, judged: dict[int, str], first: str, second: str, alt: str) -> None:
    """`sentence`, about the pair labelled `first` and `second` (`alt` matches either), is true of
    `judged`: size -> "first", "second" or "even" at every size the rule judges."""
    side = {first: "first", second: "second"}
    sizes = sorted(judged)

    def holds(where, value):
        assert where[0] in judged and where[1] in judged, (sentence, where)  # named sizes are judged ones
        assert all(judged[n] == value for n in sizes if where[0] <= n <= where[1]), (sentence, judged)

    if m := re.fullmatch(rf"({alt}) and ({alt}) are within noise of each other at every size", sentence):
        return holds((sizes[0], sizes[-1]), "even")
    if m := re.fullmatch(rf"({alt}) is faster than ({alt}) at every size", sentence):
        return holds((sizes[0], sizes[-1]), side[m[1]])
    if m := re.fullmatch(rf"({alt}) pulls ahead of ({alt}) from batch ([\d,]+)", sentence):
        n = int(m[3].replace(",", ""))
        before = [s for s in sizes if s < n]
        assert before, sentence  # else it would be "at every size"
        holds((n, sizes[-1]), side[m[1]])
        return holds((before[0], before[-1]), "even")
    if m := re.fullmatch(rf"({alt}) is faster than ({alt}) up to batch ([\d,]+), within noise beyond", sentence):
        n = int(m[3].replace(",", ""))
        after = [s for s in sizes if s > n]
        assert after, sentence
        holds((sizes[0], n), side[m[1]])
        return holds((after[0], after[-1]), "even")
    if m := re.fullmatch(rf"({alt}) and ({alt}) alternate: (.*)", sentence):
        counts = {}
        for part in m[3].split(", "):
            c = re.fullmatch(rf"(?:({alt}) is faster|within noise) at (\d+) sizes?", part)
            assert c, (sentence, part)
            counts[side[c[1]] if c[1] else "even"] = int(c[2])
        assert counts == {v: sum(1 for s in sizes if judged[s] == v) for v in set(judged.values())}, sentence
        changes = sum(1 for a, b in zip(sizes, sizes[1:]) if judged[a] != judged[b])
        assert changes >= 4, sentence  # it does alternate
        return None
    covered = []
    for i, clause in enumerate(sentence.split("; ")):
        full = (rf"({alt}) is faster than ({alt}) at batch (.+)",
                rf"({alt}) and ({alt}) are within noise at batch (.+)")
        short = (rf"({alt}) is faster at batch (.+)", r"within noise at batch (.+)")
        c = re.fullmatch(full[0], clause) or re.fullmatch(full[1], clause) if i == 0 else \
            re.fullmatch(short[0], clause) or re.fullmatch(short[1], clause)
        assert c, (sentence, clause)
        value = side[c[1]] if "faster" in clause else "even"
        for where in spans(c.groups()[-1]):
            holds(where, value)
            covered += [n for n in sizes if where[0] <= n <= where[1]]
    assert sorted(covered) == sizes, sentence  # every size judged is told


@settings(max_examples=300, deadline=None)
@given(sweeps())
def test_every_crossover_is_true_of_the_printed_table(sweep):
    rows, said, text = read_sweep(sweep_lines(sweep), sweep.labels)
    assert not said or "q3 is below the other's q1 and its median times 1.1 is below the other's median" in text
    alt = "|".join(re.escape(label) for label in sorted(sweep.labels.values(), key=len, reverse=True))
    expected = []
    for a, b in PAIRS:
        if a in sweep.labels and b in sweep.labels:
            judged = {n: v for n, row in rows.items() if (v := verdict(row[a], row[b])) is not None}
            if judged:
                expected.append((sweep.labels[a], sweep.labels[b], judged))
    assert len(said) == len(expected), (said, expected)
    for sentence, (first, second, judged) in zip(said, expected):
        assert first in sentence and second in sentence
        check(sentence, {n: {"a": "first", "b": "second", "even": "even"}[v] for n, v in judged.items()},
              first, second, alt)


# ---- the chunk sweep ----------------------------------------------------------------------------

@st.composite
def chunk_sweeps(draw) -> ChunkSweepState:
    ks = tuple(2**e for e in range(draw(st.integers(1, 10))))
    base_t, base_p = draw(st.floats(1e-6, 1.0)), draw(st.integers(1, 10**9))

    def time():
        return None if draw(st.integers(0, 9)) == 0 else base_t * draw(FACTORS)

    def peak():
        return None if draw(st.integers(0, 9)) == 0 else max(1, int(base_p * draw(FACTORS)))

    times, peaks = tuple(time() for _ in ks), tuple(peak() for _ in ks)
    return ChunkSweepState(ks[-1], ks, ks, times, tuple(None for _ in ks), peaks, time(), peak(), CPU, "done")


@settings(max_examples=300, deadline=None)
@given(chunk_sweeps())
def test_the_best_trade_off_is_true_of_the_printed_table(sweep):
    lines = chunk_sweep_lines(sweep)
    names = ["k", "per call", "middle half", "x vmap", "peak memory", "x vmap"]
    body = [line for line in lines[3:] if line[2:11].strip() and not line[2:11].strip()[0].isalpha()
            or line[2:11].strip() == "vmap"]
    cells = columns(lines[2], names, body)
    rows = {None if c[0] == "vmap" else int(c[0].replace(",", "")): (figure(c[1]), c[3], figure(c[4]), c[5])
            for c in cells}
    said, text = lines[-1].strip(), " ".join(line.strip() for line in lines)
    assert "the least peak memory among the rows whose time per call is at most 1.25x the fastest" in text
    assert "a tie goes to the faster, then to vmap" in text
    known = {k: (t, p) for k, (t, _, p, _) in rows.items() if t is not None and p is not None}
    if said == "No trade-off yet: it needs vmap and a chunk size measured.":
        assert None not in known or len(known) < 2
        return
    assert None in known and len(known) >= 2
    fastest = min(t for t, _ in known.values())
    near = {k: (p, t) for k, (t, p) in known.items() if t <= Fraction(5, 4) * fastest}
    vmap_peak = known[None][1]
    if said.startswith("vmap is the best trade-off"):
        best = None
        smaller = [k for k, (_, p) in known.items() if k is not None and p < vmap_peak]
        if said.endswith("no chunk size uses less memory."):
            assert not smaller
        else:
            assert said.endswith("every chunk size that uses less memory takes more than 1.25x the fastest time.")
            assert smaller and all(k not in near for k in smaller)
    else:
        m = re.fullmatch(r"k=([\d,]+): (\S+) vmap's time at (\S+) its memory(; no chunk size within 1\.25x the "
                         r"fastest time uses less memory than vmap)?\.", said)
        assert m, said
        best = int(m[1].replace(",", ""))
        assert (m[2], m[3]) == (rows[best][1], rows[best][3])  # the figures of its row
        if m[4]:
            assert all(p >= vmap_peak for k, (p, _) in near.items() if k is not None)
    assert best in near
    for k, key in near.items():  # the least (peak, time); a tie to vmap, then the smaller k
        assert key >= near[best], (said, k)
        if key == near[best] and k != best:
            assert best is None or (k is not None and k > best), (said, k)
