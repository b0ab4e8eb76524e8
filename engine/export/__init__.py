"""Export a NeuroCanvas model to formats other tools load, each one verified after writing.

ONNX (checked with `onnx.checker` and compared with onnxruntime), TorchScript and `torch.export`
(reloaded and compared), readable PyTorch code (`model.py` + `train.py`, compared with the compiled
graph), a Keras 3 script with converted weights (run under Keras and compared) and the checkpoint bundle. Every writer returns an `ExportResult` with the parity figure.
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

FORMATS = ("onnx", "torchscript", "pt2", "pytorch", "keras", "checkpoint")
FOLDER_FORMATS = ("pytorch", "keras")  # written into a folder


def export(source: ExportSource, fmt: str, out, **options) -> ExportResult:
    """Write `source` in format `fmt` to `out` (a file, or a folder for "pytorch" and "keras") and verify it."""
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
    if fmt == "keras":
        from .keras_export import export_keras

        return export_keras(source, out, **options)
    if fmt == "checkpoint":
        return save_checkpoint_bundle(source, out)
    raise ValueError(f"unknown export format {fmt!r}; choose from {', '.join(FORMATS)}")
