"""The few steps between the data engine and the trainer: load and prepare a project's data (or a
`--data SPEC`), and re-normalise a split with a checkpoint's own preprocessing statistics."""

from __future__ import annotations

from typing import Any

from ..data import DataConfig, PreparedData, Preprocessing, TensorSplit, load_dataset, prepare


def data_config(project_data: dict[str, Any] | None, spec: str | None = None) -> DataConfig:
    """`spec` (a path or data set name) when given, else the project's "data" section. A spec
    keeps the project's split and seed."""
    if spec:
        keep = {k: v for k, v in (project_data or {}).items() if k in ("split", "seed")}
        return DataConfig.from_spec(spec, **keep)
    return DataConfig.from_dict(dict(project_data or {}))


def load_prepared(project_data: dict[str, Any] | None, spec: str | None = None) -> PreparedData:
    """Load and prepare the data (raises the data engine's DataError on bad input)."""
    cfg = data_config(project_data, spec)
    return prepare(load_dataset(cfg), cfg)


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
