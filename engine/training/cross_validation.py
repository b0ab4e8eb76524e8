"""k-fold cross-validation of a project: one ordinary run per fold, scored on the fold's held-out
rows, and every metric's mean and standard deviation over the folds.

    result = cross_validate(project, folds=5)
    result.folds        # [{"accuracy": 0.77, "loss": 0.48, ...}, ...] held-out metrics per fold
    result.summary()    # {"accuracy": (mean, std), ...}

The folds come from data/folds.py (stratified for classes, expanding windows for a series); each
fold's normalisation is fitted on its own training rows. Each fold is a run folder
(`<root>/<name>/fold-1`, ...) the Runs view can open. `fold_callbacks(i)` adds callbacks to fold
i's trainer (tuning's pruner reads the folds this way).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .. import project as project_io
from .callbacks import Callback
from .config import TrainConfig
from .events import RunFailed

SKIPPED_METRICS = ("seconds",)


class CrossValidationError(RuntimeError):
    """A fold whose run failed; the message names the fold."""


@dataclass
class CVResult:
    kind: str  # "stratified", "shuffled" or "expanding"
    folds: list[dict[str, float]] = field(default_factory=list)
    run_dirs: list[str | None] = field(default_factory=list)

    def summary(self) -> dict[str, tuple[float, float]]:
        """Each metric's (mean, sample standard deviation) over the folds."""
        return summarize(self.folds)

    def mean(self, metric: str) -> float:
        return self.summary()[_held_out_name(metric, self.folds)][0]

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "folds": [
                {"fold": i + 1, "run_dir": run, **metrics}
                for i, (metrics, run) in enumerate(zip(self.folds, self.run_dirs))
            ],
            "mean": {k: m for k, (m, _) in self.summary().items()},
            "std": {k: s for k, (_, s) in self.summary().items()},
        }


def summarize(rows: Sequence[dict[str, float]]) -> dict[str, tuple[float, float]]:
    """(mean, sample std; 0 for one row) of every metric all `rows` have."""
    if not rows:
        return {}
    names = [k for k in rows[0] if all(k in r for r in rows) and k not in SKIPPED_METRICS]
    out = {}
    for name in names:
        values = np.array([float(r[name]) for r in rows], dtype=float)
        std = float(values.std(ddof=1)) if len(values) > 1 else 0.0
        out[name] = (float(values.mean()), std)
    return out


def _held_out_name(metric: str, folds: Sequence[dict[str, float]]) -> str:
    """A fold is scored on its held-out rows: "val_accuracy" there is "accuracy"."""
    if folds and metric not in folds[0]:
        return metric.removeprefix("val_")
    return metric


def cross_validate(
    project: project_io.Project,
    folds: int,
    *,
    data_spec: str | None = None,
    config: TrainConfig | None = None,
    run_root: str | Path | None = None,
    device: str = "auto",
    fold_callbacks: Callable[[int], list[Callback]] | None = None,
    on_fold: Callable[[int, dict[str, float]], None] | None = None,
    dataset: Any = None,
) -> CVResult:
    """Train `project` once per fold (see the module docstring). `run_root`: where the fold
    folders go (None: no folders, as with checkpoints off); `dataset`: the loaded `Dataset`
    and its `DataConfig` as a pair, when the caller has them (a study loads its data once)."""
    from ..data import load_dataset
    from ..data.folds import cv_folds, fold_kind, prepare_fold
    from .data_adapter import data_config
    from .trainer import Trainer

    if dataset is None:
        cfg = data_config(project.data, data_spec)
        dataset = (load_dataset(cfg), cfg)
    ds, cfg = dataset
    config = config or TrainConfig.from_dict(project.training)
    result = CVResult(fold_kind(ds, cfg))
    for index, fold in enumerate(cv_folds(ds, cfg, folds)):
        data = prepare_fold(ds, cfg, fold)
        folder = Path(run_root) / f"fold-{index + 1}" if run_root is not None else None
        extra = list(fold_callbacks(index)) if fold_callbacks else []
        trainer = Trainer(
            project,
            data,
            config if folder is not None else config.replace(checkpoint=False),
            callbacks=extra,
            device=device,
            run_dir=folder,
        )
        outcome = trainer.run()
        if isinstance(outcome, RunFailed):
            raise CrossValidationError(f"fold {index + 1} of {folds}: {outcome.message}")
        metrics = {k: v for k, v in outcome.test.items() if _finite(v)}
        result.folds.append(metrics)
        result.run_dirs.append(outcome.run_dir)
        if on_fold is not None:
            on_fold(index, metrics)
        if trainer.stop_reason not in (None, "early_stopping"):
            break  # stopped (a pruned trial, Ctrl+C): the remaining folds are not wanted
    return result


def _finite(value: Any) -> bool:
    return isinstance(value, (int, float)) and math.isfinite(value)
