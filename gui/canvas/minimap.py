"""The minimap: the whole graph in miniature in the canvas's bottom-right corner, with the part
on screen drawn as a frame. Click or drag in it to look elsewhere. It shows only while the graph
does not fit in the view, so a small network never has it in the way.

It paints the cards as coloured boxes and the wires as lines from the scene's items, into a
pixmap kept until what it shows changes (a card came, went, moved or changed colour; a wire came or
went): panning and zooming a 1,000-node graph repaint only the frame over it (the picture is drawn
shrunk when the view looks beyond the graph), and so does an edit that only repaints a card's text
(one redraw per event-loop turn, however many changes came).
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSize, QSizeF, Qt, QTimer
from PySide6.QtGui import QColor, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QWidget

from .. import theme

SIZE = QSize(200, 140)
MARGIN = 12  # from the canvas's edges
PADDING = 6.0  # inside the minimap, around the graph
BLEED = 2.0  # px of the graph's picture around the graph, for the width of its lines


def _mapped(rect: QRectF, scale: float, origin: QPointF) -> QRectF:
    return QRectF(
        origin.x() + rect.left() * scale,
        origin.y() + rect.top() * scale,
        rect.width() * scale,
        rect.height() * scale,
    )


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
        # The scene's `changed` marks the state `_stale`; the next look at it measures it again
        # and the next paint compares what it shows before painting it again.
        self._graph: tuple[tuple, QPixmap] | None = None  # (what it shows, its picture)
        self._state: tuple[tuple, QRectF] | None = None  # see _graph_state()
        self._stale = True
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
        self._stale = True

    def _graph_state(self) -> tuple[tuple, QRectF]:
        """What the miniature shows (every card's place and colour, every wire) and the area the
        graph covers, measured again only after the scene changed: panning and zooming, which
        change neither, measure nothing."""
        if self._stale or self._state is None:
            scene = self.view.canvas_scene
            cards = tuple(
                (item.x(), item.y(), item.category, len(item.inputs))
                for item in scene.nodes.values()
            )
            colours = scene.colors["node"].rgba(), scene.colors["wire"].rgba()
            content = (cards, tuple(scene.edges), colours)
            if self._state is None or self._state[0] != content:  # else the same area
                self._state = content, scene.items_rect()
            self._stale = False
        return self._state

    def refresh(self) -> None:
        """Show or hide (is the graph bigger than the view?), place in the corner, repaint."""
        self.setVisible(self.needed())
        self.reposition()
        self.update()

    def needed(self) -> bool:
        graph = self._graph_state()[1]
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
        return self._graph_state()[1].united(self.visible_rect())

    def _inner(self) -> QRectF:
        return QRectF(self.rect()).adjusted(PADDING, PADDING, -PADDING, -PADDING)

    def _scale_and_origin(self, world: QRectF | None = None) -> tuple[float, QPointF]:
        world = self.world() if world is None else world
        inner = self._inner()
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
        return _mapped(rect, scale, origin)

    def to_scene(self, point: QPointF) -> QPointF:
        scale, origin = self._scale_and_origin()
        return QPointF((point.x() - origin.x()) / scale, (point.y() - origin.y()) / scale)

    # painting and mouse --------------------------------------------------------------------------
    def paintEvent(self, event) -> None:  # noqa: N802 - Qt override
        """The background, the graph's picture and the frame of the part on screen. The graph is
        painted once at the scale that fits it alone, and that picture drawn shrunk while the
        view looks beyond the graph (the world grows), so zooming repaints no card or wire."""
        content, graph = self._graph_state()
        key = (content, graph.getRect(), self.width(), self.height(), self.devicePixelRatioF())
        if self._graph is None or self._graph[0] != key:
            self._graph = (key, self._paint_graph(graph))
        scale, origin = self._scale_and_origin()
        fit_scale, _ = self._scale_and_origin(graph)
        colors = self.view.canvas_scene.colors
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        background = QColor(colors["node"])
        background.setAlpha(235)
        painter.setPen(QPen(colors["node_border"], 1.0))
        painter.setBrush(background)
        painter.drawRoundedRect(QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5), 6, 6)
        picture = self._graph[1]
        margin = BLEED / fit_scale  # the picture's edge, in scene units
        target = _mapped(graph.adjusted(-margin, -margin, margin, margin), scale, origin)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        painter.drawPixmap(target, picture, QRectF(picture.rect()))
        painter.setPen(QPen(theme.ACCENT, 1.5))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(_mapped(self.visible_rect(), scale, origin))
        painter.end()

    def _paint_graph(self, graph: QRectF) -> QPixmap:
        """Wires and cards of the `graph` area, at the scale that fits it alone in the minimap,
        with BLEED pixels around it for the lines' width."""
        scale, _ = self._scale_and_origin(graph)
        scene = self.view.canvas_scene
        colors = scene.colors
        ratio = self.devicePixelRatioF()
        size = QSizeF(graph.width() * scale + 2 * BLEED, graph.height() * scale + 2 * BLEED)
        pixmap = QPixmap((size * ratio).toSize().expandedTo(QSize(1, 1)))
        pixmap.setDevicePixelRatio(ratio)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        left, top = graph.left(), graph.top()

        def at(point: QPointF) -> QPointF:
            return QPointF(BLEED + (point.x() - left) * scale, BLEED + (point.y() - top) * scale)

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
