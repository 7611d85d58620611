"""Pygments lexers for the two texts JAX hands to XLA: StableHLO and XLA's HLO.

Pygments has no lexer for MLIR (so none for StableHLO, the text of
`jax.jit(f).lower(x).as_text()`) and none for XLA's HLO text (`.compile().as_text()`
and `.as_text(dialect="hlo")`), and the app shows both beside the jaxprs.

Both lexers have a single state and no rule crosses a newline, so a line lexes
the same on its own as inside the whole text (the app highlights one line at a
time), and anything unexpected is Punctuation or Text, never Error.

StableHLO (MLIR's generic syntax plus the dialects' pretty forms):
`%0 = stablehlo.add %a, %b : tensor<5x2xf32>`; op names are dotted
(`stablehlo.dot_general`, `chlo.top_k`, `func.call`) or quoted in the generic form
(`"stablehlo.sort"(...)`); `name = value` pairs are attributes; `#stablehlo.gather<...>`
and `#loc1` are attribute aliases, `!stablehlo.token` a dialect type.

HLO: `ROOT %dot.1 = f32[5,2]{1,0} dot(%a, %b), lhs_contracting_dims={1}`; the shape
is `dtype[dims]` then an optional `{layout}`; the opcode is the word right before
`(` and may hold hyphens (`get-tuple-element`); instruction names have a leading
`%` after optimization but not before (`as_text(dialect="hlo")`). A name at the
start of a line before ` = ` is an instruction being defined, `key=value`
elsewhere is an attribute.
"""

from __future__ import annotations

import re

from pygments.lexer import RegexLexer, bygroups
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

__all__ = ["HloLexer", "StableHloLexer"]

_STRING = r'"(?:[^"\\\n]|\\.)*"'
_NUMBERS = [
    (r"0[xX][0-9a-fA-F]+(?![\w.])", Number.Hex),
    (r"[-+]?(?:\d+\.\d*|\.\d+)(?:[eE][-+]?\d+)?|[-+]?\d+[eE][-+]?\d+", Number.Float),
    (r"[-+]?\d+", Number.Integer),
]
# Every character not taken by a rule above: never an Error token, never past a newline.
_FALLBACK = [
    (r"\n", Whitespace),
    (r"[^\S\n]+", Whitespace),
    (r"->", Punctuation),
    (r"[!-/:-@\[-`{-~]", Punctuation),  # any other ASCII punctuation
    (r"[^\s!-/:-@\[-`{-~]+?", Text),
]

# --- StableHLO / MLIR ----------------------------------------------------------------------

_MLIR_ID = r"[A-Za-z_$][\w$]*"
_MLIR_DOTTED = _MLIR_ID + r"(?:\.[\w$]+)+"
# Builtin types: tensor<5x3xf32>, tensor<2x!stablehlo.token>, complex<f32>; one level of
# nested `<...>` (an encoding, `complex<f32>` as element type) is still one token.
_MLIR_SHAPED = r"(?:tensor|memref|vector|complex|tuple)<(?:[^<>\n]|<[^<>\n]*>)*>"
_MLIR_SCALAR = r"(?:[su]?i\d+|f\d+(?:E\d+M\d+\w*)?|bf16|tf32|index|none)(?![\w$.])"
_MLIR_KEYWORDS = (
    r"(?:module|attributes|return|public|private|nested|cond|do|applies|across|init"
    r"|dense_resource|dense|array|sparse|opaque|affine_map|loc|callsite|fused|unknown|to|at)"
    r"(?![\w$.])"
)


class StableHloLexer(RegexLexer):
    """Lexer for StableHLO (MLIR) text, as `jax.jit(f).lower(x).as_text()` prints it."""

    name = "StableHLO"
    aliases = ["stablehlo"]
    filenames = ["*.stablehlo.mlir"]
    mimetypes = ["text/x-stablehlo"]
    url = "https://openxla.org/stablehlo/spec"

    flags = re.MULTILINE

    tokens = {
        "root": [
            (r"[^\S\n]+", Whitespace),
            (r"[(),:=\[\]{}<>]", Punctuation),  # no other rule starts with these
            (r"%[\w$.]+(?:-[\w$.]+)*(?:#\d+)?", Name.Variable),  # %0, %arg0, %cst_1, %0#1
            (_MLIR_SHAPED, Keyword.Type),
            (r"(?:tensor|memref|vector|complex|tuple)(?=<)", Keyword.Type),  # deeper nesting
            (r"func\.func(?![\w$.])", Keyword),
            # `dims = [0]`, `mhlo.num_partitions = 1`, `{i=5}`: a name before `=`
            (r"(" + _MLIR_DOTTED + "|" + _MLIR_ID + r")([^\S\n]*)(=)(?![=>])",
             bygroups(Name.Attribute, Whitespace, Punctuation)),
            (_MLIR_DOTTED, Name.Function),  # stablehlo.add, chlo.top_k, func.call
            (_MLIR_SCALAR, Keyword.Type),
            (_MLIR_KEYWORDS, Keyword),
            (r"call(?![\w$.])", Name.Function),  # `func.call` with the dialect left out
            (r"(?:true|false)(?![\w$.])", Keyword.Constant),
            (r"[A-Z][A-Z0-9_]*(?![\w$.])", Name.Constant),  # GT, SIGNED, DEFAULT
            (_MLIR_ID, Name),
            (r"//[^\n]*", Comment.Single),
            (r'"' + _MLIR_DOTTED + r'"(?=\()', Name.Function),  # "stablehlo.sort"(...)
            (_STRING, String),
            (r"@(?:[\w$.\-]+|" + _STRING + ")", Name.Label),  # @main, @jit_f
            (r"\^[\w$.\-]+", Name.Label),  # ^bb0
            (r"#[\w$.]+", Name.Builtin),  # #stablehlo.gather<...>, #loc1
            (r"![\w$.]+", Keyword.Type),  # !stablehlo.token
            *_NUMBERS,
            *_FALLBACK,
        ],
    }

    def analyse_text(text):
        return 0.6 if re.search(r"\b(?:stablehlo|chlo|mhlo)\.\w+", text) else 0.0


# --- XLA HLO --------------------------------------------------------------------------------

# Names may hold dots and inner hyphens: %get-tuple-element.5, region_0.1, control-predecessors.
_HLO_NAME = r"[A-Za-z_][\w.]*(?:-[\w.]+)*"
_HLO_PNAME = r"%[\w.]+(?:-[\w.]+)*"
_HLO_DTYPE = r"(?:pred|token|opaque|bf16|tf32|c64|c128|[suf]\d+(?:e\d+m\d+\w*)?)"
_HLO_END = r"(?![\w.\-])"


class HloLexer(RegexLexer):
    """Lexer for XLA HLO text, as `jax.jit(f).lower(x).compile().as_text()` prints it."""

    name = "XLA HLO"
    aliases = ["hlo", "xla-hlo"]
    filenames = ["*.hlo"]
    mimetypes = ["text/x-hlo"]
    url = "https://openxla.org/xla/operation_semantics"

    flags = re.MULTILINE

    tokens = {
        "root": [
            # `  ROOT %dot.1 = ...`, `  dot.1 = ...`: the instruction a line defines (before the
            # whitespace rule, which would take the indent and hide the start of the line)
            (r"^([^\S\n]*)(?:(ROOT)([^\S\n]+))?(" + _HLO_PNAME + "|" + _HLO_NAME + r")([^\S\n]*)(=)(?!=)",
             bygroups(Whitespace, Keyword, Whitespace, Name.Variable, Whitespace, Punctuation)),
            (r"[^\S\n]+", Whitespace),
            (r"[(),:=\[\]{}<>]", Punctuation),  # no other rule starts with these
            (_HLO_PNAME, Name.Variable),
            # f32[5,2]{1,0}: the shape, then its layout
            (r"(" + _HLO_DTYPE + r"\[[^\[\]\n]*\])(\{[^{}\n]*\})?", bygroups(Keyword.Type, Comment)),
            (r"[a-z][a-z0-9_]*(?:-[a-z0-9_]+)*(?=\()", Name.Function),  # dot(, get-tuple-element(
            (r"(HloModule)([^\S\n]+)(" + _HLO_NAME + ")", bygroups(Keyword, Whitespace, Name.Namespace)),
            (r"(?:HloModule|ENTRY|ROOT)" + _HLO_END, Keyword),
            (r"^(?:FileNames|FunctionNames|FileLocations|StackFrames)(?=[^\S\n]*$)", Keyword),
            (r"(dim_labels)(=)(\w+->\w+)", bygroups(Name.Attribute, Punctuation, Name.Constant)),
            (r"(" + _HLO_NAME + r")([^\S\n]*)(=)(?!=)", bygroups(Name.Attribute, Whitespace, Punctuation)),
            (r"k[A-Z]\w*" + _HLO_END, Name.Constant),  # kLoop, kInput
            (r"[A-Z][A-Z0-9_]*" + _HLO_END, Name.Constant),  # LT, API_VERSION_TYPED_FFI
            (r"(?:true|false)" + _HLO_END, Keyword.Constant),
            (r"[-+]?(?:inf|nan)" + _HLO_END, Number.Float),
            (r"(?<=: )(?:[su]?i\d+|f\d+|bf16|index)" + _HLO_END, Keyword.Type),  # `85 : ui8`
            (_HLO_NAME, Name.Variable),
            (_STRING, String),
            (r"/\*[^\n]*?\*/", Comment.Multiline),  # /*index=5*/
            (r"-?\d+(?:[x_]-?\d+)+(?![\w.])", Number),  # window={size=3x3 pad=1_1x1_1}
            *_NUMBERS,
            *_FALLBACK,
        ],
    }

    def analyse_text(text):
        return 0.9 if re.match(r"\s*HloModule\s", text) else 0.0
