"""The training process's side of the connection: `python -m neurocanvas.engine.session.server
ADDR` connects back to the window, imports torch and the engine, says `Ready`, then runs the
`Job`s it is sent one at a time and sends back a `Report` for everything they emit.

Only the standard library is imported before the handshake (the window waits for it, seconds at
most); the run layer's messages, torch and the engine come after it. Stop, pause and resume are
read on a thread of their own, so they reach a job while it trains. This module imports no Qt.
"""

from __future__ import annotations

import importlib
import os
import queue
import sys
import threading
from multiprocessing.connection import Client
from typing import Any

KEY_VARIABLE = "NEUROCANVAS_TRAINER_KEY"
# Training yields the CPU to the window whenever the window wants it: with every core busy in
# torch, a repaint at equal priority waited up to 80 ms for its turn. An otherwise idle machine
# trains as fast either way; on Windows the same is BELOW_NORMAL_PRIORITY_CLASS.
NICENESS = 10
# Imported before Ready, so the first job does not wait for torch and the engine. Other jobs'
# modules load when their first job is unpickled.
WARM_MODULES = ("neurocanvas.engine.session.training_job",)


class _Server:
    """Reads control messages on a thread of its own; runs jobs one at a time on the caller's."""

    def __init__(self, control, events):
        self.control, self.events = control, events
        self.jobs: queue.Queue = queue.Queue()
        self.current: dict[int, Any] = {}  # job id -> its Submit, until the job has ended
        self.send_lock = threading.Lock()
        self.parent_gone = threading.Event()

    def send(self, message) -> None:
        if self.parent_gone.is_set():
            return
        try:
            with self.send_lock:
                self.events.send(message)
        except (OSError, EOFError):  # the window is gone: nobody to train for
            self.parent_gone.set()
            self.stop_all()

    def stop_all(self) -> None:
        from .messages import Command

        for submitted in list(self.current.values()):
            submitted.job.control(Command.STOP)

    def read_control(self) -> None:
        # No local holds a message between calls: a Submit kept alive here would keep its job,
        # and so the finished run's model and data, until the next message came.
        while self._handle(self._receive()):
            pass

    def _receive(self):
        from .messages import Quit

        try:
            return self.control.recv()
        except (OSError, EOFError):
            return Quit()

    def _handle(self, message) -> bool:
        """Act on one control message; False once it was the last."""
        from .messages import Control, Quit, Submit

        if isinstance(message, Submit):
            # Registered here, not when it starts: a Stop may follow the job at once.
            self.current[message.job_id] = message
            self.jobs.put(message.job_id)
        elif isinstance(message, Control):
            if message.job_id in self.current:  # a late Stop must not reach the next job
                self.current[message.job_id].job.control(message.command)
        elif isinstance(message, Quit):
            self.stop_all()
            self.jobs.put(None)
            return False
        return True

    def serve(self) -> None:
        from .job import run_job
        from .messages import JobDone, Report

        threading.Thread(target=self.read_control, name="control", daemon=True).start()
        while (job_id := self.jobs.get()) is not None:
            submitted = self.current[job_id]
            submitted.context.adopt()
            try:
                outcome = run_job(submitted.job, lambda e, i=job_id: self.send(Report(i, e)))
            finally:
                self.current.pop(job_id, None)
            # An idle process must not hold the last run's model, optimizer and data (nor its
            # GPU memory) until the next Train: freed before the window hears it is done.
            del submitted
            _release_memory()
            self.send(Report(job_id, JobDone(outcome)))


def serve(control, events) -> None:
    """Run jobs from `control`, report on `events` (two ends of one connection, or a pipe)."""
    from .messages import Ready

    for name in WARM_MODULES:  # torch, the engine: after the handshake
        importlib.import_module(name)
    events.send(Ready())
    _Server(control, events).serve()


def _release_memory() -> None:
    import gc

    import torch

    gc.collect()
    if torch.cuda.is_initialized():
        torch.cuda.empty_cache()


def main() -> None:
    """Entry of the training process."""
    key = bytes.fromhex(os.environ.pop(KEY_VARIABLE))
    if hasattr(os, "nice"):
        os.nice(NICENESS)
    connection = Client(sys.argv[1], authkey=key)
    serve(connection, connection)
    # Nothing left to save: skip the interpreter's slow teardown of torch (about a second), so
    # the window's exit does not wait for it.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
