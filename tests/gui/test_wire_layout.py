"""Wire layout: the card index finds what testing every card finds, and labels are placed again
only when something they depend on changed."""

from __future__ import annotations

import random

from neurocanvas.engine import templates
from neurocanvas.gui.canvas import scene as scene_module
from neurocanvas.gui.canvas.node_item import HEIGHT
from neurocanvas.gui.canvas.wire_layout import CardIndex


def test_the_card_index_finds_the_cards_across_a_band(make_view):
    view = make_view(templates.load_template("inception-block"))
    items = list(view.canvas_scene.nodes.values())
    rng = random.Random(3)
    for item in items:  # untidy on purpose: overlaps, odd heights
        item.setPos(rng.uniform(-300, 300), rng.uniform(-200, 900))
    index = CardIndex(items)
    for _ in range(50):
        top = rng.uniform(-300, 1000)
        bottom = top + rng.uniform(0, 400)
        expected = {item for item in items if item.y() < bottom and item.y() + HEIGHT > top}
        assert set(index.crossing(top, bottom)) == expected


def test_labels_are_placed_again_only_when_a_label_changed(make_view, monkeypatch):
    view = make_view(templates.load_template("seed-cnn"))
    calls = []
    place = scene_module.place_labels
    monkeypatch.setattr(scene_module, "place_labels", lambda *a: calls.append(1) or place(*a))
    view.document.set_param("dense1", "activation", "tanh")  # no shape changes
    assert calls == []
    view.document.set_param("dense1", "units", 50)  # the wire below now carries 50
    assert calls == [1]
    assert view.canvas_scene.edges[view.document.graph.outputs_of("dense1")[0]].label_text == "50"
