"""The training process: jobs in, plain messages out, commands, reuse, and what a dead process
looks like to the window. The process side needs no Qt; the worker tests drive the QThread bridge.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import signal
import sys
import threading
import time

import numpy as np
import pytest
from neurocanvas.engine.templates import load_template
from neurocanvas.gui.training import trainer_process
from neurocanvas.gui.training.job import job_spec
from neurocanvas.gui.training.worker import TrainingWorker

WAIT_S = 60.0  # the first job waits for the process to import torch


def xor_spec(tmp_path, **training) -> dict:
    project = load_template("xor")
    project.training = {**project.training, "checkpoint": False, **training}
    return job_spec(project.to_dict(), run_dir=tmp_path / "run")


def messages_until(process, job_id: int, last: str, timeout: float = WAIT_S) -> list[tuple]:
    """Every message of job `job_id` up to and including the first of kind `last`."""
    seen, deadline = [], time.monotonic() + timeout
    while time.monotonic() < deadline:
        message = process.receive(0.1)
        if message is not None and message[0] == job_id:
            seen.append(message[1:])
            if message[1] == last:
                return seen
    raise AssertionError(f"no {last!r} within {timeout} s; got {[kind for kind, _ in seen]}")


@pytest.fixture
def process():
    """A training process of the pool; given back afterwards (or discarded if it died)."""
    handle = trainer_process.acquire()
    yield handle
    trainer_process.release(handle)


def test_a_job_reports_in_order_then_the_process_takes_the_next(process, tmp_path):
    job_id = process.submit(xor_spec(tmp_path, epochs=3))
    kinds = [kind for kind, _ in messages_until(process, job_id, "done")]
    assert kinds[:2] == ["data_ready", "run_started"]
    assert kinds[-2:] == ["run_finished", "done"]
    assert "progress" in kinds and "snapshot" in kinds
    second = process.submit(xor_spec(tmp_path / "again", epochs=1))
    assert second != job_id
    finished = dict(messages_until(process, second, "done"))["run_finished"]
    assert finished["epochs_run"] == 1 and process.alive


def test_progress_is_plain_data_and_ordered(process, tmp_path):
    job_id = process.submit(xor_spec(tmp_path, epochs=5))
    messages = messages_until(process, job_id, "done")
    epochs = [
        event["epoch"]
        for kind, payload in messages
        if kind == "progress"
        for event in payload
        if event["event"] == "EpochEnded"
    ]
    assert epochs == [1, 2, 3, 4, 5]
    summary = dict(messages)["data_ready"]
    assert isinstance(summary["points"], np.ndarray) and summary["points"].shape[1] == 2


def test_stop_ends_a_long_job_and_a_stale_stop_is_ignored(process, tmp_path):
    job_id = process.submit(xor_spec(tmp_path, epochs=100_000))
    messages_until(process, job_id, "progress")
    started = time.monotonic()
    process.command("stop", job_id)
    finished = dict(messages_until(process, job_id, "done", timeout=10))["run_finished"]
    assert finished["stopped"] == "user" and time.monotonic() - started < 2.0
    process.command("stop", job_id)  # late: must not stop the next job
    next_id = process.submit(xor_spec(tmp_path / "next", epochs=2))
    assert dict(messages_until(process, next_id, "done"))["run_finished"]["epochs_run"] == 2


def test_a_job_runs_in_the_windows_folder(process, tmp_path, monkeypatch):
    rng = np.random.default_rng(0)
    points = rng.uniform(-1, 1, size=(200, 2))
    labels = (points[:, 0] * points[:, 1] > 0).astype(int)
    rows = ["x,y,label", *(f"{a:.4f},{b:.4f},{c}" for (a, b), c in zip(points, labels))]
    (tmp_path / "quadrants.csv").write_text("\n".join(rows) + "\n")
    monkeypatch.chdir(tmp_path)  # the process started elsewhere; the path below is relative
    spec = xor_spec(tmp_path, epochs=1)
    spec["project"]["data"] = {"source": "quadrants.csv", "target": "label"}
    messages = dict(messages_until(process, process.submit(spec), "done"))
    assert "run_failed" not in messages, messages.get("run_failed", {}).get("message")
    assert messages["data_ready"]["info"]["num_samples"] == 200


def test_a_failing_job_is_a_message_and_the_process_goes_on(process, tmp_path):
    spec = xor_spec(tmp_path)
    spec["project"]["data"] = {"source": str(tmp_path / "missing.csv")}
    messages = dict(messages_until(process, process.submit(spec), "done"))
    assert "could not be loaded" in messages["run_failed"]["message"]
    assert messages["done"] == "failed" and process.alive


def test_a_killed_process_reads_as_end_of_file():
    handle = trainer_process.acquire()
    trainer_process.discard(handle)
    assert not handle.alive
    with pytest.raises(EOFError):
        handle.receive(0.1)
    assert trainer_process.acquire() is not handle  # never handed out again


def test_an_idle_process_holds_no_finished_run(tmp_path):
    """The model, optimizer and data of a finished run are freed before the next job comes."""
    from neurocanvas.engine.training import Trainer

    def trainers() -> int:
        gc.collect()
        return sum(type(thing) is Trainer for thing in gc.get_objects())

    before = trainers()
    window_end, process_end = multiprocessing.Pipe()
    serving = threading.Thread(target=trainer_process.serve, args=(process_end, process_end))
    serving.start()
    window_end.send(("job", 1, xor_spec(tmp_path, epochs=1)))
    while window_end.recv()[1] != "done":
        pass
    # "done" is sent just before the process drops the job: give it a moment (not the next job).
    deadline = time.monotonic() + 10
    while trainers() != before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert trainers() == before
    window_end.send(("quit",))
    serving.join(10)
    assert not serving.is_alive()


def test_ctrl_c_in_the_terminal_does_not_reach_the_process(process):
    assert os.getsid(process.popen.pid) != os.getsid(0)


def test_a_process_that_cannot_start_is_tried_once(monkeypatch):
    monkeypatch.setattr(trainer_process, "_idle", [])
    monkeypatch.setattr(trainer_process, "_start_failure", [])
    monkeypatch.setattr(sys, "executable", "/bin/false")  # exits at once, never calls back
    with pytest.raises(RuntimeError, match="did not start"):
        trainer_process.acquire()
    started = time.monotonic()
    with pytest.raises(RuntimeError, match="no training process this session"):
        trainer_process.acquire()
    assert time.monotonic() - started < 0.1


@pytest.fixture
def empty_pool(monkeypatch):
    """A pool of its own for the test; its processes are closed afterwards."""
    processes: list = []
    monkeypatch.setattr(trainer_process, "_idle", [])
    monkeypatch.setattr(trainer_process, "_all", processes)
    yield processes
    for process in list(processes):
        process.close()


def test_train_during_the_prewarm_gets_the_prewarmed_process(empty_pool):
    warming = threading.Thread(target=trainer_process.prewarm)
    warming.start()
    process = trainer_process.acquire()
    warming.join()
    assert empty_pool == [process]  # never a second process beside the first
    trainer_process.prewarm()  # one is running (busy): nothing more starts
    assert empty_pool == [process]
    trainer_process.release(process)


# the QThread bridge ------------------------------------------------------------------------------
@pytest.fixture
def make_worker(tmp_path):
    """`make_worker(training={...}, in_process=...)`: an xor worker, not started; stopped after."""
    workers = []

    def make(training: dict | None = None, **kwargs) -> TrainingWorker:
        project = load_template("xor")
        project.training = {**project.training, **(training or {})}
        worker = TrainingWorker(project.to_dict(), run_dir=tmp_path / "run", **kwargs)
        workers.append(worker)
        return worker

    yield make
    for worker in workers:
        worker.request_stop()
        assert worker.wait(10_000)


def test_a_process_that_dies_mid_run_is_a_message(qtbot, make_worker):
    worker = make_worker({"epochs": 100_000})
    with qtbot.waitSignal(worker.run_started, timeout=WAIT_S * 1000):
        worker.start()
    with qtbot.waitSignal(worker.run_failed, timeout=10_000) as failed:
        os.kill(worker._process.popen.pid, signal.SIGKILL)
    assert "ended unexpectedly" in failed.args[0]["message"]
    assert worker.wait(5000) and worker.outcome == "failed"


def test_the_first_run_says_the_process_is_starting(qtbot, make_worker, empty_pool):
    from neurocanvas.gui.training.worker import LOADING, STARTING

    worker = make_worker({"epochs": 2})
    said = []
    worker.status.connect(said.append)
    with qtbot.waitSignal(worker.run_finished, timeout=WAIT_S * 1000):
        worker.start()
    assert said == [STARTING, LOADING]
    assert worker.wait(10_000)  # its process is back in the pool once the thread has ended
    second = make_worker({"epochs": 2})  # the same process, warm now
    second.status.connect(said.append)
    with qtbot.waitSignal(second.run_finished, timeout=WAIT_S * 1000):
        second.start()
    assert said == [STARTING, LOADING] and len(empty_pool) == 1


def test_a_process_that_died_while_idle_is_a_message(qtbot, make_worker, monkeypatch):
    dead = trainer_process.acquire()
    dead.kill()
    monkeypatch.setattr(trainer_process, "acquire", lambda: dead)
    worker = make_worker({"epochs": 3})
    with qtbot.waitSignal(worker.run_failed, timeout=10_000) as failed:
        worker.start()
    message = failed.args[0]["message"]
    assert "ended unexpectedly (exit code -9)" in message and "out of memory" in message
    assert worker.wait(5000) and dead not in trainer_process._all


def test_kill_ends_a_run_that_would_not_stop(qtbot, make_worker):
    worker = make_worker({"epochs": 100_000})
    with qtbot.waitSignal(worker.run_started, timeout=WAIT_S * 1000):
        worker.start()
    with qtbot.waitSignal(worker.run_failed, timeout=10_000) as failed:
        worker.kill()
    assert "did not stop in time" in failed.args[0]["message"]
    assert worker.wait(5000)


@pytest.mark.parametrize("how", ["asked", "no process"])
def test_the_run_can_train_on_the_worker_thread(qtbot, make_worker, monkeypatch, how):
    if how == "no process":

        def refuse():
            raise OSError("no processes here")

        monkeypatch.setattr(trainer_process, "acquire", refuse)
    worker = make_worker({"epochs": 3}, in_process=how == "asked")
    with qtbot.waitSignal(worker.run_finished, timeout=WAIT_S * 1000) as finished:
        worker.start()
    assert finished.args[0]["epochs_run"] == 3 and worker._process is None
