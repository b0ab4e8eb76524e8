"""`TrainerPool`: the training processes of a session, started once and reused run after run.

A process is expensive to start (it imports torch), so a finished job's process goes back to the
pool for the next one, and `prewarm` starts the first before anyone asks. A process that
misbehaved (killed, crashed, stuck) is discarded, never handed out again. When a process cannot
be started at all (a sandbox, a frozen app), the pool says so once and refuses at once after
that, so every later run falls back to a thread without waiting for the same failure.

`shared_pool()` is the window's pool; tests and tools make their own.
"""

from __future__ import annotations

import atexit
import threading
from collections.abc import Callable

from .process import TrainerProcess


class TrainerPool:
    """Idle and busy training processes. Methods are safe to call from any thread."""

    def __init__(self, start: Callable[[], TrainerProcess] = TrainerProcess):
        self._start_process = start
        self._lock = threading.Lock()  # guards the lists
        self._start_lock = threading.Lock()  # one process starts at a time (Train vs prewarm)
        self._idle: list[TrainerProcess] = []
        self._all: list[TrainerProcess] = []
        self._start_failure: str | None = None  # why no process could start, once one could not

    @property
    def processes(self) -> list[TrainerProcess]:
        """Every process of the pool, idle or busy (a copy)."""
        with self._lock:
            return list(self._all)

    def acquire(self) -> TrainerProcess:
        """An idle, started process (a new one when none is idle). Waits for a prewarm under
        way rather than starting a second process beside it."""
        with self._start_lock:
            with self._lock:
                while self._idle:
                    process = self._idle.pop()
                    if process.alive:
                        return process
                    self._forget(process)
            return self._start()

    def release(self, process: TrainerProcess) -> None:
        """Give back a process whose job is done, for the next run."""
        with self._lock:
            if process.alive and process in self._all:
                self._idle.append(process)
            else:
                self._forget(process)

    def discard(self, process: TrainerProcess) -> None:
        """A process that misbehaved: end it, never reuse it."""
        process.kill()
        process.close_connection()
        with self._lock:
            self._forget(process)

    def prewarm(self) -> None:
        """Start a process now, so the first run does not wait for torch to import; nothing when
        one is already running (idle or busy)."""
        with self._start_lock:
            with self._lock:
                if self._all:
                    return
            process = self._start()
        self.release(process)

    def shutdown(self) -> None:
        """End every process (at exit)."""
        with self._lock:
            processes, self._all, self._idle = self._all, [], []
        for process in processes:
            process.close()

    def _start(self) -> TrainerProcess:
        if self._start_failure is not None:
            raise RuntimeError(f"no training process this session: {self._start_failure}")
        try:
            process = self._start_process()
        except Exception as error:
            # Once is enough: every later run would wait for the same failure before falling
            # back to a thread.
            self._start_failure = str(error)
            raise
        with self._lock:
            self._all.append(process)
        return process

    def _forget(self, process: TrainerProcess) -> None:
        if process in self._all:
            self._all.remove(process)
        if process in self._idle:
            self._idle.remove(process)


_shared: list[TrainerPool] = []
_shared_lock = threading.Lock()


def shared_pool() -> TrainerPool:
    """The window's pool, made on first use and shut down at exit."""
    with _shared_lock:
        if not _shared:
            _shared.append(TrainerPool())
            atexit.register(_shared[0].shutdown)
        return _shared[0]
