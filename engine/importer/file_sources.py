"""Importing model files: ONNX (`model.onnx`) and TorchScript (`model.pt`, a `torch.jit.save`
archive). A TorchScript module is first written as ONNX by PyTorch's TorchScript-based exporter
(constant folding off, so BatchNorm layers stay layers), and both then go through one ONNX
converter (`onnx_graph.py`). The imported project is run against the file itself (onnxruntime,
or the TorchScript module) and the largest output difference is reported.
"""

from __future__ import annotations

import io
import json
import warnings
import zipfile
from pathlib import Path

import torch

from ..safe_io import check_regular_file
from .fx_import import Imported, ModelImportError, import_module
from .mapping import Unmappable

SHAPES_FILE = "input_shapes.txt"  # written into NeuroCanvas's TorchScript exports


def is_model_file(source: str) -> bool:
    path = Path(source)
    return path.suffix.lower() == ".onnx" or (path.is_file() and _is_torchscript(path))


def _is_torchscript(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as archive:
            return any("/code/" in name for name in archive.namelist())
    except (OSError, zipfile.BadZipFile):
        return False


def import_file(source: str, input_shape=None) -> Imported:
    """The project for the ONNX or TorchScript file `source`, checked against the file."""
    path = check_regular_file(source, ModelImportError, "model file")
    if path.suffix.lower() == ".onnx":
        model, check = _load_onnx(path), _onnx_runner(path)
    elif _is_torchscript(path):
        module = _load_torchscript(path)
        input_shape = input_shape or _stored_shape(path)
        if input_shape is None:
            raise ModelImportError(
                f"{path}: give the shape of one input with --input-shape, e.g. 3,32,32 "
                "(a TorchScript file does not record it)"
            )
        model, check = _torchscript_as_onnx(module, input_shape, path), module
    else:
        raise ModelImportError(f"{path}: neither an ONNX file nor a TorchScript archive")
    imported = _from_onnx(model, path, input_shape)
    imported.max_difference = _difference(imported, check)
    return imported


def _load_onnx(path: Path):
    import onnx

    try:
        return onnx.load(str(path))
    except Exception as error:  # noqa: BLE001 - a damaged or foreign file
        raise ModelImportError(f"{path}: not a readable ONNX file ({error})") from None


def _onnx_runner(path: Path):
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.log_severity_level = 3
    session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    name = session.get_inputs()[0].name
    return lambda x: torch.from_numpy(session.run(None, {name: x.numpy()})[0])


def _load_torchscript(path: Path):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # torch.jit is deprecated upstream and says so
            return torch.jit.load(str(path), map_location="cpu").eval()
    except Exception as error:  # noqa: BLE001
        raise ModelImportError(f"{path}: not a loadable TorchScript file ({error})") from None


def _stored_shape(path: Path) -> tuple[int, ...] | None:
    extra = {SHAPES_FILE: ""}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.jit.load(str(path), map_location="cpu", _extra_files=extra)
    try:
        shapes = list(json.loads(extra[SHAPES_FILE] or "{}").values())
    except ValueError:
        return None
    return tuple(int(s) for s in shapes[0]) if len(shapes) == 1 else None


def _torchscript_as_onnx(module, input_shape, path: Path):
    import onnx

    buffer = io.BytesIO()
    example = torch.randn(2, *input_shape)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(module, (example,), buffer, dynamo=False, do_constant_folding=False)
    except Exception as error:  # noqa: BLE001
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise ModelImportError(
            f"{path}: this TorchScript module cannot be read as a graph ({first[:300]})"
        ) from None
    return onnx.load_from_string(buffer.getvalue())


def _from_onnx(model, path: Path, input_shape) -> Imported:
    from .onnx_graph import OnnxConverter

    name = path.stem
    try:
        module, stored = OnnxConverter(model, name).convert()
    except Unmappable as error:
        raise ModelImportError(f"{path}: {error}") from None
    shape = tuple(input_shape) if input_shape else stored
    if shape is None:
        raise ModelImportError(
            f"{path}: the input's sizes are not fixed in the file; give --input-shape"
        )
    return import_module(module, shape, name, fx_graph=module.graph)


def _difference(imported: Imported, reference) -> float:
    """The largest output difference between the imported project and the file, on one
    random sample (batch 1: files exported with a fixed batch size accept it)."""
    graph = imported.project.graph
    shape = next(node for node in graph if node.type == "Input").params["shape"]
    x = torch.randn(1, *shape, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        return float((imported.module.eval()(x) - reference(x)).abs().max())
