"""`neurocanvas activations`, `explain` and `projector`: what they do (arguments: cli_args.py).

    neurocanvas activations PROJECT --weights CKPT [--data SPEC] [--sample I] [--layer NODE] --out DIR
    neurocanvas explain PROJECT --weights CKPT [--data SPEC] [--sample I]
                        [--method saliency|ig|gradcam] [--target K] [--layer NODE] --out DIR
    neurocanvas projector PROJECT --weights CKPT --layer NODE [--method pca|tsne] [--dims 2|3] --out DIR

Samples are numbered within the test split of the data (the project's, or `--data`), normalised
with the checkpoint's own statistics. Every command writes PNG pictures and CSV/JSON numbers into
`--out` and prints what it wrote; bad input exits with status 2.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np

from ..cli import UsageError
from ..data import DataError
from ..project import ProjectError
from ..templates import load_project_or_template
from ..training.callbacks import json_safe
from ..training.checkpoint import CheckpointError
from . import images
from .capture import InspectError, capture, capture_batches, input_names, node_order
from .maps import feature_maps, filter_picture, first_conv, is_rgb_filter, kernels
from .render import feature_rows, token_rows
from .source import Inspected, load_inspected, probabilities
from .stats import activation_stats


def _load(args) -> Inspected:
    from ..training.cli_commands import _check_same_network

    try:
        project = load_project_or_template(args.project)
    except ProjectError as error:
        raise UsageError(str(error)) from None
    try:
        from ..training.checkpoint import read_checkpoint

        _check_same_network(project, read_checkpoint(args.weights), args)
        return load_inspected(project, args.weights, args.data, args.download)
    except (CheckpointError, ProjectError) as error:
        raise UsageError(str(error)) from None
    except DataError as error:
        raise UsageError(f"data: {error}") from None


def _out(args) -> Path:
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {args.out} is a file; give a folder")
    out.mkdir(parents=True, exist_ok=True)
    return out


def _write_csv(path: Path, rows: list[dict]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def _write_json(path: Path, value) -> Path:
    path.write_text(json.dumps(json_safe(value), indent=2) + "\n", encoding="utf-8")
    return path


def _top_classes(inspected: Inspected, x, top: int) -> list[dict]:
    probs = probabilities(inspected.model, x)[0]
    order = probs.argsort(descending=True)[:top]
    return [
        {"class": int(k), "name": inspected.label(k), "probability": float(probs[k])} for k in order
    ]


def _sample_record(inspected: Inspected, index: int, x, y, top: int = 5) -> dict:
    record = {"split": inspected.split_name, "sample": index, "label": None, "label_name": None}
    if not y.is_floating_point() and y.ndim == 0:
        record.update(label=int(y), label_name=inspected.label(y))
    if inspected.bundle.get("task") in ("binary", "multiclass"):
        record["top_classes"] = _top_classes(inspected, x, top)
        record["predicted"] = record["top_classes"][0]["class"]
    return record


def _report(out: Path, written: list[Path]) -> None:
    print(f"Wrote {len(written)} file(s) into {out}:")
    for path in written:
        print(f"  {path.name}")


def run_activations(args) -> int:
    if args.stats_samples < 1:
        raise UsageError("--stats-samples must be at least 1")
    inspected = _load(args)
    out = _out(args)
    model = inspected.model
    try:
        x, y = inspected.sample(args.sample)
        layers = (
            [args.layer]
            if args.layer
            else [n for n in node_order(model) if n not in input_names(model)]
        )
        outputs = capture(model, x, layers)
    except InspectError as error:
        raise UsageError(str(error)) from None
    written: list[Path] = []
    for node in layers:
        maps = feature_maps(node, outputs[node][0])
        written.append(images.save_png(maps.picture(), out / f"{node}_feature_maps.png"))
        written.append(_write_csv(out / f"{node}_channels.csv", maps.rows()))
    try:
        conv = first_conv(model)
        picture = filter_picture(kernels(model, conv), rgb=is_rgb_filter(model, conv))
        written.append(images.save_png(picture, out / f"{conv}_filters.png"))
    except InspectError:
        conv = None
    if args.layer and args.layer != conv:
        try:
            weight = kernels(model, args.layer)
            written.append(
                images.save_png(filter_picture(weight), out / f"{args.layer}_filters.png")
            )
        except InspectError:
            pass
    stats = activation_stats(model, inspected.split.x[: args.stats_samples])
    written.append(_write_csv(out / "stats.csv", [s.row() for s in stats]))
    written.append(
        _write_json(
            out / "stats.json",
            [
                {**s.row(), "histogram": {"edges": s.histogram[0], "counts": s.histogram[1]}}
                for s in stats
            ],
        )
    )
    record = _sample_record(inspected, args.sample, x, y)
    written.append(_write_json(out / "sample.json", record))
    _report(out, written)
    return 0


def run_explain(args) -> int:
    from .attribution import attribute

    inspected = _load(args)
    out = _out(args)
    model = inspected.model
    try:
        x, y = inspected.sample(args.sample)
        record = _sample_record(inspected, args.sample, x, y, max(args.top, 1))
        written: list[Path] = []
        if not x.is_floating_point():  # token ids: Integrated Gradients per token
            target, rows = token_rows(inspected, x, args.target)
            record.update(method="ig", target=target, tokens=len(rows))
            written.append(_write_csv(out / "token_attributions.csv", rows))
            picture = images.token_strip(
                [r["token"] for r in rows], [r["attribution"] for r in rows]
            )
            written.append(images.save_png(picture, out / "token_attributions.png"))
        elif x.ndim == 2:  # a table: per-feature Integrated Gradients
            written += _explain_table(inspected, x, args, out)
            record["method"] = "ig"
        else:
            result = attribute(model, x, args.method, target=args.target, layer=args.layer)
            record.update(method=result.method, target=result.target, layer=result.layer)
            if result.delta is not None:
                record["convergence_delta"] = result.delta
            written += _explain_image(x, result, args.method, out)
    except InspectError as error:
        raise UsageError(str(error)) from None
    written.append(_write_json(out / "top_classes.json", record))
    _report(out, written)
    return 0


def _explain_image(x, result, method: str, out: Path) -> list[Path]:
    sample = x[0].detach().numpy()
    heat = result.map2d().numpy()
    written = [images.save_png(images.heat(heat).resize((224, 224)), out / f"{method}.png")]
    if sample.ndim == 3:
        picture = images.overlay(sample, heat).resize((224, 224))
        written.append(images.save_png(picture, out / f"{method}_overlay.png"))
    np.savetxt(out / f"{method}.csv", heat.reshape(heat.shape[0], -1), delimiter=",", fmt="%.6g")
    written.append(out / f"{method}.csv")
    return written


def _explain_table(inspected, x, args, out: Path) -> list[Path]:
    return [_write_csv(out / "feature_attributions.csv", feature_rows(inspected, x, args.target))]


def run_projector(args) -> int:
    from .projection import project

    inspected = _load(args)
    out = _out(args)
    if args.samples < args.dims + 1:
        raise UsageError(f"--samples must be at least {args.dims + 1}")
    x = inspected.split.x[: args.samples]
    try:
        values = capture_batches(inspected.model, x, [args.layer])[args.layer]
    except InspectError as error:
        raise UsageError(str(error)) from None
    try:
        result = project(values.reshape(len(values), -1).numpy(), args.method, args.dims)
    except ValueError as error:
        raise UsageError(f"{args.layer}: {error}") from None
    labels = inspected.split.y[: args.samples]
    classes = (
        labels.numpy() if not labels.is_floating_point() and labels.ndim == 1 else np.zeros(len(x))
    )
    predicted = probabilities(inspected.model, x).argmax(dim=1).numpy()
    rows = [
        {
            "sample": i,
            **{f"x{d}": float(result.coords[i, d]) for d in range(args.dims)},
            "label": int(classes[i]),
            "predicted": int(predicted[i]),
        }
        for i in range(len(x))
    ]
    name = f"{args.layer}_{args.method}{args.dims}d"
    written = [
        _write_csv(out / f"{name}.csv", rows),
        images.save_png(images.scatter(result.coords, classes), out / f"{name}.png"),
        _write_json(
            out / f"{name}.json",
            {
                "layer": args.layer,
                "method": args.method,
                "dims": args.dims,
                "samples": len(x),
                "explained_variance_ratio": list(result.explained_variance_ratio),
            },
        ),
    ]
    _report(out, written)
    return 0
