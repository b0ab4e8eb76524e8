"""`JobRunner`: one job to its end, in a training process or on the caller's thread, with what
starting, dying and killing look like as events (what the window's bridge re-emits)."""

from __future__ import annotations

import os
import signal
import threading
import time

import pytest
from neurocanvas.engine.session.messages import Command, JobDone, Outcome, Status
from neurocanvas.engine.session.pool import TrainerPool
from neurocanvas.engine.session.runner import LOADING, STARTING, JobRunner
from neurocanvas.engine.session.training_job import TrainingJob
from neurocanvas.engine.templates import load_template
from neurocanvas.engine.training.events import RunFailed, RunFinished, RunStarted

WAIT_S = 60.0  # the first job waits for the process to import torch
STOP_BOUND_S = 10.0  # generous for a shared machine


def xor_job(tmp_path, **training) -> TrainingJob:
    project = load_template("xor")
    project.training = {**project.training, "checkpoint": False, **training}
    return TrainingJob(project.to_dict(), run_dir=tmp_path / "run")


class Recorder:
    """`emit` for a runner on a thread of its own; `wait_for(type)` blocks until one came."""

    def __init__(self):
        self.events: list = []
        self._seen = threading.Condition()

    def __call__(self, event) -> None:
        with self._seen:
            self.events.append(event)
            self._seen.notify_all()

    def wait_for(self, kind: type, timeout: float = WAIT_S):
        with self._seen:
            found = self._seen.wait_for(
                lambda: any(isinstance(e, kind) for e in self.events), timeout
            )
        assert found, f"no {kind.__name__} within {timeout} s: {self.events}"
        return next(e for e in self.events if isinstance(e, kind))


def start(runner: JobRunner) -> tuple[Recorder, threading.Thread]:
    recorder = Recorder()
    thread = threading.Thread(target=runner.run, args=(recorder,), daemon=True)
    thread.start()
    return recorder, thread


@pytest.fixture
def pool():
    own = TrainerPool()
    yield own
    own.shutdown()


@pytest.mark.slow
def test_a_cold_pool_says_it_is_starting_then_a_warm_one_does_not(pool, tmp_path):
    events: list = []
    assert JobRunner(xor_job(tmp_path, epochs=2), pool).run(events.append) is Outcome.FINISHED
    said = [event.text for event in events if isinstance(event, Status)]
    assert said == [STARTING, LOADING] and isinstance(events[-1], JobDone)
    again: list = []
    JobRunner(xor_job(tmp_path / "again", epochs=2), pool).run(again.append)
    assert not any(isinstance(event, Status) for event in again)
    assert len(pool.processes) == 1  # the same process, given back after the first job


def test_a_stop_given_before_the_job_reached_its_process_still_stops_it(pool, tmp_path):
    runner = JobRunner(xor_job(tmp_path, epochs=100_000), pool)
    runner.control(Command.STOP)
    events: list = []
    assert runner.run(events.append) is Outcome.FINISHED
    finished = next(event for event in events if isinstance(event, RunFinished))
    assert finished.stopped == "user"


@pytest.mark.slow
def test_a_process_that_dies_mid_run_is_a_run_failed(pool, tmp_path):
    runner = JobRunner(xor_job(tmp_path, epochs=100_000), pool)
    recorder, thread = start(runner)
    recorder.wait_for(RunStarted)
    os.kill(runner.process.popen.pid, signal.SIGKILL)
    thread.join(10)
    failed = recorder.wait_for(RunFailed)
    assert "ended unexpectedly" in failed.message and runner.outcome is Outcome.FAILED
    assert isinstance(recorder.events[-1], JobDone) and runner.process not in pool.processes


def test_a_process_that_died_while_idle_is_a_run_failed(pool, tmp_path, monkeypatch):
    dead = pool.acquire()
    dead.kill()  # e.g. the system's out-of-memory killer, after it was handed out
    monkeypatch.setattr(pool, "acquire", lambda: dead)
    events: list = []
    assert JobRunner(xor_job(tmp_path), pool).run(events.append) is Outcome.FAILED
    message = next(event for event in events if isinstance(event, RunFailed)).message
    assert "ended unexpectedly (exit code -9)" in message and "out of memory" in message
    assert dead not in pool.processes and isinstance(events[-1], JobDone)


@pytest.mark.slow
def test_kill_ends_a_run_that_would_not_stop(pool, tmp_path):
    runner = JobRunner(xor_job(tmp_path, epochs=100_000), pool)
    recorder, thread = start(runner)
    recorder.wait_for(RunStarted)
    started = time.monotonic()
    runner.kill()
    thread.join(STOP_BOUND_S)
    assert "did not stop in time" in recorder.wait_for(RunFailed).message
    assert time.monotonic() - started < STOP_BOUND_S and not thread.is_alive()


@pytest.mark.parametrize("how", ["asked", "no process"])
def test_the_job_can_run_on_the_calling_thread(tmp_path, how):
    class NoProcesses(TrainerPool):
        def acquire(self):
            raise OSError("no processes here")

    runner = JobRunner(xor_job(tmp_path, epochs=3), NoProcesses(), in_process=how == "asked")
    events: list = []
    assert runner.run(events.append) is Outcome.FINISHED
    finished = next(event for event in events if isinstance(event, RunFinished))
    assert finished.epochs_run == 3 and runner.process is None
    assert isinstance(events[-1], JobDone)
