"""The StableHLO and HLO Pygments lexers: token kinds on real programs, lines out of context,
and that no text makes them fail.

The fixtures in fixtures/hlo/ are `jax.jit(f).lower(x)` under JAX 0.10.2 on CPU:
NAME.stablehlo.mlir is `.as_text()`, NAME.hlo is `.compile().as_text()` (optimized HLO) and
NAME_unoptimized.hlo is `.as_text(dialect="hlo")`. The optimized HLO had its FileNames ...
StackFrames tables and `metadata={...}` attributes removed, except seed_vmap.hlo, which keeps
them with the file path replaced. handwritten_forms.* gather rare forms in one place.
"""

from __future__ import annotations

import fnmatch
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st
from pygments.token import (
    Comment,
    Error,
    Keyword,
    Name,
    Number,
    Punctuation,
    String,
    Text,
    Whitespace,
)

from jaxbatch.lexers.hlo import HloLexer, StableHloLexer

HLO_DIR = Path(__file__).parent / "fixtures" / "hlo"
STABLEHLO = sorted(HLO_DIR.glob("*.stablehlo.mlir"))
HLO = sorted(HLO_DIR.glob("*.hlo"))
ALL = [(StableHloLexer, p) for p in STABLEHLO] + [(HloLexer, p) for p in HLO]
LEXERS = [StableHloLexer, HloLexer]


def lex(lexer, text: str) -> list[tuple[object, str]]:
    """All tokens, whitespace included, exactly as the lexer cut `text`."""
    return [(t, v) for _, t, v in lexer().get_tokens_unprocessed(text)]


def visible(lexer, text: str) -> list[tuple[object, str]]:
    return [(t, v) for t, v in lex(lexer, text) if t is not Whitespace]


def kinds(lexer, text: str, value: str) -> set:
    """The token types that `value` got, wherever it occurs as a whole token."""
    found = {t for t, v in lex(lexer, text) if v == value}
    assert found, f"{value!r} is not a token of the text"
    return found


def line_of(text: str, start: str) -> str:
    """The first line of `text` that starts with `start` once its indent is stripped."""
    return next(line for line in text.split("\n") if line.lstrip().startswith(start))


def by_line(tokens: list[tuple[object, str]]) -> list[list[tuple[object, str]]]:
    """Tokens grouped by line; a newline is always a token of its own."""
    lines: list[list[tuple[object, str]]] = [[]]
    for t, v in tokens:
        assert v == "\n" or "\n" not in v, f"token {v!r} crosses a line"
        if v == "\n":
            lines.append([])
        else:
            lines[-1].append((t, v))
    return lines


def stablehlo(name: str) -> str:
    return (HLO_DIR / f"{name}.stablehlo.mlir").read_text()


def hlo(name: str) -> str:
    return (HLO_DIR / f"{name}.hlo").read_text()


# --- every fixture ----------------------------------------------------------------------------


def test_there_are_fixtures():
    assert len(STABLEHLO) >= 12
    assert len(HLO) >= 16


@pytest.mark.parametrize("lexer, path", ALL, ids=lambda x: getattr(x, "name", x))
def test_fixture_has_no_error_and_round_trips(lexer, path):
    text = path.read_text()
    tokens = list(lexer(stripnl=False, ensurenl=False).get_tokens(text))
    assert [v for t, v in tokens if t in Error] == []
    assert "".join(v for _, v in tokens) == text
    # Real programs need no fallback: every non-blank character gets a meaningful kind.
    assert [v for t, v in tokens if t is Text] == []
    assert any(t in Name.Function for t, _ in tokens)


@pytest.mark.parametrize("lexer, path", ALL, ids=lambda x: getattr(x, "name", x))
def test_every_line_lexes_alone_as_in_the_whole_text(lexer, path):
    """The app highlights one line at a time: a line out of context gets the same tokens."""
    text = path.read_text()
    whole = by_line(lex(lexer, text))
    alone = [lex(lexer, line) for line in text.split("\n")]
    assert len(whole) == len(alone)
    for n, (a, b) in enumerate(zip(whole, alone)):
        assert a == b, f"line {n + 1}"


@pytest.mark.parametrize("path", STABLEHLO + HLO, ids=lambda p: p.name)
def test_fixtures_hold_no_machine_paths(path):
    text = path.read_text()
    for part in ("/tmp/", "/home/", "/work/", "/Users/", "site-packages", "dist-packages"):
        assert part not in text


def test_fixture_files_match_the_lexers_filenames():
    for path in STABLEHLO:
        assert any(fnmatch.fnmatch(path.name, pat) for pat in StableHloLexer.filenames)
    for path in HLO:
        assert any(fnmatch.fnmatch(path.name, pat) for pat in HloLexer.filenames)


# --- StableHLO: the seed model ---------------------------------------------------------------


@pytest.fixture
def seed_mlir():
    return stablehlo("seed_vmap")


def test_stablehlo_dot_general_line(seed_mlir):
    line = line_of(seed_mlir, "%0 = stablehlo.dot_general")
    assert visible(StableHloLexer, line)[:14] == [
        (Name.Variable, "%0"),
        (Punctuation, "="),
        (Name.Function, "stablehlo.dot_general"),
        (Name.Variable, "%cst"),
        (Punctuation, ","),
        (Name.Variable, "%arg0"),
        (Punctuation, ","),
        (Name.Attribute, "contracting_dims"),
        (Punctuation, "="),
        (Punctuation, "["),
        (Number.Integer, "1"),
        (Punctuation, "]"),
        (Name, "x"),
        (Punctuation, "["),
    ]
    assert visible(StableHloLexer, line)[-4:] == [
        (Keyword.Type, "tensor<5x3xf32>"),
        (Punctuation, ")"),
        (Punctuation, "->"),
        (Keyword.Type, "tensor<2x5xf32>"),
    ]


def test_stablehlo_keywords(seed_mlir):
    for word in ("module", "attributes", "func.func", "public", "return", "dense", "applies", "across", "init"):
        assert kinds(StableHloLexer, seed_mlir, word) == {Keyword}


def test_stablehlo_ops(seed_mlir):
    for op in ("stablehlo.dot_general", "stablehlo.constant", "stablehlo.broadcast_in_dim",
               "stablehlo.add", "stablehlo.tanh", "stablehlo.reduce"):
        assert kinds(StableHloLexer, seed_mlir, op) == {Name.Function}


def test_stablehlo_values_symbols_and_types(seed_mlir):
    for value in ("%arg0", "%cst", "%cst_0", "%cst_1", "%0", "%4"):
        assert kinds(StableHloLexer, seed_mlir, value) == {Name.Variable}
    for symbol in ("@main", "@jit__lambda"):
        assert kinds(StableHloLexer, seed_mlir, symbol) == {Name.Label}
    for ty in ("tensor<5x3xf32>", "tensor<f32>", "tensor<2x3xf32>", "i32"):
        assert kinds(StableHloLexer, seed_mlir, ty) == {Keyword.Type}
    # a type is one token: no bare element type or `tensor` word
    assert not any(v in ("f32", "tensor") for _, v in lex(StableHloLexer, seed_mlir))


def test_stablehlo_attributes_and_literals(seed_mlir):
    for attr in ("contracting_dims", "precision", "dims", "dimensions", "mhlo.num_partitions",
                 "mhlo.num_replicas", "jax.result_info"):
        assert kinds(StableHloLexer, seed_mlir, attr) == {Name.Attribute}
    assert kinds(StableHloLexer, seed_mlir, "1.000000e+00") == {Number.Float}
    assert kinds(StableHloLexer, seed_mlir, "9.787380e-01") == {Number.Float}
    assert kinds(StableHloLexer, seed_mlir, "-0.977277874") == {Number.Float}
    assert kinds(StableHloLexer, seed_mlir, '"result"') == {String}
    assert kinds(StableHloLexer, seed_mlir, "DEFAULT") == {Name.Constant}


# --- StableHLO: other programs ---------------------------------------------------------------


def test_stablehlo_generic_ops_and_regions():
    text = stablehlo("sort_topk")
    assert kinds(StableHloLexer, text, '"stablehlo.sort"') == {Name.Function}
    assert kinds(StableHloLexer, text, "chlo.top_k") == {Name.Function}
    assert kinds(StableHloLexer, text, "stablehlo.return") == {Name.Function}
    assert kinds(StableHloLexer, text, "call") == {Name.Function}
    assert kinds(StableHloLexer, text, "^bb0") == {Name.Label}
    assert kinds(StableHloLexer, text, "@sort") == {Name.Label}
    assert kinds(StableHloLexer, text, "private") == {Keyword}
    assert kinds(StableHloLexer, text, "0x7FC00000") == {Number.Hex}
    assert kinds(StableHloLexer, text, "TOTALORDER") == {Name.Constant}
    assert kinds(StableHloLexer, text, "k") == {Name.Attribute}  # chlo.top_k(%arg0, k = 2)
    assert kinds(StableHloLexer, text, '"result[1][0]"') == {String}


def test_stablehlo_while_results_and_dialect_attributes():
    text = stablehlo("solve_vmap")
    for word in ("cond", "do", "array"):
        assert kinds(StableHloLexer, text, word) == {Keyword}
    for value in ("%0#1", "%10#3", "%iterArg_3"):
        assert kinds(StableHloLexer, text, value) == {Name.Variable}
    assert kinds(StableHloLexer, text, "func.call") == {Name.Function}
    assert kinds(StableHloLexer, text, "stablehlo.custom_call") == {Name.Function}
    assert kinds(StableHloLexer, text, "@lapack_sgetrf_ffi") == {Name.Label}
    assert kinds(StableHloLexer, text, "#stablehlo.gather") == {Name.Builtin}
    assert kinds(StableHloLexer, text, "sdy.sharding_rule") == {Name.Attribute}
    assert kinds(StableHloLexer, text, "tensor<3xindex>") == {Keyword.Type}
    line = line_of(text, "%0:3 = stablehlo.custom_call")
    assert visible(StableHloLexer, line)[:5] == [
        (Name.Variable, "%0"),
        (Punctuation, ":"),
        (Number.Integer, "3"),
        (Punctuation, "="),
        (Name.Function, "stablehlo.custom_call"),
    ]


def test_stablehlo_unsigned_and_module_level_ops():
    text = stablehlo("random_vmap")
    assert kinds(StableHloLexer, text, "tensor<5x2xui32>") == {Keyword.Type}
    assert kinds(StableHloLexer, text, "sdy.mesh") == {Name.Function}
    assert kinds(StableHloLexer, text, "@empty_mesh") == {Name.Label}
    assert kinds(StableHloLexer, text, "stablehlo.mesh") == {Name.Attribute}


def test_stablehlo_rare_forms():
    text = stablehlo("handwritten_forms")
    for ty in ("!stablehlo.token", "tensor<2x!stablehlo.token>", "tensor<?x3xf32>", "tensor<*xbf16>",
               "tensor<4xcomplex<f32>>", "tensor<f8E4M3FN>", "tensor<3xsi64>",
               'tensor<8x5xf32, #sdy.sharding<@mesh, [{"batch"}, {}]>>'):
        assert kinds(StableHloLexer, text, ty) == {Keyword.Type}
    assert kinds(StableHloLexer, text, "-8.960980e-01") == {Number.Float}
    assert kinds(StableHloLexer, text, "0xFF800000") == {Number.Hex}
    assert kinds(StableHloLexer, text, '"0xDEADBEEF"') == {String}
    assert kinds(StableHloLexer, text, '"func.call"') == {Name.Function}
    assert kinds(StableHloLexer, text, "mhlo.tanh") == {Name.Function}
    assert kinds(StableHloLexer, text, '@"quoted.symbol"') == {Name.Label}
    for word in ("loc", "callsite", "at", "to", "unknown"):
        assert kinds(StableHloLexer, text, word) == {Keyword}
    assert kinds(StableHloLexer, text, "#loc1") == {Name.Builtin}
    assert kinds(StableHloLexer, text, "true") == {Keyword.Constant}
    assert kinds(StableHloLexer, text, "-1") == {Number.Integer}
    assert all(t is Comment.Single for t, v in lex(StableHloLexer, text) if v.startswith("//"))
    assert sum(1 for t, _ in lex(StableHloLexer, text) if t is Comment.Single) == 2


def test_stablehlo_deeper_nesting_still_lexes():
    line = "    %0 = stablehlo.add %a, %b : tensor<2xcomplex<tuple<f32>>>  // x"
    toks = visible(StableHloLexer, line)
    assert (Keyword.Type, "tensor") in toks
    assert (Keyword.Type, "tuple<f32>") in toks
    assert toks[-1] == (Comment.Single, "// x")
    assert [v for t, v in toks if t in Error] == []


# --- HLO: the seed model ----------------------------------------------------------------------


@pytest.fixture
def seed_hlo():
    return hlo("seed_vmap")


def test_hlo_dot_line(seed_hlo):
    line = line_of(seed_hlo, "%dot_general.1 =")
    assert visible(HloLexer, line)[:20] == [
        (Name.Variable, "%dot_general.1"),
        (Punctuation, "="),
        (Keyword.Type, "f32[2,5]"),
        (Comment, "{1,0}"),
        (Name.Function, "dot"),
        (Punctuation, "("),
        (Name.Variable, "%constant.5"),
        (Punctuation, ","),
        (Name.Variable, "%v.1"),
        (Punctuation, ")"),
        (Punctuation, ","),
        (Name.Attribute, "lhs_contracting_dims"),
        (Punctuation, "="),
        (Punctuation, "{"),
        (Number.Integer, "1"),
        (Punctuation, "}"),
        (Punctuation, ","),
        (Name.Attribute, "rhs_contracting_dims"),
        (Punctuation, "="),
        (Punctuation, "{"),
    ]


def test_hlo_root_fusion_line(seed_hlo):
    line = line_of(seed_hlo, "ROOT %tanh_reduce_fusion")
    assert visible(HloLexer, line)[:14] == [
        (Keyword, "ROOT"),
        (Name.Variable, "%tanh_reduce_fusion"),
        (Punctuation, "="),
        (Keyword.Type, "f32[5]"),
        (Comment, "{0}"),
        (Name.Function, "fusion"),
        (Punctuation, "("),
        (Name.Variable, "%dot_general.1"),
        (Punctuation, ")"),
        (Punctuation, ","),
        (Name.Attribute, "kind"),
        (Punctuation, "="),
        (Name.Constant, "kLoop"),
        (Punctuation, ","),
    ]


def test_hlo_keywords_and_header(seed_hlo):
    for word in ("HloModule", "ENTRY", "ROOT", "FileNames", "FunctionNames", "FileLocations", "StackFrames"):
        assert kinds(HloLexer, seed_hlo, word) == {Keyword}
    assert visible(HloLexer, seed_hlo)[:2] == [(Keyword, "HloModule"), (Name.Namespace, "jit__lambda")]
    assert kinds(HloLexer, seed_hlo, "true") == {Keyword.Constant}
    for attr in ("is_scheduled", "entry_computation_layout", "metadata", "op_name", "stack_frame_id",
                 "file_name_id", "kind", "calls", "dimensions", "to_apply"):
        assert kinds(HloLexer, seed_hlo, attr) == {Name.Attribute}


def test_hlo_opcodes_shapes_and_names(seed_hlo):
    for op in ("fusion", "dot", "parameter", "reduce", "add", "tanh", "broadcast", "constant"):
        assert kinds(HloLexer, seed_hlo, op) == {Name.Function}
    for shape in ("f32[5]", "f32[]", "f32[2,5]", "f32[5,3]"):
        assert kinds(HloLexer, seed_hlo, shape) == {Keyword.Type}
    assert kinds(HloLexer, seed_hlo, "{1,0}") == {Comment}
    for name in ("%dot_general.1", "%param_0.3", "%region_0.1", "%fused_computation", "%main.2",
                 "param_0.3", "v.1"):
        assert kinds(HloLexer, seed_hlo, name) == {Name.Variable}
    assert kinds(HloLexer, seed_hlo, "-0.977277875") == {Number.Float}
    assert kinds(HloLexer, seed_hlo, '"jit(<lambda>)/vmap()/tanh"') == {String}
    assert kinds(HloLexer, seed_hlo, '"/path/to/gen.py"') == {String}


# --- HLO: other programs --------------------------------------------------------------------


def test_hlo_tuples_and_hyphenated_opcodes():
    text = hlo("while_vmap")
    line = line_of(text, "%arg_tuple.1 =")
    assert visible(HloLexer, line)[:10] == [
        (Name.Variable, "%arg_tuple.1"),
        (Punctuation, "="),
        (Punctuation, "("),
        (Keyword.Type, "s32[]"),
        (Punctuation, ","),
        (Keyword.Type, "f32[5,3]"),
        (Comment, "{1,0}"),
        (Punctuation, ")"),
        (Name.Function, "parameter"),
        (Punctuation, "("),
    ]
    assert kinds(HloLexer, text, "get-tuple-element") == {Name.Function}
    assert kinds(HloLexer, text, "%get-tuple-element.5") == {Name.Variable}
    assert kinds(HloLexer, text, "while") == {Name.Function}
    assert kinds(HloLexer, text, "pred[]") == {Keyword.Type}
    assert kinds(HloLexer, text, "LT") == {Name.Constant}
    for attr in ("condition", "body", "index", "direction", "backend_config", "frontend_attributes"):
        assert kinds(HloLexer, text, attr) == {Name.Attribute}
    assert kinds(HloLexer, text, '"known_trip_count"') == {String}


def test_hlo_without_percent_names():
    """Unoptimized HLO (`as_text(dialect="hlo")`) prints names without `%`."""
    text = hlo("seed_vmap_unoptimized")
    line = line_of(text, "ROOT reduce_sum.7")
    assert visible(HloLexer, line) == [
        (Keyword, "ROOT"),
        (Name.Variable, "reduce_sum.7"),
        (Punctuation, "="),
        (Keyword.Type, "f32[5]"),
        (Comment, "{0}"),
        (Name.Function, "reduce"),
        (Punctuation, "("),
        (Name.Variable, "tanh.1"),
        (Punctuation, ","),
        (Name.Variable, "constant.4"),
        (Punctuation, ")"),
        (Punctuation, ","),
        (Name.Attribute, "dimensions"),
        (Punctuation, "="),
        (Punctuation, "{"),
        (Number.Integer, "0"),
        (Punctuation, "}"),
        (Punctuation, ","),
        (Name.Attribute, "to_apply"),
        (Punctuation, "="),
        (Name.Variable, "region_0.1"),
    ]
    for name in ("dot_general.1", "region_0.1", "main.2"):
        assert kinds(HloLexer, text, name) == {Name.Variable}
    assert kinds(HloLexer, hlo("while_vmap_unoptimized"), "get-tuple-element.2") == {Name.Variable}


def test_hlo_definition_at_line_start_and_attributes_elsewhere():
    """`name = ...` opening a line defines an instruction; inside a line it is a key."""
    text = hlo("solve_vmap")
    line = line_of(text, "%triangular_solve.4 =")
    toks = visible(HloLexer, line)
    assert toks[0] == (Name.Variable, "%triangular_solve.4")
    i = toks.index((Name.Attribute, "diag"))  # backend_config={diag = 85 : ui8, ...}
    assert toks[i : i + 5] == [
        (Name.Attribute, "diag"),
        (Punctuation, "="),
        (Number.Integer, "85"),
        (Punctuation, ":"),
        (Keyword.Type, "ui8"),
    ]
    assert kinds(HloLexer, text, "custom-call") == {Name.Function}
    assert kinds(HloLexer, text, "API_VERSION_TYPED_FFI") == {Name.Constant}
    assert kinds(HloLexer, text, '"lapack_sgetrf_ffi"') == {String}
    assert visible(HloLexer, "  diag.1 = s32[] constant(85)")[0] == (Name.Variable, "diag.1")


def test_hlo_convolution_window_and_dim_labels():
    text = hlo("conv")
    assert kinds(HloLexer, text, "convolution") == {Name.Function}
    assert kinds(HloLexer, text, "dim_labels") == {Name.Attribute}
    assert kinds(HloLexer, text, "b01f_01io->b01f") == {Name.Constant}
    assert kinds(HloLexer, text, "3x3") == {Number}
    assert kinds(HloLexer, text, "1_1x1_1") == {Number}
    assert kinds(HloLexer, text, "{3,2,1,0}") == {Comment}


def test_hlo_rare_forms():
    text = hlo("handwritten_forms")
    assert kinds(HloLexer, text, "/*index=1*/") == {Comment.Multiline}
    assert kinds(HloLexer, hlo("random_vmap"), "/*index=5*/") == {Comment.Multiline}
    for shape in ("s32[<=4,3]", "u32[2]", "u64[2]", "bf16[2]", "pred[]"):
        assert kinds(HloLexer, text, shape) == {Keyword.Type}
    assert kinds(HloLexer, text, "{1,0:T(8,128)}") == {Comment}
    for op in ("custom-call", "rng-bit-generator", "all-reduce", "reduce-window"):
        assert kinds(HloLexer, text, op) == {Name.Function}
    assert kinds(HloLexer, text, "-inf") == {Number.Float}
    assert kinds(HloLexer, text, "nan") == {Number.Float}
    assert kinds(HloLexer, text, "%nan.1") == {Name.Variable}
    assert kinds(HloLexer, text, "1e-05") == {Number.Float}
    assert kinds(HloLexer, text, "0_0x-1_1") == {Number}
    assert kinds(HloLexer, text, '"{\\"k\\": 1}"') == {String}
    assert kinds(HloLexer, text, "API_VERSION_STATUS_RETURNING") == {Name.Constant}
    assert kinds(HloLexer, text, "handwritten_forms") == {Name.Namespace}


# --- the lexer classes ------------------------------------------------------------------------


def test_lexer_metadata():
    assert StableHloLexer.name == "StableHLO"
    assert StableHloLexer.aliases == ["stablehlo"]
    assert StableHloLexer.filenames == ["*.stablehlo.mlir"]
    assert HloLexer.name == "XLA HLO"
    assert HloLexer.aliases == ["hlo", "xla-hlo"]
    assert HloLexer.filenames == ["*.hlo"]


def test_analyse_text_tells_the_formats_apart():
    mlir, text = stablehlo("seed_vmap"), hlo("seed_vmap")
    assert StableHloLexer.analyse_text(mlir) > HloLexer.analyse_text(mlir)
    assert HloLexer.analyse_text(text) > StableHloLexer.analyse_text(text)


# --- any text ---------------------------------------------------------------------------------


def _assert_lexes_cleanly(lexer, text: str) -> None:
    tokens = list(lexer().get_tokens_unprocessed(text))
    assert "".join(v for _, _, v in tokens) == text
    assert [v for _, t, v in tokens if t in Error] == []
    pos = 0
    for start, _, value in tokens:
        assert start == pos
        assert value
        pos += len(value)
    # get_tokens itself drops a leading BOM and turns \r\n and \r into \n before lexing
    processed = list(lexer(stripnl=False, ensurenl=False).get_tokens(text))
    normalized = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    assert "".join(v for _, v in processed) == normalized
    assert [v for t, v in processed if t in Error] == []


def _assert_lines_lex_alone(lexer, text: str) -> None:
    whole = by_line(lex(lexer, text))
    assert whole == [lex(lexer, line) for line in text.split("\n")]


@pytest.mark.parametrize("lexer", LEXERS, ids=lambda c: c.__name__)
@settings(max_examples=300, deadline=None)
@given(text=st.text())
def test_any_text_lexes_without_error(lexer, text):
    _assert_lexes_cleanly(lexer, text)
    _assert_lines_lex_alone(lexer, text)


_PIECES = [
    "{", "}", "[", "]", "(", ")", "<", ">", " ", "\n", "\t", "\r\n", ":", ".", ";", ",", "=", "#",
    "%", "@", "^", "!", '"', "\\", "/", "*", "-", "->", "x", "?", "0x", "1", "-2.5e-01", "é",
    "%0", "%arg0", "%0#1", "@main", "^bb0", "module", "func.func", "stablehlo.add", '"stablehlo.sort"',
    "tensor<", "tensor<5x3xf32>", "tensor<2x!stablehlo.token>", "complex<f32>", "dense<", "i32",
    "#stablehlo.gather<", "!stablehlo.token", "dims = ", "mhlo.num_partitions = 1 : i32", "// c",
    "HloModule m", "ENTRY", "ROOT ", "%dot.1", "dot.1 = ", "f32[5,2]", "{1,0}", "f32[]", "pred[",
    "dot(", "get-tuple-element(", "lhs_contracting_dims={1}", "kLoop", "LT", "/*index=5*/", "/*",
    "-inf", "nan", "3x3", "1_1x1_1", "dim_labels=b01f_01io->b01f", "true", "FileNames",
]


@pytest.mark.parametrize("lexer", LEXERS, ids=lambda c: c.__name__)
@settings(max_examples=300, deadline=None)
@given(text=st.lists(st.sampled_from(_PIECES), max_size=40).map("".join))
def test_program_like_text_lexes_without_error(lexer, text):
    _assert_lexes_cleanly(lexer, text)
    _assert_lines_lex_alone(lexer, text)


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(ALL), st.data())
def test_cut_up_fixtures_lex_without_error(case, data):
    lexer, path = case
    text = path.read_text()
    i = data.draw(st.integers(0, len(text)))
    j = data.draw(st.integers(0, len(text)))
    _assert_lexes_cleanly(lexer, text[i:] + text[:j])


# --- a long text ------------------------------------------------------------------------------


@pytest.mark.parametrize("lexer, paths", [(StableHloLexer, STABLEHLO), (HloLexer, HLO)],
                         ids=["StableHloLexer", "HloLexer"])
def test_ten_thousand_lines_lex_as_their_parts(lexer, paths):
    """No state carries over: a long text lexes as its parts lexed one by one."""
    parts = [p.read_text() for p in paths]
    lines = [line for part in parts for line in part.split("\n")]
    text = "\n".join((lines * (10_000 // len(lines) + 1))[:10_000])
    tokens = lex(lexer, text)
    assert "".join(v for _, v in tokens) == text
    assert [v for t, v in tokens if t in Error or t is Text] == []
    assert len(by_line(tokens)) == 10_000
    # each fixture as a whole, and the fixtures run together, lex the same
    assert lex(lexer, "".join(parts)) == [tok for part in parts for tok in lex(lexer, part)]
