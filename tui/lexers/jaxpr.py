"""A Pygments lexer for JAX jaxprs, the text `jax.make_jaxpr(f)(x)` prints.

Pygments has no lexer for this format, and the app shows jaxprs beside each other
(the loop, hand batching, vmap), so equations, avals and primitives need colours
that a reader can scan. The printer is layout-driven, not a grammar, so the lexer
leans on a few facts of `jax._src.core` printing instead of parsing:

* a program is `{ lambda CONSTS ; ARGS . let EQNS in (OUTS,) }`; a program used
  more than once is lifted out as `let NAME = { ... } in`;
* an equation is `OUTS = prim[k=v ...] ARGS`; the `[...]` params hold Python
  reprs and may hold whole programs, one per line when they are long;
* `name:dtype[shape]` binds a variable, `1.0:f32[]` is a typed literal.

Variables are named a, b, ..., z, ba, bb, ..., so a large program has variables
called `in` or `let`: the keyword `in` is the one followed by `(` or after the
`}` of a lifted program, and `let` is a keyword only after the `.` of a binder list
or before `NAME = {`. Anything unexpected is plain Text, never Error, so any text
lexes and the tokens always join back into the input.
"""

from __future__ import annotations

import re

from pygments.lexer import RegexLexer, bygroups, include
from pygments.token import (
    Comment,
    Keyword,
    Name,
    Number,
    Punctuation,
    String,
    Text,
    Whitespace,
)

__all__ = ["JaxprLexer"]

_WORD = r"[A-Za-z_]\w*"
# An aval right after `:`: dtype, optional <memory space>, optional [shape, with
# `8@batch` shardings], optional {V:..., U:...} (one level of nesting, for `Ref{f32[3]{V:x}}`).
_AVAL = (
    r"[A-Za-z_]\w*(?:<[^<>\s]*>)?(?:\[[^\[\]\n]*\])?"
    r"(?:\{(?:[^{}\n]|\{[^{}\n]*\})*\})?"
)
# Dtype names inside params: long (`float32`, `bfloat16`) and short (`f32`, `bf16`) ones.
_DTYPE = (
    r"(?:bool|b?float\d+(?:_\w+)?|u?int\d+|complex\d+|bf16|[fiuc]\d+(?:_[a-z0-9]+)?"
    r"|key<[^<>\s]*>)"
)
_NUMBER = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?j?"
_SPECIAL_FLOAT = r"[-+]?(?:inf|nan)j?(?![\w.])"
_STRING = r"'(?:[^'\\\n]|\\.)*'|\"(?:[^\"\\\n]|\\.)*\""


class JaxprLexer(RegexLexer):
    """Lexer for JAX jaxprs (`ClosedJaxpr.pretty_print(use_color=False)`)."""

    name = "Jaxpr"
    aliases = ["jaxpr"]
    filenames = ["*.jaxpr"]
    mimetypes = ["text/x-jaxpr"]
    url = "https://docs.jax.dev/en/latest/jaxpr.html"

    flags = re.MULTILINE

    tokens = {
        # Top level: lifted programs, then the program; bare equations (a fragment) also work.
        "root": [
            include("lifted"),
            (r"\{(?=\s*lambda\b)", Punctuation, "lambda"),
            (r"lambda\b", Keyword, "lambda"),
            (r"let(?=[ \t]*$)", Keyword),
            include("eqns"),
        ],
        # `let _f = {`: a lifted program (at top level or as a param value).
        "lifted": [
            (
                r"(let)(\s+)(" + _WORD + r")(\s*)(=)(?=\s*\{)",
                bygroups(Keyword, Whitespace, Name.Function, Whitespace, Punctuation),
            ),
        ],
        # `{ lambda a:f32[2,3]; b:f32[5,3]. let`: the binder lists, up to `.`.
        "lambda": [
            (r"\s+", Whitespace),
            (r"lambda\b", Keyword),
            (r"(\.)(\s*)(let)\b", bygroups(Punctuation, Whitespace, Keyword), ("#pop", "body")),
            (r"\.", Punctuation, ("#pop", "body")),
            (r"\}", Punctuation, "#pop"),
            (_WORD, Name.Variable),
            (r"(:)(" + _AVAL + ")", bygroups(Punctuation, Keyword.Type)),
            (r"[;,:]", Punctuation),
            include("fallback"),
        ],
        # Equations of a program, up to its closing `}`.
        "body": [
            (r"(\})(\s*)(in)\b", bygroups(Punctuation, Whitespace, Keyword), "#pop"),
            (r"\}", Punctuation, "#pop"),
            include("eqns"),
        ],
        "eqns": [
            (r"\s+", Whitespace),
            (r"#[^\n]*", Comment.Single),
            include("lifted"),
            (r"in(?=\s*\()", Keyword),
            (r"(=)(\s*)(" + _WORD + ")", bygroups(Punctuation, Whitespace, Name.Function)),
            (r"(:)(" + _AVAL + ")", bygroups(Punctuation, Keyword.Type)),
            (r"(" + _WORD + r")(\[)", bygroups(Name.Function, Punctuation), "params"),
            (r"(?:True|False)\b", Keyword.Constant),
            (_SPECIAL_FLOAT, Number.Float),
            (_WORD, Name.Variable),
            (_NUMBER, Number),
            (r"\[", Punctuation, "params"),  # the `[...]:f32[3]` literal
            (r"\{(?=\s*lambda\b)", Punctuation, "lambda"),
            (r"\{", Punctuation, "braces"),  # effects: `in (a,) : { Debug } }`
            (r"[\]();.,:=*]", Punctuation),
            include("fallback"),
        ],
        # `prim[k=v k=v]`: parameter names and Python reprs, possibly holding programs.
        "params": [
            (r"\]", Punctuation, "#pop"),
            (r"\}", Punctuation),
            include("values"),
        ],
        "braces": [
            (r"\}", Punctuation, "#pop"),
            (r"\]", Punctuation),
            include("values"),
        ],
        "values": [
            (r"\s+", Whitespace),
            (r"#[^\n]*", Comment.Single),
            (r"(" + _WORD + r")(=)(?!=)", bygroups(Name.Attribute, Punctuation)),
            include("lifted"),
            (r"\{(?=\s*lambda\b)", Punctuation, "lambda"),
            (r"\{", Punctuation, "braces"),
            (r"\[", Punctuation, "params"),
            (_STRING, String),
            (r"(?:None|True|False)\b", Keyword.Constant),
            (r"(?:np|jnp|numpy)\.\w+", Name.Builtin),
            (_DTYPE + r"(?:\[[^\[\]\n]*\])?(?![\w.])", Keyword.Type),
            (_SPECIAL_FLOAT, Number.Float),
            (r"0[xX][0-9a-fA-FX]+\b", Number.Hex),  # `<function f at 0xXXXXXXXX>`
            (_WORD + r"(?:\.\w+)*", Name),
            (_NUMBER, Number),
            (r"[(),;:.=<>*@]", Punctuation),
            include("fallback"),
        ],
        # Last resort in every state: never an Error token.
        "fallback": [
            (r"\s+", Whitespace),
            (r"[^\s]", Text),
        ],
    }

    def analyse_text(text):
        return 0.9 if re.search(r"\{ lambda [^{}]*?\. let\b", text) else 0.0
