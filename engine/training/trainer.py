"""The trainer: an explicit PyTorch loop over whole tensors, with callbacks and published events.

    trainer = Trainer(project, data, TrainConfig.from_dict(project.training), device="auto")
    trainer.subscribe(print)      # RunStarted, BatchEnded (throttled), EpochEnded, RunFinished/Failed
    result = trainer.run()        # blocking; the window runs it in its training process
    trainer.request_stop()        # from any thread: takes effect before the next batch

`data` is the data engine's PreparedData, or anything with `.train`, `.val`, `.test` splits (each
with tensors `.x`, `.y`, or None) and optionally `.info`, `.preprocessing` and `.class_names`.
The hot loop keeps the data as whole tensors on the device, shuffles with a seeded generator, and
reads metrics from the device at most ten times a second; nothing else synchronises per batch.
"""

from __future__ import annotations

import contextlib
import math
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch
from torch import fx

from .. import project as project_io
from ..graph import Graph
from .callbacks import Callback, overrides
from .config import TrainConfig
from .devices import autocast, resolve_device
from .evaluation import evaluate_view
from .events import BatchEnded, EpochEnded, Event, RunFailed, RunFinished
from .metrics import EvalResult, RunningMetrics, monitor_mode
from .run_events import RunEventsMixin, TrainingError
from .run_files import RunFilesMixin
from .run_setup import RunSetupMixin, gpu_memory_mib

BATCH_EVENT_INTERVAL = 0.1  # seconds between BatchEnded events (and device reads)


class Trainer(RunSetupMixin, RunFilesMixin, RunEventsMixin):
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
    ):
        if isinstance(project_or_graph, Graph):
            project_or_graph = project_io.Project(name="model", graph=project_or_graph)
        self.project = project_or_graph
        self.data = data
        if config is None:
            config = TrainConfig.from_dict(self.project.training)
        self.config = config if isinstance(config, TrainConfig) else TrainConfig.from_dict(config)
        self.callbacks = list(callbacks)
        self.device = resolve_device(self.config.device if device == "auto" else device)
        self.model = model
        self.resume_from = Path(resume_from) if resume_from else None
        if run_dir is None and self.resume_from is not None:
            run_dir = self.resume_from.parent
        self.run_dir = Path(run_dir) if run_dir else None
        self.history: list[dict[str, float]] = []
        self.best_value, self.best_epoch, self.best_state = math.nan, 0, None
        self.best_logs: dict[str, float] = {}
        self._best_pending, self._last_write = False, time.perf_counter()
        self.stop_reason: str | None = None
        self.result: RunFinished | RunFailed | None = None
        self.test_result: EvalResult | None = None
        self._subscribers: list[Callable[[Event], None]] = []
        self._stop = threading.Event()
        self._unpaused = threading.Event()
        self._unpaused.set()
        self.epoch = 0
        self.step = 0
        self._partial_epoch = False
        self.samples_trained = 0

    # control, from any thread ------------------------------------------------------------------
    def subscribe(self, fn: Callable[[Event], None]) -> Callable[[], None]:
        """Call `fn(event)` (on the training thread) for every event; returns an unsubscribe."""
        self._subscribers.append(fn)
        return lambda: self._subscribers.remove(fn) if fn in self._subscribers else None

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
        self._previous_threads = torch.get_num_threads()
        # Re-set before this thread's first op: a thread that never set it (the GUI's worker)
        # trains measurably slower with the same reported count.
        torch.set_num_threads(self._previous_threads)
        try:
            self._setup()
            self._emit(self._started_event())
            for callback in self.callbacks:
                callback.on_run_start(self)
            while self.epoch < self.config.epochs and not self._stop.is_set():
                self._run_epoch(self.epoch + 1)
            self._finish_training()
            self.result = self._finished_event(time.perf_counter() - started)
            with contextlib.suppress(OSError):  # a full disk must not undo a finished run
                self._write_result(self.result)
            self._emit(self.result)
            for callback in self.callbacks:
                callback.on_run_end(self, self.result)
        except Exception as error:  # noqa: BLE001 - every failure becomes a RunFailed event
            try:
                if self.run_dir is not None and self.config.checkpoint:
                    self._write_best()  # the best weights so far are good; keep them
            except Exception:  # noqa: BLE001, S110 - report the original failure
                pass
            self.result = self._failed_event(error)
            with contextlib.suppress(Exception):  # the run's own failure is the news
                self._write_result(self.result)
            for callback in self.callbacks:
                with contextlib.suppress(Exception):  # a failing logger must not hide the cause
                    callback.on_run_failed(self, self.result)
            self._emit(self.result)
        finally:
            torch.set_num_threads(self._previous_threads)
        return self.result

    # one epoch ---------------------------------------------------------------------------------
    def _run_epoch(self, epoch: int) -> None:
        self.epoch_started = time.perf_counter()
        for callback in self.callbacks:
            callback.on_epoch_start(self, epoch)
        train_metrics, train_seconds, complete = self._train_epoch(epoch)
        self._partial_epoch = not complete
        if not complete:  # stopped by the user mid-epoch
            return
        self.epoch = epoch
        val = self._evaluate_split("val")
        logs = {
            **train_metrics,
            **{f"val_{k}": v for k, v in (val.metrics if val else {}).items()},
            "lr": self.optimizer.param_groups[0]["lr"],
        }
        if self.schedule.plateau:
            self.schedule.scheduler.step(logs.get(self.monitor, logs["loss"]))
        improved = self._track_best(epoch, logs)
        self.history.append({"epoch": epoch, **logs})
        self._save_checkpoints(epoch, logs, improved)
        seconds = time.perf_counter() - self.epoch_started
        self._emit(
            EpochEnded(
                epoch,
                self.config.epochs,
                train_metrics,
                {k: v for k, v in logs.items() if k.startswith("val_")},
                logs["lr"],
                seconds,
                len(self.data.train.x) / train_seconds,
                improved,
            )
        )
        for callback in self.callbacks:
            callback.on_epoch_end(self, epoch, logs)

    def _train_epoch(self, epoch: int) -> tuple[dict[str, float], float, bool]:
        cfg, model, view, optimizer = self.config, self.model, self.view, self.optimizer
        x, target = self.splits["train"]
        n, size = x.shape[0], cfg.batch_size
        order = torch.randperm(n, generator=self.generator) if cfg.shuffle else torch.arange(n)
        order = order.to(self.device)
        loss_fn = self.objective.loss_fn()
        running = RunningMetrics(self.objective, self.device)
        window = [0.0, 0]  # loss sum and count at the last BatchEnded, within this epoch
        batch_callbacks = [c for c in self.callbacks if overrides(c, "on_batch_end")]
        per_batch = self.schedule.scheduler if self.schedule.per_batch else None
        penalty = self._penalty if (cfg.l1 or cfg.l2) else None
        clip, scaler, amp = cfg.grad_clip, self.scaler, self.amp_dtype
        augment = getattr(self.data, "augment", None)
        model.train()
        started = time.perf_counter()
        last_event = self._last_batch_event or started
        complete = True
        for batch in range(self.batches_per_epoch):
            if self._stop.is_set() or (not self._unpaused.is_set() and not self._wait_paused()):
                complete = False
                break
            index = order[batch * size : (batch + 1) * size]
            xb = x.index_select(0, index)
            if augment is not None:
                xb = augment(xb)
            yb = xb if target is None else target.index_select(0, index)
            with autocast(self.device, amp):
                out = view(xb)
            out = out.float() if amp is not None else out
            loss = loss_fn(out, yb)
            if penalty is not None:
                loss = loss + penalty()
            optimizer.zero_grad(set_to_none=True)
            if scaler is not None:
                scaler.scale(loss).backward()
                scaler.unscale_(optimizer)
            else:
                loss.backward()
            if clip is not None:
                torch.nn.utils.clip_grad_norm_(model.parameters(), clip)
            if scaler is not None:
                scaler.step(optimizer)
                scaler.update()
            else:
                optimizer.step()
            if per_batch is not None:
                per_batch.step()
            self.step += 1
            running.update(loss, out, yb)
            for callback in batch_callbacks:
                callback.on_batch_end(self, self.step, loss.detach())
            now = time.perf_counter()
            if now - last_event >= BATCH_EVENT_INTERVAL:
                self._batch_event(epoch, batch + 1, running, window, now - last_event)
                last_event = now
        self._last_batch_event = last_event
        seconds = time.perf_counter() - started
        self.samples_trained += running.count
        metrics = running.read()
        _check_finite(metrics.get("loss", 0.0), epoch)
        return metrics, seconds, complete

    def _batch_event(
        self, epoch: int, batch: int, running: RunningMetrics, window: list, seconds: float
    ) -> None:
        """Read the loss sum from the device (the one sync per interval) and publish the mean
        since the last BatchEnded."""
        total = running.loss_sum.item()
        count = running.count - window[1]
        loss = (total - window[0]) / max(count, 1)
        window[:] = [total, running.count]
        _check_finite(loss, epoch)
        if self._subscribers:
            lr = self.optimizer.param_groups[0]["lr"]
            self._emit(
                BatchEnded(
                    epoch,
                    batch,
                    self.batches_per_epoch,
                    self.step,
                    loss,
                    count / seconds,
                    lr,
                    gpu_memory_mib(self.device),
                )
            )

    def _penalty(self) -> torch.Tensor:
        cfg, total = self.config, 0.0
        for weight in self._weights:
            if cfg.l1:
                total = total + cfg.l1 * weight.abs().sum()
            if cfg.l2:
                total = total + cfg.l2 * weight.pow(2).sum()
        return total

    def _wait_paused(self) -> bool:
        """Block while paused; False when a stop came instead of a resume."""
        while not self._unpaused.wait(0.1):
            if self._stop.is_set():
                return False
        return not self._stop.is_set()

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
        if value is None or math.isnan(value):
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
        for callback in self.callbacks:
            callback.on_train_end(self)
        if self.run_dir is not None and self.config.checkpoint and self.history:
            self._write_last(self.epoch, self.history[-1], partial=self._partial_epoch)
            self._write_best()
        restore = self.config.restore_best and self.best_state is not None
        if restore:
            self.model.load_state_dict(self.best_state)
        self.final_epoch = self.best_epoch if restore else self.epoch
        self.test_result = self._final_evaluation()

    def _final_evaluation(self) -> EvalResult | None:
        for name in ("test", "val", "train"):
            if self.splits.get(name) is not None:
                self.evaluated_on = name
                return self._evaluate_split(name)
        return None

    # events ------------------------------------------------------------------------------------
    def _emit(self, event: Event) -> None:
        for fn in list(self._subscribers):
            fn(event)


def _check_finite(loss: float, epoch: int) -> None:
    if not math.isfinite(loss):
        raise TrainingError(
            f"The loss became {loss} in epoch {epoch}: training diverged. Try a "
            "lower learning rate (e.g. 10x smaller), gradient clipping, or check "
            "the data for NaN or huge values.",
            kind="nan",
        )
