"""The messages of the run layer: what a job reports, and what crosses the connection between the
window and its training process.

A job reports engine `Event`s: the trainer's own (`RunStarted`, `RunFinished`, `RunFailed`; its
`BatchEnded`/`EpochEnded` travel inside `Progress`) plus the few a job adds below. All are frozen
dataclasses of plain data (numbers, strings, numpy arrays), so they pickle across the process
boundary and can be handed to the GUI thread as they are; receivers tell them apart with
`isinstance`. Progress is buffered to about ten messages a second, so pickling dataclasses instead
of tuples costs nothing measurable.

The transport adds an envelope: the window sends `Submit`, `Control` and `Quit`; the process sends
`Ready` once it has imported the engine, then a `Report(job_id, event)` for everything a job says.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any

from neurocanvas.engine.training.events import BatchEnded, EpochEnded, Event

if TYPE_CHECKING:
    from .job import Job

ENV_PREFIX = "NEUROCANVAS_"


class Command(Enum):
    """What the window may ask of a running job, at any time (also before it has started)."""

    PAUSE = "pause"
    RESUME = "resume"
    STOP = "stop"


class Outcome(str, Enum):
    """How a job ended. A `str`, so it reads and logs as the word."""

    FINISHED = "finished"
    FAILED = "failed"


# what a job adds to the trainer's events --------------------------------------------------------
@dataclass(frozen=True)
class Status(Event):
    """What happens before a run starts, in words (said by the runner, not by the trainer)."""

    text: str


@dataclass(frozen=True)
class DataReady(Event):
    """The prepared data as the views need it: `info` is `DatasetInfo.to_dict()`; `points` and
    `labels` are the (N, 2) training inputs and their labels for a 2-D data set, else None."""

    info: dict[str, Any]
    class_names: list[str]
    report: list[str]
    points: Any = None
    labels: Any = None


@dataclass(frozen=True)
class Progress(Event):
    """The trainer's BatchEnded/EpochEnded events since the last Progress, oldest first."""

    events: tuple[BatchEnded | EpochEnded, ...]


@dataclass(frozen=True)
class Snapshot(Event):
    """Pictures of the model at the end of `epoch`: `boundary` (a 2-D model's class
    probabilities on a grid) and `histograms` (weights and gradients per parameter), each None
    when it was not due; `preview` (during the epoch too): every node's output for the chosen
    sample (engine/inspect/preview.py entries by node id); `autoencoder`: an autoencoder's
    inputs, reconstructions, latent points and latent plane (session/reconstruction.py)."""

    epoch: int
    boundary: dict[str, Any] | None = None
    histograms: dict[str, dict[str, Any]] | None = None
    preview: dict[str, dict[str, Any]] | None = None
    autoencoder: dict[str, Any] | None = None


@dataclass(frozen=True)
class Results(Event):
    """Extra views of the split evaluated at the end, sent after RunFinished: a ROC curve
    (binary), predicted-vs-true points (regression), misclassified images, an autoencoder's
    reconstruction errors (`anomaly`), or `error` when they
    could not be made (the run's result stands)."""

    split: str = "test"
    roc: dict[str, Any] | None = None
    scatter: dict[str, Any] | None = None
    misclassified: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None
    # An autoencoder's per-row reconstruction errors (training rows and this split's), for
    # the Anomalies tab (engine/training/anomaly.py's anomaly_report)
    anomaly: dict[str, Any] | None = None


@dataclass(frozen=True)
class JobDone(Event):
    """The last message of every job, after its RunFinished/RunFailed (and Results)."""

    outcome: Outcome


# the envelope between the window and the training process ---------------------------------------
@dataclass(frozen=True)
class JobContext:
    """The window's folder (relative data paths) and NEUROCANVAS_* settings: a training process
    outlives the run that started it, so each job brings the window's current ones along."""

    cwd: str
    environ: dict[str, str]

    @classmethod
    def capture(cls) -> JobContext:
        environ = {k: v for k, v in os.environ.items() if k.startswith(ENV_PREFIX)}
        return cls(os.getcwd(), environ)

    def adopt(self) -> None:
        """In the training process, before the job runs."""
        with contextlib.suppress(OSError):  # a folder since removed: data paths will say so
            os.chdir(self.cwd)
        for name in [k for k in os.environ if k.startswith(ENV_PREFIX) and k not in self.environ]:
            del os.environ[name]
        os.environ.update(self.environ)


@dataclass(frozen=True)
class Submit:
    job_id: int
    job: Job
    context: JobContext


@dataclass(frozen=True)
class Control:
    job_id: int
    command: Command


@dataclass(frozen=True)
class Quit:
    pass


@dataclass(frozen=True)
class Ready:
    """The process has imported torch and the engine: a job starts at once from now."""


@dataclass(frozen=True)
class Report:
    job_id: int
    event: Event
