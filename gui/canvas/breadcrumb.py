"""The bar above the canvas while a block is open: "‹ Up   main › res1 › inner".

Each name but the last is a button that goes back out to that graph; "Up" (and Esc on the
canvas) goes out one level. It only shows a path and asks the Document to open another one.
"""

from __future__ import annotations

from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QToolButton, QWidget

from ..graph_paths import SEPARATOR

UP_TIP = "Back out of this block to the graph around it (Esc on the canvas)"


class Breadcrumb(QFrame):
    def __init__(self, document, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("breadcrumb")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.document = document
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(6, 2, 6, 2)
        self._layout.setSpacing(2)
        self.up_button = QToolButton()
        self.up_button.setText("‹ Up")
        self.up_button.setToolTip(UP_TIP)
        self.up_button.setAutoRaise(True)
        self.up_button.clicked.connect(lambda: self.document.go_up())
        self.hint = QLabel()
        self.hint.setObjectName("muted")
        self.items: list[QWidget] = []  # one per graph on the path, outermost first
        self.show_path(document.active_path)

    def show_path(self, path) -> None:
        """Show the buttons for `path`; hidden at a network's top level (nothing to go up to)."""
        while self._layout.count():
            item = self._layout.takeAt(0)
            if item.widget() is not None and item.widget() not in (self.up_button, self.hint):
                item.widget().deleteLater()
        self.items = []
        self._layout.addWidget(self.up_button)
        for depth, name in enumerate(path):
            if depth:
                separator = QLabel(SEPARATOR.strip())
                separator.setObjectName("muted")
                self._layout.addWidget(separator)
            if depth == len(path) - 1:  # where the canvas is: bold, not a button
                item = QLabel(f"<b>{name}</b>")
                item.setContentsMargins(4, 0, 4, 0)
            else:
                item = QToolButton()
                item.setText(name)
                item.setAutoRaise(True)
                item.setToolTip(f"Back out to {name}")
                item.clicked.connect(lambda _=False, end=depth + 1: self._open(path[:end]))
            self._layout.addWidget(item)
            self.items.append(item)
        self.hint.setText(
            f"   inside block {path[-1]}: edits change its body (undo covers them)"
            if len(path) > 1
            else ""
        )
        self._layout.addWidget(self.hint)
        self._layout.addStretch(1)
        self.setVisible(len(path) > 1)

    def _open(self, path) -> None:
        self.document.open_path(tuple(path))

    def texts(self) -> list[str]:
        """The names shown, outermost first (the last one is a label: `<b>name</b>`)."""
        return [item.text().removeprefix("<b>").removesuffix("</b>") for item in self.items]
