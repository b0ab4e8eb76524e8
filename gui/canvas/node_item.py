"""A layer on the canvas: a rounded card with a category colour strip, caption, id, shape and params.

The item's origin is the card's top centre, which is the node's `pos` in the graph, so an automatic
layout centred on x = 0 looks centred on screen. Inputs sit on the top edge, the output at the bottom:
data flows top-down. The item draws what the scene tells it (`refresh`); moving it only changes the
picture until the scene commits the move to the Document on mouse release.

Painting is cheap on big graphs: each card is drawn once into a pixmap in device coordinates
(`DeviceCoordinateCache`), so panning blits pixmaps instead of drawing cards again; `update()` (a
new caption, shape, issue, selection) throws that pixmap away. Zoomed out below TEXT_MIN_ZOOM,
where the texts would be a few pixels tall, a card is a plain coloured box (detail.py).
"""

from __future__ import annotations

from functools import cache

from neurocanvas.engine.graph import Node
from neurocanvas.engine.issues import Issue
from neurocanvas.engine.layout import CARD_HEIGHT, CARD_WIDTH
from neurocanvas.engine.shape_format import format_shape
from neurocanvas.engine.shapes import NodeShape
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem

from .. import theme
from .detail import texts_legible
from .port_item import INPUT, OUTPUT, PortItem

WIDTH = CARD_WIDTH  # the engine's card size: document edits place nodes with it
HEIGHT = CARD_HEIGHT
CORNER = 8.0
STRIP = 6.0  # width of the category colour strip on the left edge
PAD_LEFT = STRIP + 8.0
PAD_RIGHT = 8.0
GRID = 20.0
# Room for the selection ring and the ports sticking out above and below the card; one rect for
# all cards, as Qt asks every item for it on every frame.
BOUNDS = QRectF(-WIDTH / 2 - 5, -11, WIDTH + 10, HEIGHT + 22)


def snap(value: float, grid: float = GRID) -> float:
    return round(value / grid) * grid


@cache
def fonts() -> tuple[QFont, QFont, QFont]:
    """Caption (bold), id (small) and details fonts, derived from the application font (made once:
    painting asks for them on every frame)."""
    base = QFont()
    caption = QFont(base)
    caption.setPointSizeF(9.0)
    caption.setBold(True)
    small = QFont(base)
    small.setPointSizeF(8.0)
    details = QFont(base)
    details.setPointSizeF(8.0)
    return caption, small, details


def format_count(count: int) -> str:
    """416 -> '416 params', 230500 -> '230.5k params': short enough for a card."""
    if count < 10_000:
        text = f"{count:,}"
    elif count < 1_000_000:
        text = f"{count / 1000:.1f}k".replace(".0k", "k")
    else:
        text = f"{count / 1_000_000:.2f}M"
    return f"{text} param" + ("" if count == 1 else "s")


class NodeItem(QGraphicsItem):
    def __init__(self, node: Node, colors: dict[str, QColor]):
        super().__init__()
        self.node_id = node.id
        self.preview_item = None  # the canvas preview under the card (canvas/preview.py)
        self.colors = colors
        self.category = node.spec.category
        self.inputs: list[PortItem] = []
        self.output = PortItem(self, OUTPUT, 0)
        self.output.setPos(0, HEIGHT)
        self.severity: str | None = None
        self.frozen = not node.trainable  # a padlock on the card
        self._lines = ("", "", "")
        self._state = None
        self.setFlags(
            QGraphicsItem.GraphicsItemFlag.ItemIsSelectable
            | QGraphicsItem.GraphicsItemFlag.ItemIsMovable
            | QGraphicsItem.GraphicsItemFlag.ItemSendsGeometryChanges
        )
        self.setAcceptHoverEvents(True)
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.setZValue(1)
        self.setPos(*node.pos)
        self.set_input_count(node.input_count())

    # ---- geometry ---------------------------------------------------------------------------
    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt override
        return BOUNDS

    def card_rect(self) -> QRectF:
        return QRectF(-WIDTH / 2, 0, WIDTH, HEIGHT)

    def shape(self) -> QPainterPath:
        path = QPainterPath()
        path.addRoundedRect(self.card_rect(), CORNER, CORNER)
        return path

    def scene_card_rect(self) -> QRectF:
        return self.card_rect().translated(self.pos())

    def set_input_count(self, count: int) -> None:
        """One port per input, spread evenly along the top edge."""
        while len(self.inputs) > count:
            port = self.inputs.pop()
            port.setParentItem(None)
            if port.scene():
                port.scene().removeItem(port)
        while len(self.inputs) < count:
            self.inputs.append(PortItem(self, INPUT, len(self.inputs)))
        for index, port in enumerate(self.inputs):
            port.setPos(-WIDTH / 2 + WIDTH * (index + 1) / (count + 1), 0)

    def input_anchor(self, index: int) -> QPointF:
        """Scene position where a wire into input `index` ends."""
        if 0 <= index < len(self.inputs):
            return self.inputs[index].scenePos()
        return self.mapToScene(QPointF(0, 0))  # a stale wire: end at the top centre

    def output_anchor(self) -> QPointF:
        return self.output.scenePos()

    # ---- content ----------------------------------------------------------------------------
    def refresh(self, node: Node, result: NodeShape | None, issues: list[Issue]) -> None:
        """Show `node` with its analysis result; cheap when nothing changed."""
        if node.input_count() != len(self.inputs):
            self.set_input_count(node.input_count())
        caption = node.spec.describe(node.params)
        shape = format_shape(result.shape if result else None)
        count = result.param_count if result else 0
        details = shape if count == 0 else f"{shape}  ·  {format_count(count)}"
        errors = [issue for issue in issues if issue.is_error]
        shown = errors or issues
        severity = shown[0].severity if shown else None
        state = (caption, node.id, details, severity, tuple(shown), node.spec.help, node.trainable)
        if state == self._state:
            return
        self._state = state
        self.frozen = not node.trainable
        self.node_id = node.id
        self.category = node.spec.category
        self.severity = severity
        self._lines = self._elided(caption, node.id, details)
        self.setToolTip(self._tooltip(caption, node, shape, count, shown))
        self.update()

    def _elided(self, caption: str, node_id: str, details: str) -> tuple[str, str, str]:
        room = WIDTH - PAD_LEFT - PAD_RIGHT
        caption_room = room - 16 if self.frozen else room  # the padlock's place
        caption_font, small_font, details_font = fonts()
        elide = Qt.TextElideMode.ElideRight
        return (
            QFontMetricsF(caption_font).elidedText(caption, elide, caption_room),
            # the id line is short in practice, so the issue badge lives at its right end
            QFontMetricsF(small_font).elidedText(node_id, elide, room - 20),
            QFontMetricsF(details_font).elidedText(details, elide, room),
        )

    @staticmethod
    def _tooltip(caption: str, node: Node, shape: str, count: int, issues: list[Issue]) -> str:
        lines = []
        for issue in issues:
            label = "Error" if issue.is_error else "Warning"
            lines.append(f"{label}: {issue.message}")
            if issue.fix:
                lines.append(f"Fix: {issue.fix}")
        if lines:
            lines.append("")
        lines.append(f"{caption}  ({node.id})")
        lines.append(f"Output {shape}, {count:,} parameters")
        if not node.trainable:
            lines.append("Frozen: its weights are not trained (trainable is off)")
        if node.spec.help:
            lines.append(node.spec.help)
        return "\n".join(lines)

    # ---- painting ---------------------------------------------------------------------------
    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget=None) -> None:
        colors = self.colors
        card = self.card_rect()
        if not texts_legible(painter):
            self._paint_box(painter, card)
            return
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        # A soft offset shadow gives depth without the cost of a blur effect.
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(0, 0, 0, 60 if theme.is_dark() else 22))
        painter.drawRoundedRect(card.translated(0, 2), CORNER, CORNER)
        body = QPainterPath()
        body.addRoundedRect(card, CORNER, CORNER)
        painter.setBrush(QBrush(colors["node"]))
        painter.drawPath(body)
        strip = QPainterPath()
        strip.addRect(QRectF(card.left(), card.top(), STRIP, card.height()))
        painter.setBrush(theme.category_color(self.category))
        painter.drawPath(body.intersected(strip))
        self._paint_outline(painter, card)
        self._paint_text(painter, card)
        if self.severity:
            self._paint_badge(painter, card)
        if self.frozen:
            self._paint_lock(painter, card)

    def _paint_box(self, painter: QPainter, card: QRectF) -> None:
        """The far-out card: body, colour strip and outline (an issue's colour, the selection's)."""
        painter.setPen(Qt.PenStyle.NoPen)
        painter.fillRect(card, self.colors["node"])
        painter.fillRect(QRectF(card.left(), card.top(), STRIP * 2, card.height()),
                         theme.category_color(self.category))  # fmt: skip
        if self.isSelected():
            painter.setPen(QPen(theme.ACCENT, 6.0))
        elif self.severity:
            painter.setPen(QPen(theme.ERROR if self.severity == "error" else theme.WARNING, 5.0))
        else:
            painter.setPen(QPen(self.colors["node_border"], 0))  # cosmetic: one pixel
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(card)

    def _paint_lock(self, painter: QPainter, card: QRectF) -> None:
        """A small padlock at the top right: this layer's weights are frozen."""
        x, y = card.right() - 20, card.top() + 8
        painter.setPen(QPen(self.colors["muted"], 1.6))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawArc(QRectF(x + 2.5, y, 7, 8), 0, 180 * 16)
        painter.setBrush(self.colors["muted"])
        painter.drawRoundedRect(QRectF(x, y + 4.5, 12, 8), 1.5, 1.5)

    def _paint_outline(self, painter: QPainter, card: QRectF) -> None:
        painter.setBrush(Qt.BrushStyle.NoBrush)
        if self.severity:
            color = theme.ERROR if self.severity == "error" else theme.WARNING
            painter.setPen(QPen(color, 2.0))
        else:
            painter.setPen(QPen(self.colors["node_border"], 1.0))
        painter.drawRoundedRect(card, CORNER, CORNER)
        if self.isSelected():
            # The selection ring sits outside the card so an error outline stays visible inside it.
            ring = QColor(theme.ACCENT)
            painter.setPen(QPen(ring, 2.0))
            painter.drawRoundedRect(card.adjusted(-3.5, -3.5, 3.5, 3.5), CORNER + 3, CORNER + 3)

    def _paint_text(self, painter: QPainter, card: QRectF) -> None:
        caption_font, small_font, details_font = fonts()
        caption, node_id, details = self._lines
        left = card.left() + PAD_LEFT
        width = card.width() - PAD_LEFT - PAD_RIGHT
        flags = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        painter.setPen(self.colors["text"])
        painter.setFont(caption_font)
        painter.drawText(QRectF(left, 7, width, 20), flags, caption)
        painter.setPen(self.colors["muted"])
        painter.setFont(small_font)
        painter.drawText(QRectF(left, 26, width, 16), flags, node_id)
        painter.setPen(
            self.colors["text"]
            if self.severity is None
            else theme.ERROR
            if self.severity == "error"
            else theme.WARNING
        )
        painter.setFont(details_font)
        painter.drawText(QRectF(left, 43, width, 16), flags, details)

    def _paint_badge(self, painter: QPainter, card: QRectF) -> None:
        color = theme.ERROR if self.severity == "error" else theme.WARNING
        center = QPointF(card.right() - 15, card.top() + 34)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(color)
        painter.drawEllipse(center, 7, 7)
        painter.setFont(fonts()[0])
        painter.setPen(QColor("white"))
        painter.drawText(
            QRectF(center.x() - 7, center.y() - 7, 14, 14), Qt.AlignmentFlag.AlignCenter, "!"
        )

    # ---- interaction --------------------------------------------------------------------------
    def itemChange(self, change, value):  # noqa: N802 - Qt override
        scene = self.scene()
        if change == QGraphicsItem.GraphicsItemChange.ItemPositionChange and scene is not None:
            if getattr(scene, "user_moving", False):
                return QPointF(snap(value.x()), snap(value.y()))
        elif change == QGraphicsItem.GraphicsItemChange.ItemPositionHasChanged and scene:
            scene.node_item_moved(self)
        elif change == QGraphicsItem.GraphicsItemChange.ItemSelectedHasChanged:
            self.setZValue(2 if self.isSelected() else 1)  # selected cards stay on top
        return super().itemChange(change, value)

    def mousePressEvent(self, event) -> None:  # noqa: N802 - Qt override
        if self.scene() is not None:
            self.scene().user_moving = True
        super().mousePressEvent(event)

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().mouseReleaseEvent(event)
        scene = self.scene()
        if scene is not None and scene.user_moving:
            scene.user_moving = False
            scene.commit_moves()
