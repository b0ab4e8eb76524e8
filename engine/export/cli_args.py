"""The arguments of `neurocanvas export`; cli_commands.py does the work.

Free of torch, so `neurocanvas --help` answers at once: the handler is imported when it runs.
"""

from __future__ import annotations

from . import FORMATS


def register_commands(subparsers) -> None:
    parser = subparsers.add_parser(
        "export",
        help="export a model (ONNX, TorchScript, PyTorch code, Keras 3 code, checkpoint, or a "
        "prediction service: model.onnx + serve.py + Dockerfile) and verify it against PyTorch",
    )
    parser.add_argument(
        "project",
        nargs="?",
        default=None,
        help="project file (.json) or template name; optional with --weights",
    )
    parser.add_argument(
        "--weights",
        help="checkpoint (best.pt / last.pt); without it the initial "
        "weights are exported, with a warning",
    )
    parser.add_argument("--format", choices=FORMATS, default="onnx")
    parser.add_argument(
        "--out",
        required=True,
        help="output file (a folder for --format pytorch, keras and service)",
    )
    parser.add_argument(
        "--opset", type=int, help="ONNX opset (default: the exporter's current one)"
    )
    parser.add_argument("--input-shape", help="sample shape for an 'auto' Input, e.g. 4 or 1,28,28")
    parser.add_argument("--output-units", type=int, help="units for a Dense set to 'auto'")
    parser.add_argument("--seed", type=int, default=0, help="initial weights' seed (no --weights)")
    parser.add_argument(
        "--network",
        help="which network of a project of several (a GAN's generator or discriminator); "
        "default: the main one (a GAN's generator)",
    )
    parser.set_defaults(handler="neurocanvas.engine.export.cli_commands:run_export")
