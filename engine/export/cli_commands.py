"""`neurocanvas export PROJECT [--weights CKPT] --format F --out PATH`: export and verify, printing
the parity figure; bad input exits with status 2 (UsageError), a failed verification with 1."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from . import FOLDER_FORMATS, export, load_source
from .parity import ExportError

MAX_SIZE = 1 << 24


def _parse_shape(text: str | None) -> tuple[int, ...] | None:
    from ..cli import UsageError

    if not text:
        return None
    try:
        shape = tuple(int(s) for s in text.replace("x", ",").split(","))
    except ValueError:
        shape = ()
    if not shape or not all(1 <= s <= MAX_SIZE for s in shape):
        raise UsageError(
            f"--input-shape must be sizes from 1 to {MAX_SIZE:,} such as 1,28,28, got {text!r}"
        )
    return shape


def check_output_path(out: str, folder: bool, flag: str) -> None:
    """Refuse, before any work, an output path that cannot take what will be written."""
    from ..cli import UsageError

    path = Path(out)
    if folder and path.exists() and not path.is_dir():
        raise UsageError(
            f"{flag} {out} is a file; this format writes a folder (give a new folder name)"
        )
    if not folder and path.is_dir():
        raise UsageError(f"{flag} {out} is a folder; give a file name, e.g. {path / 'model.onnx'}")
    parent = path if folder and path.is_dir() else path.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        raise UsageError(f"{flag} {out}: {parent} is not a folder")
    if not os.access(parent, os.W_OK):
        raise UsageError(f"{flag} {out}: the folder {parent} is not writable")


def run_export(args) -> int:
    from ..cli import UsageError
    from ..project import ProjectError
    from ..shapes import AutoSizes

    if args.project is None and args.weights is None:
        raise UsageError("export needs a project (file or template name) or --weights CHECKPOINT")
    if args.opset is not None and args.format not in ("onnx", "service"):
        raise UsageError("--opset applies to --format onnx and service only")
    if args.opset is not None:
        from .onnx_export import supported_opsets

        opsets = supported_opsets()
        if args.opset not in opsets:
            raise UsageError(
                f"--opset {args.opset} is not supported: choose {opsets[0]}-{opsets[-1]}"
            )
    check_output_path(args.out, folder=args.format in FOLDER_FORMATS, flag="--out")
    auto = None
    if args.input_shape or args.output_units is not None:
        auto = AutoSizes(input_shape=_parse_shape(args.input_shape), output_units=args.output_units)
        if args.output_units is not None and not 1 <= args.output_units <= MAX_SIZE:
            raise UsageError(f"--output-units must be a whole number from 1 to {MAX_SIZE:,}")
    try:
        source = load_source(
            args.project, args.weights, auto=auto, seed=args.seed, network=args.network
        )
    except (ProjectError, ExportError) as error:
        raise UsageError(
            f"{error} (for 'auto' sizes pass --input-shape and --output-units)"
            if "auto" in str(error)
            else str(error)
        ) from None
    for warning in source.warnings:
        print(f"Warning: {warning}", file=sys.stderr)
    options = {"opset": args.opset} if args.format in ("onnx", "service") else {}
    try:
        result = export(source, args.format, args.out, **options)
    except ExportError as error:
        print(f"neurocanvas: export failed: {error}", file=sys.stderr)
        return 1
    except OSError as error:
        raise UsageError(
            f"--out {args.out}: cannot be written ({error.strerror or error})"
        ) from None
    print(result.summary())
    return 0
