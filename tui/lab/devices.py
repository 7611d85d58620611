"""Which JAX device to run on, chosen by platform name or index, never silently swapped."""

from __future__ import annotations

import jax

from jaxbatch.results.errors import LabError
from jaxbatch.results.report import Backends, Device

PLATFORMS = ("cpu", "gpu", "tpu")
INSTALL = {"gpu": "jax[cuda12]", "tpu": "jax[tpu]", "cpu": "jax"}  # the pip extra for each platform
_INSTALL_HINT = {"gpu": "for NVIDIA GPUs install jax[cuda13] (CUDA 13) or jax[cuda12]",
                 "tpu": "on a TPU VM install jax[tpu]", "cpu": "install jax"}


def resolve_device(spec: str) -> jax.Device:
    """`cpu`, `gpu`, `tpu`, `gpu:1` (a platform's n-th device) or `0` (the default backend's)."""
    spec = spec.strip().lower()
    platform, _, index = spec.partition(":")
    if platform in PLATFORMS and index.isdigit():
        devices = jax.devices(resolve_device(platform).platform)
        if int(index) >= len(devices):
            raise LabError(f"device {spec!r} is out of range: JAX sees {len(devices)} {platform} device(s)")
        return devices[int(index)]
    if spec.isdigit():
        devices = jax.devices()
        if int(spec) >= len(devices):
            raise LabError(f"device index {spec} is out of range: JAX sees {len(devices)} device(s)")
        return devices[int(spec)]
    if spec not in PLATFORMS:
        raise LabError(f"unknown device {spec!r}: use cpu, gpu, tpu, gpu:1 or a device index")
    try:
        return jax.devices(spec)[0]
    except RuntimeError:
        found = ", ".join(sorted({d.platform for d in jax.devices()}))
        raise LabError(f"no {spec} device: JAX found only {found} ({_INSTALL_HINT[spec]})") from None


def describe_device(device: jax.Device) -> Device:
    return Device(device.platform, device.device_kind, device.id)


def inventory() -> Backends:
    """Every device on every platform JAX found, and for each platform it did not find, why."""
    devices, missing = [], {}
    for platform in PLATFORMS:
        try:
            found = jax.devices(platform)
        except RuntimeError as exc:
            missing[platform] = str(exc).splitlines()[0]
            continue
        devices += [(f"{platform}:{i}", describe_device(d)) for i, d in enumerate(found)]
    return Backends(tuple(devices), missing, {p: INSTALL[p] for p in missing})
