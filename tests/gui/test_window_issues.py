"""The issues tab and the status bar: errors listed by node, a click selects the node at fault."""

from __future__ import annotations

from neurocanvas.gui.main_window import TAB_CODE, TAB_ISSUES
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from window_fixtures import *  # noqa: F403 - the shared window fixtures


def test_clicking_an_issue_selects_the_node(window):
    assert window.validity_label.text() == "✓ valid"
    assert window.params_label.text() == "231,926 parameters"
    assert window.device_label.text().startswith(("CPU, ", "CUDA: "))
    bad = window.document.add_after("Conv2d", "flatten")  # a Conv2d after Flatten cannot work
    assert "error" in window.validity_label.text()
    assert window.tabs.tabText(TAB_ISSUES).startswith("Issues (")
    view = window.issues_view
    window.tabs.setCurrentIndex(TAB_ISSUES)
    rows = [view.item(i) for i in range(view.count())]
    row = next(item for item in rows if item.data(Qt.ItemDataRole.UserRole) == bad)
    window.canvas.select_nodes([])
    QTest.mouseClick(
        view.viewport(),
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
        view.visualItemRect(row).center(),
    )
    assert window.canvas.selected_node_ids() == [bad]
    assert window.inspector.node_id == bad
    assert window.inspector.issue_label.isVisible()


def test_code_tab_shows_code_or_says_why_not(window, qtbot):
    window.tabs.setCurrentIndex(TAB_CODE)
    code = window.code_view.editor.toPlainText()
    assert "def forward" in code and "self.conv1" in code
    window.code_view.copy()
    from PySide6.QtGui import QGuiApplication

    assert QGuiApplication.clipboard().text() == code
    window.document.add_after("Conv2d", "flatten")
    assert window.code_view.editor.toPlainText() == ""
    assert "problem" in window.code_view.note.text()
    assert not window.code_view.copy_button.isEnabled()


def test_a_dead_end_layer_is_warned_and_the_outputs_are_named(window):
    assert window.validity_label.toolTip() == "Model output: output"
    stray = window.document.add_node("Flatten", (300.0, 300.0))
    window.document.connect(("pool1", 0), (stray, 0))
    text = window.validity_label.text()
    assert "warning" in text and f"2 outputs: output, {stray}" in text
    assert window.tabs.tabText(TAB_ISSUES) == "Issues (1)"
    issue = window.document.analysis.issues[0]
    assert issue.node_id == stray and not issue.is_error and "extra output" in issue.message
    window.document.undo_stack.undo()  # the wire
    window.document.undo_stack.undo()  # the Flatten
    assert window.validity_label.text() == "✓ valid"
