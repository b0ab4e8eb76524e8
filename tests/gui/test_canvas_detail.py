"""Painting big graphs cheaply: wire labels and card texts only where legible, cached cards that
panning does not draw again, and an edit that draws only the cards it changed (issue 22)."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from neurocanvas.engine.graph import chain  # noqa: E402
from neurocanvas.gui.canvas import detail  # noqa: E402
from neurocanvas.gui.canvas.node_item import NodeItem  # noqa: E402
from PySide6.QtCore import QRectF, Qt  # noqa: E402
from PySide6.QtGui import QImage, QPainter, QTransform  # noqa: E402
from PySide6.QtWidgets import QStyleOptionGraphicsItem  # noqa: E402


def mlp(layers: int = 4):
    return chain(("Input", {"shape": [8]}), *[("Dense", {"units": 8})] * layers)


def painted(item, zoom: float, rect: QRectF) -> tuple[QImage, QRectF]:
    """`item` painted alone at `zoom` on a transparent image; `rect` (item coordinates) on it."""
    bounds = item.boundingRect()
    image = QImage(
        int(bounds.width() * zoom) + 4, int(bounds.height() * zoom) + 4, QImage.Format_ARGB32
    )
    image.fill(Qt.GlobalColor.transparent)
    transform = QTransform.fromScale(zoom, zoom).translate(-bounds.left(), -bounds.top())
    painter = QPainter(image)
    painter.setTransform(transform)
    item.paint(painter, QStyleOptionGraphicsItem())
    painter.end()
    return image, transform.mapRect(rect)


def count(image: QImage, rect: QRectF, keep) -> int:
    inside = rect.toRect().intersected(image.rect())
    return sum(
        bool(keep(image.pixelColor(x, y)))
        for x in range(inside.left(), inside.right() + 1)
        for y in range(inside.top(), inside.bottom() + 1)
    )


@pytest.mark.parametrize(("zoom", "shown"), [(1.0, True), (detail.LABEL_MIN_ZOOM - 0.1, False)])
def test_wire_labels_are_drawn_only_where_legible(make_view, zoom, shown):
    view = make_view(mlp(2))
    wire = view.edge_items()[0]
    assert wire.label_text  # it has a label to show: "(8)"
    background = view.canvas_scene.colors["label_bg"].rgb()
    image, label = painted(wire, zoom, wire.label_rect())
    pill = count(image, label, lambda colour: colour.alpha() == 255 and colour.rgb() == background)
    assert (pill > 0) == shown


@pytest.mark.parametrize(("zoom", "shown"), [(1.0, True), (detail.TEXT_MIN_ZOOM - 0.1, False)])
def test_card_texts_are_drawn_only_where_legible(make_view, zoom, shown):
    view = make_view(mlp(2))
    card = view.node_item("dense_1")
    body = view.canvas_scene.colors["node"].rgb()
    # where the caption, id and shape lines are, clear of the colour strip and the outline
    texts = QRectF(card.card_rect().left() + 20, 8, 120, 50)
    image, area = painted(card, zoom, texts)
    ink = count(image, area, lambda colour: colour.rgb() != body)
    assert (ink > 0) == shown
    assert count(image, area, lambda colour: colour.rgb() == body) > 0  # the card is there


@pytest.fixture
def paints(monkeypatch):
    """Node id -> how many times its card's paint() ran (Qt calls the class's method)."""
    calls: dict[str, int] = {}
    original = NodeItem.paint

    def counted(self, painter, option, widget=None):
        calls[self.node_id] = calls.get(self.node_id, 0) + 1
        original(self, painter, option, widget)

    monkeypatch.setattr(NodeItem, "paint", counted)
    return calls


def test_panning_draws_cached_cards_without_painting_them_again(make_view, paints, qtbot):
    view = make_view(mlp(6), size=(600, 500))
    view.set_zoom(0.9)  # a new scale: the cards on screen are painted for it, once

    def painted_once() -> bool:
        view.viewport().repaint()
        return bool(paints)

    qtbot.waitUntil(painted_once, timeout=2000)  # once the scene has taken its items in
    paints.clear()
    for _ in range(3):
        bar = view.verticalScrollBar()
        bar.setValue(bar.value() + 15)
        view.viewport().repaint()
    visible = view.mapToScene(view.viewport().rect()).boundingRect()
    assert any(
        item.sceneBoundingRect().intersects(visible) for item in view.canvas_scene.nodes.values()
    )
    assert paints == {}


def test_an_edit_repaints_only_the_cards_it_changed(make_view, paints, qtbot):
    view = make_view(mlp(3), size=(900, 900))
    qtbot.wait(20)  # the scene takes its items in on the event loop
    view.set_zoom(1.0)
    view.centerOn(view.node_item("dense_2"))
    view.viewport().repaint()
    before = view.viewport().grab().toImage()
    paints.clear()
    view.document.set_param("dense_3", "units", 5)  # its own caption and shape change, no other's
    qtbot.wait(5)
    view.viewport().repaint()
    assert paints == {"dense_3": 1}
    card = view.mapFromScene(view.node_item("dense_3").scene_card_rect()).boundingRect()
    after = view.viewport().grab().toImage()
    # the cached picture of the card was thrown away: the new caption is on screen
    assert before.copy(card) != after.copy(card)
    paints.clear()
    view.document.set_param("dense_1", "units", 16)  # dense_2 reads it: its params count changes
    qtbot.wait(5)
    view.viewport().repaint()
    assert paints == {"dense_1": 1, "dense_2": 1}
