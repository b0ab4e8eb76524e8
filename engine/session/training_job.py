"""`TrainingJob`: one training run of a project, as the window starts it: load the data, build the
trainer, run it, and report.

It reports, in order: `DataReady`, the trainer's `RunStarted`, `Progress` (its BatchEnded and
EpochEnded events, buffered so a tiny model that finishes thirty epochs a second cannot flood
the window), `Snapshot`s (decision boundary and histograms, from `InsightCallback`), then one
`RunFinished` followed by `Results`, or one `RunFailed`. `control` may come from another thread
at any time, also before the trainer exists (while the data loads).
"""

from __future__ import annotations

import copy
import dataclasses
import threading
import time
import traceback
from pathlib import Path
from typing import Any

import numpy as np
from neurocanvas.engine.training.events import (
    BatchEnded,
    EpochEnded,
    Event,
    RunFailed,
    RunFinished,
    RunStarted,
)

from .insight import InsightCallback, PreviewCallback, results
from .job import Emit, Job, failure_event
from .messages import Command, DataReady, Outcome, Progress, Results, Snapshot, Status
from .reconstruction import AutoencoderCallback

EMIT_INTERVAL = 0.1  # seconds between Progress messages (~10 a second)


class TrainingJob(Job):
    def __init__(
        self,
        project: dict[str, Any],
        run_dir: str | Path | None = None,
        device: str = "auto",
        insight: bool = True,
        preview_sample: int | None = None,
        preview_image: list | None = None,
        init_from: str | None = None,
    ):
        self.project = copy.deepcopy(project)  # the window may edit the document meanwhile
        self.run_dir = None if run_dir is None else str(run_dir)
        self.device = device
        self.insight = insight
        # The canvas preview: this sample of the test split (else validation, else training)
        # is run through the model at a modest rate while it trains; None: no preview.
        self.preview_sample = preview_sample
        # ...or this raw sample (a digit drawn on the pad: uint8 values in the data's shape),
        # preprocessed as the data was
        self.preview_image = preview_image
        # A checkpoint whose weights the network starts from, node by node where names and
        # shapes match (the window's "Start from the latest run's weights", train --init-from)
        self.init_from = init_from
        self.trainer = None
        self._emit: Emit = lambda event: None
        self._lock = threading.Lock()
        self._pending: list[BatchEnded | EpochEnded] = []
        self._last_emit = 0.0
        self._stop_requested = False
        self._pause_requested = False

    def __reduce__(self):
        # Only the settings cross to the training process: locks and a trainer do not pickle.
        return type(self), (
            self.project, self.run_dir, self.device, self.insight, self.preview_sample,
            self.preview_image, self.init_from,
        )  # fmt: skip

    # control, from any thread --------------------------------------------------------------------
    def control(self, command: Command) -> None:
        if command is Command.STOP:
            self._stop_requested = True
            if self.trainer is not None:
                self.trainer.request_stop("user")
        elif command is Command.PAUSE:
            self._pause_requested = True
            if self.trainer is not None:
                self.trainer.pause()
            # The trainer now blocks between batches: send what it has so far, or the last
            # few points would wait for the resume.
            self.flush()
        elif command is Command.RESUME:
            self._pause_requested = False
            if self.trainer is not None:
                self.trainer.resume()

    # the run ---------------------------------------------------------------------------------------
    def run(self, emit: Emit) -> Outcome:
        self._emit = emit
        try:
            trainer = self._build()
        except Exception as error:  # noqa: BLE001 - bad data or settings: a message, not a crash
            emit(build_failure(error))
            return Outcome.FAILED
        self.trainer = trainer
        if self._stop_requested:  # Stop pressed while the data was loading
            trainer.request_stop("user")
        if self._pause_requested:
            trainer.pause()
        trainer.subscribe(self._on_event)
        result = trainer.run()
        return Outcome.FINISHED if isinstance(result, RunFinished) else Outcome.FAILED

    def _build(self):
        from neurocanvas.engine import project as project_io
        from neurocanvas.engine.data import DataConfig, load_dataset, prepare
        from neurocanvas.engine.training import TrainConfig, Trainer

        project = project_io.from_dict(self.project, "<window>")
        data_cfg = DataConfig.from_dict(project.data or {})
        data = prepare(load_dataset(data_cfg), data_cfg)
        config = TrainConfig.from_dict(project.training or {})
        callbacks = []
        if self.insight:
            callbacks += [
                InsightCallback(self._send_snapshot),
                AutoencoderCallback(self._send_snapshot),
            ]
        if self.preview_sample is not None or self.preview_image is not None:
            sample = preview_input(data, self.preview_sample or 0, self.preview_image)
            callbacks.append(PreviewCallback(self._send_snapshot, sample))
        self._emit(data_ready(data))
        model = None if self.init_from is None else self._start_from(project, data, config)
        return Trainer(
            project,
            data,
            config,
            callbacks=callbacks,
            device=self.device,
            run_dir=self.run_dir,
            model=model,
        )

    def _start_from(self, project, data, config):
        """The network compiled for the data with `init_from`'s weights where they match; the
        report (which nodes took them) goes to the window as a Status."""
        from neurocanvas.engine.compiler import compile_graph
        from neurocanvas.engine.shapes import AutoSizes
        from neurocanvas.engine.training.init_from import init_from, read_state
        from neurocanvas.engine.training.run_state import auto_sizes_for

        # A GAN's main graph is its generator: noise in, a sample out (not the data's sizes).
        auto = AutoSizes() if config.step == "gan" else auto_sizes_for(data)
        model = compile_graph(project.graph, auto=auto, seed=config.seed)
        report = init_from(model, read_state(self.init_from), self.init_from)
        self._emit(Status(f"Starting from {Path(self.init_from).parent.name}: {report.lines()[0]}"))
        return model

    def _on_event(self, event: Event) -> None:
        """Trainer subscriber (training thread): buffer progress, pass run boundaries at once."""
        if isinstance(event, (BatchEnded, EpochEnded)):
            event = plain_samples(event)
            with self._lock:
                self._pending.append(event)
            if time.perf_counter() - self._last_emit >= EMIT_INTERVAL:
                self.flush()
            return
        self.flush()
        if isinstance(event, (RunStarted, RunFailed)):
            self._emit(event)
        elif isinstance(event, RunFinished):
            self._emit(event)
            self._emit(self._results())

    def _results(self) -> Results:
        try:
            return results(self.trainer)
        except Exception:  # noqa: BLE001 - the extra views are optional; the run's result stands
            return Results(error=traceback.format_exc(limit=3))

    def _send_snapshot(self, snapshot: Snapshot) -> None:
        # Progress first, so the epoch the picture belongs to is already on the curves.
        self.flush()
        self._emit(snapshot)

    def flush(self) -> None:
        # Sent under the lock, so batches go out in the order they were taken.
        with self._lock:
            pending, self._pending = self._pending, []
            self._last_emit = time.perf_counter()
            if pending:
                self._emit(Progress(tuple(pending)))


def plain_samples(event: BatchEnded | EpochEnded) -> BatchEnded | EpochEnded:
    """A generator's epoch samples (or an RBM's pictures) as numpy: a tensor pickled across processes travels as
    shared memory behind a second connection, which the training process's pipe refuses."""
    samples = getattr(event, "samples", None)
    if samples is None or isinstance(samples, np.ndarray):
        return event
    if isinstance(samples, dict):  # an RBM's pictures (rbm_pictures.py): tensors among them
        plain = {k: v.numpy() if hasattr(v, "numpy") else v for k, v in samples.items()}
        return dataclasses.replace(event, samples=plain)
    return dataclasses.replace(event, samples=samples.numpy())


def build_failure(error: BaseException) -> RunFailed:
    """The RunFailed of a run whose data or settings could not be prepared."""
    from neurocanvas.engine.data import DataError
    from neurocanvas.engine.training import ConfigError
    from neurocanvas.engine.training.checkpoint import CheckpointError

    if isinstance(error, DataError):
        return failure_event(error, f"The data could not be loaded: {error}")
    if isinstance(error, ConfigError):
        return failure_event(error, f"A training setting is not valid: {error}")
    if isinstance(error, CheckpointError):  # the weights to start from do not fit
        return failure_event(error, f"Could not start from those weights: {error}")
    return failure_event(error)


def data_ready(data) -> DataReady:
    """What the views need to know about the prepared data, as plain values."""
    info = data.info.to_dict()
    x = data.train.x
    two_d = x.ndim == 2 and x.shape[1] == 2 and not info["is_image"]
    return DataReady(
        info=info,
        class_names=list(data.class_names),
        report=list(data.report),
        points=x.numpy().copy() if two_d else None,
        labels=data.train.y.numpy().copy() if two_d else None,
    )


def preview_input(data, index: int, image: list | None = None):
    """Sample `index` (wrapped into range) of the first split that has samples: test, val,
    train; or `image`, a raw sample (the drawn digit) preprocessed as the data was."""
    if image is not None:
        import torch  # the window imports this module; torch only in the training process

        shape = tuple(data.train.x.shape[1:])
        raw = torch.tensor(image, dtype=torch.float32)
        if raw.numel() == data.train.x[0].numel():  # else not this model's kind of sample
            pre = getattr(data, "preprocessing", None)
            raw = raw.reshape(1, *shape)
            return pre.apply(raw) if pre is not None else raw
    split = next(s for s in (data.test, data.val, data.train) if s is not None and len(s.x))
    index = index % len(split.x)
    return split.x[index : index + 1].clone()
