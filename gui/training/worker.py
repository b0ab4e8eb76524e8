"""The bridge between the run layer and the window: a `JobWorker` runs one `Job` through a
`JobRunner` (in a training process, `engine/session/`) on its own thread and re-emits every event
the job reports as its `event` signal, which Qt delivers on the GUI thread, in order.

The bridge knows no kinds of events: an `EventRouter({EventType: handler})` calls handlers by
type (a handler for a base class sees its subclasses too). Only frozen event
dataclasses cross, already buffered by the job to about ten progress messages a second.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from neurocanvas.engine.session.job import Job
from neurocanvas.engine.session.messages import Command, Outcome
from neurocanvas.engine.session.pool import TrainerPool
from neurocanvas.engine.session.runner import JobRunner
from neurocanvas.engine.training.events import Event
from PySide6.QtCore import Signal

from ..background import BackgroundTask


class JobWorker(BackgroundTask):
    """One job. Create, `route`, `start()`; control with `pause`/`resume`/`request_stop`.
    `succeeded` carries the `Outcome` once the thread is done."""

    event = Signal(object)  # an engine Event: the trainer's, or one of messages.py

    def __init__(self, job: Job, *, pool: TrainerPool | None = None, in_process: bool = False):
        super().__init__()
        self.runner = JobRunner(job, pool, in_process)

    def work(self) -> Outcome:
        return self.runner.run(self.event.emit)

    @property
    def outcome(self) -> Outcome | None:
        return self.runner.outcome

    # control, from the GUI thread ----------------------------------------------------------------
    def request_stop(self) -> None:
        self.runner.control(Command.STOP)

    def pause(self) -> None:
        self.runner.control(Command.PAUSE)

    def resume(self) -> None:
        self.runner.control(Command.RESUME)

    def kill(self) -> None:
        """End a run that ignores Stop (stuck in a native call): kill its process."""
        self.runner.kill()


class EventRouter:
    """`router(event)` calls the handler of the event's type (or nearest base type); events
    without one are ignored. Connect a receiver's own method that calls it, so Qt drops the
    connection when the receiver goes."""

    def __init__(self, handlers: Mapping[type, Callable[[Any], None]]):
        self.handlers = dict(handlers)
        self._chosen: dict[type, Callable[[Any], None] | None] = {}

    def __call__(self, event: Event) -> None:
        kind = type(event)
        if kind not in self._chosen:  # the MRO walk once per type, not per message
            found = (self.handlers[k] for k in kind.__mro__ if k in self.handlers)
            self._chosen[kind] = next(found, None)
        handler = self._chosen[kind]
        if handler is not None:
            handler(event)
