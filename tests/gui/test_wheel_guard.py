"""The mouse wheel over the Data and Training panes scrolls them; a spin box or combo box under
the pointer changes only once it has focus (the wheel turned "15% val" into 20%)."""

from __future__ import annotations

import pytest
from neurocanvas.engine.templates import load_template
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QAbstractSpinBox, QApplication


def wheel_down(widget) -> None:
    centre = QPointF(widget.width() / 2, widget.height() / 2)
    event = QWheelEvent(
        centre,
        QPointF(widget.mapToGlobal(centre.toPoint())),
        QPoint(),
        QPoint(0, -120),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(widget, event)


@pytest.fixture
def dock(qtbot):
    from neurocanvas.gui.document import Document
    from neurocanvas.gui.training.dock import TrainingDock

    dock = TrainingDock(Document(load_template("seed-cnn")))
    qtbot.addWidget(dock)
    dock.resize(900, 260)  # short: the Data pane must scroll
    dock.show()
    qtbot.waitExposed(dock)
    return dock


def test_wheel_over_an_unfocused_split_scrolls_the_pane(qtbot, dock):
    area = dock.settings_tabs.currentWidget()
    bar = area.verticalScrollBar()
    assert bar.maximum() > 0
    val = dock.data_panel.splits[1]
    before = val.value()
    dock.data_panel.load_button.setFocus()
    wheel_down(val)
    assert val.value() == before
    assert bar.value() > 0  # the pane scrolled instead
    val.setFocus()
    qtbot.waitUntil(val.hasFocus)
    wheel_down(val)
    assert val.value() == before - 1  # focused: the wheel edits it


def test_wheel_over_a_training_setting_leaves_it_alone(qtbot, dock):
    dock.settings_tabs.setCurrentIndex(1)
    qtbot.wait(10)
    spins = dock.train_panel.findChildren(QAbstractSpinBox)
    assert len(spins) >= 3  # epochs, batch size, learning rate, ...
    for widget in spins:
        before = widget.value()
        wheel_down(widget)
        assert widget.value() == before, widget
    assert QApplication.focusWidget() not in spins  # the wheel gave no focus either
