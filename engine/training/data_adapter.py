"""The few steps between the data engine and the trainer: load and prepare a project's data (or a
`--data SPEC`), and re-normalise a split with a checkpoint's own preprocessing statistics."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch

from ..data import (
    DataConfig,
    DataError,
    PreparedData,
    Preprocessing,
    TensorSplit,
    load_dataset,
    prepare,
)
from ..data.config import source_kind
from ..data.tabular import csv_columns


def data_config(
    project_data: dict[str, Any] | None, spec: str | None = None, notes: list[str] | None = None
) -> DataConfig:
    """`spec` (a path or data set name) when given, else the project's "data" section.

    A spec replaces only the source: the project's other settings (split, seed, target, task,
    missing, normalize, augment, ...) still apply. Its `params` and `target` are dropped when the
    spec is another kind of source (e.g. a file instead of a synthetic set), and its `target` also
    when the new table has no such column; `notes` (when given) gets a line for each drop."""
    project = DataConfig.from_dict(dict(project_data or {}))
    if not spec:
        return project
    fresh = DataConfig.from_spec(spec)
    kept = {k: v for k, v in project.to_dict().items() if k not in ("source", "params")}
    if kept.get("test_source"):  # the project's test file belongs to the project's own data
        _note(notes, f"--data {spec}: not using the project's test file {kept['test_source']}")
        kept["test_source"] = None
    same_kind = source_kind(fresh.source) == source_kind(project.source)
    params = {**project.params, **fresh.params} if same_kind else dict(fresh.params)
    if project.params and not same_kind:
        _note(notes, f"--data {spec}: not using the project's data params (another kind of source)")
    target = project.target
    if target is not None and not same_kind:
        _note(notes, f"--data {spec}: not using the project's target {target!r}")
        target = None
    elif target is not None and source_kind(fresh.source) == "csv":
        columns = _columns(fresh, params)
        if columns is not None and not _has_column(columns, target):
            _note(notes, f"--data {spec}: has no column {target!r}; using its last column")
            target = None
    kept["target"] = target
    return DataConfig(source=fresh.source, params=params, **kept)


def _note(notes: list[str] | None, text: str) -> None:
    if notes is not None:
        notes.append(text)


def _columns(cfg: DataConfig, params: dict[str, Any]) -> list[str] | None:
    from ..data.config import PACKAGED_NAMES, packaged_path

    path = packaged_path(cfg.source) if cfg.source in PACKAGED_NAMES else Path(cfg.source)
    try:
        return csv_columns(path, params)
    except DataError:
        return None  # loading reports it properly


def _has_column(columns: list[str], target: str | int) -> bool:
    if isinstance(target, int):
        return -len(columns) <= target < len(columns)
    name = str(target).strip()
    if name in columns:
        return True
    return name.lstrip("-").isdigit() and -len(columns) <= int(name) < len(columns)


def load_prepared(
    project_data: dict[str, Any] | None,
    spec: str | None = None,
    *,
    class_names: list[str] | None = None,
    allow_download: bool = False,
    test_source: str | None = None,
) -> PreparedData:
    """Load and prepare the data (raises the data engine's DataError on bad input).

    `class_names` (a checkpoint's) numbers the labels by the trained model's classes;
    `allow_download` is the user's consent to fetch a missing MNIST/CIFAR set; `test_source`
    (the CLI's `--test-data`) is a file that is the test split as it is."""
    notes: list[str] = []
    cfg = data_config(project_data, spec, notes)
    if test_source:
        cfg = DataConfig.from_dict({**cfg.to_dict(), "test_source": str(test_source)})
    data = prepare(load_dataset(cfg, class_names=class_names, allow_download=allow_download), cfg)
    data.report[:0] = notes
    return data


def load_all_rows(
    project_data: dict[str, Any] | None,
    spec: str | None = None,
    *,
    class_names: list[str] | None = None,
    preprocessing: dict[str, Any] | None = None,
    allow_download: bool = False,
) -> tuple[TensorSplit, PreparedData]:
    """Every row of the data (its own test split included), normalised with the checkpoint's
    `preprocessing` record (else with statistics of the data's own training split), and the
    prepared data (for its info and report)."""
    notes: list[str] = []
    cfg = data_config(project_data, spec, notes)
    ds = load_dataset(cfg, class_names=class_names, allow_download=allow_download)
    data = prepare(ds, cfg)
    data.report[:0] = notes
    x, y = ds.x, ds.y
    if ds.test is not None:
        x, y = torch.cat([x, ds.test.x]), torch.cat([y, ds.test.y])
    pre = Preprocessing.from_dict(preprocessing) if preprocessing else data.preprocessing
    if pre.fill is None and data.preprocessing.fill is not None:
        pre.fill = data.preprocessing.fill  # an old checkpoint: fill as this data's train split
    if ds.texts is not None:  # texts: encoded by the checkpoint's own tokenizer
        texts = ds.texts + ((ds.test.texts or []) if ds.test is not None else [])
        return TensorSplit(pre.encode_texts(texts), y), data
    try:
        normalised = pre.apply(x)
    except RuntimeError:  # a table with other columns than the one the model was trained on
        trained = list(pre.mean.shape) if pre.mean is not None else "another shape"
        raise DataError(
            f"{cfg.source}: samples of shape {list(x.shape[1:])} do not fit the checkpoint's "
            f"preprocessing (trained on samples of shape {trained}); use data with the same columns"
        ) from None
    return TensorSplit(normalised, y), data


def renormalise(
    split: TensorSplit, used: Preprocessing, wanted: dict[str, Any] | None
) -> TensorSplit:
    """`split` (normalised with `used`) normalised instead as the checkpoint's `wanted` record.
    Unchanged (bit for bit) when both records are the same."""
    if wanted is None or wanted == used.to_dict():
        return split
    raw = used.invert(split.x)
    return TensorSplit(Preprocessing.from_dict(wanted).apply(raw), split.y)


def first_nonempty(data: PreparedData, names=("test", "val", "train")) -> tuple[str, TensorSplit]:
    for name in names:
        split = getattr(data, name, None)
        if split is not None and len(split.x):
            return name, split
    raise ValueError("the data has no samples to evaluate on")
