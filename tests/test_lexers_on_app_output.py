"""The lexers never yield an Error token on anything the app itself shows."""

import pytest
from pygments.token import Error

from jaxbatch.lexers.hlo import HloLexer, StableHloLexer
from jaxbatch.lexers.jaxpr import JaxprLexer
from jaxbatch.models import CATALOG
from jaxbatch.results.selection import Selection

from conftest import FIXTURES
from reports import analyze

# Every program the app shows, of one batch axis and of two: at 8 the sharded strategies run too,
# and the programs are those of any other single axis but for their sizes (the truth tests'
# reports, shared in the run: not analysed again here).
SELECTIONS = [Selection(name, shape) for name in CATALOG for shape in [(8,), (2, 3)]] + [
    Selection(f"{FIXTURES / 'pytree_model.py'}:MODEL", (3,))
]


def errors(lexer, text):
    return [v for _, t, v in lexer(stripnl=False, ensurenl=False).get_tokens_unprocessed(text) if t in Error]


@pytest.mark.parametrize("selection", SELECTIONS, ids=lambda s: f"{s.model.split('/')[-1]}-{s.batch_shape}")
def test_no_error_tokens_in_any_program_shown(selection):
    report = analyze(selection)
    for s in report.strategies.values():
        assert not errors(JaxprLexer, s.jaxpr)
        for eqn in s.eqns:  # the one-line equations of the aligned view, lexed alone
            assert not errors(JaxprLexer, eqn.text), eqn.text
        if s.hlo is not None:
            assert not errors(StableHloLexer, s.hlo.stablehlo)
            assert not errors(HloLexer, s.hlo.optimized)
