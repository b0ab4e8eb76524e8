"""A wire: a cubic curve from an output port down to an input port, labelled with the shape it carries.

The label is a small pill on the curve. Where it goes along the curve is decided by the scene
(`CanvasScene.place_labels`), which slides labels off cards and off each other; on its own a wire puts
its label at the curve's midpoint.

The label is drawn only where it can be read: below detail.LABEL_MIN_ZOOM its 7.5-point text would be
under ~6 px tall, so a zoomed-out view of a big graph draws the curves alone (fewer paint calls,
no unreadable grey smudges along every wire).
"""

from __future__ import annotations

from functools import cache

from neurocanvas.engine.graph import Edge
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QPainter,
    QPainterPath,
    QPainterPathStroker,
    QPen,
)
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem

from .. import theme
from .detail import labels_legible, texts_legible

LABEL_PAD_X = 6.0
LABEL_HEIGHT = 16.0
HIT_WIDTH = 10.0  # wires are thin; clicks within 5 px still select them


@cache
def label_font() -> QFont:
    font = QFont()
    font.setPointSizeF(7.5)
    return font


def wire_path(start: QPointF, end: QPointF) -> QPainterPath:
    """A vertical S-curve; wires that must climb (end above start) bulge further to stay readable."""
    dy = end.y() - start.y()
    bend = max(40.0, abs(dy) * 0.5) if dy >= 0 else max(80.0, abs(dy) * 0.4)
    path = QPainterPath(start)
    path.cubicTo(QPointF(start.x(), start.y() + bend), QPointF(end.x(), end.y() - bend), end)
    return path


ROUTE_CLEARANCE = 10.0  # half the 20 px gap between cards in the automatic layout's columns
ROUTE_TURN = 44.0  # height of the bends at either end of a detour (the gap between layout rows)


def routed_path(start: QPointF, end: QPointF, obstacles: list[QRectF]) -> QPainterPath:
    """The plain S-curve, or, when it would pass behind other cards (a skip connection, a long
    branch), a detour: bend out below the source, run down beside the cards, bend into the target."""
    path = wire_path(start, end)
    if end.y() - start.y() < 2 * ROUTE_TURN + 10 or not obstacles:
        return path
    stroker = QPainterPathStroker()
    stroker.setWidth(2.0)
    outline = stroker.createStroke(path)
    hits = [rect for rect in obstacles if outline.intersects(rect)]
    if not hits:
        return path
    top, bottom = start.y() + ROUTE_TURN, end.y() - ROUTE_TURN
    best = None
    for side in (1, -1):
        x = _lane(hits, side)
        for _ in range(8):  # step past cards that the lane itself would cross
            lane = QRectF(x - 1, top, 2, bottom - top)
            more = [rect for rect in obstacles if rect.intersects(lane)]
            if not more:
                break
            x = _lane(more + [QRectF(x, top, 0, 0)], side)
        cost = abs(start.x() - x) + abs(x - end.x())
        if best is None or cost < best[0]:
            best = (cost, x)
    x = best[1]
    detour = QPainterPath(start)
    bend = ROUTE_TURN * 0.7
    detour.cubicTo(QPointF(start.x(), start.y() + bend), QPointF(x, top - bend), QPointF(x, top))
    detour.lineTo(x, bottom)
    detour.cubicTo(QPointF(x, bottom + bend), QPointF(end.x(), end.y() - bend), end)
    return detour


def _lane(rects: list[QRectF], side: int) -> float:
    if side > 0:
        return max(rect.right() for rect in rects) + ROUTE_CLEARANCE
    return min(rect.left() for rect in rects) - ROUTE_CLEARANCE


class EdgeItem(QGraphicsItem):
    def __init__(self, edge: Edge, colors: dict[str, QColor]):
        super().__init__()
        self.edge = edge
        self.colors = colors
        self.label_text = ""
        self._label_width = 2 * LABEL_PAD_X
        self.path = QPainterPath()
        self.label_t = 0.5  # where the label sits along the curve (0 = output port, 1 = input)
        self._label_rect = QRectF()
        self._bounds = QRectF()
        self._hit = QPainterPath()
        self.hovered = False
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        self.setAcceptHoverEvents(True)
        self.setZValue(0)

    # ---- geometry ---------------------------------------------------------------------------
    def set_ends(self, start: QPointF, end: QPointF, obstacles: list[QRectF] = ()) -> None:
        """Route the wire between its ports, around the `obstacles` (other cards) when needed."""
        self.prepareGeometryChange()
        self.path = routed_path(start, end, list(obstacles))
        stroker = QPainterPathStroker()
        stroker.setWidth(HIT_WIDTH)
        self._hit = stroker.createStroke(self.path)
        self._label_rect = self.label_rect_at(self.label_t)
        self._geometry_changed()

    def set_label(self, text: str) -> None:
        if text != self.label_text:
            self.prepareGeometryChange()
            self.label_text = text
            # Measured once per text: label placement asks for the size many times.
            self._label_width = (
                QFontMetricsF(label_font()).horizontalAdvance(text) + 2 * LABEL_PAD_X
            )
            self._label_rect = self.label_rect_at(self.label_t)
            self._geometry_changed()
            self.setToolTip(
                f"{self.edge.src[0]} → {self.edge.dst[0]} (input {self.edge.dst[1]})"
                f"\ncarries {text}"
            )
            self.update()

    def label_size(self) -> tuple[float, float]:
        return self._label_width, LABEL_HEIGHT

    def label_rect_at(self, t: float) -> QRectF:
        if not self.label_text or self.path.isEmpty():
            return QRectF()
        center = self.path.pointAtPercent(t)
        width, height = self.label_size()
        return QRectF(center.x() - width / 2, center.y() - height / 2, width, height)

    def set_label_t(self, t: float) -> None:
        if t != self.label_t:
            self.prepareGeometryChange()
            self.label_t = t
            self._label_rect = self.label_rect_at(t)
            self._geometry_changed()

    def label_rect(self) -> QRectF:
        return QRectF(self._label_rect)

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt override
        # Kept, not computed: Qt asks for it for every wire on every frame.
        return self._bounds

    def _geometry_changed(self) -> None:
        self._bounds = self.path.boundingRect().adjusted(-3, -3, 3, 3).united(self._label_rect)

    def shape(self) -> QPainterPath:
        shape = QPainterPath(self._hit)
        if not self._label_rect.isEmpty():
            shape.addRoundedRect(self._label_rect, 8, 8)
        return shape

    # ---- painting ---------------------------------------------------------------------------
    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget=None) -> None:
        selected = self.isSelected()
        color = theme.ACCENT if selected else self.colors["wire"]
        if self.hovered and not selected:
            color = self.colors["text"]
        painter.setBrush(Qt.BrushStyle.NoBrush)
        if not texts_legible(painter):  # far out: a one-pixel line, as the cards are boxes
            painter.setPen(QPen(color, 2 if selected else 0))  # 0: cosmetic, one pixel
            painter.drawPath(self.path)
            return
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(
            QPen(color, 2.6 if selected else 1.6, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap)
        )
        painter.drawPath(self.path)
        if self._label_rect.isEmpty() or not labels_legible(painter):
            return
        radius = self._label_rect.height() / 2
        painter.setPen(QPen(color, 1.0))
        painter.setBrush(self.colors["label_bg"])
        painter.drawRoundedRect(self._label_rect, radius, radius)
        painter.setFont(label_font())
        painter.setPen(theme.ACCENT if selected else self.colors["muted"])
        painter.drawText(self._label_rect, Qt.AlignmentFlag.AlignCenter, self.label_text)

    def hoverEnterEvent(self, event) -> None:  # noqa: N802 - Qt override
        self.hovered = True
        self.update()

    def hoverLeaveEvent(self, event) -> None:  # noqa: N802 - Qt override
        self.hovered = False
        self.update()


def temporary_wire_pen() -> QPen:
    """The dashed accent pen of the wire that follows the mouse while connecting."""
    pen = QPen(theme.ACCENT, 2.0, Qt.PenStyle.DashLine, Qt.PenCapStyle.RoundCap)
    return pen
