"""`add_training_dock(window)`: put the `TrainingDock` into the main window in one call.

It adds a "Training" dock (tabbed with the window's "Details" dock when there is one) and a Train
menu (Train F5, Pause/Resume, Stop). Closing the window during a run asks first (the window's
`maybe_save` calls `TrainingDock.may_close`). Kept here so the window module stays free of
training code.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDockWidget, QFrame, QScrollArea

from .dock import TrainingDock

TRAINING_MIN_HEIGHT = 400  # px: plots, progress and the Train button without scrolling
# The least height the Training dock is usable at (it scrolls below TRAINING_MIN_HEIGHT); a
# restored layout gave it ~170 px, the Train button and one squashed plot.
TRAINING_USABLE_HEIGHT = 280
TRAINING_SHARE = 55  # % of the window height the bottom area takes when Training first shows


def add_training_dock(window) -> TrainingDock:
    """Build the training dock for `window.document` and wire it in; returns the dock widget
    (also kept as `window.training`; `window.training_dock` is its QDockWidget)."""
    training = TrainingDock(window.document)
    dock = QDockWidget("Training", window)
    dock.setObjectName("training")
    # In a scroll area: the dock's panels need ~920 px, which must not set the window's minimum
    # width (small screens, and the offscreen --screenshot size).
    scroller = QScrollArea()
    scroller.setWidgetResizable(True)
    scroller.setFrameShape(QFrame.Shape.NoFrame)
    scroller.setWidget(training)
    dock.setWidget(scroller)
    # Not a hard minimum (a 500 px tall window, e.g. --screenshot, must still lay out): a
    # restored layout below it is replaced by the default (MainWindow.layout_problems).
    dock.setProperty("usable_height", TRAINING_USABLE_HEIGHT)
    dock.setFeatures(
        QDockWidget.DockWidgetFeature.DockWidgetClosable
        | QDockWidget.DockWidgetFeature.DockWidgetMovable
        | QDockWidget.DockWidgetFeature.DockWidgetFloatable
    )
    window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)
    details = getattr(window, "tabs_dock", None)
    if details is not None:
        window.tabifyDockWidget(details, dock)
        details.raise_()  # the editor's tabs stay in front until a run starts (Train shows the dock)
    window.training, window.training_dock = training, dock
    # The editor's bottom tabs need little height; the curves need more. Showing the Training tab
    # (F5, or a click on it) makes the bottom area at least that tall, once per session, so a
    # size the user then picks stays.
    grown = []

    def grow() -> None:
        if grown or not (window.isVisible() and dock.isVisible()) or dock.isFloating():
            return
        if not window.docks_settled():
            return  # the window still sizes its docks (and shows this one once while it does)
        grown.append(True)
        wanted = max(TRAINING_MIN_HEIGHT, window.height() * TRAINING_SHARE // 100)
        if dock.height() < wanted:
            window.resizeDocks([dock], [wanted], Qt.Orientation.Vertical)

    def shown(visible: bool) -> None:
        if visible and not window.layout_restored:
            QTimer.singleShot(0, grow)  # once the tab switch is laid out: sooner has no effect

    dock.visibilityChanged.connect(shown)
    training.status_message.connect(lambda text: window.statusBar().showMessage(text, 6000))
    _add_menu(window, training, dock)
    canvas = getattr(window, "canvas", None)
    if canvas is not None and hasattr(canvas, "inspect_requested"):

        def look_inside(view: str, node: str) -> None:
            dock.show()
            dock.raise_()
            training.show_inside(view, node)

        canvas.inspect_requested.connect(look_inside)
        training.preview_changed.connect(canvas.set_previews)
    return training


def _add_menu(window, training: TrainingDock, dock: QDockWidget) -> None:
    menu = window.menuBar().addMenu("&Train")

    def action(text: str, slot, shortcut: str | None = None) -> QAction:
        act = QAction(text, window)
        if shortcut:
            act.setShortcut(QKeySequence(shortcut))
        act.triggered.connect(lambda _checked=False: slot())
        menu.addAction(act)
        window.addAction(act)  # the shortcut works wherever the focus is in the window
        return act

    def start() -> None:
        dock.show()
        dock.raise_()
        training.start()

    train = action("&Train", start, "F5")
    pause = action(
        "&Pause / Resume",
        lambda: training.resume() if training.state == "paused" else training.pause(),
        "F6",
    )
    stop = action("&Stop", training.stop, "Shift+F5")
    menu.addSeparator()
    menu.addAction(dock.toggleViewAction())

    def update(state: str) -> None:
        train.setEnabled(state == "idle")
        pause.setEnabled(state != "idle")
        stop.setEnabled(state != "idle")

    training.state_changed.connect(update)
    update(training.state)
