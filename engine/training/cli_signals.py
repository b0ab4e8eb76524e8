"""Ctrl+C (SIGINT) and SIGTERM during `neurocanvas train` stop the run cleanly at the next batch:
the trainer writes its final `last.pt` and `result.json` ("stopped by you" or "terminated"), and
the command exits with 130 or 143 and one line on stderr. A second Ctrl+C interrupts at once.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

REASONS = {signal.SIGINT: "user", signal.SIGTERM: "terminated"}
EXIT_STATUS = {signal.SIGINT: 130, signal.SIGTERM: 143}


@dataclass
class Caught:
    signal: int | None = None

    @property
    def exit_status(self) -> int | None:
        return EXIT_STATUS.get(self.signal) if self.signal is not None else None


@contextmanager
def stop_on_signals(trainer) -> Iterator[Caught]:
    """While the block runs, SIGINT/SIGTERM ask `trainer` to stop (main thread only)."""
    caught = Caught()
    if threading.current_thread() is not threading.main_thread():
        yield caught
        return

    def handle(signum, _frame):
        if caught.signal is not None and signum == signal.SIGINT:
            raise KeyboardInterrupt  # asked twice: the user means now
        caught.signal = signum
        trainer.request_stop(REASONS[signum])

    previous = {sig: signal.signal(sig, handle) for sig in REASONS}
    try:
        yield caught
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
