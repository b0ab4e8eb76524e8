"""Replace the head in the window: the classes asked with the data's (or the old head's) as
default, the new Dense wired in, one undo step."""

from __future__ import annotations

from neurocanvas.engine.shapes import AutoSizes
from neurocanvas.gui import head_actions
from PySide6.QtCore import QPoint
from window_fixtures import *  # noqa: F403 - the shared window fixtures


def test_replace_head_asks_the_classes_and_is_one_undo_step(window, monkeypatch):
    asked = []

    def get_int(parent, title, label, value, low, high):
        asked.append(value)
        return 3, True

    monkeypatch.setattr(head_actions.QInputDialog, "getInt", get_int)
    document = window.document
    before = document.graph.copy()
    window.canvas.select_nodes(["dense1"])
    assert head_actions.ask_replace_head(window)
    assert asked == [10]  # no data attached: the old head's 10 classes
    assert "dense1" not in document.graph.nodes and "output" not in document.graph.nodes
    assert document.analysis.ok and document.analysis.shape_of("head") == (3,)
    assert window.canvas.selected_node_ids() == ["head"]
    assert document.undo_stack.undoText() == "Replace head dense1 (Dense 3)"
    document.undo_stack.undo()
    assert document.graph.same_as(before)


def test_the_default_is_the_attached_datas_classes(window):
    window.document.set_auto_sizes(AutoSizes(output_units=7))
    assert head_actions.default_classes(window, "output") == 7


def test_a_refused_head_says_why_and_changes_nothing(window):
    messages = []
    window.document.status_message.connect(messages.append)
    assert not head_actions.ask_replace_head(window, "input", classes=3)
    assert "input is an Input" in messages[-1]
    assert window.document.undo_stack.count() == 0


def test_the_layer_menu_offers_replace_head(window, monkeypatch):
    from neurocanvas.gui.canvas.context_menu import canvas_menu

    monkeypatch.setattr(head_actions.QInputDialog, "getInt", lambda *a: (4, True))
    view = window.canvas
    point = view.mapFromScene(view.node_item("output").sceneBoundingRect().center())
    menu = canvas_menu(view, QPoint(point.x(), point.y()))
    next(a for a in menu.actions() if a.text() == "Replace head from here…").trigger()
    assert window.document.graph.nodes["head"].params["units"] == 4
