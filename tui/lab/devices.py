"""Which JAX device to run on, chosen by platform name or index, never silently swapped."""

from __future__ import annotations

import jax

from jaxbatch.lab.errors import LabError

PLATFORMS = ("cpu", "gpu", "tpu")
_INSTALL_HINT = {"gpu": "for NVIDIA GPUs install jax[cuda12]", "tpu": "on a TPU VM install jax[tpu]"}


def resolve_device(spec: str) -> jax.Device:
    spec = spec.strip().lower()
    if spec.isdigit():
        devices = jax.devices()
        if int(spec) >= len(devices):
            raise LabError(f"device index {spec} is out of range: JAX sees {len(devices)} device(s)")
        return devices[int(spec)]
    if spec not in PLATFORMS:
        raise LabError(f"unknown device {spec!r}: use cpu, gpu, tpu or a device index")
    try:
        return jax.devices(spec)[0]
    except RuntimeError:
        found = ", ".join(sorted({d.platform for d in jax.devices()}))
        raise LabError(f"no {spec} device: JAX found only {found} ({_INSTALL_HINT[spec]})") from None


def describe_device(device: jax.Device) -> dict[str, object]:
    return {"platform": device.platform, "kind": device.device_kind, "id": device.id}
