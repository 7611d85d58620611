"""Item 3 on a GPU: the report's timings against an independent timeit of the seed's code.

The first H200 run timed the loop at 1.5-2x the seed's own `jnp.array([model(v) for v in
v_batched])` (3.90 s against 2.09-2.56 s at batch 4096): it brought every output to the host.
tests/bench/bench_timing_fidelity.py times the loop, the einsum, jit(vmap) and chunked lax.map
written out from the seed, on the same device, and sets the report's medians beside them."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).parents[1] / "bench" / "bench_timing_fidelity.py"


@pytest.mark.parametrize("batch", [4096])
def test_each_strategy_is_within_a_quarter_of_timeit(device, batch, record_property):
    p = subprocess.run([sys.executable, str(BENCH), "--batch", str(batch), "--device", device],
                       capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, p.stderr[-2000:]
    found = json.loads(p.stdout)
    rows = found["strategies"]
    record_property("figure", f"batch {batch} on {found['independent_device']}, floor "
                              f"{found['dispatch_floor_s'] * 1e6:.0f} µs: " + "; ".join(
                                  f"{k} {r['report_median_s']:.3g} s vs {r['independent_median_s']:.3g} s "
                                  f"(x{r['ratio']})" for k, r in rows.items()))
    assert set(rows) == {"loop", "manual", "vmap", "chunked"}
    if device != "gpu":  # a 2-core CPU shared with others moves a 60 µs call by more than a quarter
        pytest.skip("a dry run on the CPU records the ratios; only a GPU's are judged")
    assert all(r["within_25pct"] for r in rows.values()), {k: r["ratio"] for k, r in rows.items()}
