"""The model to export (`ExportSource`): a project + weights from a checkpoint, or freshly compiled
weights with an "untrained model" warning, plus what the export stores beside them (class names,
input normalisation). Also writes the checkpoint bundle, reloadable into NeuroCanvas.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from torch import fx

from .. import project as project_io
from ..analysis import analyze
from ..compiler import CompileError, compile_graph
from ..shapes import AutoSizes
from .parity import ExportError, ExportModule, ExportResult, Stopwatch, atomic_output

UNTRAINED_WARNING = (
    "the model is untrained: no checkpoint was given, so the export holds the "
    "initial (random) weights"
)


@dataclass
class ExportSource:
    """Everything an exporter needs. `model` is in eval mode on the CPU."""

    project: project_io.Project
    model: fx.GraphModule
    auto: AutoSizes
    input_shapes: dict[str, tuple[int, ...]]  # per Input node, without the batch axis
    input_dtypes: dict[str, torch.dtype]
    class_names: list[str] = field(default_factory=list)
    preprocessing: dict[str, Any] | None = None
    trained: bool = False
    extra: dict[str, Any] = field(default_factory=dict)  # task, loss, mode from the checkpoint
    warnings: list[str] = field(default_factory=list)

    @property
    def input_names(self) -> list[str]:
        return list(self.model.input_names)

    @property
    def output_names(self) -> list[str]:
        return list(self.model.output_names)

    def plain_module(self) -> ExportModule:
        return ExportModule(self.model).eval()

    def example_inputs(self, batch: int, seed: int = 0) -> tuple[torch.Tensor, ...]:
        """Random inputs of the model's shapes. int64 inputs are token ids as the text tokenizer
        gives them: a text of id 1 (valid for any vocabulary) then padding (id 0) to the end,
        each row its own length, so a layer that skips padding is checked as it is used."""
        generator = torch.Generator().manual_seed(seed + batch)
        tensors = []
        for name in self.input_names:
            shape = (batch, *self.input_shapes[name])
            if self.input_dtypes[name] == torch.int64:
                tensors.append(padded_ids(shape, generator))
            else:
                tensors.append(torch.randn(shape, generator=generator))
        return tuple(tensors)

    def metadata(self) -> dict[str, str]:
        """String key/values stored in exported files (ONNX metadata_props)."""
        import json

        meta = {
            "neurocanvas.project": self.project.name,
            "neurocanvas.trained": "true" if self.trained else "false",
            "class_names": json.dumps(self.class_names),
            # One sample's shape per input: what importing the file back needs to trace it.
            "input_shapes": json.dumps({k: list(v) for k, v in self.input_shapes.items()}),
        }
        if self.preprocessing:
            pre = self.preprocessing
            # The whole record (plain JSON), so missing-value fills, dtype and feature names travel
            # with the model and a consumer can prepare raw inputs exactly as training did.
            meta["normalization"] = json.dumps(pre)
        return meta


def load_source(
    project: project_io.Project | str | os.PathLike | None,
    weights: str | os.PathLike | None = None,
    auto: AutoSizes | None = None,
    seed: int = 0,
    network: str | None = None,
) -> ExportSource:
    """The model to export. With `weights` (a NeuroCanvas checkpoint) its project, weights, auto sizes,
    preprocessing and class names are used (a `project` given too replaces the checkpoint's graph only
    if the weights fit it). Without, the project is compiled with seed `seed` and a warning says so."""
    bundle: dict[str, Any] | None = None
    if weights is not None:
        bundle = _read_bundle(weights)
    if project is None:
        if bundle is None:
            raise ExportError("give a project or a checkpoint to export")
        project = project_io.from_dict(bundle["project"], str(weights))
    elif not isinstance(project, project_io.Project):
        from ..templates import load_project_or_template

        project = load_project_or_template(str(project))
    project, state = _one_network(project, bundle, network, str(weights))
    if bundle is not None and auto is None:
        auto = _auto_from(bundle)
        if state is not bundle["state_dict"]:  # another graph than the main (its own sizes)
            from ..training.checkpoint import auto_from_dict, graph_auto

            auto = auto_from_dict(graph_auto(bundle).get(network))
    auto = auto or AutoSizes()
    analysis = analyze(project.graph, auto)
    try:
        model = compile_graph(project.graph, auto=auto, seed=seed, analysis=analysis)
    except CompileError as error:
        raise ExportError(str(error)) from None
    warnings: list[str] = []
    if bundle is not None:
        try:
            model.load_state_dict(state)
        except RuntimeError as error:
            raise ExportError(
                f"{weights}: the weights do not fit the project's graph ({error})"
            ) from None
    else:
        warnings.append(UNTRAINED_WARNING)
    model.eval()
    shapes = {name: tuple(analysis.shapes[name].shape) for name in model.input_names}
    dtypes = {
        name: torch.int64 if analysis.shapes[name].dtype == "int64" else torch.float32
        for name in model.input_names
    }
    pre = (bundle or {}).get("preprocessing")
    classes = list((bundle or {}).get("class_names") or (pre or {}).get("class_names") or [])
    extra = {
        key: bundle[key] for key in ("task", "loss", "mode", "epoch") if bundle and key in bundle
    }
    return ExportSource(
        project, model, auto, shapes, dtypes, classes, pre, bundle is not None, extra, warnings
    )


def _one_network(project, bundle, network: str | None, weights: str):
    """(a one-graph project of the network to export, its weights from `bundle` or None).
    `network` names a graph of a project of several (default: the main one, a GAN's
    generator); checkpoints keep every graph's weights under `state_dicts`."""
    name = network or project.main_graph
    if name not in project.graphs:
        raise ExportError(
            f"the project has no network named {name!r}; its networks: {', '.join(project.graphs)}"
        )
    state = None if bundle is None else bundle["state_dict"]
    if bundle is not None and name != project.main_graph:
        state = (bundle.get("state_dicts") or {}).get(name)
        if state is None:
            raise ExportError(f"{weights}: the checkpoint holds no weights for network {name!r}")
    if len(project.graphs) == 1:
        return project, state
    single = project_io.Project(
        f"{project.name} {name}", project.description, project.graphs[name], dict(project.data)
    )
    return single, state


def _read_bundle(path: str | os.PathLike) -> dict[str, Any]:
    from ..training.checkpoint import CheckpointError, read_checkpoint

    try:
        return read_checkpoint(path)
    except CheckpointError as error:
        raise ExportError(str(error)) from None


def _auto_from(bundle: dict[str, Any]) -> AutoSizes:
    from ..training.checkpoint import auto_from_dict

    return auto_from_dict(bundle.get("auto"))


def save_checkpoint_bundle(source: ExportSource, path: str | os.PathLike) -> ExportResult:
    """Weights + project + preprocessing + class names + auto sizes in the trainer's checkpoint
    format (readable with `torch.load(weights_only=True)` and by `training.checkpoint`); reloaded
    and compared before it replaces `path`."""
    from ..training.checkpoint import CHECKPOINT_FORMAT, CHECKPOINT_VERSION, auto_to_dict

    path = Path(path)
    clock = Stopwatch()
    state = {key: value.detach().cpu().clone() for key, value in source.model.state_dict().items()}
    bundle = {
        "format": CHECKPOINT_FORMAT,
        "version": CHECKPOINT_VERSION,
        "state_dict": state,
        "project": source.project.to_dict(),
        "auto": auto_to_dict(source.auto),
        "preprocessing": source.preprocessing,
        "class_names": list(source.class_names),
        **source.extra,
    }
    with atomic_output(path, ".pt") as temp:
        torch.save(bundle, temp)
        reloaded = load_source(None, temp)
        from .parity import check_tolerance, compare

        diff = compare(source.plain_module(), reloaded.plain_module(), source.example_inputs)
        check_tolerance("checkpoint", diff)
    return ExportResult(
        "checkpoint", path, path.stat().st_size, clock.seconds, diff, warnings=list(source.warnings)
    )


def padded_ids(shape: tuple[int, ...], generator: torch.Generator) -> torch.Tensor:
    """int64 ids of ``shape``: 1 for the first steps of each row, then 0 (padding) to the end."""
    steps = shape[-1] if len(shape) > 1 else 1
    lengths = torch.randint(1, steps + 1, shape[:1], generator=generator)
    position = torch.arange(steps).expand(*shape)
    view = lengths.reshape(-1, *([1] * (len(shape) - 1)))
    return (position < view).to(torch.int64)
