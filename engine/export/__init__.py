"""Export a NeuroCanvas model to formats other tools load, each one verified after writing.

ONNX (checked with `onnx.checker` and compared with onnxruntime), TorchScript and `torch.export`
(reloaded and compared), readable PyTorch code (`model.py` + `train.py`, compared with the compiled
graph), a Keras 3 script with converted weights (run under Keras and compared), the checkpoint
bundle and a prediction service. Every writer returns an `ExportResult` with the parity figure.
"""

from ..lazy import make_lazy

# name -> the module that defines it, imported on first use (engine/lazy.py): `--help` lists the
# formats without importing torch.
_EXPORTS = {
    "ExportError": ".parity",
    "ExportResult": ".parity",
    "ExportSource": ".bundle",
    "load_source": ".bundle",
    "save_checkpoint_bundle": ".bundle",
}

__all__ = ["FOLDER_FORMATS", "FORMATS", "export", *sorted(_EXPORTS)]

FORMATS = ("onnx", "torchscript", "pt2", "pytorch", "keras", "checkpoint", "service")
FOLDER_FORMATS = ("pytorch", "keras", "service")  # formats that write a folder


def export(source, fmt: str, out, **options):
    """Write `source` in format `fmt` to `out` (a file, or a folder for FOLDER_FORMATS); verify it.
    A model trained on texts also gets its tokenizer (`tokenizer.json`, Hugging Face `tokenizers`
    JSON with its padding and truncation) beside the export: the model takes token ids, and that
    file turns texts into the ids it was trained on."""
    result = _export(source, fmt, out, **options)
    tokenizer = (source.preprocessing or {}).get("tokenizer")
    if tokenizer and fmt != "checkpoint":  # a checkpoint holds it already
        from pathlib import Path

        from ..atomic import write_atomic

        folder = Path(out) if fmt in FOLDER_FORMATS else Path(out).parent
        path = folder / "tokenizer.json"
        write_atomic(path, tokenizer)
        result.files.append(path)
    return result


def _export(source, fmt: str, out, **options):
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
        from .bundle import save_checkpoint_bundle

        return save_checkpoint_bundle(source, out)
    if fmt == "service":  # model.onnx + serve.py + requirements.txt + Dockerfile
        from ..serve.service import export_service

        return export_service(source, out, **options)
    raise ValueError(f"unknown export format {fmt!r}; choose from {', '.join(FORMATS)}")


make_lazy(__name__, _EXPORTS)
