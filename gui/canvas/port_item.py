"""A node's port: a small circle on a card's edge (inputs on top, the output at the bottom).

Pressing a port starts a wire; the scene draws the temporary curve and, on release, asks the
Document to connect the two ports. The port only forwards the mouse; it never edits the graph.
Like its card, a port paints into a cached pixmap, and not at all when zoomed out so far that the
card is a plain box (detail.py): it would be under a pixel across.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsSceneMouseEvent, QStyleOptionGraphicsItem

from .. import theme
from .detail import texts_legible

RADIUS = 5.0
HIT_RADIUS = 10.0  # a forgiving target: ports are small, hands are not

BOUNDS = QRectF(-HIT_RADIUS, -HIT_RADIUS, 2 * HIT_RADIUS, 2 * HIT_RADIUS)
INPUT = "in"
OUTPUT = "out"


class PortItem(QGraphicsItem):
    """Port `index` of kind INPUT or OUTPUT; a child of its NodeItem."""

    def __init__(self, node_item, kind: str, index: int):
        super().__init__(node_item)
        self.node_item = node_item
        self.kind = kind
        self.index = index
        self.connected = False
        self.hovered = False
        self.highlight: str | None = None  # "ok" / "bad" while a wire is dragged over it
        self.setAcceptHoverEvents(True)
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setZValue(1)
        self.setToolTip(
            f"Input {index}: drag from here to a layer's output to connect"
            if kind == INPUT
            else "Output: drag from here to a layer's input to connect"
        )

    @property
    def node_id(self) -> str:
        return self.node_item.node_id

    @property
    def port(self) -> tuple[str, int]:
        """The engine's (node id, port index) for this port."""
        return (self.node_id, self.index)

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt override
        return BOUNDS  # one rect for all: Qt asks every port for it on every frame

    def shape(self) -> QPainterPath:
        path = QPainterPath()
        path.addEllipse(QPointF(0, 0), HIT_RADIUS, HIT_RADIUS)
        return path

    def set_highlight(self, state: str | None) -> None:
        if state != self.highlight:
            self.highlight = state
            self.update()

    def set_connected(self, connected: bool) -> None:
        if connected != self.connected:
            self.connected = connected
            self.update()

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget=None) -> None:
        if not self.highlight and not texts_legible(painter):
            return
        colors = self.node_item.colors
        radius = RADIUS + (1.5 if self.hovered or self.highlight else 0.0)
        ring = colors["wire"]
        if self.highlight == "ok" or self.hovered:
            ring = theme.OK if self.highlight == "ok" else theme.ACCENT
        elif self.highlight == "bad":
            ring = theme.ERROR
        # A filled dot reads as "in use", a hollow ring as "free": the port tells its state at a glance.
        fill = ring if self.connected or self.highlight or self.hovered else colors["node"]
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(ring, 1.6))
        painter.setBrush(QBrush(fill))
        painter.drawEllipse(QPointF(0, 0), radius, radius)

    # ---- mouse: start, follow and finish a wire (the scene does the work) -------------------
    def hoverEnterEvent(self, event) -> None:  # noqa: N802 - Qt override
        self.hovered = True
        self.update()

    def hoverLeaveEvent(self, event) -> None:  # noqa: N802 - Qt override
        self.hovered = False
        self.update()

    def mousePressEvent(self, event: QGraphicsSceneMouseEvent) -> None:  # noqa: N802
        if event.button() != Qt.MouseButton.LeftButton:
            event.ignore()
            return
        event.accept()  # become the mouse grabber so the card does not start moving
        self.scene().begin_wire(self)

    def mouseMoveEvent(self, event: QGraphicsSceneMouseEvent) -> None:  # noqa: N802
        self.scene().update_wire(event.scenePos())

    def mouseReleaseEvent(self, event: QGraphicsSceneMouseEvent) -> None:  # noqa: N802
        self.scene().end_wire(event.scenePos())
