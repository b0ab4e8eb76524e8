"""ONNX export, verified: `onnx.checker`, then onnxruntime against PyTorch at batch 1 and 3.

Exporter choice (torch 2.14): the TorchScript-based exporter (`dynamo=False`) is used. Both exporters
convert every template with the same parity (~1e-7), but the dynamo one takes 1-2 s per model
against 0.01-0.3 s, prints progress to stdout and needs `torch.export.Dim` specs; the graphs
NeuroCanvas compiles are static (no data-dependent control flow), which is what tracing handles.
`exporter="dynamo"` selects the other one.

When the export fails or does not match, each layer is exported on its own to name the first
one that does not convert.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import torch
from torch import nn

from ..serve.spec import add_to_onnx, stamp_parity
from .bundle import ExportSource
from .parity import (
    BATCH_SIZES,
    TOLERANCE,
    ExportError,
    ExportResult,
    Stopwatch,
    atomic_output,
    compare,
    max_abs_diff,
)


def supported_opsets() -> range:
    """The opsets the exporter in use writes (onnxruntime runs all of them)."""
    from torch.onnx import _constants

    return range(_constants.ONNX_MIN_OPSET, _constants.ONNX_TORCHSCRIPT_EXPORTER_MAX_OPSET + 1)


def export_onnx(
    source: ExportSource,
    path: str | os.PathLike,
    opset: int | None = None,
    exporter: str = "torchscript",
    tolerance: float = TOLERANCE,
) -> ExportResult:
    """Write `source` as one ONNX file (dynamic batch axis, graph input/output names, class names and
    normalisation in metadata_props), check and compare it, then move it over `path`."""
    import onnx

    path = Path(path)
    clock = Stopwatch()
    module = source.plain_module()
    with atomic_output(path, ".onnx") as temp:
        try:
            _write(module, source, temp, opset, exporter)
        except Exception as error:  # noqa: BLE001 - any exporter failure is located per layer
            raise _located(source, opset, exporter, error) from error
        model = onnx.load(str(temp))
        written_opset = next(
            (o.version for o in model.opset_import if o.domain in ("", "ai.onnx")), opset
        )
        declare_true_shapes(model, module, source)
        for key, value in source.metadata().items():
            entry = model.metadata_props.add()
            entry.key, entry.value = key, value
        serving = add_to_onnx(model, source)
        onnx.save(model, str(temp))  # well under 2 GB for anything drawn on a canvas: one file
        seconds = clock.seconds
        onnx.checker.check_model(str(temp), full_check=True)
        diff = compare(module, _runtime(temp), source.example_inputs)
        if not diff < tolerance:
            culprit = _first_failing_layer(source, opset, exporter, tolerance)
            where = f"; first layer that differs: {culprit}" if culprit else ""
            raise ExportError(
                f"ONNX export does not match PyTorch: max abs difference {diff:.3g} "
                f"(allowed < {tolerance:g}){where}",
                culprit,
            )
        if serving is not None:  # the figure just measured, for `neurocanvas serve`'s /metadata
            stamp_parity(serving, "onnx", diff, BATCH_SIZES)
            onnx.save(model, str(temp))
    details = {
        "opset": written_opset,
        "exporter": exporter,
        "verify_seconds": clock.seconds - seconds,
    }
    return ExportResult.for_file("onnx", path, seconds, diff, source.warnings, details)


def declare_true_shapes(model, module: nn.Module, source: ExportSource) -> None:
    """Declare the graph's real input and output shapes, only the batch axis symbolic.

    The TorchScript exporter names a dimension after the op that made it when it cannot follow a
    shape through Pad or Slice ('Padlayer_dim_1' for a 14), and tools reading the file (Netron,
    runtimes that plan memory) then see an unknown size; the sizes are known, so they are written."""
    with torch.no_grad():
        outputs = module.eval()(*source.example_inputs(1))
    outputs = outputs if isinstance(outputs, (tuple, list)) else (outputs,)
    inputs = [(1, *source.input_shapes[name]) for name in source.input_names]
    declared = list(model.graph.input)[: len(inputs)] + list(model.graph.output)
    for value, shape in zip(declared, inputs + [tuple(o.shape) for o in outputs]):
        dims = value.type.tensor_type.shape.dim
        del dims[:]
        for axis, size in enumerate(shape):
            dim = dims.add()
            if axis == 0:
                dim.dim_param = "batch"
            else:
                dim.dim_value = int(size)
    del model.graph.value_info[:]  # inner shapes with the same made-up names; runtimes infer them


def _write(
    module: nn.Module, source: ExportSource, path: Path, opset: int | None, exporter: str
) -> None:
    inputs = source.example_inputs(2)
    names_in, names_out = source.input_names, source.output_names
    with warnings.catch_warnings():
        # The TorchScript exporter is deprecated upstream and says so on every call.
        warnings.simplefilter("ignore")
        common = dict(input_names=names_in, output_names=names_out, opset_version=opset)
        if exporter == "dynamo":
            batch = torch.export.Dim("batch")
            dynamic = {
                "dynamo": True,
                "external_data": False,
                "verbose": False,
                "dynamic_shapes": (tuple({0: batch} for _ in inputs),),
            }
        elif exporter == "torchscript":
            dynamic = {
                "dynamo": False,
                "dynamic_axes": {name: {0: "batch"} for name in names_in + names_out},
            }
        else:
            raise ExportError(f"unknown ONNX exporter {exporter!r} (torchscript or dynamo)")
        torch.onnx.export(module, inputs, str(path), **common, **dynamic)


def _runtime(path: Path):
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.log_severity_level = 3
    # The file is renamed after the session is made; onnxruntime holds it in memory.
    session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    names = [item.name for item in session.get_inputs()]

    def run(*inputs: torch.Tensor):
        outputs = session.run(None, {n: t.numpy() for n, t in zip(names, inputs)})
        return tuple(torch.from_numpy(o) for o in outputs)

    return run


def _located(
    source: ExportSource, opset: int | None, exporter: str, error: Exception
) -> ExportError:
    culprit = _first_failing_layer(source, opset, exporter, TOLERANCE)
    first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    if culprit:
        return ExportError(f"ONNX cannot express layer {culprit}: {first_line}", culprit)
    return ExportError(f"ONNX export failed: {first_line}")


def _first_failing_layer(
    source: ExportSource, opset: int | None, exporter: str, tolerance: float
) -> str | None:
    """'node_id (Type)' of the first layer that fails to export or to match on its own."""
    import tempfile

    from ..analysis import analyze

    analysis = analyze(source.project.graph, source.auto)
    graph = source.project.graph
    with tempfile.TemporaryDirectory() as folder:
        for node_id in graph.topological_order() or []:
            node = graph.nodes[node_id]
            if node.spec.is_source or node_id not in source.model._modules:
                continue
            layer = source.model._modules[node_id].eval()
            shapes = analysis.shapes[node_id].input_shapes
            dtype = torch.int64 if node.spec.input_dtype == "int64" else torch.float32
            label = f"{node_id} ({node.type})"
            try:
                if not _layer_converts(
                    layer,
                    shapes,
                    dtype,
                    Path(folder) / f"{node_id}.onnx",
                    opset,
                    exporter,
                    tolerance,
                ):
                    return label
            except Exception:  # noqa: BLE001 - the failing layer is what we are looking for
                return label
    return None


def _layer_converts(
    layer: nn.Module,
    shapes,
    dtype: torch.dtype,
    path: Path,
    opset: int | None,
    exporter: str,
    tolerance: float,
) -> bool:
    def make(batch: int):
        if dtype == torch.int64:
            return tuple(torch.randint(0, 2, (batch, *s)) for s in shapes)
        return tuple(torch.randn(batch, *s) for s in shapes)

    names = [f"in{i}" for i in range(len(shapes))]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        axes = {name: {0: "batch"} for name in names + ["out"]}
        kwargs = (
            {"dynamo": True} if exporter == "dynamo" else {"dynamic_axes": axes, "dynamo": False}
        )
        torch.onnx.export(
            layer,
            make(2),
            str(path),
            input_names=names,
            output_names=["out"],
            opset_version=opset,
            **kwargs,
        )
    run = _runtime(path)
    with torch.no_grad():
        inputs = make(3)
        return max_abs_diff(layer(*inputs), run(*inputs)) < tolerance
