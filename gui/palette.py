"""The layer palette: every registry layer grouped by category, searchable, draggable.

Dragging a layer carries `LAYER_MIME` (the layer type name, UTF-8) for the canvas to drop;
double-click or Enter asks the window to add the layer after the selected node.
"""

from __future__ import annotations

from neurocanvas.engine import registry
from PySide6.QtCore import QMimeData, QSize, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLabel,
    QLineEdit,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from . import theme

# Same string as neurocanvas.gui.canvas.view.LAYER_MIME; kept here too so the palette does not
# depend on the canvas module (the canvas imports it from there).
LAYER_MIME = "application/x-neurocanvas-layer"
TYPE_ROLE = Qt.ItemDataRole.UserRole


def category_icon(color: QColor, size: int = 14) -> QIcon:
    """A small rounded square in the category colour (the same colour as the node header)."""
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(color)
    painter.drawRoundedRect(1, 1, size - 2, size - 2, 3, 3)
    painter.end()
    return QIcon(pixmap)


def layer_mime_data(layer_type: str) -> QMimeData:
    data = QMimeData()
    data.setData(LAYER_MIME, layer_type.encode("utf-8"))
    data.setText(layer_type)
    return data


class LayerTree(QTreeWidget):
    """The tree itself: its `mimeData` is what a drag carries."""

    activated_layer = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setHeaderHidden(True)
        self.setIndentation(12)
        self.setIconSize(QSize(14, 14))
        self.setDragEnabled(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setUniformRowHeights(True)
        self.itemActivated.connect(self._on_activated)  # double-click and Enter

    def mimeTypes(self) -> list[str]:  # noqa: N802 - Qt override
        return [LAYER_MIME]

    def mimeData(self, items) -> QMimeData:  # noqa: N802 - Qt override
        types = [item.data(0, TYPE_ROLE) for item in items if item.data(0, TYPE_ROLE)]
        return layer_mime_data(types[0]) if types else QMimeData()

    def supportedDragActions(self) -> Qt.DropAction:  # noqa: N802 - Qt override
        return Qt.DropAction.CopyAction

    def _on_activated(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        layer_type = item.data(0, TYPE_ROLE)
        if layer_type:
            self.activated_layer.emit(layer_type)


class Palette(QWidget):
    """Search box over the layer tree. `layer_activated(type)` on double-click / Enter."""

    layer_activated = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.search = QLineEdit(placeholderText="Search layers…")
        self.search.setClearButtonEnabled(True)
        self.tree = LayerTree()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(6)
        self.no_match = QLabel()
        self.no_match.setWordWrap(True)
        self.no_match.setStyleSheet("color: palette(mid); padding: 4px;")
        self.no_match.hide()
        layout.addWidget(self.search)
        layout.addWidget(self.no_match)
        layout.addWidget(self.tree)
        self._populate()
        self.search.textChanged.connect(self.filter)
        # Enter in the search box adds the first match: type "dense", press Enter, done.
        self.search.returnPressed.connect(self._activate_first_visible)
        self.tree.activated_layer.connect(self.layer_activated)

    def _populate(self) -> None:
        for category, specs in registry.by_category().items():
            group = QTreeWidgetItem(self.tree, [category])
            group.setFlags(Qt.ItemFlag.ItemIsEnabled)
            font = group.font(0)
            font.setBold(True)
            group.setFont(0, font)
            icon = category_icon(theme.category_color(category))
            for spec in specs:
                # Under a group that prefixes every name ("TimeDistributed"), the rest is enough.
                shown = spec.name.removeprefix(category) if " " not in category else spec.name
                item = QTreeWidgetItem(group, [shown or spec.name])
                item.setData(0, TYPE_ROLE, spec.name)
                item.setIcon(0, icon)
                item.setToolTip(0, f"<b>{spec.name}</b> <i>({category})</i><br>{spec.help}")
                item.setFlags(
                    Qt.ItemFlag.ItemIsEnabled
                    | Qt.ItemFlag.ItemIsSelectable
                    | Qt.ItemFlag.ItemIsDragEnabled
                )
        self.tree.expandAll()

    def layer_items(self) -> list[QTreeWidgetItem]:
        items = []
        for index in range(self.tree.topLevelItemCount()):
            group = self.tree.topLevelItem(index)
            items += [group.child(row) for row in range(group.childCount())]
        return items

    def item_for(self, layer_type: str) -> QTreeWidgetItem | None:
        return next((i for i in self.layer_items() if i.data(0, TYPE_ROLE) == layer_type), None)

    def visible_layers(self) -> list[str]:
        return [item.data(0, TYPE_ROLE) for item in self.layer_items() if not item.isHidden()]

    def filter(self, text: str) -> None:
        """Hide layers whose name and category do not contain every typed word (help text is left
        out on purpose: "conv" should not list every layer whose help mentions convolutions)."""
        words = text.lower().split()
        for index in range(self.tree.topLevelItemCount()):
            group = self.tree.topLevelItem(index)
            shown = 0
            for row in range(group.childCount()):
                item = group.child(row)
                aliases = " ".join(registry.get(item.data(0, TYPE_ROLE)).aliases)
                layer_type = item.data(0, TYPE_ROLE)
                haystack = f"{layer_type} {item.text(0)} {group.text(0)} {aliases}".lower()
                match = all(word in haystack for word in words)
                item.setHidden(not match)
                shown += match
            group.setHidden(shown == 0)
        first = next((i for i in self.layer_items() if not i.isHidden()), None)
        if first is not None and words:
            self.tree.setCurrentItem(first)
        self.no_match.setText(f"No layer matches “{text.strip()}”.")
        self.no_match.setVisible(first is None and bool(words))

    def _activate_first_visible(self) -> None:
        visible = self.visible_layers()
        if visible:
            self.layer_activated.emit(visible[0])
