"""Building the trainer's RunStarted / RunFinished / RunFailed events from its state (a mixin of
`Trainer`, kept apart so each module stays short)."""

from __future__ import annotations

import traceback

import torch

from .devices import device_name
from .events import RunFailed, RunFinished, RunStarted
from .metrics import EvalResult


class TrainingError(RuntimeError):
    """A run that cannot go on; `kind` is "nan", "oom" or "error"."""

    def __init__(self, message: str, kind: str = "error"):
        super().__init__(message)
        self.kind = kind


class RunEventsMixin:
    def _started_event(self) -> RunStarted:
        params = list(self.model.parameters())
        sizes = {
            name: (0 if self.splits[name] is None else int(self.splits[name][0].shape[0]))
            for name in ("train", "val", "test")
        }
        return RunStarted(
            str(self.run_dir) if self.run_dir else None,
            self.device.type,
            device_name(self.device),
            sum(p.numel() for p in params),
            sum(p.numel() for p in params if p.requires_grad),
            self.config.to_dict(),
            self.objective.task,
            self.objective.loss,
            self.objective.note,
            sizes["train"],
            sizes["val"],
            sizes["test"],
            self.batches_per_epoch,
            self.epoch + 1,
            self.amp_dtype is not None,
        )

    def _finished_event(self, seconds: float) -> RunFinished:
        result = self.test_result or EvalResult({})
        trained = self.samples_trained
        which = "best" if self.config.restore_best and self.best_state is not None else "last"
        path = self.checkpoint_path(which)
        return RunFinished(
            self.final_epoch,
            self.epoch,
            self.stop_reason or "completed",
            dict(result.metrics),
            result.confusion_matrix,
            self.class_names,
            str(path) if path is not None and path.exists() else None,
            str(self.run_dir) if self.run_dir else None,
            seconds,
            trained / max(seconds, 1e-9),
            dict(result.per_class),
            getattr(self, "evaluated_on", "test"),
        )

    def _failed_event(self, error: Exception) -> RunFailed:
        if isinstance(error, torch.cuda.OutOfMemoryError) or "out of memory" in str(error):
            kind = "oom"
            message = (
                f"The GPU ran out of memory (batch size {self.config.batch_size}); "
                "try a smaller batch size or a smaller network."
            )
        elif isinstance(error, TrainingError):
            kind, message = error.kind, str(error)
        else:
            kind, message = "error", f"{type(error).__name__}: {error}"
        kept = [
            path
            for path in (self.checkpoint_path("best"), self.checkpoint_path("last"))
            if path is not None and path.exists()
        ]
        return RunFailed(
            message,
            kind,
            self.epoch,
            str(kept[0]) if kept else None,
            str(self.run_dir) if self.run_dir else None,
            traceback.format_exc(),
        )
