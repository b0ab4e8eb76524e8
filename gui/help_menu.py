"""The Help menu: the keyboard shortcuts (read from the window's own actions, so the list cannot
drift from the menus, plus the canvas's mouse gestures), the documentation, and About.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices, QKeySequence
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QMessageBox, QVBoxLayout

# What the canvas does with the mouse and keys that no menu action carries.
GESTURES = (
    ("Drag a layer from the palette", "add it where it is dropped"),
    ("Double-click a layer in the palette", "add it after the selected layer, wired"),
    ("Drag from an output port to an input port", "wire two layers"),
    ("Mouse wheel over the canvas", "zoom around the pointer"),
    ("Middle button drag, or Space + drag", "pan the canvas"),
    ("Drag on empty canvas", "select the layers in the rectangle"),
)
DOCS = Path(__file__).resolve().parents[1] / "README.md"  # the checkout's README, beside docs/


def shortcut_rows(window) -> list[tuple[str, str]]:
    """(menu > action, shortcut) for every menu action of the window that has a shortcut."""
    rows = []
    for menu_action in window.menuBar().actions():
        menu = menu_action.menu()
        if menu is None:
            continue
        for action in menu.actions():
            keys = action.shortcut()
            if not keys.isEmpty():
                name = f"{menu.title()} > {action.text()}".replace("&", "").replace("…", "")
                rows.append((name, keys.toString(QKeySequence.SequenceFormat.NativeText)))
    return rows


def shortcuts_html(window) -> str:
    def table(rows):
        cells = "".join(f"<tr><td>{a}</td><td>&nbsp;&nbsp;<b>{b}</b></td></tr>" for a, b in rows)
        return f"<table cellspacing='2'>{cells}</table>"

    return (
        "<h3>Keyboard shortcuts</h3>"
        + table(shortcut_rows(window))
        + "<h3>On the canvas</h3>"
        + table(GESTURES)
    )


class ShortcutsDialog(QDialog):
    def __init__(self, window):
        super().__init__(window)
        self.setWindowTitle("Keyboard shortcuts — NeuroCanvas")
        self.text = QLabel(shortcuts_html(window))
        self.text.setTextFormat(Qt.TextFormat.RichText)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addWidget(buttons)


def install_help_menu(window) -> None:
    """Add Help (last in the menu bar): shortcuts (F1), documentation, about."""
    menu = window.menuBar().addMenu("&Help")
    shortcuts = menu.addAction("&Keyboard Shortcuts…")
    shortcuts.setShortcut(QKeySequence(QKeySequence.StandardKey.HelpContents))

    def show_shortcuts():
        window.shortcuts_dialog = ShortcutsDialog(window)  # kept: tests and a second F1 find it
        window.shortcuts_dialog.show()

    shortcuts.triggered.connect(show_shortcuts)
    docs = menu.addAction("&Documentation")
    docs.setStatusTip(str(DOCS))
    docs.triggered.connect(lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(DOCS))))
    menu.addSeparator()
    about = menu.addAction("&About NeuroCanvas")
    about.triggered.connect(
        lambda: QMessageBox.about(
            window,
            "About NeuroCanvas",
            "NeuroCanvas: design, train and export neural networks visually.\n"
            "Every window action also runs from the command line: neurocanvas --help.",
        )
    )
    window.help_menu = menu
