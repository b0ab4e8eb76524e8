"""What the data panel offers and how it reads a choice, without widgets: the sources (named
sets, files, folders), the preview load (on a background thread), the target column a CSV load
uses, and a data set that fits a graph with no data yet."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from neurocanvas.engine.data import SYNTHETIC_NAMES, DataConfig
from neurocanvas.engine.data.config import PACKAGED_NAMES, canonical_name
from neurocanvas.engine.shape_format import format_shape

FILE_SOURCES = ("CSV / TSV file", "NumPy .npz file", "Image folder", "MNIST / CIFAR folder")
BUILTINS = ("mnist", "fashion-mnist", "cifar10")
NAMED = (*SYNTHETIC_NAMES, *BUILTINS, *PACKAGED_NAMES)  # sources chosen by name, no path
MISSING = ("drop", "mean", "median", "most_frequent")


def load_preview(config: dict[str, Any]) -> dict[str, Any]:
    """Load and describe the data (runs on the background thread; plain values out).

    A built-in set that is not on disk is no failure but {"missing": name, "message": ...}:
    the panel then offers to download it (only the user may allow that)."""
    from neurocanvas.engine.data import (
        MissingDataError,
        load_dataset,
        preview_images,
        preview_rows,
        scatter_points,
    )

    cfg = DataConfig.from_dict(config)
    try:
        ds = load_dataset(cfg)
    except MissingDataError as missing:
        return {"missing": missing.name, "message": str(missing)}
    result: dict[str, Any] = {
        "info": ds.info.to_dict(),
        "report": list(ds.report),
        "source": cfg.source,  # as the data section names it ("iris", a path)
    }
    result["columns"], result["rows"] = preview_rows(ds, 50)
    if ds.info.is_image:
        result["images"] = preview_images(ds, 16, augmented=bool(cfg.augment), augment=cfg.augment)
    elif ds.x.ndim == 2 and ds.x.shape[1] in (1, 2) and ds.texts is None:  # texts: row numbers
        result["points"], result["values"] = scatter_points(ds)
    result.update(_sequence_previews(ds, cfg))
    columns = list(ds.preview_columns) or _file_columns(cfg)  # a series' or sequences' file
    if columns:  # a table: which column is the target (the form shows its name)
        result["file_columns"] = columns  # texts preview other columns
        result["target_column"] = target_column(columns, cfg.target)
    return result


def _file_columns(cfg: DataConfig) -> list[str]:
    """The columns of a delimited file read as series or sequences (for the target list)."""
    from neurocanvas.engine.data.config import packaged_path, source_kind
    from neurocanvas.engine.data.tabular import csv_columns

    if source_kind(cfg.source) != "csv":
        return []
    name = canonical_name(cfg.source)
    path = packaged_path(name) if name in PACKAGED_NAMES else Path(cfg.source).expanduser()
    params = {k: v for k, v in cfg.params.items() if k in ("delimiter", "header", "encoding")}
    return csv_columns(path, params)


def _sequence_previews(ds, cfg: DataConfig) -> dict[str, Any]:
    """The series with its cuts, sequences per class, or the texts' tokenisation (when that
    cannot be worked out, the load still shows its table and report)."""
    from neurocanvas.engine.data import DataError
    from neurocanvas.engine.data.sequence_preview import (
        class_examples,
        series_overview,
        text_overview,
    )

    try:
        if ds.time_spans is not None:
            return {"series": series_overview(ds, cfg)}
        if ds.texts is not None:
            return {"text_overview": text_overview(ds, cfg)}
        if ds.info.is_sequence and ds.info.class_names:
            return {"examples": class_examples(ds)}
    except DataError:
        pass
    return {}


def missing_builtin(data: dict[str, Any] | None) -> str | None:
    """The built-in set (MNIST...) the data section names when it is not on disk, else None: a
    run would only fail on it, so the window offers the download instead (F5 or Train)."""
    source = (data or {}).get("source")
    if not source or canonical_name(str(source)) not in BUILTINS:
        return None
    from neurocanvas.engine.data.builtin import locate

    name = canonical_name(str(source))
    return name if locate(name, ((data or {}).get("params") or {}).get("root")) is None else None


def saved_data(document) -> tuple[dict[str, Any] | None, str]:
    """What to load when a project opens, so it comes back as it was saved: (config, "") for a
    file or folder source (a CSV sizes the canvas's `auto` layers), or for a named set the
    graph needs for its sizes; (None, why) when its file is gone; (None, "") otherwise."""
    data = dict(document.project.data or {})
    source = data.get("source")
    if not source:
        return None, ""
    if is_named(source):
        analysis = getattr(document, "analyses", {}).get(document.project.main_graph)
        complete = getattr(analysis or document.analysis, "complete", True)  # the main network's
        if complete or canonical_name(source) in BUILTINS:  # big sets load on Load or a run
            return None, ""
    elif not Path(source).expanduser().exists():
        return None, (
            f"The project's data {source} is not there any more (moved or renamed?). "
            "Choose it again with Browse…, then Load data."
        )
    try:
        return DataConfig.from_dict(data).to_dict(), ""
    except Exception:  # noqa: BLE001 - the form shows what is wrong with the section
        return None, ""


def info_html(info: dict[str, Any], report: list[str], full: bool = True) -> str:
    """The data summary under the form: samples, features, task (and classes, outputs, loss)."""
    shape = format_shape(info["feature_shape"])
    names = info.get("class_names") or []
    classes = ", ".join(names[:10]) + ("…" if len(names) > 10 else "")
    lines = [
        f"<b>{info['num_samples']:,} samples</b>, features {shape}, task {info['task']}"
        + (f" ({len(names)} classes: {classes})" if names and full else "")
    ]
    if full:
        lines.append(
            f"Output: {info['num_outputs']} unit(s), {info['suggested_output_activation']}; "
            f"suggested loss {info['suggested_loss']}"
        )
    return "<br>".join([*lines, *report])


def target_column(columns: list[str], target: str | int | None) -> str | None:
    """The column a CSV load uses as its target (as the engine picks it): None -> the last."""
    if not columns:
        return None
    if target is None or target == "":
        return columns[-1]
    if isinstance(target, int) or str(target).lstrip("-").isdigit():
        if str(target) in columns:
            return str(target)
        index = int(target)
        return columns[index] if -len(columns) <= index < len(columns) else None
    return str(target) if str(target) in columns else None


def default_source(project) -> str:
    """A data set that fits the graph's Input when the project names none: MNIST for 1x28x28
    (or 28x28 sequences), CIFAR-10 for 3-channel images, xor otherwise."""
    graph = getattr(project, "graph", None)
    for node in getattr(graph, "nodes", {}).values():
        if getattr(node, "type", None) != "Input":
            continue
        shape = list(node.params.get("shape") or [])
        if len(shape) == 3 and shape[0] == 3:
            return "cifar10"
        if (len(shape) == 3 and shape[0] == 1) or shape == [28, 28]:
            return "mnist"
    return "xor"


def is_named(source: str) -> bool:
    return canonical_name(source) in NAMED


def noun(kind: str) -> str:
    return "folder" if "folder" in kind.lower() else "file"


def file_kind(path: str) -> str:
    p = Path(path)
    if p.suffix.lower() in (".npz", ".npy"):
        return FILE_SOURCES[1]
    if p.is_dir():
        names = {child.name.lower() for child in p.iterdir()} if p.exists() else set()
        if any("idx" in name or "batch" in name for name in names):
            return FILE_SOURCES[3]
        return FILE_SOURCES[2]
    return FILE_SOURCES[0]
