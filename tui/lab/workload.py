"""A model made ready to run: loaded, built, its seeded inputs on the chosen device.

The analysis, the live timings and the sweep all start here, so they run the same functions
on the same inputs (the generator is drawn in the seed's order: parameters, one instance,
then the batch).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Optional

import jax
import numpy as np

from jaxbatch.lab.devices import resolve_device
from jaxbatch.lab.inputs import draw_args
from jaxbatch.lab.loader import load_selected
from jaxbatch.lab.memory import bytes_per_instance, check_fits
from jaxbatch.results.errors import USER_ERRORS, LabError, describe
from jaxbatch.results.selection import DEFAULT_CHUNK, DEFAULT_PRECISION, Selection
from jaxbatch.results.spec import Model


@dataclass(frozen=True)
class Workload:
    model: Model
    device: jax.Device
    shape: tuple[int, ...]
    single: Callable
    manual: Optional[Callable]
    one: tuple  # the arguments of one instance
    batch: tuple  # the batched arguments, batch axes first
    chunk: int = DEFAULT_CHUNK  # the chunked strategy's instances per step
    precision: str = DEFAULT_PRECISION  # the matmul precision it runs at (lab.precision.scope)

    @property
    def instances(self) -> int:
        return math.prod(self.shape)


def prepare(selection: Selection) -> Workload:
    """Load and build the model and draw its inputs; LabError says what went wrong."""
    return build(load_selected(selection), resolve_device(selection.device), selection.batch_shape, selection.chunk,
                 selection.precision)


def build(model: Model, device: jax.Device, shape: tuple[int, ...], chunk: int = DEFAULT_CHUNK,
          precision: str = DEFAULT_PRECISION) -> Workload:
    """The model built afresh and its inputs for `shape`: the same seed gives the same
    parameters and the same first instances at every batch shape."""
    with jax.default_device(device):
        rng = np.random.default_rng(model.seed)
        try:
            single, manual = model.build(rng)
        except USER_ERRORS as exc:
            raise LabError(f"building model {model.name} raised {describe(exc)}") from None
        one = jax.device_put(draw_args(rng, model.args, model.in_axes, ()), device)
        check_fits(bytes_per_instance(single, one, model.in_axes), shape, device)
        batch = jax.device_put(draw_args(rng, model.args, model.in_axes, shape), device)
    return Workload(model, device, shape, single, manual, one, batch, chunk, precision)
