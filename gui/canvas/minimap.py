"""The minimap: the whole graph in miniature in the canvas's bottom-right corner, with the part
on screen drawn as a frame. Click or drag in it to look elsewhere. It shows only while the graph
does not fit in the view, so a small network never has it in the way.

It paints the cards as coloured boxes and the wires as lines from the scene's items, into a
pixmap kept until the scene changes or the miniature's scale does: panning a 1,000-node graph
repaints only the frame over it (one redraw per event-loop turn, however many changes came).
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSize, QSizeF, Qt, QTimer
from PySide6.QtGui import QColor, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QWidget

from .. import theme

SIZE = QSize(200, 140)
MARGIN = 12  # from the canvas's edges
PADDING = 6.0  # inside the minimap, around the graph


class Minimap(QWidget):
    def __init__(self, view):
        super().__init__(view)
        self.setFixedSize(SIZE)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolTip("Overview: click or drag to move the view")
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(0)
        self._refresh_timer.timeout.connect(self.refresh)
        view.horizontalScrollBar().valueChanged.connect(self.schedule)
        view.verticalScrollBar().valueChanged.connect(self.schedule)
        view.canvas_scene.changed.connect(self.schedule)
        view.canvas_scene.changed.connect(self._forget_graph)
        self._graph: tuple[tuple, QPixmap] | None = None  # (scale and origin, the painted graph)
        self.hide()

    @property
    def view(self):
        # The parent, not an attribute: a Python reference back to the view would make a cycle
        # that keeps a closed view alive until the garbage collector frees it mid-paint of
        # another window (a crash).
        return self.parentWidget()

    # state ---------------------------------------------------------------------------------------
    def schedule(self, *_args) -> None:
        self._refresh_timer.start()

    def _forget_graph(self, *_args) -> None:
        self._graph = None

    def refresh(self) -> None:
        """Show or hide (is the graph bigger than the view?), place in the corner, repaint."""
        self.setVisible(self.needed())
        self.reposition()
        self.update()

    def needed(self) -> bool:
        graph = self.view.canvas_scene.items_rect()
        return not graph.isEmpty() and not self.visible_rect().contains(graph)

    def visible_rect(self) -> QRectF:
        return self.view.mapToScene(self.view.viewport().rect()).boundingRect()

    def reposition(self) -> None:
        viewport = self.view.viewport().geometry()
        self.move(
            viewport.right() - self.width() - MARGIN + 1,
            viewport.bottom() - self.height() - MARGIN + 1,
        )

    # geometry ------------------------------------------------------------------------------------
    def world(self) -> QRectF:
        """The scene area the minimap covers: the graph and the part on screen."""
        return self.view.canvas_scene.items_rect().united(self.visible_rect())

    def _scale_and_origin(self) -> tuple[float, QPointF]:
        world = self.world()
        inner = QRectF(self.rect()).adjusted(PADDING, PADDING, -PADDING, -PADDING)
        scale = min(
            inner.width() / max(world.width(), 1.0), inner.height() / max(world.height(), 1.0)
        )
        # Centred: the leftover space is split on both sides.
        origin = QPointF(
            inner.left() + (inner.width() - world.width() * scale) / 2 - world.left() * scale,
            inner.top() + (inner.height() - world.height() * scale) / 2 - world.top() * scale,
        )
        return scale, origin

    def to_minimap(self, rect: QRectF) -> QRectF:
        scale, origin = self._scale_and_origin()
        return QRectF(
            origin.x() + rect.left() * scale,
            origin.y() + rect.top() * scale,
            rect.width() * scale,
            rect.height() * scale,
        )

    def to_scene(self, point: QPointF) -> QPointF:
        scale, origin = self._scale_and_origin()
        return QPointF((point.x() - origin.x()) / scale, (point.y() - origin.y()) / scale)

    # painting and mouse --------------------------------------------------------------------------
    def paintEvent(self, event) -> None:  # noqa: N802 - Qt override
        scale, origin = self._scale_and_origin()
        key = (scale, origin.x(), origin.y(), self.width(), self.height())
        if self._graph is None or self._graph[0] != key:
            self._graph = (key, self._paint_graph(scale, origin))
        painter = QPainter(self)
        painter.drawPixmap(0, 0, self._graph[1])
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(theme.ACCENT, 1.5))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        visible = self.visible_rect()
        painter.drawRect(
            QRectF(
                origin.x() + visible.left() * scale,
                origin.y() + visible.top() * scale,
                visible.width() * scale,
                visible.height() * scale,
            )
        )
        painter.end()

    def _paint_graph(self, scale: float, origin: QPointF) -> QPixmap:
        """The background, wires and cards at this scale (everything but the on-screen frame)."""
        scene = self.view.canvas_scene
        colors = scene.colors
        ratio = self.devicePixelRatioF()
        pixmap = QPixmap(self.size() * ratio)
        pixmap.setDevicePixelRatio(ratio)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        background = QColor(colors["node"])
        background.setAlpha(235)
        painter.setPen(QPen(colors["node_border"], 1.0))
        painter.setBrush(background)
        painter.drawRoundedRect(QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5), 6, 6)

        def at(point: QPointF) -> QPointF:
            return QPointF(origin.x() + point.x() * scale, origin.y() + point.y() * scale)

        painter.setPen(QPen(colors["wire"], 1.0))
        for edge in scene.edges:
            source, target = scene.nodes.get(edge.src[0]), scene.nodes.get(edge.dst[0])
            if source is None or target is None or edge.dst[1] >= len(target.inputs):
                continue
            painter.drawLine(
                at(source.output.scenePos()), at(target.inputs[edge.dst[1]].scenePos())
            )
        painter.setPen(Qt.PenStyle.NoPen)
        for item in scene.nodes.values():
            rect = item.scene_card_rect()
            painter.setBrush(theme.category_color(item.category))
            painter.drawRect(
                QRectF(at(rect.topLeft()), QSizeF(rect.width(), rect.height()) * scale)
            )
        painter.end()
        return pixmap

    def mousePressEvent(self, event) -> None:  # noqa: N802 - Qt override
        if event.button() == Qt.MouseButton.LeftButton:
            self._look_at(event.position())
            event.accept()

    def mouseMoveEvent(self, event) -> None:  # noqa: N802 - Qt override
        if event.buttons() & Qt.MouseButton.LeftButton:
            self._look_at(event.position())
            event.accept()

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802 - Qt override
        event.accept()  # the click was the minimap's: never a rubber band on the canvas below

    def _look_at(self, point: QPointF) -> None:
        self.view.centerOn(self.to_scene(point))
