"""The main window: palette | canvas | inspector, bottom tabs (issues, summary, code), menus and
status bar, around one `Document` at a time.

Start-up speed: this module imports no torch. `MainWindow(deferred=True)` shows an empty shell at
once, and `finish_loading()` (called after the first paint) imports the engine and builds the
panels. File commands (new, open, save, recovery) live in `window_files.FileActions`.
"""

from __future__ import annotations

from PySide6.QtCore import QElapsedTimer, QSize, Qt, QTimer
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence, QUndoGroup
from PySide6.QtWidgets import QDockWidget, QLabel, QMainWindow, QTabWidget, QWidget

from . import theme
from .block_actions import install_block_actions, install_import_action
from .export_actions import install_export_actions
from .files import restore_window_geometry, restore_window_state
from .window_files import FileActions

APP_NAME = "NeuroCanvas"
TAB_ISSUES, TAB_SUMMARY, TAB_CODE = range(3)
PALETTE_WIDTH, INSPECTOR_WIDTH, DETAILS_HEIGHT = 220, 310, 240
CANVAS_MIN = QSize(320, 200)  # docks may never squeeze the canvas below this
# The narrowest each side dock is still usable at: the palette's layer names are not cut, the
# inspector's form fits. A restored layout with a dock below this is replaced by the default.
PALETTE_MIN_WIDTH, INSPECTOR_MIN_WIDTH = 200, 260
# A window manager may resize or maximize the window after it is first shown: dock sizes are set
# again on every resize within this long after the first show (until the user moves a splitter).
SETTLE_MS = 1500


FRAME_ROOM = QSize(16, 40)  # the window manager's frame and title bar, around the client size


def default_size(available) -> QSize:
    """80% of the screen's available geometry, at least 1280x800 where the screen has room
    (frame included: the whole window stays on a smaller screen)."""
    room = available.size() - FRAME_ROOM
    width = max(available.width() * 4 // 5, min(1280, room.width()))
    height = max(available.height() * 4 // 5, min(800, room.height()))
    return QSize(width, height)


class MainWindow(FileActions, QMainWindow):
    def __init__(self, document=None, *, deferred: bool = False):
        super().__init__()
        self.document = None
        self.canvas = None
        self.loaded = False
        self.layout_restored = False  # dock sizes came from the last session
        self.setWindowTitle(APP_NAME)
        self._settle_clock = QElapsedTimer()  # started at the first show (see _settle_layout)
        self._size_timer = QTimer(self)
        self._size_timer.setSingleShot(True)
        self._size_timer.setInterval(0)
        self._size_timer.timeout.connect(self._settle_layout)
        screen = self.screen() or QGuiApplication.primaryScreen()
        if restore_window_geometry(self):
            pass  # as the last session left it
        elif screen is not None:
            available = screen.availableGeometry()
            size = default_size(available)
            self.resize(size)
            self.move(available.center() - self.rect().center())
        else:
            self.resize(1400, 900)
        self.setDockNestingEnabled(False)
        loading = QLabel("Loading NeuroCanvas…")
        loading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        loading.setObjectName("muted")
        self.setCentralWidget(loading)
        self.statusBar().showMessage("Starting…")
        if not deferred:
            self.finish_loading(document)

    # ---- building (after the first paint) ----------------------------------------------------
    # What finish_loading imports (and, through them, the engine and torch): app.py imports them
    # on a thread while the gallery is up, so choosing a template does not wait for them.
    PANEL_MODULES = (
        "code_view", "document", "files", "inspector", "issues_view", "palette", "summary_view",
        "training.embed", "help_menu",
    )  # fmt: skip

    def finish_loading(self, document=None) -> None:
        """Import the engine (and with it torch) and build every panel."""
        from .code_view import CodeView
        from .document import Document
        from .files import Autosaver
        from .inspector import Inspector
        from .issues_view import IssuesView
        from .palette import Palette
        from .summary_view import SummaryView

        document = document or Document()
        self.undo_group = QUndoGroup(self)
        self.palette = Palette()
        self.palette.layer_activated.connect(self.add_layer_after_selection)
        self.inspector = Inspector(document)
        self.inspector.status_message.connect(self.show_message)
        self.issues_view = IssuesView(document)
        self.summary_view = SummaryView(document)
        self.code_view = CodeView(document)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.issues_view, "Issues")
        self.tabs.addTab(self.summary_view, "Summary")
        self.tabs.addTab(self.code_view, "Code")
        self.tabs.currentChanged.connect(lambda _index: self._refresh_tabs())
        self._dirty_tabs: set[int] = set()

        self.setCorner(Qt.Corner.BottomLeftCorner, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.setCorner(Qt.Corner.BottomRightCorner, Qt.DockWidgetArea.RightDockWidgetArea)
        self.palette_dock = self._dock("Layers", self.palette, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.inspector_dock = self._dock(
            "Inspector", self.inspector, Qt.DockWidgetArea.RightDockWidgetArea
        )
        self.tabs_dock = self._dock("Details", self.tabs, Qt.DockWidgetArea.BottomDockWidgetArea)
        self.tabs_dock.setTitleBarWidget(QWidget())  # the tab bar is title enough
        self.palette_dock.setMinimumWidth(PALETTE_MIN_WIDTH)
        # The bottom area (Details, Training) spans the whole width: between the side docks it
        # got ~720 px at 1280x800, less than the Training dock's panes need (it scrolled
        # sideways, cutting the results). The side docks end above it instead.
        for corner in (Qt.Corner.BottomLeftCorner, Qt.Corner.BottomRightCorner):
            self.setCorner(corner, Qt.DockWidgetArea.BottomDockWidgetArea)
        self.inspector_dock.setMinimumWidth(INSPECTOR_MIN_WIDTH)
        self._size_docks()

        self.params_label = QLabel()
        self.validity_label = QLabel()
        self.device_label = QLabel(compute_device())
        for label in (self.params_label, self.validity_label, self.device_label):
            label.setContentsMargins(8, 0, 8, 0)
            self.statusBar().addPermanentWidget(label)
        self._build_menus()
        self.autosaver = Autosaver(lambda: self.document, parent=self)
        self.loaded = True
        self.set_document(document)
        from .block_library_actions import install_library_actions

        install_library_actions(self)  # My blocks, a block's Save to palette… (after the canvas)
        from .training.embed import add_training_dock

        add_training_dock(self)  # Training dock + Train menu + ask-before-closing during a run
        from .help_menu import install_help_menu

        install_help_menu(self)  # last in the menu bar, after Train
        # The last session's dock sizes, when there are some: then they are the user's, and the
        # default sizing below leaves them alone.
        self.layout_restored = restore_window_state(self)
        self.statusBar().showMessage("Ready", 3000)
        if self.isVisible():  # deferred start: the window is on screen already
            self._size_timer.start()

    # ---- dock sizes ---------------------------------------------------------------------------
    # On xcb the window gets its real size asynchronously (and a window manager may change it once
    # more), and dock sizes set before the layout has that size are distorted: a ~1000 px palette
    # and a 60 px canvas. So sizes are (re)applied from a zero-delay timer after the first show and
    # after every resize while the window settles, and the canvas is fitted after that.
    def _size_docks(self) -> None:
        horizontal = [self.palette_dock, self.inspector_dock]
        self.resizeDocks(horizontal, [PALETTE_WIDTH, INSPECTOR_WIDTH], Qt.Orientation.Horizontal)
        height = min(DETAILS_HEIGHT, max(120, self.height() * 3 // 10))
        vertical = [self.tabs_dock]
        self.resizeDocks(vertical, [height], Qt.Orientation.Vertical)

    def _settle_layout(self) -> None:
        if not (self.loaded and self.isVisible()) or self.docks_settled():
            return
        if not self._settle_clock.isValid():
            self._settle_clock.start()
        self.layout().activate()
        if self.layout_restored and self.layout_problems():
            self.layout_restored = False  # a saved layout that does not fit: the default one,
            self.tabs_dock.raise_()  # with the editor's tabs in front of Training
        if not self.layout_restored:  # restored sizes are the user's: only the canvas is fitted
            self._size_docks()
            self.layout().activate()  # apply the sizes now, so the fit sees the canvas's real size
        self.canvas.fit_all()

    def layout_problems(self) -> list[str]:
        """What is below its usable size: "palette 80 px wide", "canvas 180 px tall"..."""
        problems = []
        for dock in self.findChildren(QDockWidget):
            shown = dock.isVisible() and not dock.visibleRegion().isEmpty()  # not a back tab
            if shown and not dock.isFloating():
                minimum = dock.minimumSize()
                usable = int(dock.property("usable_height") or 0)
                minimum.setHeight(max(minimum.height(), usable))
                if dock.width() < minimum.width():
                    problems.append(f"{dock.objectName()} {dock.width()} px wide")
                if dock.height() < minimum.height():
                    problems.append(f"{dock.objectName()} {dock.height()} px tall")
        if self.canvas is not None:
            if self.canvas.width() < CANVAS_MIN.width():
                problems.append(f"canvas {self.canvas.width()} px wide")
            if self.canvas.height() < CANVAS_MIN.height():
                problems.append(f"canvas {self.canvas.height()} px tall")
        return problems

    def docks_settled(self) -> bool:
        """True once the window has had time to get its final size: dock sizes are left alone."""
        return self._settle_clock.isValid() and self._settle_clock.elapsed() > SETTLE_MS

    def showEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        if self.loaded and not self._settle_clock.isValid():
            self._size_timer.start()

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        if self.loaded and self.isVisible() and not self.docks_settled():
            self._size_timer.start()

    def _dock(self, title: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(title.lower())
        dock.setWidget(widget)
        dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetClosable
            | QDockWidget.DockWidgetFeature.DockWidgetMovable
        )
        self.addDockWidget(area, dock)
        return dock

    def _action(self, menu, text: str, slot, shortcut=None, status: str = "") -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.setStatusTip(status)
        action.triggered.connect(lambda _checked=False: slot())
        menu.addAction(action)
        return action

    def _build_menus(self) -> None:
        keys = QKeySequence.StandardKey
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        self.new_action = self._action(
            file_menu, "&New from template…", self.new_from_template, keys.New
        )
        self.open_action = self._action(file_menu, "&Open…", self.open_dialog, keys.Open)
        self.recent_menu = file_menu.addMenu("Open &Recent")
        self.recent_menu.aboutToShow.connect(self.fill_recent_menu)
        file_menu.addSeparator()
        self.save_action = self._action(file_menu, "&Save", self.save, keys.Save)
        self.save_as_action = self._action(file_menu, "Save &As…", self.save_as, keys.SaveAs)
        file_menu.addSeparator()
        install_import_action(self, file_menu)  # File > Import Model… (block_actions.py)
        self.exports = install_export_actions(self, file_menu)  # File > Export, Netron window
        file_menu.addSeparator()
        self.quit_action = self._action(file_menu, "&Quit", self.close, keys.Quit)

        edit = bar.addMenu("&Edit")
        self.undo_action = self.undo_group.createUndoAction(self, "Undo")
        self.undo_action.setShortcut(keys.Undo)
        self.redo_action = self.undo_group.createRedoAction(self, "Redo")
        self.redo_action.setShortcuts(redo_shortcuts())
        edit.addActions([self.undo_action, self.redo_action])
        edit.addSeparator()
        canvas = lambda name: lambda: getattr(self.canvas, name)()  # noqa: E731 - late binding
        self.cut_action = self._action(edit, "Cu&t", canvas("cut_selected"), keys.Cut)
        self.copy_action = self._action(edit, "&Copy", canvas("copy_selected"), keys.Copy)
        self.paste_action = self._action(edit, "&Paste", canvas("paste"), keys.Paste)
        self.duplicate_action = self._action(
            edit, "D&uplicate", canvas("duplicate_selected"), "Ctrl+D"
        )
        self.delete_action = self._action(edit, "&Delete", canvas("delete_selected"), keys.Delete)
        edit.addSeparator()
        self.select_all_action = self._action(
            edit, "Select &All", canvas("select_all"), keys.SelectAll
        )
        install_block_actions(self, edit)  # Group into Block, Ungroup
        self.canvas_actions = (
            self.cut_action,
            self.copy_action,
            self.paste_action,
            self.delete_action,
            self.duplicate_action,
            self.select_all_action,
        )
        for action in self.canvas_actions:
            # Only while the canvas has focus, so Ctrl+C in a text field still copies text.
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)

        self.network_menu = bar.addMenu("&Network")  # filled once the canvas pane exists

        view = bar.addMenu("&View")
        self.fit_action = self._action(view, "Zoom to &Fit", canvas("fit_all"), "Ctrl+0")
        self.zoom_action = self._action(view, "Zoom &100%", canvas("zoom_100"), "Ctrl+1")
        self.layout_action = self._action(view, "&Auto Layout", canvas("auto_layout"), "Ctrl+L")
        view.addSeparator()
        for dock in (self.palette_dock, self.inspector_dock, self.tabs_dock):
            view.addAction(dock.toggleViewAction())
        self.addActions([self.undo_action, self.redo_action])

    # ---- the document ---------------------------------------------------------------------------
    def set_document(self, document) -> None:
        from .canvas.pane import CanvasPane
        from .canvas.view import CanvasView
        from .network_actions import install_network_menu

        old = self.document
        self.document = document
        document.setParent(self)
        self.undo_group.addStack(document.undo_stack)
        self.undo_group.setActiveStack(document.undo_stack)
        if self.canvas is None:
            self.canvas = CanvasView(document)
            self.canvas.setMinimumSize(CANVAS_MIN)
            self.canvas.selection_changed.connect(self._on_selection)
            for action in self.canvas_actions:
                self.canvas.addAction(action)
            self.pane = CanvasPane(self.canvas)  # the network tabs and breadcrumb around it
            self.setCentralWidget(self.pane)
            install_network_menu(self, self.network_menu)
        else:
            self.canvas.set_document(document)
            self.pane.set_document(document)
        document.analysis_changed.connect(self._on_analysis)
        document.modified_changed.connect(self._update_title)
        document.path_changed.connect(self._update_title)
        document.status_message.connect(self.show_message)
        document.active_changed.connect(self._on_analysis)  # the status bar: the tab's network
        self.inspector.set_document(document)
        self.issues_view.set_document(document)
        self.summary_view.document = document
        self.code_view.document = document
        if getattr(self, "training", None) is not None:
            self.training.set_document(document)
        if old is not None and old is not document:
            self.undo_group.removeStack(old.undo_stack)
            old.deleteLater()
        self._on_analysis()
        self._update_title()
        QTimer.singleShot(0, self.canvas.fit_all)

    def _update_title(self, *_args) -> None:
        self.setWindowTitle(f"{self.document.title}[*] — {APP_NAME}")
        self.setWindowModified(self.document.modified)

    def _on_analysis(self) -> None:
        analysis = self.document.network_analysis
        total = sum(result.param_count for result in analysis.shapes.values())
        self.params_label.setText(f"{total:,} parameters")
        errors = len(analysis.errors)
        if errors:
            text, color = f"✗ {errors} error{'s' if errors > 1 else ''}", theme.ERROR
        elif analysis.issues:
            text, color = f"✓ valid, {len(analysis.issues)} warning(s)", theme.WARNING
        else:
            text, color = "✓ valid", theme.OK
        # What the model returns: a layer left with nothing after it is an output too.
        outputs = [node.id for node in self.document.network_graph.output_nodes()]
        if len(outputs) > 1:
            text += f" · {len(outputs)} outputs: {', '.join(outputs)}"
        self.validity_label.setText(text)
        self.validity_label.setToolTip("Model output: " + (", ".join(outputs) or "none"))
        self.validity_label.setStyleSheet(f"color: {color.name()};")
        count = len(analysis.issues)
        self.tabs.setTabText(TAB_ISSUES, f"Issues ({count})" if count else "Issues")
        self._dirty_tabs |= {TAB_SUMMARY, TAB_CODE}
        self._refresh_tabs()

    def _refresh_tabs(self) -> None:
        """Summary and code are rebuilt only when shown: FLOP counting and compiling cost time."""
        current = self.tabs.currentIndex()
        if current in self._dirty_tabs:
            self._dirty_tabs.discard(current)
            (self.summary_view if current == TAB_SUMMARY else self.code_view).refresh()

    def _on_selection(self, node_ids) -> None:
        node_ids = list(node_ids)
        self.inspector.show_node(node_ids[0] if len(node_ids) == 1 else None, len(node_ids))

    def select_node(self, node_id: str) -> None:
        if node_id in self.document.graph.nodes:
            self.canvas.select_nodes([node_id])

    def add_layer_after_selection(self, layer_type: str) -> None:
        selected = self.canvas.selected_node_ids()
        new_id = self.document.add_after(layer_type, selected[-1] if selected else None)
        self.canvas.select_nodes([new_id])
        self.show_message(f"Added {new_id}")

    def show_message(self, text: str) -> None:
        self.statusBar().showMessage(text, 6000)


def redo_shortcuts() -> list[QKeySequence]:
    """Ctrl+Shift+Z and Ctrl+Y plus the platform's Redo keys, each once: a sequence listed twice
    (StandardKey.Redo *is* Ctrl+Shift+Z on Linux) makes the shortcut "ambiguous" and dead."""
    wanted = [QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")]
    wanted += QKeySequence.keyBindings(QKeySequence.StandardKey.Redo)
    unique: list[QKeySequence] = []
    for sequence in wanted:
        if not sequence.isEmpty() and sequence not in unique:
            unique.append(sequence)
    return unique


def compute_device() -> str:
    """`CUDA: <name>` when a GPU is usable, else `CPU, N threads` (what training would use)."""
    import torch

    if torch.cuda.is_available():
        return f"CUDA: {torch.cuda.get_device_name(0)}"
    return f"CPU, {torch.get_num_threads()} threads"
