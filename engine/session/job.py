"""The job interface: the one thing the training process runs, and what the window runs on a
thread when no process can start.

A `Job` is made in the window, pickled across to the process (so only its settings may be set
before `run`), and run once. `run(emit)` reports `Event`s through `emit`, in order, and ends with
a `RunFinished` or `RunFailed`; `control` takes a `Command` from any thread at any time, also
before `run` has begun. A training run, a tuning study or a GAN step each implement these two
methods; the process, the pool, the runner and the window's bridge stay the same.
"""

from __future__ import annotations

import traceback
from abc import ABC, abstractmethod
from collections.abc import Callable

from neurocanvas.engine.training.events import Event, RunFailed

from .messages import Command, Outcome

Emit = Callable[[Event], None]


class Job(ABC):
    @abstractmethod
    def run(self, emit: Emit) -> Outcome:
        """Do the work, reporting through `emit`. The user's mistakes (bad data, settings) are a
        `RunFailed`, not an exception."""

    @abstractmethod
    def control(self, command: Command) -> None:
        """Pause, resume or stop; safe from any thread, also before `run`."""


def run_job(job: Job, emit: Emit) -> Outcome:
    """Run `job` to its end: an exception (a bug, not the user's doing) becomes a RunFailed. The
    caller sends the `JobDone` (the process only once it has freed the job's memory)."""
    try:
        return job.run(emit)
    except Exception as error:  # noqa: BLE001 - reported to the window, never raised there
        emit(failure_event(error))
        return Outcome.FAILED


def failure_event(error: BaseException, message: str | None = None) -> RunFailed:
    """A RunFailed for a run that failed before (or outside) the trainer."""
    details = "".join(traceback.format_exception(type(error), error, error.__traceback__))
    return RunFailed(
        message=message or f"{type(error).__name__}: {error}",
        kind="error",
        epoch=0,
        checkpoint=None,
        run_dir=None,
        details=details,
    )
