"""Checkpoints: `best.pt` / `last.pt` bundles of plain types and tensors, written atomically and
readable with `torch.load(path, weights_only=True)` (no pickled code is ever loaded).

A bundle holds the model's state dict, the project (graph + data + training settings) as its JSON
dict, the data's preprocessing statistics and class names, the resolved `auto` sizes, the epoch and
its metrics; `last.pt` also holds the optimizer, scheduler and random-number states for resuming.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import torch
from torch import fx

from .. import project as project_io
from ..atomic import atomic_output
from ..compiler import compile_graph
from ..shapes import AutoSizes

CHECKPOINT_FORMAT = "neurocanvas-checkpoint"
CHECKPOINT_VERSION = 1


class CheckpointError(ValueError):
    """A checkpoint that cannot be read; the message names the file."""


def cpu_state_dict(model: torch.nn.Module) -> dict[str, torch.Tensor]:
    return {key: value.detach().to("cpu", copy=True) for key, value in model.state_dict().items()}


def auto_to_dict(auto: AutoSizes) -> dict[str, Any]:
    return {
        "input_shape": None if auto.input_shape is None else list(auto.input_shape),
        "output_units": auto.output_units,
        "input_dtype": auto.input_dtype,
    }


def auto_from_dict(data: dict[str, Any] | None) -> AutoSizes:
    data = data or {}
    shape = data.get("input_shape")
    return AutoSizes(
        None if shape is None else tuple(int(s) for s in shape),
        data.get("output_units"),
        data.get("input_dtype", "float32"),
    )


def write_checkpoint(path: str | os.PathLike, bundle: dict[str, Any]) -> Path:
    """Save `bundle` to `path` atomically: a temporary file beside it, then a rename."""
    path = Path(path)
    with atomic_output(path, ".pt") as temp:
        torch.save({"format": CHECKPOINT_FORMAT, "version": CHECKPOINT_VERSION, **bundle}, temp)
    return path


def read_checkpoint(path: str | os.PathLike) -> dict[str, Any]:
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"{path}: no such checkpoint file")
    try:
        bundle = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:  # noqa: BLE001 - any unreadable file is reported the same way
        raise CheckpointError(f"{path}: not a readable NeuroCanvas checkpoint ({error})") from None
    if not isinstance(bundle, dict) or bundle.get("format") != CHECKPOINT_FORMAT:
        raise CheckpointError(f"{path}: not a NeuroCanvas checkpoint")
    if bundle.get("version", 0) > CHECKPOINT_VERSION:
        raise CheckpointError(
            f"{path} was written by a newer NeuroCanvas (checkpoint version "
            f"{bundle['version']}); please update NeuroCanvas"
        )
    return bundle


def model_from_bundle(bundle: dict[str, Any], source: str = "<checkpoint>") -> fx.GraphModule:
    project = project_io.from_dict(bundle["project"], source)
    model = compile_graph(project.graph, auto=auto_from_dict(bundle.get("auto")))
    try:
        model.load_state_dict(bundle["state_dict"])
    except RuntimeError as error:
        raise CheckpointError(
            f"{source}: the weights do not fit the saved graph ({error})"
        ) from None
    model.eval()
    model.task = bundle.get("task")
    model.loss = bundle.get("loss", "auto")
    model.mode = bundle.get("mode", "supervised")
    model.class_names = list(bundle.get("class_names") or [])
    return model


def load_checkpoint(
    path: str | os.PathLike, device: str | torch.device = "cpu"
) -> tuple[fx.GraphModule, dict[str, Any]]:
    """(model in eval mode on `device`, the bundle). The model carries `task`, `loss`, `mode` and
    `class_names` attributes, so `evaluate` and `predict` need nothing else."""
    bundle = read_checkpoint(path)
    model = model_from_bundle(bundle, str(path))
    return model.to(device), bundle
