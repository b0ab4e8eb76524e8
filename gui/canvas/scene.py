"""The canvas scene: one NodeItem per node, one EdgeItem per wire, kept in step with the Document.

Items never edit the graph. The scene listens to the graph's change events and updates only the
items concerned (undo and redo send the same fine-grained events as the edit itself; only a
`reset` rebuilds everything) and to `Document.analysis_changed` (captions, shapes, issues, wire
labels). User gestures become Document calls: a finished move is one `move_nodes`, a finished
wire drag one `connect`.
"""

from __future__ import annotations

from neurocanvas.engine.graph import Edge, GraphEvent
from neurocanvas.engine.shape_format import format_shape
from PySide6.QtCore import QPointF, QRectF, QTimer
from PySide6.QtGui import QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsPathItem, QGraphicsScene
from shiboken6 import isValid

from .. import theme
from .edge_item import EdgeItem, temporary_wire_pen, wire_path
from .node_item import GRID, NodeItem
from .port_item import INPUT, OUTPUT, PortItem
from .wire_layout import CardIndex, obstacles, place_labels

SCENE_HALF_SIZE = 50_000.0  # a fixed, roomy scene: panning never hits an edge
# Events after which wire labels need placing again (moves have a timer of their own).
STALE_LAYOUT = frozenset({"reset", "node_added", "node_removed", "edge_added", "edge_removed"})
MAJOR_GRID = 5  # every 5th grid line (100 px) is drawn as a faint line; the rest are dots


class CanvasScene(QGraphicsScene):
    def __init__(self, document, parent=None):
        super().__init__(parent)
        self.setSceneRect(
            -SCENE_HALF_SIZE, -SCENE_HALF_SIZE, 2 * SCENE_HALF_SIZE, 2 * SCENE_HALF_SIZE
        )
        self.setItemIndexMethod(QGraphicsScene.ItemIndexMethod.NoIndex)  # items move a lot
        self.colors = theme.canvas_colors()
        self.document = None
        self.nodes: dict[str, NodeItem] = {}
        self.edges: dict[Edge, EdgeItem] = {}
        self.user_moving = False  # a card drag is in progress (snap to the grid while it lasts)
        self._wire_source: PortItem | None = None
        self._wire_item: QGraphicsPathItem | None = None
        self._wire_target: PortItem | None = None
        self._rerouted: Edge | None = None  # the wire lifted off an input, while it is dragged
        self._unsubscribe = None
        self._layout_stale = True  # cards or wires came or went since labels were last placed
        self._card_index: CardIndex | None = None  # see _cards()
        # node id -> the (shape result, issues) its card last showed from an analysis
        self._shown: dict[str, tuple] = {}
        # Node moves can arrive in bursts (auto layout moves every node): place labels once after.
        self._label_timer = QTimer(self)
        self._label_timer.setSingleShot(True)
        self._label_timer.setInterval(0)
        self._label_timer.timeout.connect(self.place_labels)
        self.set_document(document)

    # ---- document ---------------------------------------------------------------------------
    def set_document(self, document) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self.document.analysis_changed.disconnect(self.refresh_analysis)
        self.document = document
        self._unsubscribe = document.graph.subscribe(self._on_graph_event)
        document.analysis_changed.connect(self.refresh_analysis)
        self.rebuild()

    def follow_active(self) -> None:
        """The document shows another graph (a network's tab, a block's body, or the same one
        given back by an undo): listen to that one and draw it, with nothing selected."""
        self.clearSelection()
        self.set_document(self.document)

    def _on_graph_event(self, event: GraphEvent) -> None:
        if not isValid(self):  # the scene is gone but the document lives on: stop listening
            self._unsubscribe()
            return
        graph = self.document.graph
        kind = event.kind
        if kind in STALE_LAYOUT:
            self._layout_stale = True
            self._card_index = None
        if kind == "reset":
            self.rebuild()
        elif kind == "node_added":
            self._add_node_item(graph.nodes[event.node_id])
        elif kind == "node_removed":
            item = self.nodes.pop(event.node_id, None)
            if item is not None:
                if self._wire_source is not None and self._wire_source.node_item is item:
                    self.cancel_wire()  # undone under a wire being drawn from it
                self.removeItem(item)
        elif kind == "node_changed":
            item = self.nodes.get(event.node_id)
            ports = item and len(item.inputs)
            self._refresh_node(event.node_id)
            if item is not None and len(item.inputs) != ports:
                self._layout_stale = True  # its input ports moved, and the wires into them
            self._update_edges_of(event.node_id)
        elif kind == "node_moved":
            item = self.nodes.get(event.node_id)
            if item is not None:
                item.setPos(*graph.nodes[event.node_id].pos)
            self._label_timer.start()
        elif kind == "node_renamed":
            item = self.nodes.pop(event.node_id, None)
            if item is not None:
                self.nodes[event.new_id] = item
                self._refresh_node(event.new_id)
            self._sync_edges()  # the graph re-made every wire of the renamed node
        elif kind == "edge_added":
            self._add_edge_item(event.edge)
            self._sync_ports()
        elif kind == "edge_removed":
            item = self.edges.pop(event.edge, None)
            if item is not None:
                self.removeItem(item)
            self._sync_ports()

    def rebuild(self) -> None:
        """Throw every item away and draw the graph afresh, keeping the selection by id."""
        selected_nodes = set(self.selected_node_ids())
        selected_edges = {item.edge for item in self.selected_edge_items()}
        self.cancel_wire()
        for item in list(self.nodes.values()) + list(self.edges.values()):
            self.removeItem(item)
        self.nodes.clear()
        self.edges.clear()
        self._shown.clear()
        self._layout_stale = True
        graph = self.document.graph
        for node in graph:
            self._add_node_item(node)
        for edge in graph.edges:
            self._add_edge_item(edge)
        self._sync_ports()
        self.refresh_analysis()
        for node_id in selected_nodes & set(self.nodes):
            self.nodes[node_id].setSelected(True)
        for edge in selected_edges & set(self.edges):
            self.edges[edge].setSelected(True)

    def _add_node_item(self, node) -> NodeItem:
        item = NodeItem(node, self.colors)
        self.nodes[node.id] = item
        self._card_index = None
        self.addItem(item)
        self._refresh_node(node.id)
        return item

    def _add_edge_item(self, edge: Edge) -> EdgeItem | None:
        if edge.src[0] not in self.nodes or edge.dst[0] not in self.nodes or edge in self.edges:
            return None
        item = EdgeItem(edge, self.colors)
        self.edges[edge] = item
        self.addItem(item)
        self._update_edge(item)
        item.set_label(self._label_for(edge))
        return item

    def _sync_edges(self) -> None:
        wanted = set(self.document.graph.edges)
        for edge in [e for e in self.edges if e not in wanted]:
            self.removeItem(self.edges.pop(edge))
        for edge in self.document.graph.edges:
            self._add_edge_item(edge)
        self._sync_ports()
        self.place_labels()

    def _sync_ports(self) -> None:
        used = {edge.src[0] for edge in self.edges} | {edge.dst for edge in self.edges}
        for node_id, item in self.nodes.items():
            item.output.set_connected(node_id in used)
            for port in item.inputs:
                port.set_connected((node_id, port.index) in used)

    # ---- analysis ---------------------------------------------------------------------------
    def refresh_analysis(self) -> None:
        """New shapes and issues: update the cards and wire labels whose shape or issues changed
        (the shape cache hands back the same result for a node it did not infer again). All labels
        are placed again only when cards or wires came or went since the last time; otherwise
        only the labels whose text changed move, around the others."""
        analysis = self.document.analysis
        issues: dict[str, list] = {}
        for issue in analysis.issues:
            issues.setdefault(issue.node_id, []).append(issue)
        shown, changed = self._shown, set()
        for node_id in self.nodes:
            state = (analysis.shapes.get(node_id), issues.get(node_id, []))
            before = shown.get(node_id)
            if before is None or before[0] is not state[0] or before[1] != state[1]:
                changed.add(node_id)
                shown[node_id] = state
                self._refresh_node(node_id, state)
        for stale in [node_id for node_id in shown if node_id not in self.nodes]:
            del shown[stale]
        relabelled = []
        for edge, item in self.edges.items():
            if edge.src[0] in changed:
                text = self._label_for(edge)
                if text != item.label_text:
                    item.set_label(text)
                    relabelled.append(item)
        if self._layout_stale:
            self.place_labels()
        elif relabelled:
            again = set(relabelled)
            fixed = [item for item in self.edges.values() if item not in again]
            place_labels(relabelled, self._cards(), fixed)

    def _refresh_node(self, node_id: str, state: tuple | None = None) -> None:
        """Show the node's params with its (shape result, issues) `state`, by default the
        document's latest analysis."""
        item = self.nodes.get(node_id)
        node = self.document.graph.nodes.get(node_id)
        if item is None or node is None:
            return
        if state is None:
            analysis = self.document.analysis
            state = (analysis.shapes.get(node_id), analysis.issues_for(node_id))
        item.refresh(node, *state)

    def _label_for(self, edge: Edge) -> str:
        return format_shape(self.document.analysis.shape_of(edge.src[0]))

    # ---- geometry -----------------------------------------------------------------------------
    def node_item_moved(self, item: NodeItem) -> None:
        """A card moved (dragged, or placed from the graph): its wires follow."""
        self._card_index = None
        self._update_edges_of(item.node_id)

    def _update_edges_of(self, node_id: str) -> None:
        for edge, item in self.edges.items():
            if node_id in (edge.src[0], edge.dst[0]):
                self._update_edge(item)

    def _cards(self) -> CardIndex:
        """The cards by height, made again after cards come, go or move."""
        if self._card_index is None:
            self._card_index = CardIndex(self.nodes.values())
        return self._card_index

    def _update_edge(self, item: EdgeItem) -> None:
        src = self.nodes[item.edge.src[0]]
        dst = self.nodes[item.edge.dst[0]]
        start, end = src.output_anchor(), dst.input_anchor(item.edge.dst[1])
        # Only cards between the two ends can be in the way (keeps routing cheap while dragging).
        item.set_ends(start, end, obstacles(self._cards(), src, dst, start.y(), end.y()))

    def place_labels(self) -> None:
        """Route every wire (cards may have moved into or out of its way) and slide each label
        along its curve to the first spot free of cards and other labels."""
        if not isValid(self):
            return
        index = self._cards()
        for item in self.edges.values():
            self._update_edge(item)
        place_labels(self.edges.values(), index)
        self._layout_stale = False

    def items_rect(self) -> QRectF:
        """The area the graph covers (cards, wires, labels and previews), for fit-to-view and the
        minimap (Qt's own walk over the items: a Python one took 25 ms at 1,000 nodes; a wire
        being drawn counts too, as it is on screen)."""
        return self.itemsBoundingRect()

    # ---- moving -------------------------------------------------------------------------------
    def commit_moves(self) -> None:
        """The drag ended: hand every card that moved to the Document as one undoable move."""
        graph = self.document.graph
        moved = {}
        for node_id, item in self.nodes.items():
            node = graph.nodes.get(node_id)
            if node is not None and (item.x(), item.y()) != tuple(node.pos):
                moved[node_id] = (item.x(), item.y())
        if moved:
            self.document.move_nodes(moved)
        self.place_labels()

    # ---- wiring -------------------------------------------------------------------------------
    @property
    def drawing_wire(self) -> bool:
        return self._wire_source is not None

    def begin_wire(self, port: PortItem) -> None:
        """Start a wire at `port`. Pressing a connected input lifts its wire off instead (as in
        node editors): drop it on another input to re-route it, on empty canvas to remove it."""
        self.cancel_wire()
        lifted = self._incoming_edge(port)
        if lifted is not None and lifted.src[0] in self.nodes:
            self._rerouted = lifted
            self.edges[lifted].setVisible(False)
            port = self.nodes[lifted.src[0]].output
        self._wire_source = port
        self._wire_item = QGraphicsPathItem()
        self._wire_item.setPen(temporary_wire_pen())
        self._wire_item.setZValue(5)
        self.addItem(self._wire_item)
        self.update_wire(port.scenePos())

    def update_wire(self, pos: QPointF) -> None:
        source = self._wire_source
        if source is None or self._wire_item is None:
            return
        anchor = source.scenePos()
        start, end = (anchor, pos) if source.kind == OUTPUT else (pos, anchor)
        self._wire_item.setPath(wire_path(start, end))
        target = self._target_port(pos)
        if target is not self._wire_target and self._wire_target is not None:
            self._wire_target.set_highlight(None)
        self._wire_target = target
        if target is not None:
            ends = self._wire_ends(source, target)
            ok = ends is not None and self.document.graph.connection_problem(*ends) is None
            target.set_highlight("ok" if ok else "bad")

    def end_wire(self, pos: QPointF) -> None:
        source, lifted = self._wire_source, self._rerouted
        target = self._target_port(pos) if source is not None else None
        self.cancel_wire()
        if lifted is not None:
            self._end_reroute(lifted, target, self._over_card(pos))
            return
        if source is None or target is None:
            return  # released on empty canvas (or back on itself): nothing to wire
        ends = self._wire_ends(source, target)
        if ends is None:
            self.document.status_message.emit(
                "Cannot connect: wire an output (bottom of a layer) to an input (top)"
            )
            return
        self.document.connect(*ends)  # the Document reports a refusal in the status bar

    def _end_reroute(self, lifted: Edge, target: PortItem | None, over_card: bool) -> None:
        if target is None and not over_card:  # dropped on empty canvas: the wire goes
            self.document.disconnect(lifted)
        elif target is not None and target.kind == INPUT and target.port != lifted.dst:
            self.document.rewire(lifted, target.port)  # a refusal is a status message

    def _over_card(self, pos: QPointF) -> bool:
        return any(isinstance(item, (NodeItem, PortItem)) for item in self.items(pos))

    def _incoming_edge(self, port: PortItem) -> Edge | None:
        if port.kind != INPUT:
            return None
        return next((edge for edge in self.edges if edge.dst == port.port), None)

    def cancel_wire(self) -> None:
        lifted, self._rerouted = self._rerouted, None
        if lifted is not None and lifted in self.edges:
            self.edges[lifted].setVisible(True)  # re-drawn, or removed, by the graph's events
        if self._wire_item is not None:
            self.removeItem(self._wire_item)
        if self._wire_target is not None and isValid(self._wire_target):
            self._wire_target.set_highlight(None)
        self._wire_item = self._wire_source = self._wire_target = None

    @staticmethod
    def _wire_ends(a: PortItem, b: PortItem):
        """(src, dst) engine ports for a wire between `a` and `b`, or None for two of a kind."""
        if a.kind == b.kind:
            return None
        out, inp = (a, b) if a.kind == OUTPUT else (b, a)
        return out.port, inp.port

    def _target_port(self, pos: QPointF) -> PortItem | None:
        """The port a wire released at `pos` goes to: a port under the cursor, or, over a card, the
        card's free input nearest the cursor (or its output, when the wire started at an input)."""
        source = self._wire_source
        for item in self.items(pos):
            if isinstance(item, PortItem) and item is not source:
                return None if item.node_item is source.node_item else item
        for item in self.items(pos):
            if isinstance(item, NodeItem) and item is not source.node_item:
                if source.kind == INPUT:
                    return item.output
                return self._nearest_input(item, pos)
        return None

    def _nearest_input(self, item: NodeItem, pos: QPointF) -> PortItem | None:
        if not item.inputs:
            return None
        taken = {edge.dst for edge in self.edges}
        free = [port for port in item.inputs if port.port not in taken] or item.inputs
        return min(free, key=lambda port: abs(port.scenePos().x() - pos.x()))

    # ---- selection ----------------------------------------------------------------------------
    def selected_node_ids(self) -> list[str]:
        return [node_id for node_id, item in self.nodes.items() if item.isSelected()]

    def selected_edge_items(self) -> list[EdgeItem]:
        return [item for item in self.edges.values() if item.isSelected()]

    # ---- look ---------------------------------------------------------------------------------
    def apply_theme(self) -> None:
        """The palette changed (light <-> dark): recolour every item."""
        self.colors.clear()
        self.colors.update(theme.canvas_colors())  # items share this dict, so they see it at once
        for item in self.items():
            item.update()  # and each throws its cached picture away

    def drawBackground(self, painter: QPainter, rect: QRectF) -> None:  # noqa: N802 - Qt override
        painter.fillRect(rect, self.colors["background"])
        scale = painter.worldTransform().m11()
        left = int(rect.left() // GRID) - 1
        top = int(rect.top() // GRID) - 1
        right = int(rect.right() // GRID) + 1
        bottom = int(rect.bottom() // GRID) + 1
        grid = self.colors["grid"]
        lines = QPainterPath()
        for column in range(left, right + 1):
            if column % MAJOR_GRID == 0:
                lines.moveTo(column * GRID, rect.top())
                lines.lineTo(column * GRID, rect.bottom())
        for row in range(top, bottom + 1):
            if row % MAJOR_GRID == 0:
                lines.moveTo(rect.left(), row * GRID)
                lines.lineTo(rect.right(), row * GRID)
        pen = QPen(grid, 1.0)
        pen.setCosmetic(True)
        painter.setPen(pen)
        painter.drawPath(lines)
        if scale * GRID < 9:
            return  # zoomed far out the dots would blur into a grey wash
        dot = QPen(self.colors["grid"].darker(125 if not theme.is_dark() else 70), 2.0)
        dot.setCosmetic(True)
        painter.setPen(dot)
        points = [
            QPointF(column * GRID, row * GRID)
            for column in range(left, right + 1)
            for row in range(top, bottom + 1)
            if column % MAJOR_GRID and row % MAJOR_GRID
        ]
        painter.drawPoints(points)
