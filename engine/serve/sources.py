"""What `neurocanvas serve` is given, opened as a `Served` model: a run folder (its best.pt, else
last.pt), a checkpoint (.pt, run with PyTorch), an exported ONNX file (run with onnxruntime) or
an exported service folder (its model.onnx).

Both kinds go through the same request decoding and preprocessing (`inputs.Preparer`, numpy), so
a checkpoint and its ONNX export answer the same request with the same prediction."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from . import standalone
from .inputs import SpecError
from .spec import ServeError, serving_spec

CHECKPOINT_NAMES = ("best.pt", "last.pt")


def resolve(path: str | os.PathLike) -> tuple[Path, str]:
    """(the file to load, "onnx" or "checkpoint"); ServeError naming what is wrong."""
    path = Path(path).expanduser()
    if path.is_dir():
        if (path / "model.onnx").is_file():
            return path / "model.onnx", "onnx"
        for name in CHECKPOINT_NAMES:
            if (path / name).is_file():
                return path / name, "checkpoint"
        raise ServeError(
            f"{path}: no model.onnx, best.pt or last.pt in this folder (give a run folder, a "
            "checkpoint, an .onnx file or an exported service folder)"
        )
    if not path.exists():
        raise ServeError(f"{path}: no such file or folder")
    if path.suffix.lower() == ".onnx":
        return path, "onnx"
    if path.suffix.lower() in (".pt", ".pth"):
        return path, "checkpoint"
    raise ServeError(f"{path}: serve takes a run folder, a checkpoint (.pt) or an ONNX file")


def open_model(path: str | os.PathLike, threads: int = 0) -> standalone.Served:
    file, kind = resolve(path)
    try:
        if kind == "onnx":
            return standalone.load_onnx(str(file), threads)
        return load_checkpoint_model(file, threads)
    except SpecError as error:
        raise ServeError(f"{file}: {error}") from None


def load_checkpoint_model(path: Path, threads: int = 0) -> standalone.Served:
    """A NeuroCanvas checkpoint, run with PyTorch on the CPU (no export, so no parity figure)."""
    import torch

    from ..export import ExportError, load_source

    if threads:
        torch.set_num_threads(threads)
    try:
        source = load_source(None, path)
    except ExportError as error:
        raise ServeError(str(error)) from None
    spec = serving_spec(source, parity=None)
    spec["served_from"] = "checkpoint (PyTorch); export to ONNX for a verified parity figure"
    model = source.model.eval()
    dtype = torch.int64 if spec["input"]["dtype"] == "int64" else torch.float32

    def run(x: np.ndarray) -> np.ndarray:
        with torch.inference_mode():
            out = model(torch.from_numpy(np.ascontiguousarray(x)).to(dtype))
        out = out[0] if isinstance(out, (tuple, list)) else out
        return out.float().numpy()

    return standalone.Served(run, spec, source.preprocessing)
