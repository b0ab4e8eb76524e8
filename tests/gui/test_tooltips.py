"""Hovering every view of the window: a tooltip event at a grid of points in every widget of
every tab (editor, training views with results, runs) must never raise, and the views that
explain themselves by tooltip (the confusion matrix's cells, the canvas's cards) show one."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPoint
from PySide6.QtGui import QHelpEvent
from PySide6.QtWidgets import QApplication, QTabWidget, QToolTip, QWidget
from window_fixtures import *  # noqa: F403 - the shared window fixtures

# Offscreen, a shown tooltip (and the dock's raise_()) log that raise() is not supported.
pytestmark = pytest.mark.qt_log_ignore("does not support raise")

FINISHED = {
    "stopped": "completed",
    "epochs_run": 3,
    "best_epoch": 3,
    "test": {"accuracy": 0.9, "loss": 0.3},
    "confusion_matrix": (np.eye(3, dtype=int) * 20 + 1).tolist(),
    "class_names": ["setosa", "versicolor", "virginica"],
    "per_class": {"precision": [0.9] * 3, "recall": [0.9] * 3, "f1": [0.9] * 3},
}


def hover(widget: QWidget, point: QPoint) -> None:
    """What Qt sends when the mouse rests over `point` of `widget`."""
    event = QHelpEvent(QEvent.Type.ToolTip, point, widget.mapToGlobal(point))
    QApplication.sendEvent(widget, event)


def hover_grid(widget: QWidget, steps: int = 4) -> None:
    width, height = widget.width(), widget.height()
    for i in range(steps):
        for j in range(steps):
            hover(
                widget,
                QPoint(width * (2 * i + 1) // (2 * steps), height * (2 * j + 1) // (2 * steps)),
            )


def every_tab_shown(root: QWidget):
    """Yield once for each page of every tab widget under `root`, with that page in front."""
    for tabs in root.findChildren(QTabWidget):
        for index in range(tabs.count()):
            tabs.setCurrentIndex(index)
            yield tabs.widget(index)


def test_hovering_every_widget_of_every_tab_never_raises(qtbot, make_window):
    window = make_window("seed-cnn")
    window.training_dock.show()
    window.training_dock.raise_()
    window.training.results_view.set_results(FINISHED)
    qtbot.wait(20)
    hovered = 0
    for page in every_tab_shown(window):
        qtbot.wait(5)
        for widget in [page, *page.findChildren(QWidget)]:
            if widget.isVisible() and widget.width() > 0 and widget.height() > 0:
                hover_grid(widget, steps=2)
                hovered += 1
    assert hovered > 100  # the walk really reached the views
    QToolTip.hideText()


def test_confusion_matrix_cells_explain_themselves(qtbot):
    from neurocanvas.gui.training.confusion import ConfusionView

    view = ConfusionView()
    qtbot.addWidget(view)
    view.resize(560, 360)
    view.show()
    qtbot.waitExposed(view)
    view.set_matrix(FINISHED["confusion_matrix"], FINISHED["class_names"], FINISHED["per_class"])
    qtbot.wait(20)
    heatmap = view.table
    left, top, cell = heatmap.layout_cells()
    hover(heatmap, QPoint(int(left + 1.5 * cell), int(top + 0.5 * cell)))
    assert QToolTip.isVisible()
    assert QToolTip.text() == "true setosa, predicted versicolor: 1 (4.3% of the row)"
    hover(heatmap, QPoint(2, 2))  # outside the cells: no tooltip left standing
    qtbot.waitUntil(lambda: not QToolTip.isVisible())


def test_a_card_on_the_canvas_has_a_tooltip(qtbot, make_window):
    window = make_window("seed-cnn")
    view = window.canvas
    card = next(iter(view.scene().nodes.values()))
    point = view.mapFromScene(card.sceneBoundingRect().center())
    hover(view.viewport(), point)
    assert QToolTip.isVisible() and QToolTip.text()
    QToolTip.hideText()
