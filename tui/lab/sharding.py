"""The batch spread over every device of the chosen platform, with JAX's own sharding.

Two ways, as a JAX user writes them: `jit(vmap(model))` on inputs placed by
`NamedSharding(mesh, P('batch'))` (XLA's partitioner splits the program; with an Explicit mesh
axis the jaxpr shows it, `f32[8@batch,3]`), and `shard_map(vmap(model))`, where each device
runs vmap on its own slice. Some primitives don't support Explicit axes yet (while, conv in
JAX 0.10): then the mesh is Auto, and the program's note says so (AutoAxes). Arguments with
in_axes None are replicated. The first batch dimension is split; one that doesn't divide by
the device count is not padded (padding would change the program shown): the strategies are
not run, and NotSharded says why.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Optional

import jax
from jax.sharding import AxisType, Mesh, NamedSharding, PartitionSpec as P

from jaxbatch.lab import strategies
from jaxbatch.lab.workload import Workload
from jaxbatch.results import strategy_table
from jaxbatch.results.errors import describe
from jaxbatch.results.report import AutoAxes, NotSharded

# How each strategy compiled per device (strategy_table: not one_device) is made from vmap's
# function, the mesh and the arguments' partition specs.
SPREADS: dict[str, Callable[[Callable, Mesh, tuple], Callable]] = {
    "sharded": lambda vmapped, mesh, specs: vmapped,
    "shard_map": lambda vmapped, mesh, specs: jax.shard_map(vmapped, mesh=mesh, in_specs=specs, out_specs=P("batch")),
}


@dataclass(frozen=True)
class Sharded:
    devices: int
    args: tuple  # the batch, placed over the mesh
    fns: dict[str, Callable] = field(default_factory=dict)
    note: Optional[AutoAxes] = None  # when Explicit mesh axes failed and Auto ones are used


def spreads(w: Workload) -> bool:
    """Whether `w`'s batch is spread over its platform's devices: there are several, and they
    divide its first axis."""
    n = len(jax.devices(w.device.platform))
    return n > 1 and not w.shape[0] % n


def plan(w: Workload) -> tuple[Optional[Sharded], Optional[NotSharded]]:
    """The sharded strategies for `w`, or None and why not (None when there is one device)."""
    devices = jax.devices(w.device.platform)
    n = len(devices)
    if not spreads(w):
        return None, (NotSharded(w.shape[0], n, w.device.platform) if n > 1 else None)
    specs = tuple(P("batch") if axis == 0 else P() for axis in w.model.in_axes)
    vmapped = strategies.vmapped(w.single, w.model.in_axes, w.shape)
    why = ""
    for axis_type in (AxisType.Explicit, AxisType.Auto):
        mesh = jax.make_mesh((n,), ("batch",), axis_types=(axis_type,), devices=devices)
        args = tuple(jax.device_put(a, NamedSharding(mesh, spec)) for a, spec in zip(w.batch, specs))
        try:
            jax.eval_shape(vmapped, *args)
            break
        except Exception as exc:  # not every primitive supports Explicit axes yet: Auto ones then
            why = describe(exc).splitlines()[0]
    note = AutoAxes(why) if why else None
    fns = {s.key: SPREADS[s.key](vmapped, mesh, specs) for s in strategy_table.TABLE if not s.one_device}
    return Sharded(n, args, fns, note), ""
