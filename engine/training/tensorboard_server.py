"""`TensorBoardServer`: `tensorboard --logdir RUN/tensorboard` as a child process on loopback
(127.0.0.1 and a free port, never another interface), for the window's "Open in TensorBoard"."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

START_TIMEOUT_S = 60


class TensorBoardError(RuntimeError):
    """TensorBoard could not be started; the message says why (its own last words included)."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def command(logdir: str | Path, port: int) -> list[str]:
    return [
        sys.executable, "-m", "tensorboard.main", "--logdir", str(logdir),
        "--host", "127.0.0.1", "--port", str(port),
    ]  # fmt: skip


class TensorBoardServer:
    def __init__(self, logdir: str | Path):
        self.logdir = Path(logdir)
        self.process: subprocess.Popen | None = None
        self.url = ""

    def start(self, timeout: float = START_TIMEOUT_S) -> str:
        """Start it and wait until it answers; returns its URL."""
        if not self.logdir.is_dir():
            raise TensorBoardError(
                f"{self.logdir}: no TensorBoard logs (train with TensorBoard logs on)"
            )
        port = free_port()
        self.url = f"http://127.0.0.1:{port}/"
        self.process = subprocess.Popen(
            command(self.logdir, port),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,  # a terminal's Ctrl+C is for the window, not for it
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                said = (self.process.stderr.read() or b"").decode(errors="replace").strip()
                raise TensorBoardError(
                    f"TensorBoard ended at once: {said.splitlines()[-1:] or '?'}"
                )
            if _answers(self.url):
                return self.url
            time.sleep(0.2)
        self.stop()
        raise TensorBoardError(f"TensorBoard did not answer within {timeout:.0f} s")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        if self.process is not None and self.process.stderr is not None:
            self.process.stderr.close()
        self.process = None


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as reply:  # noqa: S310 - our own loopback URL
            return reply.status == 200
    except OSError:
        return False
