"""`neurocanvas import SOURCE --out project.json`: the project and, beside it, its weights
(`project.weights.pt`, a state dict that `train --init-from` reads)."""

from __future__ import annotations

import sys
from pathlib import Path

import torch

from ..analysis import analyze
from ..atomic import atomic_output
from ..cli import UsageError
from ..project import save
from .fx_import import ModelImportError
from .sources import import_source


def weights_path(project_path: Path) -> Path:
    return project_path.with_name(project_path.stem + ".weights.pt")


def write_import(imported, out: Path) -> None:
    """The project at `out` and its weights beside it, each written atomically."""
    save(imported.project, out)
    with atomic_output(weights_path(out), ".pt") as temp:
        torch.save(imported.state, temp)


def run_import(args) -> int:
    shape = None
    if args.input_shape:
        try:
            shape = tuple(int(part) for part in args.input_shape.replace("x", ",").split(","))
        except ValueError:
            raise UsageError(
                f"--input-shape {args.input_shape}: write sizes like 3,224,224"
            ) from None
    try:
        imported = import_source(args.source, args.weights, shape, args.args)
    except ModelImportError as error:
        raise UsageError(str(error)) from None
    out = Path(args.out)
    write_import(imported, out)
    shapes = analyze(imported.project.graph).shapes.values()
    count = sum(result.trainable_count for result in shapes)
    print(
        f"neurocanvas: wrote {out} ({len(imported.project.graph.nodes)} top-level nodes, "
        f"{count:,} trainable parameters) and its weights {weights_path(out)}",
        file=sys.stderr,
    )
    if imported.max_difference is not None:
        print(
            f"neurocanvas: the project's output matches the file's within "
            f"{imported.max_difference:.1e} (largest difference on a random input)",
            file=sys.stderr,
        )
    return 0
