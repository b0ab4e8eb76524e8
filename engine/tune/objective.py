"""One trial of a study: the project with the trial's values, trained as an ordinary run folder
(`<runs>/<slug>-<study>-trial-0007`, the Runs view opens it), scored by the objective metric.

The value is the objective at the best epoch (the weights the run keeps), or with `folds` the
mean of the folds' held-out values (cross_validation.py; "val_accuracy" is then each fold's
held-out "accuracy"). The pruner hears the objective every epoch (through a trainer callback),
or with folds the running mean after each fold; a pruned trial stops at once.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from .. import project as project_io
from ..training.callbacks import Callback
from .space import TuningConfig, TuningError
from .study import slug
from .values import apply_values, spec_of, suggest


class TrialFailed(RuntimeError):
    """A trial whose run failed (diverged, a network the values break); the study goes on."""


class PruningCallback(Callback):
    """Reports the objective to the trial each epoch; asks the trainer to stop when pruned."""

    def __init__(self, trial, metric: str):
        self.trial, self.metric, self.pruned = trial, metric, False

    def on_epoch_end(self, trainer, epoch: int, logs: dict[str, float]) -> None:
        value = logs.get(self.metric)
        if value is None or not math.isfinite(value):
            return
        self.trial.report(float(value), epoch)
        if self.trial.should_prune():
            self.pruned = True
            trainer.request_stop(reason="pruned")


class TrialObjective:
    """`objective(trial) -> value` for `run_worker`; loads the data once per process."""

    def __init__(
        self,
        project: project_io.Project,
        config: TuningConfig,
        runs_root: str | Path,
        study_name: str,
        *,
        data_spec: str | None = None,
        device: str = "auto",
    ):
        self.project, self.config = project, config
        self.runs_root, self.study_name = Path(runs_root), study_name
        self.data_spec, self.device = data_spec, device
        self._dataset = None
        self._prepared = None

    def values(self, trial) -> dict[str, Any]:
        return {d.key: suggest(trial, d, spec_of(d, self.project)) for d in self.config.dimensions}

    def run_dir(self, number: int) -> Path:
        name, study = slug(self.project.name), slug(self.study_name)
        stem = name if study == name else f"{name}-{study}"
        return (self.runs_root / f"{stem}-trial-{number:04d}").absolute()

    def __call__(self, trial) -> float:
        import optuna

        tuned = apply_values(self.project, self.config, self.values(trial))
        folder = self.run_dir(trial.number)
        trial.set_user_attr("run_dir", str(folder))
        if self.config.folds:
            return self._cross_validated(trial, tuned, folder)
        from ..training.trainer import Trainer

        pruning = PruningCallback(trial, self.config.objective)
        trainer = Trainer(
            tuned, self.prepared(), callbacks=[pruning], device=self.device, run_dir=folder
        )
        outcome = trainer.run()
        if pruning.pruned:
            raise optuna.TrialPruned(f"pruned at epoch {trainer.epoch}")
        if not hasattr(outcome, "test"):
            raise TrialFailed(outcome.message)
        value = self._objective_value(trainer)
        trial.set_user_attr("metrics", _finite(trainer.best_logs or trainer.history[-1]))
        return value

    def _objective_value(self, trainer) -> float:
        logs = trainer.best_logs or (trainer.history[-1] if trainer.history else {})
        if self.config.objective not in logs:
            measured = ", ".join(sorted(k for k in logs if k not in ("lr", "epoch")))
            raise TuningError(
                f"the objective {self.config.objective!r} is not measured by this run; "
                f"measured: {measured}"
            )
        return float(logs[self.config.objective])

    def _cross_validated(self, trial, tuned: project_io.Project, folder: Path) -> float:
        import optuna

        from ..training.cross_validation import CrossValidationError, cross_validate

        metric = self.config.objective
        seen: list[float] = []

        def on_fold(index: int, metrics: dict[str, float]) -> None:
            name = metric if metric in metrics else metric.removeprefix("val_")
            if name not in metrics:
                raise TuningError(
                    f"the objective {metric!r} is not measured on a fold; measured: "
                    f"{', '.join(sorted(metrics))}"
                )
            seen.append(metrics[name])
            trial.report(sum(seen) / len(seen), index)
            if index + 1 < self.config.folds and trial.should_prune():
                raise optuna.TrialPruned(f"pruned after fold {index + 1}")

        try:
            result = cross_validate(
                tuned,
                self.config.folds,
                run_root=folder,
                device=self.device,
                on_fold=on_fold,
                dataset=self.dataset(),
            )
        except CrossValidationError as error:
            raise TrialFailed(str(error)) from None
        summary = result.summary()
        trial.set_user_attr("metrics", {k: m for k, (m, _) in summary.items()})
        trial.set_user_attr("std", {k: s for k, (_, s) in summary.items()})
        return sum(seen) / len(seen)

    def dataset(self):
        """(Dataset, DataConfig), loaded once."""
        if self._dataset is None:
            from ..data import load_dataset
            from ..training.data_adapter import data_config

            cfg = data_config(self.project.data, self.data_spec)
            self._dataset = (load_dataset(cfg), cfg)
        return self._dataset

    def prepared(self):
        """The project's train/val/test splits, prepared once (no dimension changes the data)."""
        if self._prepared is None:
            from ..data import prepare

            ds, cfg = self.dataset()
            self._prepared = prepare(ds, cfg)
        return self._prepared


def _finite(logs: dict[str, Any]) -> dict[str, float]:
    return {
        k: float(v)
        for k, v in logs.items()
        if isinstance(v, (int, float)) and math.isfinite(v) and k != "epoch"
    }
