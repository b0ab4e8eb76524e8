"""The canvas preview: each card shows its node's output for the preview sample under it."""

from __future__ import annotations

import numpy as np
import torch
from neurocanvas.engine.compiler import compile_graph
from neurocanvas.engine.graph import chain
from neurocanvas.engine.inspect.preview import preview
from neurocanvas.gui.canvas.preview import HEIGHT, picture
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest


def test_cards_show_and_drop_their_outputs(make_view):
    graph = chain(
        ("Input", {"shape": [1, 6, 6]}),
        ("Conv2d", {"out_channels": 2, "kernel_size": 3}),
        ("Flatten", {}),
        ("Dense", {"units": 3}),
        spacing=220,
    )
    view = make_view(graph)
    model = compile_graph(view.document.graph, seed=0)
    entries = preview(model, torch.randn(1, 1, 6, 6, generator=torch.Generator().manual_seed(0)))
    view.set_previews(entries)
    nodes = list(view.document.graph.nodes)
    for node in nodes:
        item = view.node_item(node).preview_item
        assert item is not None and 0 < item.pixmap().height() <= HEIGHT
        assert item.entry is entries[node]
    conv = nodes[1]
    assert view.node_item(conv).preview_item.toolTip().startswith("output 2x4x4, values ")
    # two 4x4 channels side by side with a 1-pixel gap; the grey levels follow the values
    maps = picture(entries[conv])
    assert maps.shape == (4, 9)
    values = entries[conv]["values"]
    brightest = np.unravel_index(values.argmax(), values.shape)
    assert maps[brightest[1], brightest[0] * 5 + brightest[2]] == 255
    bars = picture(entries[nodes[-1]])
    assert bars.shape[1] == 3 * 4  # one 4-pixel bar per unit
    asked = []
    view.inspect_requested.connect(lambda kind, node: asked.append((kind, node)))
    item = view.node_item(conv).preview_item
    point = view.mapFromScene(item.mapToScene(item.boundingRect().center()))
    QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=point)
    assert asked == [("feature_maps", conv)]  # a click opens the node's full view
    view.set_previews(None)
    assert all(view.node_item(n).preview_item is None for n in nodes)
