"""Checkpoints: `best.pt` / `last.pt` bundles of plain types and tensors, written atomically and
readable with `torch.load(path, weights_only=True)` (no pickled code is ever loaded).

A bundle holds the model's state dict, the project (graph + data + training settings) as its JSON
dict, the data's preprocessing statistics and class names, the resolved `auto` sizes, the epoch and
its metrics; `last.pt` also holds the optimizer, scheduler and random-number states for resuming.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import Any

import torch
from torch import fx

from .. import project as project_io
from ..atomic import atomic_output
from ..compiler import CompileError, compile_graph
from ..safe_io import check_regular_file
from ..shapes import AutoSizes
from .checkpoint_schema import check_bundle

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


def graph_auto(bundle: dict[str, Any]) -> dict[str, Any]:
    """{graph name: its auto sizes as a dict} for the graphs besides the main one."""
    value = bundle.get("graph_auto")
    return value if isinstance(value, dict) else {}


def write_checkpoint(path: str | os.PathLike, bundle: dict[str, Any]) -> Path:
    """Save `bundle` to `path` atomically: a temporary file beside it, then a rename."""
    path = Path(path)
    with atomic_output(path, ".pt") as temp:
        torch.save({"format": CHECKPOINT_FORMAT, "version": CHECKPOINT_VERSION, **bundle}, temp)
    return path


def read_checkpoint(path: str | os.PathLike) -> dict[str, Any]:
    """The bundle in `path`, its fields checked (`checkpoint_schema`); CheckpointError if not."""
    path = check_regular_file(path, CheckpointError, "checkpoint")
    try:
        with warnings.catch_warnings():  # torch's notes on odd pickles would precede our message
            warnings.simplefilter("ignore")
            bundle = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:  # noqa: BLE001 - any unreadable file is reported the same way
        raise CheckpointError(f"{path}: {_unreadable(error)}") from None
    if not isinstance(bundle, dict) or bundle.get("format") != CHECKPOINT_FORMAT:
        raise CheckpointError(f"{path}: not a NeuroCanvas checkpoint")
    check_bundle(bundle, str(path), CHECKPOINT_VERSION, CheckpointError)
    return bundle


def _unreadable(error: Exception) -> str:
    text = str(error)
    if "weights_only" in text or "Unsupported global" in text:
        # Never relay PyTorch's advice to load with weights_only=False: that runs the file's code.
        return (
            "not a NeuroCanvas checkpoint: it holds Python objects, and only plain data and "
            "tensors are ever loaded (a file's code never runs)"
        )
    first = text.strip().splitlines()[0] if text.strip() else type(error).__name__
    return f"not a readable NeuroCanvas checkpoint ({first[:200]})"


def model_from_bundle(
    bundle: dict[str, Any], source: str = "<checkpoint>", network: str | None = None
) -> fx.GraphModule:
    """The bundle's main graph with its weights, or the graph named `network` (a GAN's
    discriminator): checkpoints keep one state dict per graph name under `state_dicts`; older
    ones hold the main graph's alone."""
    project = project_io.from_dict(bundle["project"], source)
    graph, weights = project.graph, bundle["state_dict"]
    if network is not None and network != project.main_graph:
        states = bundle.get("state_dicts") or {}
        if network not in project.graphs or network not in states:
            raise CheckpointError(
                f"{source}: no network named {network!r}; it holds "
                f"{', '.join(name for name in project.graphs if name in states) or project.main_graph}"
            )
        graph, weights = project.graphs[network], states[network]
    auto = auto_from_dict(bundle.get("auto"))
    if network is not None and network != project.main_graph:
        auto = auto_from_dict(graph_auto(bundle).get(network))
    try:
        model = compile_graph(graph, auto=auto)
    except CompileError as error:
        raise CheckpointError(f"{source}: its network cannot be built ({error})") from None
    try:
        model.load_state_dict(weights)
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
    path: str | os.PathLike, device: str | torch.device = "cpu", network: str | None = None
) -> tuple[fx.GraphModule, dict[str, Any]]:
    """(model in eval mode on `device`, the bundle). The model carries `task`, `loss`, `mode` and
    `class_names` attributes, so `evaluate` and `predict` need nothing else. `network`: another
    graph of the project than the main one (a GAN's discriminator)."""
    bundle = read_checkpoint(path)
    model = model_from_bundle(bundle, str(path), network)
    return model.to(device), bundle
