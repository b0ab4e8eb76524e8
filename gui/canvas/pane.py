"""The canvas with its navigation: a tab per network (hidden when the project has one) and, while
a block is open, the breadcrumb bar. The window's central widget.

The tabs follow the Document (`graphs_changed`, `active_changed`: an undo in another network
switches the tab); choosing a tab asks the Document to show that network, where it was left
(inside a block, if one was open there).
"""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import QMenu, QTabBar, QVBoxLayout, QWidget

from .breadcrumb import Breadcrumb

TAB_TIP = "A network of the project (double-click to rename; right-click: rename, remove)"


class CanvasPane(QWidget):
    rename_requested = Signal(str)  # a tab was double-clicked: the network's name

    def __init__(self, view, parent: QWidget | None = None):
        super().__init__(parent)
        self.view = view
        self.document = None
        self.tabs = QTabBar()
        self.tabs.setDocumentMode(True)
        self.tabs.setExpanding(False)
        self.tabs.setDrawBase(True)
        self.tabs.setToolTip(TAB_TIP)
        self.tabs.currentChanged.connect(self._tab_chosen)
        self.tabs.tabBarDoubleClicked.connect(self._tab_double_clicked)
        self.tabs.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.tabs.customContextMenuRequested.connect(self._tab_menu)
        self.breadcrumb = Breadcrumb(view.document)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.tabs)
        layout.addWidget(self.breadcrumb)
        layout.addWidget(view, 1)
        self._inside: dict[str, tuple] = {}  # network -> the path last shown in it
        self.set_document(view.document)

    def set_document(self, document) -> None:
        if self.document is not None:
            self.document.active_changed.disconnect(self.refresh)
            self.document.graphs_changed.disconnect(self.refresh)
        self.document = document
        self.breadcrumb.document = document
        self._inside.clear()
        document.active_changed.connect(self.refresh)
        document.graphs_changed.connect(self.refresh)
        self.refresh()

    def names(self) -> list[str]:
        return [self.tabs.tabText(index) for index in range(self.tabs.count())]

    def refresh(self) -> None:
        """Tabs as the project's networks, in order, the active one current; the breadcrumb
        for the path shown."""
        document = self.document
        names = list(document.graphs)
        self._inside = {name: path for name, path in self._inside.items() if name in names}
        self._inside[document.network] = document.active_path
        with QSignalBlocker(self.tabs):
            if self.names() != names:
                while self.tabs.count():
                    self.tabs.removeTab(0)
                for name in names:
                    self.tabs.addTab(name)
            self.tabs.setCurrentIndex(names.index(document.network))
        self.tabs.setVisible(len(names) > 1)
        self.breadcrumb.show_path(document.active_path)

    def _tab_chosen(self, index: int) -> None:
        if index < 0:
            return
        name = self.tabs.tabText(index)
        path = self._inside.get(name, (name,))
        try:
            self.document.open_path(path)
        except KeyError:  # the block it was inside is gone
            self.document.open_path((name,))

    def _tab_double_clicked(self, index: int) -> None:
        if index >= 0:
            self.rename_requested.emit(self.tabs.tabText(index))

    def tab_menu(self, index: int) -> QMenu:
        """A tab's right-click menu: rename it, remove it (one undo step each)."""
        name = self.tabs.tabText(index)
        menu = QMenu(self)
        menu.addAction(f"Rename {name}…", lambda: self.rename_requested.emit(name))
        remove = menu.addAction(f"Remove {name}", lambda: self.document.remove_network(name))
        remove.setEnabled(self.tabs.count() > 1)
        return menu

    def _tab_menu(self, pos) -> None:
        index = self.tabs.tabAt(pos)
        if index >= 0:
            self.tab_menu(index).exec(self.tabs.mapToGlobal(pos))
