"""The jaxpr Pygments lexer: token kinds on real jaxprs, nesting, and that no text makes it fail.

The fixtures in fixtures/jaxprs/ are `jax.make_jaxpr(f)(x).pretty_print(use_color=False)` under
JAX 0.10.2 (sharded ones with 8 forced host devices), except handwritten_forms.jaxpr, which
gathers rare forms in one place.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st
from pygments.lexers import (
    find_lexer_class_for_filename,
    get_lexer_by_name,
    get_lexer_for_mimetype,
)
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

from jaxbatch.lexers.jaxpr import JaxprLexer

JAXPRS = Path(__file__).parent / "fixtures" / "jaxprs"
FIXTURES = sorted(JAXPRS.glob("*.jaxpr"))


def lex(text: str) -> list[tuple[object, str]]:
    """All tokens, whitespace included, exactly as the lexer cut `text`."""
    return [(t, v) for _, t, v in JaxprLexer().get_tokens_unprocessed(text)]


def visible(text: str) -> list[tuple[object, str]]:
    return [(t, v) for t, v in lex(text) if t is not Whitespace]


def kinds(text: str, value: str) -> set:
    """The token types that `value` got, wherever it occurs as a whole token."""
    found = {t for t, v in lex(text) if v == value}
    assert found, f"{value!r} is not a token of the text"
    return found


def fixture(name: str) -> str:
    return (JAXPRS / f"{name}.jaxpr").read_text()


def encode_var(n: int) -> str:
    """JAX's variable names: a..z, ba, bb, ... (base 26, `a` the zero digit)."""
    s = ""
    while not s or n:
        n, i = divmod(n, 26)
        s = chr(97 + i) + s
    return s


def big_program(n_eqns: int) -> str:
    """A program of `n_eqns` equations in JAX's layout, named like JAX names variables."""
    lines = ["{ lambda a:f32[2,3]; b:f32[5,3]. let"]
    prev = "b"
    for k in range(n_eqns):
        v = encode_var(k + 2)
        match k % 4:
            case 0:
                lines.append(
                    f"    {v}:f32[5,2] = dot_general[\n"
                    "      dimension_numbers=(([1], [1]), ([], []))\n"
                    "      preferred_element_type=float32\n"
                    f"    ] {prev} a"
                )
            case 1:
                lines.append(f"    {v}:f32[5,2] = add {prev} 1.0:f32[]")
            case 2:
                lines.append(f"    {v}:f32[5,2] = tanh {prev}")
            case 3:
                lines.append(f"    {v}:f32[5,2] = reduce_sum[axes=(np.int64(0),) out_sharding=None] {prev}")
        prev = v
    lines.append(f"  in ({prev},) }}")
    return "\n".join(lines) + "\n"


# --- every fixture ----------------------------------------------------------------------------


def test_there_are_fixtures():
    assert len(FIXTURES) >= 20


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.stem)
def test_fixture_has_no_error_and_round_trips(path):
    text = path.read_text()
    lexer = JaxprLexer(stripnl=False, ensurenl=False)
    tokens = list(lexer.get_tokens(text))
    assert [v for t, v in tokens if t in Error] == []
    assert "".join(v for _, v in tokens) == text
    # Real jaxprs need no fallback: every non-blank character gets a meaningful kind.
    assert [v for t, v in tokens if t is Text] == []
    assert sum(1 for t, v in tokens if t is Keyword and v == "lambda") >= 1


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.stem)
def test_fixture_closes_every_state_it_opens(path):
    """After a whole program the lexer is back at top level: a second copy lexes like the first."""
    text = path.read_text()
    once = lex(text)
    twice = lex(text + text)
    assert twice[: len(once)] == once
    assert twice[len(once) :] == once


# --- the seed model, batched by hand with einsum -----------------------------------------------


@pytest.fixture
def einsum():
    return fixture("seed_einsum")


def test_seed_keywords(einsum):
    for word in ("lambda", "let", "in"):
        assert kinds(einsum, word) == {Keyword}


def test_seed_avals_are_single_type_tokens(einsum):
    assert kinds(einsum, "f32[5,3]") == {Keyword.Type}
    assert kinds(einsum, "f32[2,3]") == {Keyword.Type}
    assert kinds(einsum, "f32[5]") == {Keyword.Type}
    assert not any(v == "f32" for _, v in lex(einsum))


def test_seed_primitives(einsum):
    for prim in ("dot_general", "add", "tanh", "reduce_sum"):
        assert kinds(einsum, prim) == {Name.Function}


def test_seed_params(einsum):
    for param in ("dimension_numbers", "preferred_element_type", "axes", "out_sharding"):
        assert kinds(einsum, param) == {Name.Attribute}
    assert kinds(einsum, "float32") == {Keyword.Type}
    assert kinds(einsum, "None") == {Keyword.Constant}


def test_seed_typed_literal(einsum):
    toks = visible(einsum)
    i = toks.index((Number, "1.0"))
    assert toks[i + 1 : i + 3] == [(Punctuation, ":"), (Keyword.Type, "f32[]")]


def test_seed_variables(einsum):
    for var in ("a", "b", "c", "d", "e", "f"):
        assert kinds(einsum, var) == {Name.Variable}


def test_seed_punctuation(einsum):
    for p in "{}[]();.,:=":
        assert kinds(einsum, p) == {Punctuation}


# --- nested programs ------------------------------------------------------------------------


INLINE_NESTED = (
    "{ lambda ; a:f32[5,3]. let\n"
    "    b:f32[5,3] = jit[ name=f jaxpr={ lambda ; a:f32[5,3]. let c:f32[5,3] = sin a in (c,) } ] a\n"
    "    d:f32[5,3] = cos b\n"
    "  in (d,) }\n"
)


def test_nested_program_in_params():
    toks = visible(INLINE_NESTED)
    assert (Name.Function, "jit") in toks
    assert kinds(INLINE_NESTED, "name") == {Name.Attribute}
    assert kinds(INLINE_NESTED, "jaxpr") == {Name.Attribute}
    assert kinds(INLINE_NESTED, "f") == {Name}
    assert kinds(INLINE_NESTED, "sin") == {Name.Function}
    assert kinds(INLINE_NESTED, "lambda") == {Keyword}
    assert kinds(INLINE_NESTED, "let") == {Keyword}
    assert kinds(INLINE_NESTED, "in") == {Keyword}
    # after the nested program and the closing `]`, the outer program goes on
    assert kinds(INLINE_NESTED, "cos") == {Name.Function}
    assert toks[-5:] == [
        (Punctuation, "("),
        (Name.Variable, "d"),
        (Punctuation, ","),
        (Punctuation, ")"),
        (Punctuation, "}"),
    ]


def test_multiline_params_with_nested_programs():
    text = fixture("while_vmap")
    for prim in ("while", "mul", "add", "lt", "broadcast_in_dim"):
        assert kinds(text, prim) == {Name.Function}
    for param in ("body_jaxpr", "body_nconsts", "cond_jaxpr", "cond_nconsts"):
        assert kinds(text, param) == {Name.Attribute}
    assert kinds(text, "bool[5]") == {Keyword.Type}


def test_lifted_program():
    text = fixture("nested_jit")
    toks = visible(text)
    assert toks[:5] == [
        (Keyword, "let"),
        (Name.Function, "inner"),
        (Punctuation, "="),
        (Punctuation, "{"),
        (Keyword, "lambda"),
    ]
    i = toks.index((Name.Variable, "c"), toks.index((Keyword, "in")))
    assert toks[i : i + 5] == [
        (Name.Variable, "c"),
        (Punctuation, ","),
        (Punctuation, ")"),
        (Punctuation, "}"),
        (Keyword, "in"),
    ]
    # a call refers to the lifted program by name; equations inside it and after it still lex
    assert (Name, "inner") in toks
    assert kinds(text, "sin") == {Name.Function}
    assert kinds(text, "add") == {Name.Function}


def test_lifted_program_as_param_value():
    """custom_linear_solve prints `transpose_solve=let _lu_solve = { ... } in { lambda ... }`."""
    text = fixture("solve_vmap")
    assert kinds(text, "transpose_solve") == {Name.Attribute}
    assert kinds(text, "_lu_solve") == {Name.Function, Name}
    assert kinds(text, "triangular_solve") == {Name.Function}
    assert kinds(text, "custom_linear_solve") == {Name.Function}
    assert kinds(text, "GatherScatterMode.PROMISE_IN_BOUNDS") == {Name}


def test_cond_branches_tuple_and_effects():
    text = fixture("cond_debug_effects")
    assert kinds(text, "branches") == {Name.Attribute}
    assert kinds(text, "neg") == {Name.Function}
    assert kinds(text, "debug_print") == {Name.Function}  # an equation with no outputs
    assert kinds(text, "Debug") == {Name}
    assert visible(text)[-1] == (Punctuation, "}")


def test_params_values():
    text = fixture("scatter_vmap")
    assert kinds(text, "np.int64") == {Name.Builtin}
    assert kinds(text, "ScatterDimensionNumbers") == {Name}
    assert kinds(text, "update_window_dims") == {Name.Attribute}
    assert kinds(text, "True") == {Keyword.Constant}
    text = fixture("shard_map")
    assert kinds(text, "'batch'") == {String}
    assert kinds(text, "8") == {Number}


# --- avals --------------------------------------------------------------------------------------


def test_sharded_and_key_avals_are_single_type_tokens():
    assert kinds(fixture("sharded_explicit"), "f32[8@batch,5]") == {Keyword.Type}
    assert kinds(fixture("shard_map"), "f32[1,5]{V:batch}") == {Keyword.Type}
    assert kinds(fixture("random_vmap"), "key<fry>[5]") == {Keyword.Type}
    text = "{ lambda ; a:key<fry>[] b:f32[8@batch,5]. let c:f32[8@batch,5] = sin b in (c,) }"
    assert kinds(text, "key<fry>[]") == {Keyword.Type}
    assert kinds(text, "f32[8@batch,5]") == {Keyword.Type}


@pytest.mark.parametrize(
    "aval",
    ["bool[4]", "i32[]", "bf16[2]", "f64[]", "u8[3]", "c64[2]", "float0[]", "f8_e4m3fn[2]",
     "f32[8@(x,y),5]{V:x, U:y}", "Ref{f32[3]}", "Ref<vmem>{f32[3]}"],
)
def test_avals(aval):
    text = f"{{ lambda ; a:{aval}. let b:{aval} = c a in (b,) }}"
    assert kinds(text, aval) == {Keyword.Type}


def test_literals():
    text = fixture("handwritten_forms")
    assert kinds(text, "-inf") == {Number.Float}
    assert kinds(text, "1e-05") == {Number}
    assert kinds(text, "# a source annotation") == {Comment.Single}
    assert kinds(fixture("complex_literals"), "+2j") == {Number}


def test_variables_named_like_keywords():
    """Variable 222 is named `in` and 7560 `let`; only the keyword positions are Keyword."""
    assert encode_var(221) == "in" and encode_var(7559) == "let"
    text = (
        "{ lambda ; in:f32[] let:f32[]. let\n"
        "    lambda:f32[] = add in let\n"
        "    b:f32[] = mul lambda in\n"
        "    let:f32[] = sin in\n"
        "  in (in, let) }\n"
    )
    toks = visible(text)
    keywords = [v for t, v in toks if t is Keyword]
    assert keywords == ["lambda", "let", "in"]
    assert kinds(text, "in") == {Keyword, Name.Variable}
    assert sum(1 for t, v in toks if v == "in" and t is Name.Variable) == 5


# --- discovery through Pygments --------------------------------------------------------------


def test_pygments_finds_the_lexer():
    assert type(get_lexer_by_name("jaxpr")) is JaxprLexer
    assert find_lexer_class_for_filename("x.jaxpr") is JaxprLexer
    assert type(get_lexer_for_mimetype("text/x-jaxpr")) is JaxprLexer


# --- any text ---------------------------------------------------------------------------------


def _assert_lexes_cleanly(text: str) -> None:
    tokens = list(JaxprLexer().get_tokens_unprocessed(text))
    assert "".join(v for _, _, v in tokens) == text
    assert [v for _, t, v in tokens if t in Error] == []
    pos = 0
    for start, _, value in tokens:
        assert start == pos
        pos += len(value)


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_any_text_lexes_without_error(text):
    _assert_lexes_cleanly(text)


_PIECES = [
    "{", "}", "[", "]", "(", ")", " ", "\n", ":", ".", ";", ",", "=", "#", "'", '"', "<", ">", "@",
    "{ lambda ", "lambda", " ; ", ". let\n", "let _f = ", " in ", "in (", "} in\n", "a", "bc",
    ":f32[5,3]", ":key<fry>[]", ":f32[8@batch,5]{V:batch}", " = dot_general[", "dimension_numbers=",
    "jaxpr={ lambda ; a:f32[]. let b:f32[] = sin a in (b,) }", "1.0:f32[]", "-inf", "np.int64(0)",
    "None", "float32", "'str'", "\\", "\t", "\r\n",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=40).map("".join))
def test_jaxpr_like_text_lexes_without_error(text):
    _assert_lexes_cleanly(text)


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(FIXTURES), st.data())
def test_cut_up_fixtures_lex_without_error(path, data):
    """Truncated and spliced jaxprs, which leave states open or close ones never opened."""
    text = path.read_text()
    i = data.draw(st.integers(0, len(text)))
    j = data.draw(st.integers(0, len(text)))
    _assert_lexes_cleanly(text[i:] + text[:j])


# --- a long program ---------------------------------------------------------------------------


def test_five_thousand_equations():
    text = big_program(5000)
    toks = visible(text)
    assert "".join(v for _, v in lex(text)) == text
    assert [v for t, v in toks if t in Error or t is Text] == []
    # variables go past `in` (the 222nd name); the keywords are still exactly one each
    assert [v for t, v in toks if t is Keyword] == ["lambda", "let", "in"]
    assert sum(1 for t, v in toks if t is Name.Function) == 5000
    assert (Name.Variable, "in") in toks
