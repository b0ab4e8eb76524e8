"""Event publishing, a built-in callback: `EventPublisher` turns the trainer's hooks into the
frozen events its subscribers get (RunStarted, BatchEnded, EpochEnded, RunFinished, RunFailed), so
callbacks are the trainer's one extension mechanism. The RunStarted / RunFinished / RunFailed
events are built here from the trainer's state."""

from __future__ import annotations

import traceback
from collections.abc import Callable
from typing import TYPE_CHECKING

import torch

from .callbacks import Callback
from .devices import device_name
from .events import BatchEnded, Event, RunFailed, RunFinished, RunStarted
from .metrics import EvalResult

if TYPE_CHECKING:
    from .trainer import Trainer


class TrainingError(RuntimeError):
    """A run that cannot go on; `kind` is "nan", "oom" or "error"."""

    def __init__(self, message: str, kind: str = "error"):
        super().__init__(message)
        self.kind = kind


class EventPublisher(Callback):
    """The trainer's first callback: publishes each hook's event to the subscribers, on the
    training thread. A subscriber that raises fails the run (as a callback would)."""

    def __init__(self) -> None:
        self.subscribers: list[Callable[[Event], None]] = []

    def subscribe(self, fn: Callable[[Event], None]) -> Callable[[], None]:
        self.subscribers.append(fn)
        return lambda: self.subscribers.remove(fn) if fn in self.subscribers else None

    def publish(self, event: Event) -> None:
        for fn in list(self.subscribers):
            fn(event)

    def on_run_start(self, trainer: Trainer) -> None:
        self.publish(started_event(trainer))

    def on_progress(self, trainer: Trainer, event: BatchEnded) -> None:
        if self.subscribers:
            self.publish(event)

    def on_epoch_end(self, trainer: Trainer, epoch: int, logs: dict[str, float]) -> None:
        self.publish(trainer.epoch_report)

    def on_run_end(self, trainer: Trainer, event: RunFinished) -> None:
        self.publish(event)

    def on_run_failed(self, trainer: Trainer, event: RunFailed) -> None:
        self.publish(event)


def started_event(trainer: Trainer) -> RunStarted:
    params = list(trainer.model.parameters())
    sizes = {
        name: (0 if trainer.splits[name] is None else int(trainer.splits[name][0].shape[0]))
        for name in ("train", "val", "test")
    }
    return RunStarted(
        str(trainer.run_dir) if trainer.run_dir else None,
        trainer.device.type,
        device_name(trainer.device),
        sum(p.numel() for p in params),
        sum(p.numel() for p in params if p.requires_grad),
        trainer.config.to_dict(),
        trainer.objective.task,
        trainer.objective.loss,
        trainer.objective.note,
        sizes["train"],
        sizes["val"],
        sizes["test"],
        trainer.batches_per_epoch,
        trainer.epoch + 1,
        trainer.amp_dtype is not None,
        trainer.state.compile_note,
    )


def finished_event(trainer: Trainer, seconds: float) -> RunFinished:
    result = trainer.test_result or EvalResult({})
    trained = trainer.samples_trained
    which = "best" if trainer.config.restore_best and trainer.best_state is not None else "last"
    path = trainer.checkpoint_path(which)
    return RunFinished(
        trainer.final_epoch,
        trainer.epoch,
        trainer.stop_reason or "completed",
        dict(result.metrics),
        result.confusion_matrix,
        trainer.class_names,
        str(path) if path is not None and path.exists() else None,
        str(trainer.run_dir) if trainer.run_dir else None,
        seconds,
        trained / max(seconds, 1e-9),
        dict(result.per_class),
        getattr(trainer, "evaluated_on", "test"),
        dict(getattr(trainer, "split_metrics", {})),
        dict(result.forecast),
        list(result.misclassified),
    )


def failed_event(trainer: Trainer, error: Exception) -> RunFailed:
    if isinstance(error, torch.cuda.OutOfMemoryError) or "out of memory" in str(error):
        kind = "oom"
        message = (
            f"The GPU ran out of memory (batch size {trainer.config.batch_size}); "
            "try a smaller batch size or a smaller network."
        )
    elif isinstance(error, TrainingError):
        kind, message = error.kind, str(error)
    else:
        kind, message = "error", f"{type(error).__name__}: {error}"
    kept = [
        path
        for path in (trainer.checkpoint_path("best"), trainer.checkpoint_path("last"))
        if path is not None and path.exists()
    ]
    return RunFailed(
        message,
        kind,
        trainer.epoch,
        str(kept[0]) if kept else None,
        str(trainer.run_dir) if trainer.run_dir else None,
        traceback.format_exc(),
    )
