"""`JobRunner`: runs one `Job` to its end for whoever waits on it (the window's bridge thread, a
tuning study, a script) and hands every event it reports to `emit`, in order.

The job runs in a training process of a `TrainerPool`, or on the calling thread when no process
can be started (or `in_process` asks for that: slower in the window, as it shares the GIL with
the GUI). A process that dies mid-run (out of memory, a crash in a native library) becomes a
`RunFailed`; a process that ignores Stop can be `kill`ed. Either way the last event is a
`JobDone`.
"""

from __future__ import annotations

import logging
import threading

from neurocanvas.engine.training.events import RunFailed, RunFinished

from .job import Emit, Job, failure_event, run_job
from .messages import Command, JobDone, Outcome, Ready, Report, Status
from .pool import TrainerPool, shared_pool
from .process import TrainerProcess

POLL_S = 0.25  # how often the reader checks that the training process is still alive
KILLED = -9  # exit code of a process ended by SIGKILL
STARTING = "Starting the training process (the first run of a session takes a few seconds)…"
LOADING = "Loading the data…"


class JobRunner:
    """Run once with `run(emit)`; `control` and `kill` are safe from any other thread."""

    def __init__(self, job: Job, pool: TrainerPool | None = None, in_process: bool = False):
        self.job = job
        self.pool = pool
        self.in_process = in_process
        self.process: TrainerProcess | None = None  # while the job runs in one
        self.outcome: Outcome | None = None  # once the job has reported its end
        self._lock = threading.Lock()
        self._job_id: int | None = None
        self._here = False  # the job runs on this process's thread
        self._commands: list[Command] = []  # given before the job reached its process
        self._killed = False

    # control, from any thread --------------------------------------------------------------------
    def control(self, command: Command) -> None:
        with self._lock:
            if self._here:
                self.job.control(command)
            elif self._job_id is not None:
                self.process.control(self._job_id, command)
            else:
                self._commands.append(command)

    def kill(self) -> None:
        """End a run that ignores Stop (stuck in a native call): kill its process."""
        process = self.process
        if process is not None:
            self._killed = True
            (self.pool or shared_pool()).discard(process)

    # the run ---------------------------------------------------------------------------------------
    def run(self, emit: Emit) -> Outcome:
        """Run the job; blocks until its `JobDone` has been emitted."""

        def report(event) -> None:
            if isinstance(event, RunFinished):
                self.outcome = Outcome.FINISHED
            elif isinstance(event, RunFailed):
                self.outcome = Outcome.FAILED
            emit(event)

        process = None if self.in_process else self._acquire()
        if process is None:
            return self._run_here(report)
        return self._run_in(process, report)

    def _acquire(self) -> TrainerProcess | None:
        if self.pool is None:
            self.pool = shared_pool()
        try:
            return self.pool.acquire()
        except Exception:  # noqa: BLE001 - no process here (sandbox, frozen app): use a thread
            logging.getLogger(__name__).warning(
                "no training process; training on a thread instead", exc_info=True
            )
            return None

    def _run_here(self, report: Emit) -> Outcome:
        with self._lock:
            self._here = True
            for command in self._commands:
                self.job.control(command)
        outcome = run_job(self.job, report)
        report(JobDone(outcome))
        return outcome

    def _run_in(self, process: TrainerProcess, report: Emit) -> Outcome:
        try:
            if not process.check_ready():
                report(Status(STARTING))
            with self._lock:
                self.process = process
                self._job_id = process.submit(self.job)
                for command in self._commands:
                    process.control(self._job_id, command)
        except (OSError, EOFError):  # it died while idle (e.g. the system ran out of memory)
            return self._process_died(process, report)
        while True:
            try:
                message = process.receive(POLL_S)
            except (EOFError, OSError):
                return self._process_died(process, report)
            if isinstance(message, Ready):
                report(Status(LOADING))
            elif isinstance(message, Report) and message.job_id == self._job_id:
                report(message.event)
                if isinstance(message.event, JobDone):
                    self.pool.release(process)
                    return message.event.outcome

    def _process_died(self, process: TrainerProcess, report: Emit) -> Outcome:
        self.pool.discard(process)
        if self.outcome is None:  # else it had already reported the end of the run
            message = self._death_message(process)
            report(failure_event(RuntimeError(message), message))  # sets the outcome
        report(JobDone(self.outcome))
        return self.outcome

    def _death_message(self, process: TrainerProcess) -> str:
        if self._killed:
            return "The run did not stop in time, so it was ended."
        code = process.exit_code
        message = "The training process ended unexpectedly" + (
            f" (exit code {code})." if code is not None else "."
        )
        if code == KILLED:  # what the system's out-of-memory killer does
            message += " It may have run out of memory: try a smaller batch size or model."
        return message
