"""Two small parts of the Training dock kept out of dock.py: the canvas preview's controls
(`PreviewControls`) and the TensorBoard servers it starts for the Runs tab (`TensorBoards`)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QSpinBox, QWidget

from ..background import run_in_background


class PreviewControls(QWidget):
    """ "Preview layer outputs on the canvas" and which test sample; `sample()` is the job's
    `preview_sample` (None when off)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.check = QCheckBox("Preview layer outputs on the canvas")
        self.check.setToolTip(
            "While the model trains, each card shows its output for one test sample (about once "
            "a second; it takes effect from the next run)"
        )
        self.spin = QSpinBox()
        self.spin.setRange(0, 1_000_000)
        self.spin.setPrefix("sample ")
        self.spin.setToolTip("Which sample of the test split (wrapped to its size)")
        self.drawn = QCheckBox("the digit drawn in Try it")
        self.drawn.setToolTip(
            "Preview the digit drawn on Try it's pad instead of a test sample (a 28x28 model)"
        )
        self.drawn.toggled.connect(lambda on: self.spin.setEnabled(not on))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.check)
        layout.addWidget(self.spin)
        layout.addWidget(self.drawn)
        layout.addStretch(1)

    def sample(self) -> int | None:
        return self.spin.value() if self.check.isChecked() else None

    def image(self, pad) -> list | None:
        """The pad's drawing as raw 0-255 values (what the loaders give), when it is chosen
        and something is drawn; else None (the test sample is previewed)."""
        if not (self.check.isChecked() and self.drawn.isChecked()):
            return None
        image = pad.image()
        if not image.any():
            return None
        return (image * 255).round().tolist()


class TensorBoards:
    """TensorBoard on loopback per run's logs folder: started once, reused, stopped at the end."""

    def __init__(self, status: Callable[[str], None], error: Callable[[str, str], None]):
        self.status, self.error = status, error
        self.servers: dict[str, object] = {}  # logs folder -> its TensorBoardServer
        self.task = None

    def open(self, folder: str) -> None:
        from neurocanvas.engine.training.tensorboard_server import TensorBoardServer

        server = self.servers.get(folder)
        if server is not None and server.process is not None:
            QDesktopServices.openUrl(QUrl(server.url))
            return
        server = self.servers[folder] = TensorBoardServer(folder)
        self.status("Starting TensorBoard…")

        def started(url: str) -> None:
            self.status(f"TensorBoard: {url}")
            QDesktopServices.openUrl(QUrl(url))

        def failed(message: str, details: str) -> None:
            self.servers.pop(folder, None)
            self.error(f"Could not start TensorBoard: {message}", details)

        self.task = run_in_background(server.start, started, failed)

    def stop_all(self) -> None:
        for server in self.servers.values():
            server.stop()
        self.servers.clear()
