"""The truth suite: an independent cross-check of every claim the report makes.

The rule
--------
Each test takes one claim from the report JSON (what `jaxbatch-tui report --json` prints and
what checks read) and recomputes the fact it states *directly, with plain JAX and NumPy*:

- outputs: our own Python loop calling `jax.jit(single)` on each instance's `jax.Array` rows,
  our own `jax.jit(jax.vmap(single))` and `jax.jit(manual)`; differences, relative differences
  and ULP distances (from float bit patterns) computed here in NumPy;
- programs: our own `jax.make_jaxpr`, walked equation by equation (sub-programs included);
  `jax.jit(f).lower(...).as_text()` and `.compile().as_text()` canonicalised by our own code
  (every SSA, instruction, computation, function, parameter and module name numbered by first
  appearance; metadata, source locations and debug tables dropped);
- costs: `.compile().cost_analysis()` of our own programs, XLA's trip counts read from the HLO
  text, and models whose loop counts are known by construction (`tests/truth/models.py`).

Nothing here calls the lab's own comparison, alignment, canonicalisation, primitive listing or
cost code to produce a fact. The lab is used for two things only: `report_json(analyze(...))` (the
report JSON, as `report --json` prints it) gives the claims under test, and
`jaxbatch.lab.workload.prepare` gives the seeded *inputs* (inputs are not a claim). Model
functions are rebuilt from each model's own definition (`MODEL.build` on a generator seeded with
`MODEL.seed`, the draw order the lab documents).

The property tests (`test_properties.py`) are the one place that calls the lab's aligners
(`jaxbatch.results.alignment.align`, `jaxbatch.results.hlo.align_text`): there the truth is a law
that holds by construction (a program against itself, or against a copy with every name
changed, is identical at every level; swapping sides mirrors the verdict).

Every built-in model in `jaxbatch.models.CATALOG` is covered (read at collection time), each
analysed once per session at batch 8 (divisible by the 4 simulated devices, so the sharded
strategies run too); the seed model also at the default batch 5.

Files: `facts.py` (the independent computations), `claims.py` (reading the report),
`models.py` (models whose facts are known by construction: lax.map, nested loops, a renamed
copy, swapped operands); one test file per kind of claim: `test_outputs.py`,
`test_on_batch.py`, `test_primitives.py`, `test_same_program.py`, `test_flops.py` (costs,
memory, loops), `test_properties.py`; `test_facts.py` checks the tools themselves.
Run: `python -m pytest tests/truth`.
"""
