"""The QThread bridge: a `JobWorker` re-emits a job's events on the GUI thread, in order, and an
`EventRouter` hands each to the handler of its type. The run layer itself is tested without Qt
(tests/engine/session)."""

from __future__ import annotations

import threading

from neurocanvas.engine.session.job import Job
from neurocanvas.engine.session.messages import Command, DataReady, JobDone, Outcome, Status
from neurocanvas.engine.training.events import Event, RunFailed, RunFinished
from neurocanvas.gui import background
from neurocanvas.gui.training.worker import EventRouter, JobWorker


class ScriptedJob(Job):
    """Emits its script's events, then waits for a Stop if asked to."""

    def __init__(self, script: list[Event], wait_for_stop: bool = False):
        self.script, self.wait_for_stop = script, wait_for_stop
        self.stopped = threading.Event()
        self.threads: list[str] = []

    def run(self, emit) -> Outcome:
        self.threads.append(threading.current_thread().name)
        for event in self.script:
            emit(event)
        if self.wait_for_stop:
            self.stopped.wait(10)
        return Outcome.FINISHED

    def control(self, command: Command) -> None:
        if command is Command.STOP:
            self.stopped.set()


def finished_event(**changes) -> RunFinished:
    values = dict(
        best_epoch=1,
        epochs_run=1,
        stopped="completed",
        test={},
        confusion_matrix=None,
        class_names=[],
        checkpoint=None,
        run_dir=None,
        seconds=0.1,
        samples_per_s=10.0,
    )
    return RunFinished(**{**values, **changes})


def test_events_arrive_on_the_gui_thread_in_order(qtbot):
    script = [Status("loading"), DataReady({"task": "binary"}, ["a", "b"], []), finished_event()]
    job = ScriptedJob(script)
    worker = JobWorker(job, in_process=True)
    seen: list = []
    worker.event.connect(lambda event: seen.append((event, threading.current_thread().name)))
    with qtbot.waitSignal(worker.succeeded, timeout=10_000) as done:
        worker.start()
    qtbot.waitUntil(lambda: len(seen) == 4)
    assert [event for event, _ in seen] == [*script, JobDone(Outcome.FINISHED)]
    assert {name for _, name in seen} == {threading.main_thread().name}
    assert job.threads != [threading.main_thread().name]  # the job itself ran off it
    assert done.args == [Outcome.FINISHED] and worker.outcome is Outcome.FINISHED


def test_a_stop_reaches_the_running_job(qtbot):
    job = ScriptedJob([Status("running")], wait_for_stop=True)
    worker = JobWorker(job, in_process=True)
    with qtbot.waitSignal(worker.event, timeout=10_000):
        worker.start()
    assert worker in background.running()  # kept alive while its thread runs
    worker.request_stop()
    assert worker.wait(5000) and job.stopped.is_set()
    qtbot.waitUntil(lambda: worker not in background.running())


def test_the_router_calls_the_handler_of_the_type_or_a_base_type():
    calls: list = []
    router = EventRouter({Status: lambda e: calls.append(("status", e.text)), Event: calls.append})
    failed = RunFailed("bad", "error", 0, None, None)
    router(Status("hello"))
    router(failed)  # no handler of its own: the Event handler takes it
    router(Status("again"))
    assert calls == [("status", "hello"), failed, ("status", "again")]
    assert EventRouter({Status: calls.append})(failed) is None and len(calls) == 3
