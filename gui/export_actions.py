"""File > Export: the model (the export dialog), the canvas as PNG/SVG, the summary as text,
Markdown or CSV; and the Netron window (one tab per inspected ONNX file).

`install_export_actions(window, file_menu)` is all the main window calls: this keeps the export
features out of `main_window.py`. The Netron window is made on first use; closing a tab (or the
window, or the main window) stops that tab's netron server.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox

from . import exports, files

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
    """Owns the Export menu, the (modeless) export dialog and the Netron window of one window."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.dialog = None
        self.netron = None  # the NetronWindow, once made
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
        app = QCoreApplication.instance()
        if app is not None:  # netron's servers must not outlive the application
            app.aboutToQuit.connect(self.close_netron)

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
            files.remember_export_folder(reply["path"])
            self.window.show_message(reply["summary"])
        else:
            self.window.show_message("Export failed: " + reply["error"].splitlines()[0])

    # ---- Netron -------------------------------------------------------------------------------
    def choose_netron_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self.window,
            "Inspect in Netron",
            str(self.netron_start_folder()),
            "ONNX models (*.onnx)",
        )
        if path:
            self.show_netron(path)

    def netron_start_folder(self) -> Path:
        """The newest export's folder, else the project's, else home."""
        document_path = getattr(self.window.document, "path", None)
        fallback = Path(document_path).parent if document_path else Path.home()
        return files.last_export_folder() or fallback

    def show_netron(self, path: str | os.PathLike):
        """Show `path` in the Netron window (made on first use; one tab per model) and bring it
        to the front; the NetronView, or None when netron could not serve the file."""
        from . import netron_view

        if self.netron is None:
            # Its own top-level window, without a parent widget: a web view inside (or below) the
            # main window makes Qt re-create the main window's native window (see netron_view).
            # Closed with the main window by `_after_close`.
            self.netron = netron_view.NetronWindow(
                self.window, view_factory=lambda: netron_view.NetronView()
            )
            self.window.destroyed.connect(self.netron.close)  # no parent widget to take it along
        try:
            return self.netron.open_model(path)
        except Exception as error:  # noqa: BLE001 - a missing netron package or unreadable file
            if not self.netron.views():
                self.netron.hide()
            QMessageBox.warning(self.window, "Netron", f"Could not open {path} in Netron: {error}")
            return None

    def close_netron(self) -> None:
        """Close the Netron window: every tab's server stops."""
        netron, self.netron = self.netron, None
        if netron is not None:
            netron.close_all()
            netron.close()
            netron.deleteLater()

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
