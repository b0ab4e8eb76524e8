"""Export a NeuroCanvas model to formats other tools load, each one verified after writing.

ONNX (checked with `onnx.checker` and compared with onnxruntime), TorchScript and `torch.export`
(reloaded and compared), readable PyTorch code (`model.py` + `train.py`, compared with the compiled
graph) and the checkpoint bundle. Every writer returns an `ExportResult` with the parity figure.
"""

from .bundle import ExportSource, load_source, save_checkpoint_bundle
from .parity import ExportError, ExportResult

__all__ = [
    "ExportError",
    "ExportResult",
    "ExportSource",
    "load_source",
    "save_checkpoint_bundle",
    "export",
]

FORMATS = ("onnx", "torchscript", "pt2", "pytorch", "checkpoint")


def export(source: ExportSource, fmt: str, out, **options) -> ExportResult:
    """Write `source` in format `fmt` to `out` (a file, or a folder for "pytorch") and verify it.
    A model trained on texts also gets its tokenizer (`tokenizer.json`, Hugging Face `tokenizers`
    JSON with its padding and truncation) beside the export: the model takes token ids, and that
    file turns texts into the ids it was trained on."""
    result = _export(source, fmt, out, **options)
    tokenizer = (source.preprocessing or {}).get("tokenizer")
    if tokenizer and fmt != "checkpoint":  # a checkpoint holds it already
        from pathlib import Path

        from ..atomic import write_atomic

        folder = Path(out) if fmt == "pytorch" else Path(out).parent
        path = folder / "tokenizer.json"
        write_atomic(path, tokenizer)
        result.files.append(path)
    return result


def _export(source: ExportSource, fmt: str, out, **options) -> ExportResult:
    if fmt == "onnx":
        from .onnx_export import export_onnx

        return export_onnx(source, out, **options)
    if fmt == "torchscript":
        from .torchscript_export import export_torchscript

        return export_torchscript(source, out, **options)
    if fmt == "pt2":
        from .torchscript_export import export_pt2

        return export_pt2(source, out, **options)
    if fmt == "pytorch":
        from .code import export_pytorch

        return export_pytorch(source, out, **options)
    if fmt == "checkpoint":
        return save_checkpoint_bundle(source, out)
    raise ValueError(f"unknown export format {fmt!r}; choose from {', '.join(FORMATS)}")
