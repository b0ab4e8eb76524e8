"""File > Export: the model (the export dialog), the canvas as PNG/SVG, the summary as text,
Markdown or CSV; and the "Netron" tab in the window's bottom tabs that shows an exported ONNX file.

`install_export_actions(window, file_menu)` is all the main window calls: this keeps the export
features out of `main_window.py`. The Netron tab is added on first use and has its own close
button; closing it (or the window) stops netron's server.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox, QTabBar, QToolButton

from . import exports

PICTURE_FILTERS = {"png": "PNG image (*.png)", "svg": "SVG drawing (*.svg)"}
SUMMARY_FILTERS = {
    "text": "Text (*.txt)",
    "markdown": "Markdown (*.md)",
    "csv": "CSV (*.csv)",
}


def install_export_actions(window, file_menu: QMenu) -> ExportActions:
    """Add the File > Export submenu to `window`; the controller (kept as `window.exports`)."""
    controller = ExportActions(window)
    file_menu.addMenu(controller.menu)
    return controller


class ExportActions(QObject):
    """Owns the Export menu, the (modeless) export dialog and the Netron tab of one window."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.dialog = None
        self.netron = None  # the NetronView while its tab is open
        menu = self.menu = QMenu("E&xport", window)
        self.model_action = self._add(
            menu, "&Model (ONNX, TorchScript, PyTorch code)…", self.open_dialog, "Ctrl+E"
        )
        self.netron_action = self._add(
            menu, "Inspect ONNX File in &Netron…", self.choose_netron_file
        )
        menu.addSeparator()
        self.png_action = self._add(menu, "Canvas as &PNG…", lambda: self.ask_canvas("png"))
        self.svg_action = self._add(menu, "Canvas as &SVG…", lambda: self.ask_canvas("svg"))
        menu.addSeparator()
        self.text_action = self._add(menu, "Summary as &Text…", lambda: self.ask_summary("text"))
        self.md_action = self._add(
            menu, "Summary as &Markdown…", lambda: self.ask_summary("markdown")
        )
        self.csv_action = self._add(menu, "Summary as &CSV…", lambda: self.ask_summary("csv"))
        window.installEventFilter(self)

    def _add(self, menu: QMenu, text: str, slot, shortcut: str | None = None) -> QAction:
        action = QAction(text, self.window)
        if shortcut:
            action.setShortcut(shortcut)
        action.triggered.connect(lambda _checked=False: slot())
        menu.addAction(action)
        return action

    # ---- paths --------------------------------------------------------------------------------
    def _suggested(self, suffix: str) -> str:
        from .export_job import slug

        document = self.window.document
        folder = Path(document.path).parent if document.path else Path.home()
        return str(folder / (slug(document.project.name) + suffix))

    def _ask_path(self, title: str, suffix: str, file_filter: str) -> Path | None:
        path, _ = QFileDialog.getSaveFileName(
            self.window, title, self._suggested(suffix), file_filter
        )
        if not path:
            return None
        path = Path(path)
        return path if path.suffix else path.with_suffix(suffix)

    # ---- canvas and summary -------------------------------------------------------------------
    def ask_canvas(self, kind: str) -> None:
        path = self._ask_path(f"Export canvas as {kind.upper()}", f".{kind}", PICTURE_FILTERS[kind])
        if path is not None:
            self._guarded(lambda: self.save_canvas(path, kind))

    def save_canvas(self, path: str | os.PathLike, kind: str | None = None) -> Path:
        path = Path(path)
        kind = kind or path.suffix.lstrip(".").lower()
        scene = self.window.canvas.canvas_scene
        if kind == "svg":
            size = exports.save_canvas_svg(scene, path, title=self.window.document.project.name)
        else:
            size = exports.save_canvas_png(scene, path)
        self.window.show_message(f"Saved the canvas to {path} ({size.width()}×{size.height()})")
        return path

    def ask_summary(self, kind: str) -> None:
        suffix = exports.SUMMARY_FORMATS[kind]
        path = self._ask_path("Export summary", suffix, SUMMARY_FILTERS[kind])
        if path is not None:
            self._guarded(lambda: self.save_summary(path, kind))

    def save_summary(self, path: str | os.PathLike, kind: str | None = None) -> Path:
        document = self.window.document
        summary = exports.summary_of(document)
        path = exports.write_summary(summary, path, kind, title=document.project.name)
        self.window.show_message(f"Saved the summary to {path}")
        return path

    def _guarded(self, action) -> None:
        try:
            action()
        except OSError as error:  # a read-only folder, a full disk: say so, keep the window
            QMessageBox.warning(self.window, "Export failed", str(error))

    # ---- the model ----------------------------------------------------------------------------
    def open_dialog(self):
        """Show the export dialog for the current document (a fresh one unless one is open)."""
        from .export_dialog import ExportDialog

        if self.dialog is not None and self.dialog.isVisible():
            if self.dialog.document is self.window.document:
                self.dialog.raise_()
                self.dialog.activateWindow()
                return self.dialog
            self.dialog.close()
        dialog = ExportDialog(self.window.document, self.window)
        dialog.inspect_requested.connect(self.show_netron)
        dialog.layer_named.connect(self.window.select_node)
        dialog.finished_export.connect(self._on_export)
        self.dialog = dialog
        dialog.show()
        return dialog

    def _on_export(self, reply: dict) -> None:
        if reply.get("ok"):
            self.window.show_message(reply["summary"])
        else:
            self.window.show_message("Export failed: " + reply["error"].splitlines()[0])

    # ---- Netron -------------------------------------------------------------------------------
    def choose_netron_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self.window, "Inspect in Netron", str(Path.home()), "ONNX models (*.onnx)"
        )
        if path:
            self.show_netron(path)

    def show_netron(self, path: str | os.PathLike):
        """Open (or reuse) the Netron tab on `path` and bring it to the front; the NetronView."""
        from .netron_view import NetronView

        tabs = self.window.tabs
        if self.netron is None:
            self.netron = NetronView()
            index = tabs.addTab(self.netron, "Netron")
            close = QToolButton()
            close.setAutoRaise(True)
            close.setText("✕")
            close.setToolTip("Close the Netron tab (stops its server)")
            close.clicked.connect(self.close_netron)
            # Only this tab gets a close button: the Issues/Summary/Code tabs always stay.
            tabs.tabBar().setTabButton(index, QTabBar.ButtonPosition.RightSide, close)
        tabs.setTabText(tabs.indexOf(self.netron), f"Netron: {Path(path).name}")
        try:
            self.netron.open_model(path)
        except Exception as error:  # noqa: BLE001 - a missing netron package or unreadable file
            self.close_netron()
            QMessageBox.warning(self.window, "Netron", f"Could not open {path} in Netron: {error}")
            return None
        tabs.setCurrentWidget(self.netron)
        dock = self.window.tabs_dock
        dock.show()
        dock.raise_()
        # A graph needs room: the bottom tabs' usual 240 px shows two or three nodes.
        wanted = self.window.height() * 45 // 100
        if dock.height() < wanted:
            self.window.resizeDocks([dock], [wanted], Qt.Orientation.Vertical)
        return self.netron

    def close_netron(self) -> None:
        """Remove the Netron tab and stop its server."""
        view, self.netron = self.netron, None
        if view is None:
            return
        view.close_model()
        tabs = self.window.tabs
        index = tabs.indexOf(view)
        if index >= 0:
            tabs.removeTab(index)
        view.deleteLater()

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt override
        if watched is self.window and event.type() == QEvent.Type.Close:
            # The close may still be cancelled (unsaved changes): look again once it is decided.
            QTimer.singleShot(0, self, self._after_close)  # dropped if we are deleted
        return False

    def _after_close(self) -> None:
        if not self.window.isVisible():
            self.close_netron()
            if self.dialog is not None:
                self.dialog.close()
