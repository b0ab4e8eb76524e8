"""The window layout restored at start fits the current screen and never leaves a dock below its
usable size (issue 14.11: a restored layout gave a palette 80 px wide with its names cut, a canvas
180 px tall and a Training dock of ~170 px). The offscreen screen is 800x600, so a layout "from a
larger screen" is simulated by the screen size saved with it."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from window_fixtures import *  # noqa: F403 - the shared window fixtures


def open_window(qtbot):
    """A window as `neurocanvas` opens it: no resize by the test, the saved layout (if any) wins."""
    from neurocanvas.engine.templates import load_template
    from neurocanvas.gui.document import Document
    from neurocanvas.gui.main_window import MainWindow

    window = MainWindow(Document(load_template("seed-cnn")))
    window.ask_save_changes = lambda: "discard"
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(window.docks_settled, timeout=5000)
    qtbot.wait(50)
    return window


def assert_usable(window):
    from neurocanvas.gui.main_window import CANVAS_MIN, PALETTE_MIN_WIDTH

    available = window.screen().availableGeometry()
    assert window.frameGeometry().width() <= available.width()
    assert window.frameGeometry().height() <= available.height()
    assert window.layout_problems() == []
    assert window.palette_dock.width() >= PALETTE_MIN_WIDTH
    assert window.canvas.width() >= CANVAS_MIN.width()
    assert window.canvas.height() >= CANVAS_MIN.height()
    # The palette's layer names are not cut off.
    tree = window.palette.tree
    metrics = tree.fontMetrics()
    for item in window.palette.layer_items():
        rect = tree.visualItemRect(item)
        if rect.isValid():
            text_room = tree.viewport().width() - rect.left() - tree.iconSize().width() - 8
            assert metrics.horizontalAdvance(item.text(0)) <= text_room, item.text(0)


def test_a_layout_saved_on_a_larger_screen_is_not_restored(qtbot, data_dir):
    from neurocanvas.gui import files

    big = open_window(qtbot)
    big.resize(2400, 1300)
    big.resizeDocks([big.palette_dock], [700], Qt.Orientation.Horizontal)
    qtbot.wait(50)
    big.close()
    store = files.settings()
    store.setValue("window/screen", "2560x1440")  # it was saved on a larger screen
    store.sync()
    window = open_window(qtbot)
    assert not window.layout_restored
    assert_usable(window)


def test_a_saved_layout_with_squeezed_docks_is_replaced(qtbot, data_dir):
    first = open_window(qtbot)
    for dock in (first.palette_dock, first.training_dock):  # as an older version let it be
        dock.setMinimumSize(0, 0)
    first.training_dock.show()
    first.training_dock.raise_()
    qtbot.wait(100)  # the dock's first growth to its curves' height is done
    first.resizeDocks([first.palette_dock], [80], Qt.Orientation.Horizontal)
    first.resizeDocks([first.training_dock], [170], Qt.Orientation.Vertical)
    qtbot.wait(50)
    assert first.palette_dock.width() < 100 and first.training_dock.height() < 200
    first.close()
    window = open_window(qtbot)
    assert_usable(window)
    from neurocanvas.gui.training.embed import TRAINING_USABLE_HEIGHT

    window.training_dock.show()
    window.training_dock.raise_()
    qtbot.wait(50)
    assert window.training_dock.height() >= TRAINING_USABLE_HEIGHT
    assert window.layout_problems() == []


@pytest.mark.parametrize("size", [(1280, 800), (1600, 1000)])
def test_the_default_layout_is_usable_with_the_training_dock_in_front(qtbot, make_window, size):
    from neurocanvas.gui.training.embed import TRAINING_USABLE_HEIGHT

    window = make_window("seed-cnn")
    window.resize(*size)
    qtbot.waitUntil(window.docks_settled, timeout=5000)
    window.training_dock.show()
    window.training_dock.raise_()
    qtbot.wait(100)
    assert window.layout_problems() == []
    assert window.training_dock.height() >= TRAINING_USABLE_HEIGHT
