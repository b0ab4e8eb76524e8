"""The training process: runs the window's training jobs away from the GUI's interpreter lock.

A trainer on a thread of the window's process shares one GIL with the GUI thread: every time the
GUI repaints a plot, the training loop waits between its ops (seed-cnn trained at ~0.8x the
headless speed that way). A separate process shares nothing but the CPU.

`TrainerProcess()` starts one process (`main`, then `serve`), which imports torch and the engine once and then
runs jobs one at a time, so only the first run of a session waits for the imports (`prewarm()`
does that early). Messages are plain data over one connection:

- window -> process: ("job", id, spec), ("pause" | "resume" | "stop", id), ("quit",)
- process -> window: (0, "ready", None) once torch and the engine are imported; then per job
  (id, kind, payload) with the kinds of `TrainingJob`, and (id, "done", outcome) last

The process never outlives the window: a closed connection stops it, and the window closes
every process at exit. This
module imports no Qt (the process never loads it).
"""

from __future__ import annotations

import atexit
import contextlib
import os
import queue
import secrets
import subprocess
import sys
import threading
import time
from multiprocessing import AuthenticationError
from multiprocessing.connection import Client, Connection, Listener
from typing import Any

QUIT_WAIT_S = 2.0
CONNECT_WAIT_S = 20.0  # from start to handshake (before the child imports torch)
KEY_VARIABLE = "NEUROCANVAS_TRAINER_KEY"
# Training yields the CPU to the window whenever the window wants it: with every core busy in
# torch, a repaint at equal priority waited up to 80 ms for its turn. An otherwise idle machine
# trains as fast either way; on Windows the same is BELOW_NORMAL_PRIORITY_CLASS.
NICENESS = 10


# the process side ------------------------------------------------------------------------------
def serve(control, events) -> None:
    """Main of the training process: run jobs from `control`, report on `events`."""
    from .job import TrainingJob, adopt_context, failure  # torch, the engine: after the handshake

    events.send((0, "ready", None))  # the imports are done: a job starts at once from now

    jobs: queue.Queue = queue.Queue()
    current: dict[int, Any] = {}  # job id -> TrainingJob
    send_lock = threading.Lock()
    parent_gone = threading.Event()

    def send(job_id: int, kind: str, payload: Any) -> None:
        if parent_gone.is_set():
            return
        try:
            with send_lock:
                events.send((job_id, kind, payload))
        except (OSError, EOFError):  # the window is gone: nobody to train for
            parent_gone.set()
            for job in list(current.values()):
                job.request_stop()

    def read_control() -> None:
        while True:
            try:
                message = control.recv()
            except (OSError, EOFError):
                message = ("quit",)
            kind = message[0]
            if kind == "job":
                job_id, spec = message[1], message[2]
                # Registered here, not when it starts: a Stop may follow the job at once.
                current[job_id] = TrainingJob(spec, lambda k, p, i=job_id: send(i, k, p))
                jobs.put(job_id)
            elif kind == "quit":
                for job in list(current.values()):
                    job.request_stop()
                jobs.put(None)
                return
            elif message[1] in current:
                job = current[message[1]]
                {"pause": job.pause, "resume": job.resume, "stop": job.request_stop}[kind]()

    threading.Thread(target=read_control, name="control", daemon=True).start()
    while (job_id := jobs.get()) is not None:
        job = current[job_id]
        try:
            adopt_context(job.spec)
            outcome = job.run()
        except Exception as error:  # noqa: BLE001 - a bug, not the user's doing: report, go on
            job.send("run_failed", failure(error))
            outcome = "failed"
        finally:
            current.pop(job_id, None)
        send(job_id, "done", outcome)
        # An idle process must not hold the last run's model, optimizer and data (nor its GPU
        # memory) until the next Train.
        del job
        _release_memory()


def _release_memory() -> None:
    import gc

    import torch

    gc.collect()
    if torch.cuda.is_initialized():
        torch.cuda.empty_cache()


# the window side -------------------------------------------------------------------------------
class TrainerProcess:
    """A handle on one training process. Methods are safe to call from any thread."""

    def __init__(self):
        key = secrets.token_bytes(32)
        # A fresh interpreter running this module, not multiprocessing's spawn: spawn re-runs the
        # caller's main script in the child, which breaks any script without a __main__ guard.
        with Listener(authkey=key) as listener:
            env = {**os.environ, KEY_VARIABLE: key.hex()}
            command = [sys.executable, "-m", __name__, str(listener.address)]
            self.popen = subprocess.Popen(command, env=env, **_detached())
            self._connection = _accept(listener, self.popen)
        self._send_lock = threading.Lock()
        self._next_id = 0
        self.ready = False  # it has imported torch and the engine ("ready" came)

    def submit(self, spec: dict[str, Any]) -> int:
        with self._send_lock:
            self._next_id += 1
            self._connection.send(("job", self._next_id, spec))
            return self._next_id

    def command(self, name: str, job_id: int) -> None:
        self._send((name, job_id))

    def receive(self, timeout: float) -> tuple | None:
        """The next message, or None after `timeout` s; EOFError when the process has died."""
        try:
            if not self._connection.poll(timeout):
                if not self.alive:
                    raise EOFError
                return None
            message = self._connection.recv()
        except OSError as error:  # our end closed (discarded): as dead as the process
            raise EOFError from error
        if message[1] == "ready":
            self.ready = True
        return message

    def check_ready(self) -> bool:
        """True once the process has imported everything (reads a "ready" waiting for us)."""
        while not self.ready and self.receive(0) is not None:
            pass
        return self.ready

    @property
    def alive(self) -> bool:
        return self.popen.poll() is None

    @property
    def exit_code(self) -> int | None:
        return self.popen.poll()

    def kill(self) -> None:
        if self.alive:
            self.popen.kill()
            self.popen.wait()

    def close(self, wait_s: float = QUIT_WAIT_S) -> None:
        """Ask the process to quit; kill it if it has not within `wait_s`."""
        self._send(("quit",))
        try:
            self.popen.wait(wait_s)
        except subprocess.TimeoutExpired:
            self.kill()
        self.close_connection()

    def close_connection(self) -> None:
        with contextlib.suppress(OSError):
            self._connection.close()

    def _send(self, message: tuple) -> None:
        try:
            with self._send_lock:
                self._connection.send(message)
        except OSError:  # the process has ended; whoever reads its messages reports that
            pass


def _detached() -> dict[str, Any]:
    """Popen options: lower priority, and out of the terminal's process group, so a Ctrl+C meant
    for the window does not kill a run (the closed connection ends the process anyway)."""
    if sys.platform == "win32":
        flags = subprocess.BELOW_NORMAL_PRIORITY_CLASS | subprocess.CREATE_NEW_PROCESS_GROUP
        return {"creationflags": flags}
    return {"start_new_session": True}  # niceness is set by the process itself


def _accept(listener: Listener, popen: subprocess.Popen) -> Connection:
    """The child's connection; RuntimeError when it exits or stays silent instead."""
    # The handshake comes before the child imports torch: seconds, even on a slow machine. A
    # socket timeout ends the accepting thread too when the child never calls.
    raw_socket = getattr(getattr(listener, "_listener", None), "_socket", None)
    if raw_socket is not None:
        raw_socket.settimeout(CONNECT_WAIT_S)
    accepted: list[Connection] = []

    def accept() -> None:
        # Timed out, closed under it, or a caller without the key: the checks below report it.
        with contextlib.suppress(OSError, EOFError, AuthenticationError):
            accepted.append(listener.accept())

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    deadline = time.monotonic() + CONNECT_WAIT_S
    while thread.is_alive() and popen.poll() is None and time.monotonic() < deadline:
        thread.join(0.05)
    if not accepted:
        if popen.poll() is None:
            popen.kill()
        raise RuntimeError(f"the training process did not start (exit code {popen.wait()})")
    return accepted[0]


def main() -> None:
    """Entry of the training process: `python -m neurocanvas.gui.training.trainer_process ADDR`."""
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


# the pool ---------------------------------------------------------------------------------------
_lock = threading.Lock()
_idle: list[TrainerProcess] = []
_all: list[TrainerProcess] = []
_start_lock = threading.Lock()  # one process starts at a time (Train racing the prewarm)
_start_failure: list[str] = []  # why this session could not start a process, once it could not


def acquire() -> TrainerProcess:
    """An idle, started training process (a new one when none is idle). Waits for a prewarm
    under way rather than starting a second process beside it."""
    with _start_lock:
        with _lock:
            while _idle:
                process = _idle.pop()
                if process.alive:
                    return process
                _forget(process)
        return _start()


def _start() -> TrainerProcess:
    if _start_failure:
        raise RuntimeError(f"no training process this session: {_start_failure[0]}")
    try:
        process = TrainerProcess()
    except Exception as error:
        # Once is enough: every later Train would wait for the same failure before falling back.
        _start_failure.append(str(error))
        raise
    with _lock:
        _all.append(process)
    return process


def release(process: TrainerProcess) -> None:
    """Give back a process whose job is done, for the next run."""
    with _lock:
        if process.alive and process in _all:
            _idle.append(process)
        else:
            _forget(process)


def discard(process: TrainerProcess) -> None:
    """A process that misbehaved (killed, crashed): end it, never reuse it."""
    process.kill()
    process.close_connection()
    with _lock:
        _forget(process)
        if process in _idle:
            _idle.remove(process)


def prewarm() -> None:
    """Start a process now, so the first Train does not wait for torch to import; nothing when
    one is already running (idle or training)."""
    with _start_lock:
        with _lock:
            if _all:
                return
        process = _start()
    release(process)


def shutdown_all() -> None:
    """End every training process (at exit)."""
    with _lock:
        processes = list(_all)
        _all.clear()
        _idle.clear()
    for process in processes:
        process.close()


def _forget(process: TrainerProcess) -> None:
    if process in _all:
        _all.remove(process)


atexit.register(shutdown_all)


if __name__ == "__main__":
    main()
