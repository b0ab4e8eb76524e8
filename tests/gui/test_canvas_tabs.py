"""The window's navigation: a canvas tab per network (none for one network), the inspector,
issues, status bar and palette following the tab, the Network menu, and blocks opened by
double-click with a breadcrumb back out."""

from __future__ import annotations

from neurocanvas.gui import network_actions
from neurocanvas.gui.main_window import TAB_SUMMARY
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QInputDialog, QLabel, QMessageBox
from window_fixtures import *  # noqa: F403 - the shared window fixtures


def test_one_network_shows_no_tab_bar_and_no_breadcrumb(window):
    assert not window.pane.tabs.isVisible() and not window.pane.breadcrumb.isVisible()
    assert window.pane.names() == ["main"]
    window.canvas.select_nodes(["conv1"])  # the main network's layer: Tune this... is offered
    (label,) = [w for w in window.inspector.findChildren(QLabel) if w.text() == "out channels"]
    assert label.contextMenuPolicy() == Qt.ContextMenuPolicy.CustomContextMenu


def test_a_gan_has_a_tab_per_network_and_the_panels_follow_it(make_window):
    window = make_window("dcgan-mnist")
    pane, document = window.pane, window.document
    assert pane.tabs.isVisible() and pane.names() == ["generator", "discriminator"]
    assert set(window.canvas.canvas_scene.nodes) == set(document.graphs["generator"].nodes)
    pane.tabs.setCurrentIndex(1)
    assert document.network == "discriminator"
    assert set(window.canvas.canvas_scene.nodes) == set(document.graphs["discriminator"].nodes)
    critic_params = sum(r.param_count for r in document.analyses["discriminator"].shapes.values())
    assert window.params_label.text() == f"{critic_params:,} parameters"
    window.canvas.select_nodes(["real"])
    assert window.inspector.node_id == "real"
    window.tabs.setCurrentIndex(TAB_SUMMARY)  # the summary is the tab's network's
    assert [row.name for row in window.summary_view.summary.rows][-1] == "real"
    window.add_layer_after_selection("Dropout")  # the palette's add goes to this network
    assert "dropout_1" in document.graphs["discriminator"].nodes
    assert "dropout_1" not in document.graphs["generator"].nodes
    pane.tabs.setCurrentIndex(0)
    assert window.inspector.node_id is None  # nothing of the other network stays shown
    window.undo_action.trigger()
    assert pane.tabs.currentIndex() == 1 and "dropout_1" not in window.canvas.canvas_scene.nodes


def test_the_network_menu_adds_renames_and_removes_networks(make_window, monkeypatch):
    window = make_window("gan-ring")
    answers = iter([("critic2", True), ("2nd critic", True), ("judge", True)])
    monkeypatch.setattr(QInputDialog, "getText", lambda *args, **kwargs: next(answers))
    warnings = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _parent, title, text: warnings.append(text))
    window.add_network_action.trigger()
    assert window.pane.names() == ["generator", "discriminator", "critic2"]
    assert window.pane.tabs.currentIndex() == 2 and window.pane.tabs.isVisible()
    window.rename_network_action.trigger()  # "2nd critic" is refused, and says why
    assert "letters, digits and _" in warnings[-1] and window.pane.names()[2] == "critic2"
    window.pane.tabs.tabBarDoubleClicked.emit(2)  # double-click the tab: "judge"
    assert window.pane.names() == ["generator", "discriminator", "judge"]
    window.remove_network_action.trigger()
    assert window.pane.names() == ["generator", "discriminator"]
    remove_critic = window.pane.tab_menu(1).actions()[1]  # right-click a tab: Remove
    remove_critic.trigger()
    assert window.pane.names() == ["generator"] and not window.pane.tabs.isVisible()
    assert not window.pane.tab_menu(0).actions()[1].isEnabled()  # never the last one
    window.undo_action.trigger()
    assert window.pane.names() == ["generator", "discriminator"]
    window.undo_action.trigger()
    assert window.pane.names()[2] == "judge" and window.pane.tabs.currentIndex() == 2


def _nested_window(make_window):
    from nested_blocks import nested_resnet

    return make_window(nested_resnet())


def test_double_click_opens_a_block_and_the_breadcrumb_goes_back_out(qtbot, make_window):
    window = _nested_window(make_window)
    canvas, pane, document = window.canvas, window.pane, window.document
    card = canvas.node_item("res1")
    point = canvas.mapFromScene(card.sceneBoundingRect().center())
    QTest.mouseDClick(canvas.viewport(), Qt.MouseButton.LeftButton, pos=point)
    assert document.active_path == ("main", "res1")
    assert pane.breadcrumb.isVisible() and pane.breadcrumb.texts() == ["main", "res1"]
    assert "inner" in canvas.canvas_scene.nodes and "gap" not in canvas.canvas_scene.nodes
    assert not pane.tabs.isVisible()  # still one network
    canvas.select_nodes(["conv2"])
    (label,) = [w for w in window.inspector.findChildren(QLabel) if w.text() == "out channels"]
    assert label.contextMenuPolicy() != Qt.ContextMenuPolicy.CustomContextMenu  # no Tune this
    window.inspector.editors["kernel_size"].committed.emit(5)
    assert document.graph.nodes["conv2"].params["kernel_size"] == 5
    document.open_block("inner")
    assert pane.breadcrumb.texts() == ["main", "res1", "inner"]
    pane.breadcrumb.items[0].click()  # "main": straight out
    assert document.active_path == ("main",) and not pane.breadcrumb.isVisible()
    total = document.analyses["main"].shapes["res1"].param_count
    assert f"{total:,} parameters" in canvas.node_item("res1").toolTip()
    window.undo_action.trigger()  # the kernel edit: its body is shown again
    assert pane.breadcrumb.texts() == ["main", "res1"]
    assert canvas.canvas_scene.nodes["conv2"] is not None
    canvas.setFocus()
    canvas.select_nodes(["conv2"])
    QTest.keyClick(canvas, Qt.Key.Key_Escape)  # the first Esc drops the selection...
    assert document.active_path == ("main", "res1") and not canvas.selected_node_ids()
    QTest.keyClick(canvas, Qt.Key.Key_Escape)  # ...with nothing selected, Esc backs out
    assert document.active_path == ("main",)


def test_clicking_an_issue_inside_nested_blocks_opens_the_body_and_selects_it(qtbot, make_window):
    window = _nested_window(make_window)
    document = window.document
    document.open_path(("main", "res1", "inner"))
    document.graph.set_params("conv1", {"kernel_size": 40, "padding": "valid"})
    document.open_path("main")
    document.refresh_analysis()
    view = window.issues_view
    (row,) = [
        view.item(i) for i in range(view.count()) if "res1 > inner > conv1" in view.item(i).text()
    ]
    view.itemClicked.emit(row)
    assert document.active_path == ("main", "res1", "inner")
    assert window.canvas.selected_node_ids() == ["conv1"]
    assert window.canvas.node_item("conv1").severity == "error"


def test_open_block_is_in_the_context_menu_and_the_network_menu(qtbot, make_window):
    from neurocanvas.gui.canvas.context_menu import canvas_menu

    window = _nested_window(make_window)
    canvas = window.canvas
    point = canvas.mapFromScene(canvas.node_item("res1").sceneBoundingRect().center())
    menu = canvas_menu(canvas, point)
    (open_action,) = [a for a in menu.actions() if a.text() == "Open block"]
    open_action.trigger()
    assert window.document.active_path == ("main", "res1")
    window.document.go_up()
    canvas.select_nodes(["gap"])
    assert not network_actions.open_selected_block(window)  # a layer, not a block
    canvas.select_nodes(["res1"])
    window.open_block_action.trigger()
    assert window.document.active_path == ("main", "res1")


def test_previews_of_the_trained_model_show_on_the_main_network_only(qtbot, make_window):
    window = _nested_window(make_window)
    canvas = window.canvas
    entry = {"kind": "bar", "values": [0.5, -0.25], "range": [-0.25, 0.5], "shape": [2]}
    window.document.open_path(("main", "res1"))
    canvas.set_previews({"conv2": entry, "gap": entry})  # sent while training: main's layers
    assert canvas.node_item("conv2").preview_item is None  # this conv2 is the body's
    window.document.go_up()
    assert canvas.node_item("gap").preview_item is not None
