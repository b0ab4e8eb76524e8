"""One training run as the window sees it, without Qt: load the data, build the trainer, run it
and turn everything it reports into `(kind, payload)` messages of plain data.

`TrainingJob(spec, send).run()` runs in the training process (`trainer_process.py`), or on a
thread of the window's own process when no process can be started. `send` gets, in order:
"data_ready", "run_started", "progress" (a list of BatchEnded/EpochEnded dicts, buffered so a
tiny model that finishes thirty epochs a second cannot flood the window), "snapshot" (decision
boundary and histograms, from `InsightCallback`) and one "run_finished" or "run_failed" last.
`pause`, `resume` and `request_stop` may be called from another thread at any time, also before
the trainer exists (while the data loads).
"""

from __future__ import annotations

import contextlib
import copy
import os
import threading
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .insight import InsightCallback, results_payload

EMIT_INTERVAL = 0.1  # seconds between "progress" messages (~10 a second)
ENV_PREFIX = "NEUROCANVAS_"
Send = Callable[[str, Any], None]


def job_spec(
    project_dict: dict[str, Any],
    run_dir: str | Path | None = None,
    device: str = "auto",
    insight: bool = True,
) -> dict[str, Any]:
    """What a run needs, as plain data that can cross to another process."""
    return {
        "project": copy.deepcopy(project_dict),  # the window may edit the document meanwhile
        "run_dir": None if run_dir is None else str(run_dir),
        "device": device,
        "insight": insight,
        # A training process outlives the run that started it: it takes the window's current
        # folder (relative data paths) and NEUROCANVAS_* settings with each job.
        "cwd": os.getcwd(),
        "environ": {k: v for k, v in os.environ.items() if k.startswith(ENV_PREFIX)},
    }


def adopt_context(spec: dict[str, Any]) -> None:
    """In the training process: the window's folder and NEUROCANVAS_* variables for this job."""
    with contextlib.suppress(OSError):  # a folder since removed: data paths will say so
        os.chdir(spec.get("cwd") or os.getcwd())
    environ = spec.get("environ") or {}
    for name in [k for k in os.environ if k.startswith(ENV_PREFIX) and k not in environ]:
        del os.environ[name]
    os.environ.update(environ)


class TrainingJob:
    def __init__(self, spec: dict[str, Any], send: Send):
        self.spec = spec
        self.send = send
        self.trainer = None
        self._lock = threading.Lock()
        self._pending: list[dict] = []
        self._last_emit = 0.0
        self._stop_requested = False
        self._pause_requested = False

    # control, from any thread --------------------------------------------------------------------
    def request_stop(self) -> None:
        self._stop_requested = True
        if self.trainer is not None:
            self.trainer.request_stop("user")

    def pause(self) -> None:
        self._pause_requested = True
        if self.trainer is not None:
            self.trainer.pause()
        # The trainer now blocks between batches: send what it has so far, or the last few points
        # would wait for the resume.
        self.flush()

    def resume(self) -> None:
        self._pause_requested = False
        if self.trainer is not None:
            self.trainer.resume()

    # the run ---------------------------------------------------------------------------------------
    def run(self) -> str:
        """Train; "finished" or "failed". Never raises: a failure is a "run_failed" message."""
        try:
            trainer = self._build()
        except Exception as error:  # noqa: BLE001 - bad data or settings: a message, not a crash
            self.send("run_failed", failure(error))
            return "failed"
        self.trainer = trainer
        if self._stop_requested:  # Stop pressed while the data was loading
            trainer.request_stop("user")
        if self._pause_requested:
            trainer.pause()
        trainer.subscribe(self._on_event)
        result = trainer.run()
        return "finished" if type(result).__name__ == "RunFinished" else "failed"

    def _build(self):
        from neurocanvas.engine import project as project_io
        from neurocanvas.engine.data import DataConfig, load_dataset, prepare
        from neurocanvas.engine.training import TrainConfig, Trainer

        project = project_io.from_dict(self.spec["project"], "<window>")
        data_cfg = DataConfig.from_dict(project.data or {})
        data = prepare(load_dataset(data_cfg), data_cfg)
        config = TrainConfig.from_dict(project.training or {})
        insight = self.spec.get("insight", True)
        callbacks = [InsightCallback(self._send_snapshot)] if insight else []
        self.send("data_ready", data_summary(data))
        return Trainer(
            project,
            data,
            config,
            callbacks=callbacks,
            device=self.spec.get("device", "auto"),
            run_dir=self.spec.get("run_dir"),
        )

    def _on_event(self, event) -> None:
        """Trainer subscriber (training thread): buffer progress, send run boundaries at once."""
        kind = type(event).__name__
        payload = event.to_dict()
        if kind in ("BatchEnded", "EpochEnded"):
            with self._lock:
                self._pending.append(payload)
            if time.perf_counter() - self._last_emit >= EMIT_INTERVAL:
                self.flush()
            return
        self.flush()
        if kind == "RunStarted":
            self.send("run_started", payload)
        elif kind == "RunFinished":
            try:
                payload["results"] = results_payload(self.trainer)
            except Exception:  # noqa: BLE001 - the extra views are optional; keep the run's result
                payload["results"] = {"error": traceback.format_exc(limit=3)}
            self.send("run_finished", payload)
        elif kind == "RunFailed":
            self.send("run_failed", payload)

    def _send_snapshot(self, snapshot: dict) -> None:
        # Progress first, so the epoch the picture belongs to is already on the curves.
        self.flush()
        self.send("snapshot", snapshot)

    def flush(self) -> None:
        # Sent under the lock, so batches go out in the order they were taken.
        with self._lock:
            pending, self._pending = self._pending, []
            self._last_emit = time.perf_counter()
            if pending:
                self.send("progress", pending)


def failure(error: BaseException, message: str | None = None) -> dict[str, Any]:
    """A RunFailed-shaped dict for a run that failed before (or outside) the trainer."""
    from neurocanvas.engine.data import DataError
    from neurocanvas.engine.training import ConfigError

    if message is None:
        if isinstance(error, DataError):
            message = f"The data could not be loaded: {error}"
        elif isinstance(error, ConfigError):
            message = f"A training setting is not valid: {error}"
        else:
            message = f"{type(error).__name__}: {error}"
    details = "".join(traceback.format_exception(type(error), error, error.__traceback__))
    return {
        "event": "RunFailed",
        "message": message,
        "kind": "error",
        "epoch": 0,
        "checkpoint": None,
        "run_dir": None,
        "details": details,
    }


def data_summary(data) -> dict[str, Any]:
    """What the views need to know about the prepared data, as plain values."""
    info = data.info.to_dict()
    summary: dict[str, Any] = {"info": info, "class_names": list(data.class_names), "points": None}
    x = data.train.x
    if x.ndim == 2 and x.shape[1] == 2 and not info["is_image"]:
        summary["points"] = x.numpy().copy()
        summary["labels"] = data.train.y.numpy().copy()
    summary["report"] = list(data.report)
    return summary
