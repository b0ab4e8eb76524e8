"""`DownloadOffer`: the Data pane's "Download MNIST…" row, shown when a built-in set is missing.

A project file can never start a download by itself (the engine refuses without consent), so
the window asks: the button opens a question naming where the files come from and the folder
they go to, then `engine.data.download` runs on a background thread. Its progress is the size
of what has arrived in the cache folder so far (torchvision reports to the console only); on
success `downloaded` is emitted and the panel loads the data again.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from neurocanvas.engine.units import bytes_text
from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMessageBox, QProgressBar, QPushButton, QWidget

from ..background import BackgroundTask, run_in_background

# name -> (shown name, where torchvision fetches it, about how much it downloads)
SOURCES = {
    "mnist": ("MNIST", "https://ossci-datasets.s3.amazonaws.com/mnist/", "12 MB"),
    "fashion-mnist": (
        "Fashion-MNIST",
        "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
        "31 MB",
    ),
    "cifar10": ("CIFAR-10", "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz", "170 MB"),
}
POLL_MS = 500


def folder_bytes(folder: Path) -> int:
    """Bytes under `folder` (files may vanish while torchvision extracts: skip those)."""
    total = 0
    for path in folder.rglob("*"):
        with contextlib.suppress(OSError):
            total += path.stat().st_size if path.is_file() else 0
    return total


class DownloadOffer(QWidget):
    """Hidden until `offer(name)`; `downloaded(name)` once the files are in the cache."""

    downloaded = Signal(str)
    failed = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.name: str | None = None
        self.task: BackgroundTask | None = None
        self.button = QPushButton()
        self.button.clicked.connect(self.ask_and_download)
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)  # busy: the total is not known in advance
        self.progress.setTextVisible(False)
        self.progress.setMaximumHeight(8)
        self.status = QLabel()
        self.status.setWordWrap(True)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.button)
        row.addWidget(self.progress, 1)
        row.addWidget(self.status, 1)
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._show_progress)
        self.reset()

    def reset(self) -> None:
        """Hide the row (another source, or the data loaded)."""
        if self.task is None:
            self.name = None
            self.hide()

    def offer(self, name: str) -> None:
        self.name = name
        self.button.setText(f"Download {SOURCES[name][0]}…")
        self.button.setEnabled(self.task is None)
        self.progress.setVisible(self.task is not None)
        self.status.clear()
        self.show()

    @property
    def busy(self) -> bool:
        return self.task is not None

    def ask(self, name: str, target: Path) -> bool:
        """Replaceable in tests; a modal question naming the source and the destination."""
        title, source, size = SOURCES[name]
        answer = QMessageBox.question(
            self,
            f"Download {title}?",
            f"{title} is not on this computer yet. Download it (about {size}) from\n{source}\n"
            f"into\n{target}?\n\nIt is downloaded once; every project then finds it there.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.Yes,
        )
        return answer == QMessageBox.StandardButton.Yes

    def ask_and_download(self) -> None:
        from neurocanvas.engine.data.builtin import cache_dir

        name, target = self.name, cache_dir()
        if name is None or self.task is not None or not self.ask(name, target):
            return
        from neurocanvas.engine.data import download

        self._target = target
        self.button.setEnabled(False)
        self.progress.show()
        self.status.setText(f"Downloading {SOURCES[name][0]} into {target}…")
        self.task = run_in_background(lambda: download(name), self._done, self._failed)
        self._timer.start()

    def _show_progress(self) -> None:
        if self.task is not None and self.name is not None:
            arrived = bytes_text(folder_bytes(self._target)) if self._target.is_dir() else "0 B"
            self.status.setText(f"Downloading {SOURCES[self.name][0]}: {arrived} so far…")

    def _done(self, _folder) -> None:
        name = self.name or ""
        self._finish()
        self.status.setText(f"{SOURCES[name][0]} downloaded.")
        self.hide()
        self.downloaded.emit(name)

    def _failed(self, message: str, _details: str) -> None:
        self._finish()
        self.button.setEnabled(True)
        self.status.setText("")
        self.failed.emit(message)

    def _finish(self) -> None:
        self._timer.stop()
        self.task = None
        self.progress.hide()
