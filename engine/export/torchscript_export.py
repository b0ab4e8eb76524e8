"""TorchScript (`torch.jit.trace`) and `torch.export` (.pt2) exports, each reloaded from disk and
compared with the PyTorch model at batch 1 and 3.

Tracing (not scripting) because the compiled graph is a static sequence of module calls; the
exported module is `ExportModule`, whose state-dict keys equal the project's checkpoints.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import torch

from .bundle import ExportSource
from .parity import (
    TOLERANCE,
    ExportError,
    ExportResult,
    Stopwatch,
    atomic_output,
    check_tolerance,
    compare,
)


def export_torchscript(
    source: ExportSource, path: str | os.PathLike, tolerance: float = TOLERANCE
) -> ExportResult:
    """Trace, save, reload with `torch.jit.load` and compare; class names go in `extra_files`."""
    path = Path(path)
    clock = Stopwatch()
    module = source.plain_module()
    extra = {f"{key}.txt": value for key, value in source.metadata().items()}
    with atomic_output(path, ".pt") as temp:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # torch.jit is deprecated upstream and warns per call
            try:
                traced = torch.jit.trace(module, source.example_inputs(2), check_trace=False)
            except Exception as error:  # noqa: BLE001
                raise ExportError(f"TorchScript tracing failed: {error}") from error
            torch.jit.save(traced, str(temp), _extra_files=extra)
            seconds = clock.seconds
            reloaded = torch.jit.load(str(temp), map_location="cpu")
        diff = compare(module, reloaded, source.example_inputs)
        check_tolerance("TorchScript", diff, tolerance)
    return ExportResult.for_file("torchscript", path, seconds, diff, source.warnings)


def export_pt2(
    source: ExportSource, path: str | os.PathLike, tolerance: float = TOLERANCE
) -> ExportResult:
    """`torch.export` with a dynamic batch axis, saved as .pt2, reloaded and compared."""
    path = Path(path)
    clock = Stopwatch()
    module = source.plain_module()
    inputs = source.example_inputs(2)
    batch = torch.export.Dim("batch", min=1)
    with atomic_output(path, ".pt2") as temp:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # RNN flat-weight notices: harmless here
                program = torch.export.export(
                    module, inputs, dynamic_shapes=(tuple({0: batch} for _ in inputs),)
                )
        except Exception as error:  # noqa: BLE001
            first = (
                str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
            )
            raise ExportError(f"torch.export failed: {first}") from error
        torch.export.save(program, str(temp), extra_files=source.metadata())
        seconds = clock.seconds
        try:
            reloaded = torch.export.load(str(temp)).module()
            diff = compare(module, reloaded, source.example_inputs)
        except Exception as error:  # noqa: BLE001 - e.g. a node named like a GraphModule attribute
            raise ExportError(f"the .pt2 file does not reload: {error}") from error
        check_tolerance("torch.export", diff, tolerance)
    return ExportResult.for_file("pt2", path, seconds, diff, source.warnings)
