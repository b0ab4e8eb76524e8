"""`TrainerProcess`: the window's handle on one training process, which runs its jobs away from
the GUI's interpreter lock.

A trainer on a thread of the window's process shares one GIL with the GUI thread: every time the
GUI repaints a plot, the training loop waits between its ops (seed-cnn trained at ~0.8x the
headless speed that way). A separate process shares nothing but the CPU.

`TrainerProcess()` starts one process (`server.py`), which imports torch and the engine once
and then runs `Job`s one at a time, so only the first run of a session waits for the imports
(`TrainerPool.prewarm` does that early). The messages (`messages.py`) are frozen dataclasses over
one connection:

- window -> process: `Submit(job_id, job, context)`, `Control(job_id, command)`, `Quit()`
- process -> window: `Ready()` once the imports are done; then `Report(job_id, event)` for every
  event of a job, the last one a `JobDone`

The process never outlives the window: a closed connection stops it, and the window's pool
closes every process at exit. This module imports no Qt (the process never loads it).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import subprocess
import sys
import threading
import time
from multiprocessing import AuthenticationError
from multiprocessing.connection import Connection, Listener
from typing import Any

from .job import Job
from .messages import Command, Control, JobContext, Quit, Ready, Report, Submit
from .server import KEY_VARIABLE

QUIT_WAIT_S = 2.0
CONNECT_WAIT_S = 20.0  # from start to handshake (before the child imports torch)
SERVER = "neurocanvas.engine.session.server"  # the module the process runs


class TrainerProcess:
    """A handle on one training process. Methods are safe to call from any thread."""

    def __init__(self):
        key = secrets.token_bytes(32)
        # A fresh interpreter running the server module, not multiprocessing's spawn: spawn
        # re-runs the caller's main script in the child, which breaks a script without a
        # __main__ guard.
        with Listener(authkey=key) as listener:
            env = {**os.environ, KEY_VARIABLE: key.hex()}
            command = [sys.executable, "-m", SERVER, str(listener.address)]
            self.popen = subprocess.Popen(command, env=env, **_detached())
            self._connection = _accept(listener, self.popen)
        self._send_lock = threading.Lock()
        self._next_id = 0
        self.ready = False  # it has imported torch and the engine (Ready came)

    def submit(self, job: Job) -> int:
        """Queue `job` behind any before it; its id, for `control` and its `Report`s."""
        with self._send_lock:
            self._next_id += 1
            self._connection.send(Submit(self._next_id, job, JobContext.capture()))
            return self._next_id

    def control(self, job_id: int, command: Command) -> None:
        self._send(Control(job_id, command))

    def receive(self, timeout: float) -> Ready | Report | None:
        """The next message, or None after `timeout` s; EOFError when the process has died."""
        try:
            if not self._connection.poll(timeout):
                if not self.alive:
                    raise EOFError
                return None
            message = self._connection.recv()
        except OSError as error:  # our end closed (discarded): as dead as the process
            raise EOFError from error
        if isinstance(message, Ready):
            self.ready = True
        return message

    def check_ready(self) -> bool:
        """True once the process has imported everything (reads a Ready waiting for us)."""
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
        self._send(Quit())
        try:
            self.popen.wait(wait_s)
        except subprocess.TimeoutExpired:
            self.kill()
        self.close_connection()

    def close_connection(self) -> None:
        with contextlib.suppress(OSError):
            self._connection.close()

    def _send(self, message) -> None:
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
