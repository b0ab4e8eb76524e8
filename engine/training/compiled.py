"""The opt-in compiled fast path (`compile: true`, `neurocanvas train --compile`).

`torch.compile` turns the model's forward and backward into fused kernels. It pays off on long
runs: the first compile of a graph takes tens of seconds on a small CPU, so the compiled view is
built and exercised once before the first epoch, on a batch of the run's own shape with its batch
dimension marked dynamic (the last, smaller batch reuses it), and Inductor's cache lives in the
user's cache folder, so a second run of the same graph starts in a second or two. If compiling
fails (no C++ compiler, an operator Dynamo cannot trace), the run goes on eagerly and says why.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass

import torch

from ..messages import one_paragraph
from .devices import autocast


@dataclass(frozen=True)
class CompiledForward:
    """What the training step calls, and how it came to be."""

    forward: torch.nn.Module  # the compiled view, or the eager one after a failure
    compiled: bool
    seconds: float  # spent compiling (and the warm-up step)
    note: str  # for the run's start: how long it took, or why it fell back to eager


def _use_user_cache() -> None:
    """Inductor's compiled kernels go to the user's cache, so they outlive /tmp and the process."""
    if "TORCHINDUCTOR_CACHE_DIR" in os.environ:
        return
    from platformdirs import user_cache_dir

    os.environ["TORCHINDUCTOR_CACHE_DIR"] = os.path.join(user_cache_dir("neurocanvas"), "inductor")


def compile_forward(
    view: torch.nn.Module,
    sample: torch.Tensor,
    device: torch.device,
    amp_dtype: torch.dtype | None = None,
    backend: str = "inductor",
) -> CompiledForward:
    """`view` compiled and warmed up on `sample` (one training batch); eager with a note on failure.

    The warm-up runs a forward and backward in training mode and then puts back the gradients,
    the buffers (BatchNorm's running statistics) and the random state it used, so the run trains
    exactly as if it had started with the first batch."""
    _use_user_cache()
    started = time.perf_counter()
    buffers = {name: value.clone() for name, value in view.named_buffers()}
    rng = torch.random.get_rng_state()
    try:
        compiled = torch.compile(view, backend=backend)
        torch._dynamo.mark_dynamic(sample, 0)
        with autocast(device, amp_dtype):  # as the step calls it, so no second compile
            out = compiled(sample)
        out.float().sum().backward()
    except Exception as error:  # noqa: BLE001 - any failure: train eagerly, and say why
        torch._dynamo.reset()
        reason = one_paragraph(f"{type(error).__name__}: {error}")[:300]
        return CompiledForward(
            view,
            False,
            time.perf_counter() - started,
            f"compile failed, training eagerly: {reason}",
        )
    finally:
        for parameter in view.parameters():
            parameter.grad = None
        with torch.no_grad():
            for name, value in view.named_buffers():
                value.copy_(buffers[name])
        torch.random.set_rng_state(rng)
    seconds = time.perf_counter() - started
    return CompiledForward(
        compiled, True, seconds, f"compiled the training step in {seconds:.1f} s"
    )
