"""The issues tab: every problem the analysis of the shown network found; clicking one selects
the node at fault, opening the block it is in ("res1 > conv1: ...") first."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QStyle

from .graph_paths import issue_target

NODE_ROLE = Qt.ItemDataRole.UserRole
ISSUE_ROLE = Qt.ItemDataRole.UserRole + 1


class IssuesView(QListWidget):
    """`location_chosen(path, node id or None)` when an issue tied to a node is clicked or
    activated (`node_chosen(id)` too when the node is in the network itself)."""

    node_chosen = Signal(str)
    location_chosen = Signal(tuple, object)

    def __init__(self, document, parent=None):
        super().__init__(parent)
        self.setAlternatingRowColors(False)
        self.setWordWrap(True)
        self.document = None
        self.itemClicked.connect(self._choose)
        self.itemActivated.connect(self._choose)
        self.set_document(document)

    def set_document(self, document) -> None:
        if self.document is not None:
            self.document.analysis_changed.disconnect(self.refresh)
            self.document.active_changed.disconnect(self.refresh)
        self.document = document
        document.analysis_changed.connect(self.refresh)
        document.active_changed.connect(self.refresh)  # another tab: its network's issues
        self.refresh()

    def refresh(self) -> None:
        self.clear()
        issues = self.document.network_analysis.issues
        style = self.style()
        error_icon = style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxCritical)
        warning_icon = style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        for issue in issues:
            item = QListWidgetItem(error_icon if issue.is_error else warning_icon, str(issue))
            item.setData(NODE_ROLE, issue.node_id)
            item.setData(ISSUE_ROLE, issue)
            item.setToolTip(issue.fix or issue.message)
            self.addItem(item)
        if not issues:
            item = QListWidgetItem("No problems found: every layer fits its inputs.")
            item.setFlags(Qt.ItemFlag.NoItemFlags)
            self.addItem(item)

    def _choose(self, item: QListWidgetItem) -> None:
        issue = item.data(ISSUE_ROLE)
        if issue is None or not issue.node_id:
            return
        document = self.document
        path, node_id = issue_target(document.graphs, document.network, issue)
        self.location_chosen.emit(path, node_id)
        if len(path) == 1 and node_id:
            self.node_chosen.emit(node_id)
