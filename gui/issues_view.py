"""The issues tab: every problem the analysis found; clicking one selects the node at fault."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QStyle

NODE_ROLE = Qt.ItemDataRole.UserRole


class IssuesView(QListWidget):
    """`node_chosen(id)` when an issue tied to a node is clicked or activated."""

    node_chosen = Signal(str)

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
        self.document = document
        document.analysis_changed.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        self.clear()
        issues = self.document.analysis.issues
        style = self.style()
        error_icon = style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxCritical)
        warning_icon = style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        for issue in issues:
            item = QListWidgetItem(error_icon if issue.is_error else warning_icon, str(issue))
            item.setData(NODE_ROLE, issue.node_id)
            item.setToolTip(issue.fix or issue.message)
            self.addItem(item)
        if not issues:
            item = QListWidgetItem("No problems found: every layer fits its inputs.")
            item.setFlags(Qt.ItemFlag.NoItemFlags)
            self.addItem(item)

    def _choose(self, item: QListWidgetItem) -> None:
        node_id = item.data(NODE_ROLE)
        if node_id:
            self.node_chosen.emit(node_id)
