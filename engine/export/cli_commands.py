"""`neurocanvas export PROJECT [--weights CKPT] --format F --out PATH`: export and verify, printing
the parity figure; bad input exits with status 2 (UsageError), a failed verification with 1."""

from __future__ import annotations

import sys

from . import FORMATS, export, load_source
from .parity import ExportError


def register_commands(subparsers) -> None:
    parser = subparsers.add_parser(
        "export",
        help="export a model (ONNX, TorchScript, PyTorch code, "
        "checkpoint) and verify it against PyTorch",
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
    parser.add_argument("--out", required=True, help="output file (a folder for --format pytorch)")
    parser.add_argument(
        "--opset", type=int, help="ONNX opset (default: the exporter's current one)"
    )
    parser.add_argument("--input-shape", help="sample shape for an 'auto' Input, e.g. 4 or 1,28,28")
    parser.add_argument("--output-units", type=int, help="units for a Dense set to 'auto'")
    parser.add_argument("--seed", type=int, default=0, help="initial weights' seed (no --weights)")
    parser.set_defaults(handler=run_export)


def run_export(args) -> int:
    from ..cli import UsageError
    from ..project import ProjectError
    from ..shapes import AutoSizes

    if args.project is None and args.weights is None:
        raise UsageError("export needs a project (file or template name) or --weights CHECKPOINT")
    if args.opset is not None and args.format != "onnx":
        raise UsageError("--opset applies to --format onnx only")
    auto = None
    if args.input_shape or args.output_units:
        try:
            shape = (
                tuple(int(s) for s in args.input_shape.replace("x", ",").split(","))
                if args.input_shape
                else None
            )
        except ValueError:
            raise UsageError(
                f"--input-shape must be sizes such as 1,28,28, got {args.input_shape!r}"
            ) from None
        auto = AutoSizes(input_shape=shape, output_units=args.output_units)
    try:
        source = load_source(args.project, args.weights, auto=auto, seed=args.seed)
    except (ProjectError, ExportError) as error:
        raise UsageError(
            f"{error} (for 'auto' sizes pass --input-shape and --output-units)"
            if "auto" in str(error)
            else str(error)
        ) from None
    for warning in source.warnings:
        print(f"Warning: {warning}", file=sys.stderr)
    options = {"opset": args.opset} if args.format == "onnx" else {}
    try:
        result = export(source, args.format, args.out, **options)
    except ExportError as error:
        print(f"neurocanvas: export failed: {error}", file=sys.stderr)
        return 1
    print(result.summary())
    return 0
