"""The training dock inside the main window: F5 trains the template, closing during a run asks,
and a declined question keeps the window (and the run) going."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from window_fixtures import *  # noqa: F403 - the shared window fixtures


def test_train_from_the_window_and_close_while_running(qtbot, make_window):
    window = make_window("xor")
    training = window.training  # the window embeds the dock when it finishes loading
    window.document.project.training["epochs"] = 100_000
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)  # shortcuts go to the active window
    QTest.keyClick(window, Qt.Key.Key_F5)
    assert training.running and window.training_dock.isVisible()
    qtbot.waitUntil(lambda: training.live_view.point_counts()["loss"] >= 1, timeout=30_000)
    asked = []
    training.ask_stop_training = lambda: asked.append(1) or False
    window.close()
    assert asked and window.isVisible() and training.running
    training.ask_stop_training = lambda: True
    window.close()
    assert not window.isVisible() and not training.running


def test_cancelling_the_save_question_keeps_the_run_going(qtbot, make_window):
    window = make_window("xor")
    training = window.training
    window.document.project.training["epochs"] = 100_000
    training.start()
    qtbot.waitUntil(lambda: training.live_view.point_counts()["loss"] >= 1, timeout=30_000)
    window.document.set_param("hidden", "units", 6)  # unsaved work: the save question comes
    questions = []
    training.ask_stop_training = lambda: questions.append("stop?") or True
    window.ask_save_changes = lambda: questions.append("save?") or "cancel"
    window.close()
    assert questions == ["stop?", "save?"]
    assert window.isVisible() and training.running  # Cancel: nothing closed, nothing stopped
    window.ask_save_changes = lambda: "discard"
    window.close()
    assert not window.isVisible() and not training.running


def test_the_training_tab_makes_room_for_its_curves(qtbot, make_window):
    from neurocanvas.gui.training.embed import TRAINING_MIN_HEIGHT

    window = make_window("xor")
    qtbot.waitUntil(window.docks_settled, timeout=5000)  # the window's own sizing is done
    small = window.tabs_dock.height()
    assert small < TRAINING_MIN_HEIGHT
    window.training_dock.show()
    window.training_dock.raise_()
    qtbot.waitUntil(lambda: window.training_dock.height() >= TRAINING_MIN_HEIGHT, timeout=2000)
    window.resizeDocks([window.training_dock], [300], Qt.Orientation.Vertical)  # the user's pick
    window.tabs_dock.raise_()
    window.training_dock.raise_()
    qtbot.wait(50)
    assert window.training_dock.height() < TRAINING_MIN_HEIGHT  # left as the user made it


def test_the_window_reopens_with_its_size_and_docks(qtbot, make_window):
    window = make_window("xor")
    window.resize(1100, 760)
    window.resizeDocks([window.palette_dock], [300], Qt.Orientation.Horizontal)
    qtbot.wait(50)
    palette_width = window.palette_dock.width()
    window.close()
    again = make_window("xor")  # make_window resizes to 1200x800: the saved size must win
    assert again.layout_restored
    qtbot.waitUntil(lambda: again.palette_dock.width() == palette_width, timeout=2000)
