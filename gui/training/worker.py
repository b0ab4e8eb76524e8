"""The bridge between a training run and the window: a `QThread` that hands the run to the
training process (`trainer_process.py`) and re-emits what it reports as Qt signals.

Only plain data crosses: event dicts (`Event.to_dict()`), numpy arrays and strings, already
buffered by `TrainingJob` to about ten progress messages a second. When no training process can
be started, the same `TrainingJob` runs on this thread instead (slower: it shares the GIL with
the GUI). A process that dies mid-run (out of memory, a crash in a native library) becomes a
`run_failed` message; the window and the project are untouched.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

from PySide6.QtCore import QThread, Signal

from . import trainer_process
from .job import TrainingJob, failure, job_spec

POLL_S = 0.25  # how often the reader checks that the training process is still alive
KILLED = -9  # exit code of a process ended by SIGKILL
STARTING = "Starting the training process (the first run of a session takes a few seconds)…"
LOADING = "Loading the data…"


class TrainingWorker(QThread):
    """One training run. Create, connect, `start()`; control with `pause`/`resume`/`request_stop`."""

    data_ready = Signal(object)  # {"info": DatasetInfo dict, "points": (N, 2) array | None, ...}
    run_started = Signal(object)  # RunStarted dict
    progress = Signal(object)  # list of BatchEnded / EpochEnded dicts, oldest first
    snapshot = Signal(object)  # {"epoch", "boundary": {...} | None, "histograms": {...} | None}
    run_finished = Signal(object)  # RunFinished dict + "results" (ROC, scatter, misclassified)
    run_failed = Signal(object)  # RunFailed dict (message, kind, checkpoint kept, details)
    status = Signal(str)  # what happens before the run starts, in words

    def __init__(
        self,
        project_dict: dict[str, Any],
        *,
        run_dir: str | Path | None = None,
        device: str = "auto",
        insight: bool = True,
        in_process: bool = False,
        parent=None,
    ):
        super().__init__(parent)
        self.spec = job_spec(project_dict, run_dir, device, insight)
        self.in_process = in_process  # True: train on this thread (tests, no process possible)
        self._lock = threading.Lock()
        self._process: trainer_process.TrainerProcess | None = None
        self._job_id: int | None = None
        self._job: TrainingJob | None = None
        self._commands: list[str] = []  # given before the run reached the process
        self._killed = False
        self.outcome: str | None = None  # "finished" or "failed", once the run is over

    # control, from the GUI thread ----------------------------------------------------------------
    def request_stop(self) -> None:
        self._command("stop")

    def pause(self) -> None:
        self._command("pause")

    def resume(self) -> None:
        self._command("resume")

    def kill(self) -> None:
        """End a run that ignores Stop (stuck in a native call): kill its process."""
        process = self._process
        if process is not None:
            self._killed = True
            trainer_process.discard(process)

    def _command(self, name: str) -> None:
        with self._lock:
            if self._job is not None:
                self._command_job(self._job, name)
            elif self._job_id is not None:
                self._process.command(name, self._job_id)
            else:
                self._commands.append(name)

    # the thread ----------------------------------------------------------------------------------
    def run(self) -> None:  # noqa: D401 - QThread override, runs on the worker thread
        process = None
        if not self.in_process:
            try:
                process = trainer_process.acquire()
            except Exception:  # noqa: BLE001 - no process here (sandbox, frozen app): use a thread
                logging.getLogger(__name__).warning(
                    "no training process; training on a thread instead", exc_info=True
                )
        if process is None:
            self._run_here()
        else:
            self._run_in(process)

    def _run_here(self) -> None:
        job = TrainingJob(self.spec, self._dispatch)
        with self._lock:
            self._job = job
            for name in self._commands:
                self._command_job(job, name)
        job.run()

    @staticmethod
    def _command_job(job: TrainingJob, name: str) -> None:
        {"stop": job.request_stop, "pause": job.pause, "resume": job.resume}[name]()

    def _run_in(self, process: trainer_process.TrainerProcess) -> None:
        try:
            if not process.check_ready():
                self.status.emit(STARTING)
            with self._lock:
                self._process = process
                self._job_id = process.submit(self.spec)
                for name in self._commands:
                    process.command(name, self._job_id)
        except (OSError, EOFError):  # it died while idle (e.g. the system ran out of memory)
            self._process_died(process)
            return
        while True:
            try:
                message = process.receive(POLL_S)
            except (EOFError, OSError):
                self._process_died(process)
                return
            if message is not None and message[1] == "ready":
                self.status.emit(LOADING)
            if message is None or message[0] != self._job_id:
                continue
            _, kind, payload = message
            if kind == "done":
                break
            self._dispatch(kind, payload)
        trainer_process.release(process)

    def _process_died(self, process: trainer_process.TrainerProcess) -> None:
        trainer_process.discard(process)
        if self.outcome is not None:  # it had already reported the end of the run
            return
        code = process.exit_code
        if self._killed:
            message = "The run did not stop in time, so it was ended."
        else:
            message = "The training process ended unexpectedly" + (
                f" (exit code {code})." if code is not None else "."
            )
            if code == KILLED:  # what the system's out-of-memory killer does
                message += " It may have run out of memory: try a smaller batch size or model."
        self._dispatch("run_failed", failure(RuntimeError(message), message))

    def _dispatch(self, kind: str, payload: Any) -> None:
        if kind == "run_finished":
            self.outcome = "finished"
        elif kind == "run_failed":
            self.outcome = "failed"
        getattr(self, kind).emit(payload)
