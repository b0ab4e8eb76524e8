"""The trainer: an explicit PyTorch loop over whole tensors, with callbacks and published events.

    trainer = Trainer(project, data, TrainConfig.from_dict(project.training), device="auto")
    trainer.subscribe(print)      # RunStarted, BatchEnded (throttled), EpochEnded, RunFinished/Failed
    result = trainer.run()        # blocking; the window runs it in its training process
    trainer.request_stop()        # from any thread: takes effect before the next batch

`data` is the data engine's PreparedData, or anything with `.train`, `.val`, `.test` splits (each
with tensors `.x`, `.y`, or None) and optionally `.info`, `.preprocessing` and `.class_names`.
The hot loop keeps the data as whole tensors on the device, shuffles with a seeded generator, and
reads metrics from the device at most ten times a second; nothing else synchronises per batch.

Composed, not inherited: `prepare_run` gives the `RunState` (run_state.py), a `TrainStep` does each
batch's update (steps.py; `train_step=` plugs in another), a `RunFolder` names the run's files
(run_folder.py), run_checkpoints.py writes best.pt/last.pt, and events reach subscribers through a
built-in callback (`EventPublisher`), so callbacks are the one extension mechanism.
"""

from __future__ import annotations

import contextlib
import math
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch
from torch import fx

from .. import project as project_io
from ..graph import Graph
from .callbacks import Callback, EarlyStopping, overrides
from .config import TrainConfig
from .devices import resolve_device
from .evaluation import evaluate_view
from .events import BatchEnded, EpochEnded, Event, RunFailed, RunFinished
from .metrics import EvalResult, RunningMetrics, monitor_mode
from .run_checkpoints import load_resume_state, save_checkpoints, write_best, write_last
from .run_events import EventPublisher, TrainingError, failed_event, finished_event
from .run_folder import RunFolder
from .run_state import RunState, class_names_of, gpu_memory_mib
from .steps import TrainStep, training_step

if TYPE_CHECKING:
    from .distributed import Ranks

BATCH_EVENT_INTERVAL = 0.1  # seconds between BatchEnded events (and device reads)
HOOKS = tuple(name for name in vars(Callback) if name.startswith("on_"))


def _from_state(name: str) -> property:
    return property(lambda self: getattr(self.state, name), doc=f"The run's {name} (RunState).")


class Trainer:
    """One training run. `callbacks` hook into the loop; `train_step` (default: a
    `SupervisedStep`) is what the loop does with each batch."""

    def __init__(
        self,
        project_or_graph: project_io.Project | Graph,
        data: Any,
        config: TrainConfig | dict | None = None,
        callbacks: list[Callback] = (),
        device: str = "auto",
        *,
        run_dir: str | Path | None = None,
        model: fx.GraphModule | None = None,
        resume_from: str | Path | None = None,
        train_step: TrainStep | None = None,
        ranks: Ranks | None = None,
    ):
        if isinstance(project_or_graph, Graph):
            project_or_graph = project_io.Project(name="model", graph=project_or_graph)
        self.project = project_or_graph
        self.data = data
        if config is None:
            config = TrainConfig.from_dict(self.project.training)
        self.config = config if isinstance(config, TrainConfig) else TrainConfig.from_dict(config)
        self.events = EventPublisher()
        self.callbacks: list[Callback] = [self.events, *callbacks]
        # Several processes (distributed.py): rank 0 writes and reports, every rank trains.
        self.ranks = ranks
        if train_step is None:
            train_step = training_step(self.config, ranks)
        self.train_step = train_step
        self.device = resolve_device(self.config.device if device == "auto" else device)
        self.model = model
        self.state: RunState | None = None
        self.resume_from = Path(resume_from) if resume_from else None
        if run_dir is None and self.resume_from is not None:
            run_dir = self.resume_from.parent
        self.folder = RunFolder(Path(run_dir)) if run_dir else None
        self.history: list[dict[str, float]] = []
        self.best_value, self.best_epoch, self.best_state = math.nan, 0, None
        self.best_logs: dict[str, float] = {}
        self._best_pending, self._last_write = False, time.perf_counter()
        self.stop_reason: str | None = None
        self.result: RunFinished | RunFailed | None = None
        self.test_result: EvalResult | None = None
        self.epoch_report: EpochEnded | None = None
        self._hooks: dict[str, list[Callable[..., None]]] = {}
        self._stop = threading.Event()
        self._unpaused = threading.Event()
        self._unpaused.set()
        self.epoch = 0
        self.step = 0
        self._partial_epoch = False
        self._last_batch_event: float | None = None
        self.samples_trained = 0

    # what the run trains (RunState), once run() has prepared it --------------------------------
    view = _from_state("view")
    objective = _from_state("objective")
    auto = _from_state("auto")
    splits = _from_state("splits")
    schedule = _from_state("schedule")
    scaler = _from_state("scaler")
    amp_dtype = _from_state("amp_dtype")
    monitor = _from_state("monitor")
    num_classes = _from_state("num_classes")
    batches_per_epoch = _from_state("batches_per_epoch")
    generator = _from_state("generator")

    @property
    def optimizer(self) -> torch.optim.Optimizer:
        return self.state.optimizers[0]

    @property
    def run_dir(self) -> Path | None:
        return None if self.folder is None else self.folder.path

    @property
    def class_names(self) -> list[str]:
        return class_names_of(self.data)

    def checkpoint_path(self, which: str = "best") -> Path | None:
        return None if self.folder is None else self.folder.checkpoint(which)

    # control, from any thread ------------------------------------------------------------------
    def subscribe(self, fn: Callable[[Event], None]) -> Callable[[], None]:
        """Call `fn(event)` (on the training thread) for every event; returns an unsubscribe."""
        return self.events.subscribe(fn)

    def request_stop(self, reason: str = "user") -> None:
        self.stop_reason = self.stop_reason or reason
        self._stop.set()
        self._unpaused.set()

    def pause(self) -> None:
        self._unpaused.clear()

    def resume(self) -> None:
        self._unpaused.set()

    @property
    def paused(self) -> bool:
        return not self._unpaused.is_set()

    # the run -----------------------------------------------------------------------------------
    def run(self) -> RunFinished | RunFailed:
        """Train, validate each epoch, test at the end. Never raises for a failed run: it returns
        (and publishes) RunFailed with a readable message, keeping the last good checkpoint."""
        started = time.perf_counter()
        previous_threads = torch.get_num_threads()
        # Re-set before this thread's first op: a thread that never set it (the GUI's worker)
        # trains measurably slower with the same reported count.
        torch.set_num_threads(previous_threads)
        try:
            self._prepare()
            self._call("on_run_start")
            while self.epoch < self.config.epochs and not self._stop.is_set():
                self._run_epoch(self.epoch + 1)
            self._finish_training()
            self.result = finished_event(self, time.perf_counter() - started)
            if self.folder is not None:
                with contextlib.suppress(OSError):  # a full disk must not undo a finished run
                    self.folder.write_result(self.result)
            self._call("on_run_end", self.result)
        except Exception as error:  # noqa: BLE001 - every failure becomes a RunFailed event
            self._fail(error)
        finally:
            torch.set_num_threads(previous_threads)
        return self.result

    def _prepare(self) -> None:
        """The RunState, the step, early stopping, the resumed state and the run folder."""
        cfg = self.config
        if getattr(self.data, "reconstruct", False) and cfg.mode != "reconstruction":
            # The data says target = input: train (and checkpoint) as an autoencoder.
            cfg = self.config = cfg.replace(mode="reconstruction")
        if self.ranks is not None and not self.ranks.is_main:  # only rank 0 writes files
            self.folder = None
            cfg = self.config = cfg.replace(checkpoint=False, tensorboard=False)
        self.state = self.train_step.prepare(self.project, self.data, cfg, self.device, self.model)
        self.model = self.state.model
        self.train_step.configure(self.state, cfg)
        if cfg.early_stopping and not any(isinstance(c, EarlyStopping) for c in self.callbacks):
            es = cfg.early_stopping
            self.callbacks.append(EarlyStopping(self.monitor, es["patience"], es["min_delta"]))
        if self.resume_from is not None:
            load_resume_state(self)
        if self.folder is None and cfg.checkpoint:
            self.folder = RunFolder.new(self.project.name)
        if self.folder is not None:
            self.folder.create(self._folder_config())
            self.callbacks += self.folder.loggers(cfg.tensorboard)
        self._bind_hooks()

    def _bind_hooks(self) -> None:
        # Bound once: a hook no callback overrides costs nothing, per batch in particular.
        self._hooks = {
            hook: [getattr(c, hook) for c in self.callbacks if overrides(c, hook)] for hook in HOOKS
        }

    def _folder_config(self) -> dict[str, Any]:
        info = getattr(self.data, "info", None)
        return {
            "project": self.project.to_dict(),
            "training": self.config.to_dict(),
            "data": info.to_dict() if hasattr(info, "to_dict") else None,
            "device": str(self.device),
            "loss_note": self.objective.note,
        }

    def _call(self, hook: str, *args: Any, quiet: bool = False) -> None:
        """Every callback's `hook(self, *args)`, in order; `quiet`: one that raises is skipped."""
        for fn in self._hooks.get(hook, ()):
            if quiet:
                with contextlib.suppress(Exception):  # a failing logger must not hide the cause
                    fn(self, *args)
            else:
                fn(self, *args)

    def _fail(self, error: Exception) -> None:
        try:
            if self.folder is not None and self.config.checkpoint and self.state is not None:
                write_best(self)  # the best weights so far are good; keep them
        except Exception:  # noqa: BLE001, S110 - report the original failure
            pass
        self.result = failed_event(self, error)
        if self.folder is not None:
            with contextlib.suppress(Exception):  # the run's own failure is the news
                self.folder.write_result(self.result)
        if not self._hooks:  # failed while preparing: the callbacks given still hear of it
            self._bind_hooks()
        self._call("on_run_failed", self.result, quiet=True)

    # one epoch ---------------------------------------------------------------------------------
    def _run_epoch(self, epoch: int) -> None:
        self.epoch_started = time.perf_counter()
        self._call("on_epoch_start", epoch)
        train_metrics, train_seconds, complete = self._train_epoch(epoch)
        self._partial_epoch = not complete
        if not complete:  # stopped by the user mid-epoch
            return
        self.epoch = epoch
        val = self._validate()
        logs = {
            **train_metrics,
            **{f"val_{k}": v for k, v in (val.metrics if val else {}).items()},
            "lr": self.train_step.lr,
        }
        self.train_step.end_epoch(logs, self.monitor)
        improved = self._track_best(epoch, logs)
        self.history.append({"epoch": epoch, **logs})
        save_checkpoints(self, epoch, logs, improved)
        self.epoch_report = EpochEnded(
            epoch,
            self.config.epochs,
            train_metrics,
            {k: v for k, v in logs.items() if k.startswith("val_")},
            logs["lr"],
            time.perf_counter() - self.epoch_started,
            len(self.data.train.x) / train_seconds,
            improved,
            self.train_step.epoch_grad_norms(),
            self.train_step.epoch_samples(),
        )
        self._call("on_epoch_end", epoch, logs)

    def _train_epoch(self, epoch: int) -> tuple[dict[str, float], float, bool]:
        """The hot loop: slice, augment, `train_step`, count; progress at most every
        BATCH_EVENT_INTERVAL (the only read from the device). With several processes each
        batch is a global one of world x batch size, and this rank trains on its slice."""
        x, target = self.splits["train"]
        ranks = self.ranks
        n, size, train_step = x.shape[0], self.config.batch_size, self.train_step
        if ranks is not None:
            size *= ranks.world
        shuffle = self.config.shuffle
        order = torch.randperm(n, generator=self.generator) if shuffle else torch.arange(n)
        order = order.to(self.device)
        running = RunningMetrics(self.objective, self.device)
        window = [0.0, 0]  # loss sum and count at the last progress report, within this epoch
        batch_hooks = self._hooks.get("on_batch_end")
        augment = getattr(self.data, "augment", None)
        corrupt = getattr(self.data, "corrupt", None)  # denoising: noise on the input only
        self.model.train()
        started = time.perf_counter()
        last_event = self._last_batch_event or started
        complete = True
        for batch in range(self.batches_per_epoch):
            if self._stop.is_set() or (not self._unpaused.is_set() and not self._wait_paused()):
                complete = False
                break
            index = order[batch * size : (batch + 1) * size]
            if ranks is not None:
                index = ranks.take(index)
            xb = x.index_select(0, index)
            if augment is not None:
                xb = augment(xb)
            yb = xb if target is None else target.index_select(0, index)
            if corrupt is not None:
                xb = corrupt(xb)
            loss, out = train_step(xb, yb)
            self.step += 1
            if ranks is None or ranks.counted:
                running.update(loss, out, yb)
            if batch_hooks:
                self._call("on_batch_end", self.step, loss.detach())
            now = time.perf_counter()
            if now - last_event >= BATCH_EVENT_INTERVAL:
                self._progress(epoch, batch + 1, running, window, now - last_event)
                last_event = now
        self._last_batch_event = last_event
        seconds = time.perf_counter() - started
        if ranks is not None:  # every rank's samples: the epoch's figures are the whole batch's
            ranks.reduce_running(running)
        self.samples_trained += running.count
        metrics = running.read()
        if complete:
            metrics.update(train_step.epoch_metrics())
        _check_finite(metrics.get("loss", 0.0), epoch)
        return metrics, seconds, complete

    def _progress(
        self, epoch: int, batch: int, running: RunningMetrics, window: list, seconds: float
    ) -> None:
        """Read the loss sum from the device (the one sync per interval), check it, and report
        the mean since the last report to the `on_progress` hooks (BatchEnded for subscribers)."""
        total = running.loss_sum.item()
        count = running.count - window[1]
        loss = (total - window[0]) / max(count, 1)
        window[:] = [total, running.count]
        _check_finite(loss, epoch)
        if self._hooks.get("on_progress"):
            event = BatchEnded(
                epoch,
                batch,
                self.batches_per_epoch,
                self.step,
                loss,
                count / seconds,
                self.train_step.lr,
                gpu_memory_mib(self.device),
            )
            self._call("on_progress", event)

    def _wait_paused(self) -> bool:
        """Block while paused; False when a stop came instead of a resume."""
        while not self._unpaused.wait(0.1):
            if self._stop.is_set():
                return False
        return not self._stop.is_set()

    def _validate(self) -> EvalResult | None:
        """The validation split's result; with several processes rank 0's, shared with all, so
        early stopping and the best epoch decide alike on every rank."""
        if self.ranks is None:
            return self._evaluate_split("val")
        return self.ranks.from_main(lambda: self._evaluate_split("val"))

    def _evaluate_split(self, name: str) -> EvalResult | None:
        placed = self.splits.get(name)
        if placed is None:
            return None
        x, target = placed
        return evaluate_view(
            self.view,
            self.objective,
            x,
            target,
            batch_size=self.config.eval_batch_size,
            device=self.device,
            amp_dtype=self.amp_dtype,
            num_classes=self.num_classes,
            class_names=self.class_names,
        )

    def _track_best(self, epoch: int, logs: dict[str, float]) -> bool:
        if self.monitor not in logs:
            # A silent fallback to another metric would keep the worst epoch when the modes differ.
            measured = ", ".join(sorted(k for k in logs if k not in ("epoch", "lr", "seconds")))
            raise TrainingError(
                f"the monitored metric {self.monitor!r} is not measured for this task; "
                f"set 'monitor' to one of: {measured}"
            )
        value = logs[self.monitor]
        if not self.train_step.keeps_best:  # every epoch is the newest best (a GAN's)
            value = -epoch if monitor_mode(self.monitor) == "min" else epoch
        elif value is None or math.isnan(value):
            return False
        if math.isnan(self.best_value) or (
            value < self.best_value
            if monitor_mode(self.monitor) == "min"
            else value > self.best_value
        ):
            self.best_value, self.best_epoch, self.best_logs = value, epoch, dict(logs)
            self.best_state = {k: v.detach().clone() for k, v in self.model.state_dict().items()}
            return True
        return False

    # end of the run ----------------------------------------------------------------------------
    def _finish_training(self) -> None:
        self._call("on_train_end")
        # Also when stopped inside the first epoch: a run stopped after minutes keeps its weights.
        if (
            self.folder is not None
            and self.config.checkpoint
            and (self.history or self._partial_epoch)
        ):
            logs = self.history[-1] if self.history else {}
            write_last(self, self.epoch, logs, partial=self._partial_epoch)
            write_best(self)
        restore = self.config.restore_best and self.best_state is not None
        if restore:
            self.model.load_state_dict(self.best_state)
        self.final_epoch = self.best_epoch if restore else self.epoch
        self.test_result = self._final_evaluation()

    def _final_evaluation(self) -> EvalResult | None:
        return self.train_step.final_evaluation(self)


def _check_finite(loss: float, epoch: int) -> None:
    if not math.isfinite(loss):
        raise TrainingError(
            f"The loss became {loss} in epoch {epoch}: training diverged. Try a "
            "lower learning rate (e.g. 10x smaller), gradient clipping, or check "
            "the data for NaN or huge values.",
            kind="nan",
        )
