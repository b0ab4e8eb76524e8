"""Device choice (CUDA, then MPS, then CPU), its readable name, CPU threads and AMP settings."""

from __future__ import annotations

import os
from contextlib import nullcontext

import torch

DEVICE_CHOICES = "auto, cpu, cuda, cuda:N (a GPU's number) or mps"


def resolve_device(name: str = "auto") -> torch.device:
    """`auto` picks CUDA, then Apple MPS, then the CPU. Asking for a missing device is an error."""
    name = str(name or "auto").lower()
    if name == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        mps = getattr(torch.backends, "mps", None)
        if mps is not None and mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    try:
        device = torch.device(name)
    except (RuntimeError, ValueError):
        device = None
    if device is None or device.type not in ("cpu", "cuda", "mps"):
        raise ValueError(f"unknown device {name!r}: choose {DEVICE_CHOICES}")
    if device.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(
            "device 'cuda' was asked for but no CUDA GPU is available; use --device cpu"
        )
    if device.type == "mps" and not (
        getattr(torch.backends, "mps", None) and torch.backends.mps.is_available()
    ):
        raise ValueError("device 'mps' was asked for but Apple MPS is not available; use cpu")
    if (
        device.type == "cuda"
        and device.index is not None
        and device.index >= torch.cuda.device_count()
    ):
        count = torch.cuda.device_count()
        raise ValueError(f"device {name!r} does not exist: this machine has {count} CUDA GPU(s)")
    return device


def device_name(device: torch.device) -> str:
    if device.type == "cuda":
        return torch.cuda.get_device_name(device)
    if device.type == "mps":
        return "Apple MPS"
    threads = torch.get_num_threads()
    return f"CPU ({threads} thread{'s' if threads > 1 else ''})"


# Below this many floating-point operations per training step, one CPU thread is faster: spreading
# a tiny matrix over several threads costs more in synchronisation than it saves (on a busy machine
# a 32x1 loss took 14 ms with two threads, 0.2 ms with one).
SINGLE_THREAD_FLOPS = 20e6


def choose_threads(num_threads: int | None = None, flops_per_step: float | None = None) -> int:
    """`num_threads` when given; one thread for tiny steps; otherwise PyTorch's choice capped at the
    cores this process may run on (PyTorch counts every core of the machine)."""
    if num_threads is not None:
        return num_threads
    if flops_per_step is not None and flops_per_step < SINGLE_THREAD_FLOPS:
        return 1
    try:
        available = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        available = os.cpu_count() or 1
    return max(1, min(torch.get_num_threads(), available))


def configure_threads(num_threads: int | None = None, flops_per_step: float | None = None) -> int:
    """Set PyTorch's CPU thread count (see `choose_threads`); returns the previous count."""
    previous = torch.get_num_threads()
    chosen = choose_threads(num_threads, flops_per_step)
    if chosen != previous:
        torch.set_num_threads(chosen)
    return previous


def step_flops(model: torch.nn.Module, sample: torch.Tensor, batch_size: int) -> float:
    """Rough floating-point operations of one training step: 3x the forward pass of a batch."""
    from torch.utils.flop_counter import FlopCounterMode

    counter = FlopCounterMode(display=False)
    try:
        with torch.no_grad(), counter:
            model(sample[:1])
    except Exception:  # noqa: BLE001 - an estimate only; fall back to the parameter count
        return 6.0 * batch_size * sum(p.numel() for p in model.parameters())
    return 3.0 * batch_size * max(counter.get_total_flops(), 1)


def amp_dtype(device: torch.device, amp: str | bool = "auto") -> torch.dtype | None:
    """The autocast dtype: bfloat16 (or float16 with a grad scaler) on CUDA; None = no AMP."""
    if amp is False or device.type != "cuda":
        return None
    return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16


def autocast(device: torch.device, dtype: torch.dtype | None):
    return nullcontext() if dtype is None else torch.autocast(device.type, dtype=dtype)
