"""The layer palette: every registry layer grouped by category, searchable, draggable.

Dragging a layer carries `LAYER_MIME` (the layer type name, UTF-8) for the canvas to drop;
double-click or Enter asks the window to add the layer after the selected node. The "My blocks"
group lists the user's block library (`engine/block_library.py`); a block's drag carries
`BLOCK_MIME` (its block file's JSON), and activating one emits `block_activated(LibraryBlock)`.
"""

from __future__ import annotations

import json

from neurocanvas.engine import block_library, registry
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
BLOCK_ROLE = Qt.ItemDataRole.UserRole + 1  # a user block's LibraryBlock
BLOCK_MIME = "application/x-neurocanvas-user-block"  # payload: the block file's JSON, utf-8
MY_BLOCKS = "My blocks"
MY_BLOCKS_HINT = (
    "Right-click a block on the canvas and choose Save to palette… to keep it here; "
    "right-click this group to import a shared block file"
)


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


def block_mime_data(block: block_library.LibraryBlock) -> QMimeData:
    data = QMimeData()
    data.setData(BLOCK_MIME, json.dumps(block_library.to_dict(block)).encode("utf-8"))
    data.setText(block.name)
    return data


def dropped_block(mime: QMimeData) -> block_library.LibraryBlock | None:
    """The user block a drop carries (checked as a block file is), or None."""
    if not mime.hasFormat(BLOCK_MIME):
        return None
    try:
        data = json.loads(bytes(mime.data(BLOCK_MIME)).decode("utf-8"))
        return block_library.block_from_dict(data, "the dropped block")
    except (ValueError, block_library.BlockFileError):
        return None


class LayerTree(QTreeWidget):
    """The tree itself: its `mimeData` is what a drag carries."""

    activated_layer = Signal(str)
    activated_block = Signal(object)

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
        return [LAYER_MIME, BLOCK_MIME]

    def mimeData(self, items) -> QMimeData:  # noqa: N802 - Qt override
        blocks = [item.data(0, BLOCK_ROLE) for item in items if item.data(0, BLOCK_ROLE)]
        if blocks:
            return block_mime_data(blocks[0])
        types = [item.data(0, TYPE_ROLE) for item in items if item.data(0, TYPE_ROLE)]
        return layer_mime_data(types[0]) if types else QMimeData()

    def supportedDragActions(self) -> Qt.DropAction:  # noqa: N802 - Qt override
        return Qt.DropAction.CopyAction

    def _on_activated(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        if item.data(0, BLOCK_ROLE) is not None:
            self.activated_block.emit(item.data(0, BLOCK_ROLE))
            return
        layer_type = item.data(0, TYPE_ROLE)
        if layer_type:
            self.activated_layer.emit(layer_type)


class Palette(QWidget):
    """Search box over the layer tree. `layer_activated(type)` on double-click / Enter."""

    layer_activated = Signal(str)
    block_activated = Signal(object)  # a LibraryBlock to add after the selection

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
        self.blocks_group: QTreeWidgetItem | None = None
        self.library_problems: list[str] = []
        self._populate()
        self.refresh_blocks()
        self.search.textChanged.connect(self.filter)
        # Enter in the search box adds the first match: type "dense", press Enter, done.
        self.search.returnPressed.connect(self._activate_first_visible)
        self.tree.activated_layer.connect(self.layer_activated)
        self.tree.activated_block.connect(self.block_activated)

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

    def refresh_blocks(self) -> None:
        """(Re)read the user's block library into the "My blocks" group, the tree's first."""
        if self.blocks_group is not None:
            self.tree.takeTopLevelItem(self.tree.indexOfTopLevelItem(self.blocks_group))
        blocks, self.library_problems = block_library.list_library()
        group = QTreeWidgetItem([MY_BLOCKS])
        self.tree.insertTopLevelItem(0, group)
        group.setFlags(Qt.ItemFlag.ItemIsEnabled)
        font = group.font(0)
        font.setBold(True)
        group.setFont(0, font)
        group.setToolTip(0, MY_BLOCKS_HINT)
        icon = category_icon(theme.category_color("Core"))
        for block in blocks:
            item = QTreeWidgetItem(group, [block.name])
            item.setData(0, TYPE_ROLE, None)
            item.setData(0, BLOCK_ROLE, block)
            item.setIcon(0, icon)
            about = block.description or block_library.describe(block)
            item.setToolTip(0, f"<b>{block.name}</b> <i>(my block)</i><br>{about}")
            item.setFlags(
                Qt.ItemFlag.ItemIsEnabled
                | Qt.ItemFlag.ItemIsSelectable
                | Qt.ItemFlag.ItemIsDragEnabled
            )
        if not blocks:
            empty = QTreeWidgetItem(group, ["(none yet)"])
            empty.setFlags(Qt.ItemFlag.NoItemFlags)
            empty.setToolTip(0, MY_BLOCKS_HINT)
        self.blocks_group = group
        group.setExpanded(True)
        self.filter(self.search.text())

    def block_items(self) -> list[QTreeWidgetItem]:
        group = self.blocks_group
        children = [group.child(row) for row in range(group.childCount())] if group else []
        return [item for item in children if item.data(0, BLOCK_ROLE) is not None]

    def block_names(self) -> list[str]:
        return [item.data(0, BLOCK_ROLE).name for item in self.block_items()]

    def layer_items(self) -> list[QTreeWidgetItem]:
        items = []
        for index in range(self.tree.topLevelItemCount()):
            group = self.tree.topLevelItem(index)
            if group is self.blocks_group:
                continue
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
        self._filter_blocks(words)
        for index in range(self.tree.topLevelItemCount()):
            group = self.tree.topLevelItem(index)
            if group is self.blocks_group:
                continue
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
        items = self.block_items() + self.layer_items()
        first = next((i for i in items if not i.isHidden()), None)
        if first is not None and words:
            self.tree.setCurrentItem(first)
        self.no_match.setText(f"No layer matches “{text.strip()}”.")
        self.no_match.setVisible(first is None and bool(words))

    def _filter_blocks(self, words: list[str]) -> None:
        """A user block matches on its name and description; the group stays while empty."""
        if self.blocks_group is None:
            return
        shown = 0
        for item in self.block_items():
            block = item.data(0, BLOCK_ROLE)
            haystack = f"{block.name} {block.description} my blocks block".lower()
            match = all(word in haystack for word in words)
            item.setHidden(not match)
            shown += match
        self.blocks_group.setHidden(bool(words) and shown == 0)

    def _activate_first_visible(self) -> None:
        blocks = [item for item in self.block_items() if not item.isHidden()]
        if blocks and self.search.text().split():
            self.block_activated.emit(blocks[0].data(0, BLOCK_ROLE))
            return
        visible = self.visible_layers()
        if visible:
            self.layer_activated.emit(visible[0])
