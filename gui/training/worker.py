"""The bridge between the headless trainer and the window: a `QThread` that loads the data, runs
`Trainer.run()` and re-emits the trainer's events as Qt signals.

Only plain data crosses threads: event dicts (`Event.to_dict()`), numpy arrays and strings. Batch
and epoch events are buffered and sent at most about ten times a second (`progress`), so a tiny
model that finishes thirty epochs a second cannot flood the GUI's event queue. The per-epoch
insight (decision boundary, weight and gradient histograms) is computed here, on the training
thread, by `InsightCallback`, and only as often as the window can show it.
"""

from __future__ import annotations

import threading
import time
import traceback
from pathlib import Path
from typing import Any

from PySide6.QtCore import QThread, QTimer, Signal

from .insight import InsightCallback, results_payload

EMIT_INTERVAL = 0.1  # seconds between `progress` emissions (~10 a second)


class TrainingWorker(QThread):
    """One training run. Create, connect, `start()`; control with `pause`/`resume`/`request_stop`."""

    data_ready = Signal(object)  # {"info": DatasetInfo dict, "points": (N, 2) array | None, ...}
    run_started = Signal(object)  # RunStarted dict
    progress = Signal(object)  # list of BatchEnded / EpochEnded dicts, oldest first
    snapshot = Signal(object)  # {"epoch", "boundary": {...} | None, "histograms": {...} | None}
    run_finished = Signal(object)  # RunFinished dict + "results" (ROC, scatter, misclassified)
    run_failed = Signal(object)  # RunFailed dict (message, kind, checkpoint kept, details)

    def __init__(
        self,
        project_dict: dict[str, Any],
        *,
        run_dir: str | Path | None = None,
        device: str = "auto",
        insight: bool = True,
        parent=None,
    ):
        super().__init__(parent)
        # A private copy: the GUI may edit the document while this thread reads the project.
        self.project_dict = _deep_copy(project_dict)
        self.run_dir = run_dir
        self.device = device
        self.insight = insight
        self.trainer = None
        self._lock = threading.Lock()
        self._pending: list[dict] = []
        self._last_emit = 0.0
        self._stop_requested = False
        self._pause_requested = False
        self.outcome: str | None = None  # "finished" or "failed", once the run is over

    # control, from the GUI thread ----------------------------------------------------------------
    def request_stop(self) -> None:
        self._stop_requested = True
        trainer = self.trainer
        if trainer is not None:
            trainer.request_stop("user")

    def pause(self) -> None:
        self._pause_requested = True
        trainer = self.trainer
        if trainer is not None:
            trainer.pause()
        # The trainer now blocks between batches; send what it has produced so far, or the last
        # few points would wait for the resume. Posted (not called) so that it lands after the
        # progress the worker has already queued: the curves must stay in order.
        QTimer.singleShot(0, self._flush)

    def resume(self) -> None:
        self._pause_requested = False
        trainer = self.trainer
        if trainer is not None:
            trainer.resume()

    # the thread ----------------------------------------------------------------------------------
    def run(self) -> None:  # noqa: D401 - QThread override, runs on the worker thread
        try:
            trainer = self._build()
        except Exception as error:  # noqa: BLE001 - bad data or settings: a message, not a crash
            self._fail(error)
            return
        self.trainer = trainer
        if self._stop_requested:  # Stop pressed while the data was loading
            trainer.request_stop("user")
        if self._pause_requested:
            trainer.pause()
        trainer.subscribe(self._on_event)
        trainer.run()

    def _build(self):
        from neurocanvas.engine import project as project_io
        from neurocanvas.engine.data import DataConfig, load_dataset, prepare
        from neurocanvas.engine.training import TrainConfig, Trainer

        project = project_io.from_dict(self.project_dict, "<window>")
        data_cfg = DataConfig.from_dict(project.data or {})
        data = prepare(load_dataset(data_cfg), data_cfg)
        config = TrainConfig.from_dict(project.training or {})
        callback = InsightCallback(self._offer_snapshot) if self.insight else None
        self.data_ready.emit(_data_summary(data))
        return Trainer(
            project,
            data,
            config,
            callbacks=[callback] if callback else [],
            device=self.device,
            run_dir=self.run_dir,
        )

    def _on_event(self, event) -> None:
        """Trainer subscriber (training thread): buffer progress, send run boundaries at once."""
        kind = type(event).__name__
        payload = event.to_dict()
        if kind in ("BatchEnded", "EpochEnded"):
            with self._lock:
                self._pending.append(payload)
            if time.perf_counter() - self._last_emit >= EMIT_INTERVAL:
                self._flush()
            return
        self._flush()
        if kind == "RunStarted":
            self.run_started.emit(payload)
        elif kind == "RunFinished":
            try:
                payload["results"] = results_payload(self.trainer)
            except Exception:  # noqa: BLE001 - the extra views are optional; keep the run's result
                payload["results"] = {"error": traceback.format_exc(limit=3)}
            self.outcome = "finished"
            self.run_finished.emit(payload)
        elif kind == "RunFailed":
            self.outcome = "failed"
            self.run_failed.emit(payload)

    def _offer_snapshot(self, snapshot: dict) -> None:
        # Progress first, so the epoch the picture belongs to is already on the curves.
        self._flush()
        self.snapshot.emit(snapshot)

    def _flush(self) -> None:
        # Emitted under the lock, so batches are queued in the order they were taken.
        with self._lock:
            pending, self._pending = self._pending, []
            self._last_emit = time.perf_counter()
            if pending:
                self.progress.emit(pending)

    def _fail(self, error: Exception) -> None:
        from neurocanvas.engine.data import DataError
        from neurocanvas.engine.training import ConfigError

        if isinstance(error, DataError):
            message = f"The data could not be loaded: {error}"
        elif isinstance(error, ConfigError):
            message = f"A training setting is not valid: {error}"
        else:
            message = f"{type(error).__name__}: {error}"
        self.outcome = "failed"
        self.run_failed.emit(
            {
                "event": "RunFailed",
                "message": message,
                "kind": "error",
                "epoch": 0,
                "checkpoint": None,
                "run_dir": None,
                "details": traceback.format_exc(),
            }
        )


def _data_summary(data) -> dict[str, Any]:
    """What the views need to know about the prepared data, as plain values."""
    info = data.info.to_dict()
    summary: dict[str, Any] = {"info": info, "class_names": list(data.class_names), "points": None}
    x = data.train.x
    if x.ndim == 2 and x.shape[1] == 2 and not info["is_image"]:
        summary["points"] = x.numpy().copy()
        summary["labels"] = data.train.y.numpy().copy()
    summary["report"] = list(data.report)
    return summary


def _deep_copy(value):
    import copy

    return copy.deepcopy(value)
