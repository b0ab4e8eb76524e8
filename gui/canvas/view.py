"""The canvas view: zoom, pan, drops from the palette, keyboard and clipboard commands.

Embed it with `CanvasView(document)`. It owns its `CanvasScene`. Everything it does to the graph
goes through the Document (one undoable command per gesture); the clipboard holds the Document's
JSON text, so copy and paste work between windows and processes. It shows the Document's active
graph (a network, or a block's body: double-click a block to open it, Esc with nothing selected
to back out) and keeps each graph's zoom and scroll position for when it is shown again.
"""

from __future__ import annotations

from neurocanvas.engine import registry
from PySide6.QtCore import QEvent, QPointF, QRect, QSignalBlocker, Qt, Signal
from PySide6.QtGui import QGuiApplication, QKeySequence, QPainter
from PySide6.QtWidgets import QFrame, QGraphicsView

from ..palette import BLOCK_MIME, dropped_block
from .edge_item import EdgeItem
from .minimap import Minimap
from .node_item import HEIGHT, NodeItem, snap
from .scene import CanvasScene

LAYER_MIME = "application/x-neurocanvas-layer"  # payload: the layer type name, utf-8
MIN_ZOOM = 0.15
MAX_ZOOM = 3.0
FIT_MARGIN = 40.0
FIT_MAX_ZOOM = 1.0  # a tiny graph is shown at 100%, not blown up to fill the window
WIRE_SLACK = 6  # px around the pointer within which a dropped layer lands on a wire


class CanvasView(QGraphicsView):
    selection_changed = Signal(list)  # ids of the selected nodes
    # (view, node id): a layer's "Look inside" menu asks for a view of the trained model
    # ("feature_maps", "filters", "gradcam", "projector", "statistics", "gradients")
    inspect_requested = Signal(str, str)
    # (action, node id): a block's menu asks the window for "save_to_palette", "export_block",
    # or a layer's for "replace_head" (each needs a dialog the canvas does not own)
    block_requested = Signal(str, str)

    def __init__(self, document, parent=None):
        super().__init__(parent)
        self.document = document
        self.canvas_scene = CanvasScene(document, self)
        self.setScene(self.canvas_scene)
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.SmartViewportUpdate)
        # The grid is drawn once per zoom: panning scrolls the cached picture and draws only the
        # strip that comes into view (a quarter of a big graph's frame went into the grid).
        self.setCacheMode(QGraphicsView.CacheModeFlag.CacheBackground)
        # Zoom anchors itself (set_zoom): Qt's AnchorUnderMouse follows the last mouse *move*,
        # which a wheel turned without moving the mouse does not update.
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.NoAnchor)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setDragMode(QGraphicsView.DragMode.RubberBandDrag)
        # Fully enclosed items only: a band across a wire should not pick up that wire.
        self.setRubberBandSelectionMode(Qt.ItemSelectionMode.ContainsItemShape)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setAcceptDrops(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._last_selection: list[str] = []
        self._pan_from: QPointF | None = None
        self._space_down = False
        self.canvas_scene.selectionChanged.connect(self._on_selection_changed)
        self.minimap = Minimap(self)
        self.centerOn(0, 0)
        self._places: dict[tuple, tuple] = {}  # graph path -> (zoom, scene centre) when left
        self._shown_path = document.active_path
        self._previews: dict | None = None  # the latest, shown on the main network only
        document.active_changed.connect(self._on_active_changed)

    def set_document(self, document) -> None:
        """Show another document (File > New / Open in the same window)."""
        self.document.active_changed.disconnect(self._on_active_changed)
        self.document = document
        document.active_changed.connect(self._on_active_changed)
        self._places.clear()
        self._shown_path = document.active_path
        self.canvas_scene.set_document(document)
        self.fit_all()

    def _on_active_changed(self) -> None:
        """Another graph is shown: draw it where it was left (fitted the first time)."""
        center = self.mapToScene(self.viewport().rect().center())
        self._places[self._shown_path] = (self.zoom(), center)
        self._shown_path = self.document.active_path
        self.canvas_scene.follow_active()
        place = self._places.get(self._shown_path)
        if place is None:
            self.fit_all()
        else:
            self.resetTransform()
            self.set_zoom(place[0])
            self.centerOn(place[1])
        self._on_selection_changed()
        self.minimap.schedule()
        if self._previews:
            self.set_previews(self._previews)

    def set_previews(self, previews: dict | None) -> None:
        """Each card's output for the preview sample under it (None: no previews). They are
        the trained model's, the main network's: another graph shown shows none."""
        from .preview import set_previews

        self._previews = previews
        set_previews(self, previews if self.shows_main_network() else None)

    def shows_main_network(self) -> bool:
        """Whether the main network itself is shown (not another tab, nor a block's body)."""
        return self.document.active_path == (self.document.main_graph,)

    # ---- items and selection ----------------------------------------------------------------
    def node_item(self, node_id: str) -> NodeItem:
        return self.canvas_scene.nodes[node_id]

    def edge_items(self) -> list[EdgeItem]:
        return list(self.canvas_scene.edges.values())

    def selected_node_ids(self) -> list[str]:
        return self.canvas_scene.selected_node_ids()

    def select_nodes(self, node_ids, reveal: bool = True) -> None:
        """Select exactly these nodes (the issues list and the inspector use this); `reveal`
        scrolls a single selected node into sight."""
        wanted = set(node_ids)
        scene = self.canvas_scene
        with QSignalBlocker(scene):
            scene.clearSelection()
            for node_id in wanted & set(scene.nodes):
                scene.nodes[node_id].setSelected(True)
        self._on_selection_changed()
        if reveal and len(wanted) == 1 and next(iter(wanted)) in scene.nodes:
            self.ensureVisible(scene.nodes[next(iter(wanted))].sceneBoundingRect(), 40, 40)

    def select_all(self) -> None:
        scene = self.canvas_scene
        with QSignalBlocker(scene):
            for item in list(scene.nodes.values()) + list(scene.edges.values()):
                item.setSelected(True)
        self._on_selection_changed()

    def _on_selection_changed(self) -> None:
        ids = self.selected_node_ids()
        if ids != self._last_selection:
            self._last_selection = ids
            self.selection_changed.emit(ids)

    # ---- edit commands ------------------------------------------------------------------------
    def delete_selected(self) -> None:
        """Delete the selected layers and wires as one undo step."""
        node_ids = self.selected_node_ids()
        going = set(node_ids)
        wires = [
            item.edge
            for item in self.canvas_scene.selected_edge_items()
            if item.edge.src[0] not in going and item.edge.dst[0] not in going
        ]
        if not node_ids and not wires:
            return
        stack = self.document.undo_stack
        several = bool(node_ids) + len(wires) > 1
        if several:
            stack.beginMacro("Delete selection")
        for edge in wires:
            self.document.disconnect(edge)
        if node_ids:
            self.document.remove_nodes(node_ids)
        if several:
            stack.endMacro()

    def copy_selected(self) -> None:
        node_ids = self.selected_node_ids()
        if node_ids:
            QGuiApplication.clipboard().setText(self.document.copy_json(node_ids))

    def cut_selected(self) -> None:
        node_ids = self.selected_node_ids()
        if node_ids:
            self.copy_selected()
            self.document.remove_nodes(node_ids)

    def paste(self) -> list[str]:
        new_ids = self.document.paste_json(QGuiApplication.clipboard().text())
        if new_ids:
            self.select_nodes(new_ids)
        return new_ids

    def duplicate_selected(self) -> list[str]:
        new_ids = self.document.duplicate(self.selected_node_ids())
        if new_ids:
            self.select_nodes(new_ids)
        return new_ids

    # ---- zoom and pan -------------------------------------------------------------------------
    def zoom(self) -> float:
        return self.transform().m11()

    def set_zoom(self, factor: float, anchor: QPointF | None = None) -> None:
        """Zoom to `factor` (clamped), keeping the scene point under `anchor` (a viewport
        position; the centre by default) where it is."""
        factor = min(MAX_ZOOM, max(MIN_ZOOM, factor))
        if anchor is None:
            anchor = QPointF(self.viewport().rect().center())
        fixed = self.mapToScene(anchor.toPoint())
        self.scale(factor / self.zoom(), factor / self.zoom())
        drift = self.mapFromScene(fixed) - anchor.toPoint()
        bars = (self.horizontalScrollBar(), self.verticalScrollBar())
        bars[0].setValue(bars[0].value() + drift.x())
        bars[1].setValue(bars[1].value() + drift.y())
        self.minimap.schedule()

    def zoom_100(self) -> None:
        center = self.mapToScene(self.viewport().rect().center())
        self.resetTransform()
        self.centerOn(center)
        self.minimap.schedule()

    def fit_all(self) -> None:
        rect = self.canvas_scene.items_rect()
        if rect.isEmpty():
            self.resetTransform()
            self.centerOn(0, 0)
            return
        rect = rect.adjusted(-FIT_MARGIN, -FIT_MARGIN, FIT_MARGIN, FIT_MARGIN)
        viewport = self.viewport().rect()
        self.resetTransform()
        self.set_zoom(
            min(FIT_MAX_ZOOM, viewport.width() / rect.width(), viewport.height() / rect.height())
        )
        self.centerOn(rect.center())

    def wheelEvent(self, event) -> None:  # noqa: N802 - Qt override
        delta = event.angleDelta().y() or event.angleDelta().x()
        if delta:
            # one notch (120) is about 20 %, around the cursor
            self.set_zoom(self.zoom() * 1.0015**delta, event.position())
        event.accept()

    def mousePressEvent(self, event) -> None:  # noqa: N802 - Qt override
        button = event.button()
        if button == Qt.MouseButton.MiddleButton or (
            button == Qt.MouseButton.LeftButton and self._space_down
        ):
            self._pan_from = event.position()
            self.viewport().setCursor(Qt.CursorShape.ClosedHandCursor)
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseDoubleClickEvent(self, event) -> None:  # noqa: N802 - Qt override
        """Double-click a block's card to open it and edit inside."""
        point = event.position().toPoint()
        card = next((i for i in self.items(point) if isinstance(i, NodeItem)), None)
        node = card and self.document.graph.nodes.get(card.node_id)
        if (
            node is not None
            and node.type == "Block"
            and event.button() == Qt.MouseButton.LeftButton
        ):
            self.document.open_block(node.id)
            event.accept()
            return
        super().mouseDoubleClickEvent(event)

    def mouseMoveEvent(self, event) -> None:  # noqa: N802 - Qt override
        if self._pan_from is not None:
            delta = event.position() - self._pan_from
            self._pan_from = event.position()
            bars = (self.horizontalScrollBar(), self.verticalScrollBar())
            bars[0].setValue(bars[0].value() - round(delta.x()))
            bars[1].setValue(bars[1].value() - round(delta.y()))
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802 - Qt override
        if self._pan_from is not None:
            self._pan_from = None
            self._update_cursor()
            event.accept()
            return
        super().mouseReleaseEvent(event)
        event.accept()  # the end of a rubber band reaches no item, but the view did handle it

    def _update_cursor(self) -> None:
        if self._space_down:
            self.viewport().setCursor(Qt.CursorShape.OpenHandCursor)
        else:
            self.viewport().unsetCursor()

    # ---- keyboard -------------------------------------------------------------------------------
    def keyPressEvent(self, event) -> None:  # noqa: N802 - Qt override
        # The main window's menu shortcuts win over these; they make the view work on its own too.
        key = event.key()
        if key == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space_down = True
            self._update_cursor()
        elif key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.delete_selected()
        elif key == Qt.Key.Key_Escape:
            # Esc drops a wire or the selection first; with neither, it backs out of a block.
            busy = self.canvas_scene.drawing_wire or bool(self.canvas_scene.selectedItems())
            self.canvas_scene.cancel_wire()
            self.canvas_scene.clearSelection()
            if not busy:
                self.document.go_up()
        elif event.matches(QKeySequence.StandardKey.Copy):
            self.copy_selected()
        elif event.matches(QKeySequence.StandardKey.Cut):
            self.cut_selected()
        elif event.matches(QKeySequence.StandardKey.Paste):
            self.paste()
        elif event.matches(QKeySequence.StandardKey.SelectAll):
            self.select_all()
        elif event.modifiers() & Qt.KeyboardModifier.ControlModifier and key == Qt.Key.Key_0:
            self.fit_all()
        elif event.modifiers() & Qt.KeyboardModifier.ControlModifier and key == Qt.Key.Key_1:
            self.zoom_100()
        elif event.modifiers() & Qt.KeyboardModifier.ControlModifier and key == Qt.Key.Key_D:
            self.duplicate_selected()
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    def keyReleaseEvent(self, event) -> None:  # noqa: N802 - Qt override
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space_down = False
            self._update_cursor()
            event.accept()
            return
        super().keyReleaseEvent(event)

    # ---- drops from the palette ---------------------------------------------------------------
    @staticmethod
    def _dropped_layer(event) -> str | None:
        mime = event.mimeData()
        if not mime.hasFormat(LAYER_MIME):
            return None
        name = bytes(mime.data(LAYER_MIME)).decode("utf-8", "replace").strip()
        return name if registry.has(name) else None

    def dragEnterEvent(self, event) -> None:  # noqa: N802 - Qt override
        if self._dropped_layer(event) or event.mimeData().hasFormat(BLOCK_MIME):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event) -> None:  # noqa: N802 - Qt override
        # Handled here, not by the scene: no item accepts drops, so the scene would refuse it.
        if self._dropped_layer(event) or event.mimeData().hasFormat(BLOCK_MIME):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event) -> None:  # noqa: N802 - Qt override
        layer = self._dropped_layer(event)
        block = dropped_block(event.mimeData()) if layer is None else None
        if layer is None and block is None:
            event.ignore()
            return
        point = event.position().toPoint()
        node_id = (
            self.add_layer_at(layer, point) if block is None else self.add_block_at(block, point)
        )
        event.acceptProposedAction()
        self.select_nodes([node_id], reveal=False)  # it is under the cursor: do not scroll
        self.setFocus()

    def add_layer_at(self, layer: str, point) -> str:
        """Add `layer` with its card centred on the viewport `point` (snapped to the grid); on a
        wire, it is wired into that wire."""
        at = self.mapToScene(point)
        pos = (snap(at.x()), snap(at.y() - HEIGHT / 2))
        wire = self.wire_at(point)
        if wire is not None:
            return self.document.insert_on_wire(layer, wire.edge, pos)
        return self.document.add_node(layer, pos)

    def add_block_at(self, block, point) -> str:
        """A user block from the palette, placed as `add_layer_at` places a layer."""
        at = self.mapToScene(point)
        pos = (snap(at.x()), snap(at.y() - HEIGHT / 2))
        wire = self.wire_at(point)
        return self.document.add_library_block(block, pos, edge=wire.edge if wire else None)

    def wire_at(self, point) -> EdgeItem | None:
        """The wire under the viewport `point` (within a few pixels), if no card is there."""
        rect = QRect(point.x() - WIRE_SLACK, point.y() - WIRE_SLACK, 2 * WIRE_SLACK, 2 * WIRE_SLACK)
        items = self.items(rect)
        if any(isinstance(item, NodeItem) for item in self.items(point)):
            return None
        return next((item for item in items if isinstance(item, EdgeItem)), None)

    def contextMenuEvent(self, event) -> None:  # noqa: N802 - Qt override
        from .context_menu import canvas_menu

        canvas_menu(self, event.pos()).exec(event.globalPos())

    def auto_layout(self) -> None:
        """Lay the graph out, then show all of it (the laid-out graph may be elsewhere)."""
        self.document.auto_layout()
        self.fit_all()

    # ---- look -----------------------------------------------------------------------------------
    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self.minimap.schedule()  # its corner moved, and more or less of the graph fits

    def changeEvent(self, event) -> None:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.PaletteChange:
            self.canvas_scene.apply_theme()
            self.resetCachedContent()  # the cached grid has the old colours
        super().changeEvent(event)
