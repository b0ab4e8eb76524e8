"""The export dialog's "Serve locally": runs `neurocanvas serve MODEL --host 127.0.0.1 --port P` in
a child process (a free loopback port), waits until it accepts connections, and shows the URL,
the API docs link and the `curl` line the server printed for this model. Stop (or closing the
dialog) ends the process. The window never loads the model itself: the server does, off the GUI
thread, and says so if it cannot.
"""

from __future__ import annotations

import socket
import sys
from pathlib import Path

from PySide6.QtCore import QProcess, QTimer, Signal
from PySide6.QtWidgets import QGroupBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from . import theme

HOST = "127.0.0.1"
START_TIMEOUT_MS = 120_000  # loading torch and the model on a busy machine can take a while


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def _accepts(port: int) -> bool:
    try:
        with socket.create_connection((HOST, port), timeout=0.05):
            return True
    except OSError:
        return False


class ServePanel(QGroupBox):
    """Serve a checkpoint or an exported ONNX file on loopback; `started(url)` once it answers."""

    started = Signal(str)
    stopped = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__("Serve locally", parent)
        from PySide6.QtCore import Qt

        self.model: str | None = None
        self.url: str | None = None
        self.curl: str | None = None
        self._port = 0
        self._output = ""
        self._process: QProcess | None = None
        self._poll = QTimer(self)
        self._poll.setInterval(200)
        self._poll.timeout.connect(self._check_started)
        self._waited = 0

        self.model_label = QLabel()
        self.model_label.setObjectName("muted")
        self.model_label.setWordWrap(True)
        self.serve_button = QPushButton("Serve locally")
        self.serve_button.setToolTip(
            "Start a prediction service for this model on this machine only (127.0.0.1): "
            "POST /predict, GET /health, GET /metadata, API docs at /docs"
        )
        self.stop_button = QPushButton("Stop")
        self.serve_button.clicked.connect(self.start)
        self.stop_button.clicked.connect(self.stop)
        self.url_label = QLabel()
        self.curl_label = QLabel()
        self.status_label = QLabel()
        for label in (self.url_label, self.curl_label, self.status_label):
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.url_label.setOpenExternalLinks(True)
        self.url_label.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextBrowserInteraction
            | Qt.TextInteractionFlag.TextSelectableByMouse
        )
        self.curl_label.setStyleSheet("font-family: monospace;")
        row = QHBoxLayout()
        row.addWidget(self.model_label, 1)
        row.addWidget(self.serve_button)
        row.addWidget(self.stop_button)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.status_label)
        layout.addWidget(self.url_label)
        layout.addWidget(self.curl_label)
        self._show_idle()

    # ---- state --------------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self._process is not None

    def set_model(self, path: str | None) -> None:
        """What "Serve locally" serves: a checkpoint, an .onnx file or a service folder."""
        self.model = str(path) if path else None
        if not self.running:
            self._show_idle()

    def start(self) -> None:
        if self.running or not self.model:
            return
        self._port = free_port()
        self._output, self._waited = "", 0
        process = QProcess(self)
        process.setProcessChannelMode(QProcess.ProcessChannelMode.MergedChannels)
        process.readyReadStandardOutput.connect(self._read)
        process.finished.connect(self._on_finished)
        args = ["-m", "neurocanvas.engine.cli", "serve", self.model]
        process.start(sys.executable, [*args, "--host", HOST, "--port", str(self._port)])
        self._process = process
        self.serve_button.setEnabled(False)
        self.stop_button.show()
        self.status_label.setText(f"Starting the service for {Path(self.model).name}…")
        self.status_label.setStyleSheet("")
        self.status_label.show()
        self._poll.start()

    def stop(self) -> None:
        process, self._process = self._process, None
        self._poll.stop()
        if process is not None:
            process.finished.disconnect(self._on_finished)
            process.terminate()
            if not process.waitForFinished(5000):
                process.kill()
                process.waitForFinished(2000)
            process.deleteLater()
            self.stopped.emit()
        self.url = self.curl = None
        self._show_idle()

    # ---- the child process --------------------------------------------------------------------
    def _read(self) -> None:
        if self._process is not None:
            self._output += bytes(self._process.readAllStandardOutput()).decode("utf-8", "replace")

    def _check_started(self) -> None:
        self._waited += self._poll.interval()
        curl = next((ln[5:] for ln in self._output.splitlines() if ln.startswith("Try: ")), None)
        if curl and _accepts(self._port):
            self._poll.stop()
            self.url, self.curl = f"http://{HOST}:{self._port}", curl
            self._show_running()
            self.started.emit(self.url)
        elif self._waited > START_TIMEOUT_MS:
            self.stop()
            self._show_failure("the service did not start within 2 minutes")

    def _on_finished(self, *_args) -> None:
        self._read()
        output = self._output.strip().splitlines()
        self._process = None
        self._poll.stop()
        self.url = self.curl = None
        self._show_idle()
        self._show_failure(output[-1] if output else "the service ended")
        self.stopped.emit()

    # ---- showing ------------------------------------------------------------------------------
    def _show_idle(self) -> None:
        self.serve_button.setEnabled(bool(self.model))
        self.stop_button.hide()
        self.url_label.hide()
        self.curl_label.hide()
        self.status_label.hide()
        self.model_label.setText(
            f"Model: {self.model}" if self.model else "Train the model or export it to serve it."
        )

    def _show_running(self) -> None:
        self.status_label.setText(
            f"✓ Serving on this machine only ({HOST}). Stop ends it; so does closing this dialog."
        )
        self.status_label.setStyleSheet(f"color: {theme.OK.name()};")
        self.url_label.setText(
            f'URL: <a href="{self.url}">{self.url}</a> · API docs: '
            f'<a href="{self.url}/docs">{self.url}/docs</a>'
        )
        hint = "\n(image.png: any PNG or JPEG file)" if "@image.png" in (self.curl or "") else ""
        self.curl_label.setText((self.curl or "") + hint)
        self.url_label.show()
        self.curl_label.show()

    def _show_failure(self, message: str) -> None:
        self.status_label.setText(f"✗ {message}")
        self.status_label.setStyleSheet(f"color: {theme.ERROR.name()};")
        self.status_label.show()
