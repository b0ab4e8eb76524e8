"""The training process and its pool, without Qt: jobs in, typed events out, commands, reuse, and
what a dead process looks like to whoever waits on it."""

from __future__ import annotations

import gc
import multiprocessing
import os
import sys
import threading
import time

import numpy as np
import pytest
from neurocanvas.engine.session.messages import (
    Command,
    DataReady,
    JobContext,
    JobDone,
    Outcome,
    Progress,
    Quit,
    Ready,
    Report,
    Results,
    Snapshot,
    Submit,
)
from neurocanvas.engine.session.pool import TrainerPool
from neurocanvas.engine.session.server import serve
from neurocanvas.engine.session.training_job import TrainingJob
from neurocanvas.engine.templates import load_template
from neurocanvas.engine.training.events import EpochEnded, RunFailed, RunFinished, RunStarted

WAIT_S = 60.0  # the first job waits for the process to import torch
STOP_BOUND_S = 10.0  # a stop must end a 100,000-epoch run; generous for a shared machine


def xor_job(tmp_path, **training) -> TrainingJob:
    project = load_template("xor")
    project.training = {**project.training, "checkpoint": False, **training}
    return TrainingJob(project.to_dict(), run_dir=tmp_path / "run")


def events_until(process, job_id: int, last: type, timeout: float = WAIT_S) -> list:
    """Every event of job `job_id` up to and including the first of type `last`."""
    seen, deadline = [], time.monotonic() + timeout
    while time.monotonic() < deadline:
        message = process.receive(0.1)
        if isinstance(message, Report) and message.job_id == job_id:
            seen.append(message.event)
            if isinstance(message.event, last):
                return seen
    raise AssertionError(f"no {last.__name__} within {timeout} s; got {seen}")


def first(events: list, kind: type):
    return next(event for event in events if isinstance(event, kind))


@pytest.fixture(scope="module")
def pool():
    """One pool for the module: its process is started once and reused by the tests."""
    own = TrainerPool()
    yield own
    own.shutdown()


@pytest.fixture
def process(pool):
    """A training process of the pool; given back afterwards (or dropped if it died)."""
    handle = pool.acquire()
    yield handle
    pool.release(handle)


@pytest.mark.slow
def test_a_job_reports_in_order_then_the_process_takes_the_next(process, tmp_path):
    job_id = process.submit(xor_job(tmp_path, epochs=3))
    events = events_until(process, job_id, JobDone)
    kinds = [type(event) for event in events]
    assert kinds[:2] == [DataReady, RunStarted]
    assert kinds[-3:] == [RunFinished, Results, JobDone]
    assert Progress in kinds and Snapshot in kinds
    assert events[-1].outcome is Outcome.FINISHED
    second = process.submit(xor_job(tmp_path / "again", epochs=1))
    assert second != job_id
    assert first(events_until(process, second, JobDone), RunFinished).epochs_run == 1
    assert process.alive


def test_progress_is_typed_and_ordered(process, tmp_path):
    job_id = process.submit(xor_job(tmp_path, epochs=5))
    events = events_until(process, job_id, JobDone)
    epochs = [
        event.epoch
        for message in events
        if isinstance(message, Progress)
        for event in message.events
        if isinstance(event, EpochEnded)
    ]
    assert epochs == [1, 2, 3, 4, 5]
    ready = first(events, DataReady)
    assert isinstance(ready.points, np.ndarray) and ready.points.shape == (ready.labels.size, 2)
    roc = first(events, Results).roc  # xor is binary: the engine's ROC curve comes back
    assert roc["fpr"][0] == 0 and roc["tpr"][-1] == 1 and 0 <= roc["auc"] <= 1


def test_stop_ends_a_long_job_and_a_stale_stop_is_ignored(process, tmp_path):
    job_id = process.submit(xor_job(tmp_path, epochs=100_000))
    events_until(process, job_id, Progress)
    started = time.monotonic()
    process.control(job_id, Command.STOP)
    finished = first(events_until(process, job_id, JobDone, timeout=STOP_BOUND_S), RunFinished)
    assert finished.stopped == "user" and time.monotonic() - started < STOP_BOUND_S
    process.control(job_id, Command.STOP)  # late: must not stop the next job
    next_id = process.submit(xor_job(tmp_path / "next", epochs=2))
    assert first(events_until(process, next_id, JobDone), RunFinished).epochs_run == 2


def test_a_job_runs_in_the_windows_folder(process, tmp_path, monkeypatch):
    rng = np.random.default_rng(0)
    points = rng.uniform(-1, 1, size=(200, 2))
    labels = (points[:, 0] * points[:, 1] > 0).astype(int)
    rows = ["x,y,label", *(f"{a:.4f},{b:.4f},{c}" for (a, b), c in zip(points, labels))]
    (tmp_path / "quadrants.csv").write_text("\n".join(rows) + "\n")
    monkeypatch.chdir(tmp_path)  # the process started elsewhere; the path below is relative
    job = xor_job(tmp_path, epochs=1)
    job.project["data"] = {"source": "quadrants.csv", "target": "label"}
    events = events_until(process, process.submit(job), JobDone)
    assert not any(isinstance(event, RunFailed) for event in events)
    assert first(events, DataReady).info["num_samples"] == 200


def test_a_failing_job_is_a_message_and_the_process_goes_on(process, tmp_path):
    job = xor_job(tmp_path)
    job.project["data"] = {"source": str(tmp_path / "missing.csv")}
    events = events_until(process, process.submit(job), JobDone)
    assert "could not be loaded" in first(events, RunFailed).message
    assert events[-1].outcome is Outcome.FAILED and process.alive


def test_a_killed_process_reads_as_end_of_file(pool):
    handle = pool.acquire()
    pool.discard(handle)
    assert not handle.alive
    with pytest.raises(EOFError):
        handle.receive(0.1)
    assert handle not in pool.processes and pool.acquire() is not handle


def test_an_idle_process_holds_no_finished_run(tmp_path):
    """The model, optimizer and data of a finished run are freed before the next job comes."""
    from neurocanvas.engine.training import Trainer

    def trainers() -> int:
        gc.collect()
        return sum(type(thing) is Trainer for thing in gc.get_objects())

    before = trainers()
    window_end, process_end = multiprocessing.Pipe()
    serving = threading.Thread(target=serve, args=(process_end, process_end))
    serving.start()
    assert isinstance(window_end.recv(), Ready)
    window_end.send(Submit(1, xor_job(tmp_path, epochs=1), JobContext.capture()))
    while not isinstance(getattr(window_end.recv(), "event", None), JobDone):
        pass
    # JobDone is sent just before the process drops the job: give it a moment (not the next job).
    deadline = time.monotonic() + 10
    while trainers() != before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert trainers() == before
    window_end.send(Quit())
    serving.join(10)
    assert not serving.is_alive()


def test_ctrl_c_in_the_terminal_does_not_reach_the_process(process):
    assert os.getsid(process.popen.pid) != os.getsid(0)


def test_a_process_that_cannot_start_is_tried_once(monkeypatch):
    pool = TrainerPool()
    monkeypatch.setattr(sys, "executable", "/bin/false")  # exits at once, never calls back
    with pytest.raises(RuntimeError, match="did not start"):
        pool.acquire()

    def start_again():
        raise AssertionError("a second start was tried")

    pool._start_process = start_again
    with pytest.raises(RuntimeError, match="no training process this session"):
        pool.acquire()


def test_a_run_during_the_prewarm_gets_the_prewarmed_process():
    pool = TrainerPool()
    try:
        warming = threading.Thread(target=pool.prewarm)
        warming.start()
        process = pool.acquire()
        warming.join()
        assert pool.processes == [process]  # never a second process beside the first
        pool.prewarm()  # one is running (busy): nothing more starts
        assert pool.processes == [process]
        pool.release(process)
    finally:
        pool.shutdown()
    assert not process.alive


def test_a_job_pickles_as_its_settings_only(tmp_path):
    import pickle

    job = xor_job(tmp_path, epochs=2)
    job.control(Command.STOP)  # runtime state stays behind: the runner replays commands
    copy = pickle.loads(pickle.dumps(job))
    assert copy.project == job.project and copy.run_dir == job.run_dir
    assert not copy._stop_requested
