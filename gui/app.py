"""`neurocanvas [PROJECT|TEMPLATE] [--screenshot PATH [--size WxH]]`: the desktop window.

The window must be on screen within 1.5 s, and importing torch alone takes longer than that. So
`main` shows an empty shell first and finishes loading (engine, torch, panels, project) from a
zero-delay timer that runs after the first paint.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

PREWARM_DELAY_MS = 2000  # after the window has settled: the import competes for the CPU

NO_DISPLAY_HELP = """\
neurocanvas: no display found (DISPLAY and WAYLAND_DISPLAY are not set).
The window needs a graphical session. You can:
  - run it from a desktop session, or over ssh with X forwarding (ssh -X);
  - run it on a virtual display: xvfb-run neurocanvas
  - render the window to an image instead: neurocanvas seed-cnn --screenshot editor.png
  - use the command line: neurocanvas summary seed-cnn (see neurocanvas --help)"""


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="neurocanvas", description="Open the NeuroCanvas window.")
    parser.add_argument("project", nargs="?", help="project file (.json) or template name")
    parser.add_argument("--screenshot", metavar="PATH", help="render the window to PATH and exit")
    parser.add_argument("--size", default="1600x1000", help="window size for --screenshot (WxH)")
    parser.add_argument(
        "--startup-probe",
        nargs="?",
        const="window",
        choices=("window", "gallery"),
        help="print when the window (or the start gallery) first paints, then exit",
    )
    args = parser.parse_args(argv)
    try:
        width, height = (int(part) for part in args.size.lower().split("x"))
    except ValueError:
        parser.error(f"--size must look like 1600x1000, got {args.size!r}")
    args.size = (width, height)
    return args


def display_missing() -> bool:
    """True on Linux without any display and no platform chosen: Qt would abort."""
    env = os.environ
    return (
        sys.platform.startswith("linux")
        and not env.get("DISPLAY")
        and not env.get("WAYLAND_DISPLAY")
        and not env.get("QT_QPA_PLATFORM")
    )


def make_application():
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([sys.argv[0] if sys.argv else "neurocanvas"])
    app.setApplicationName("NeuroCanvas")
    app.setOrganizationName("NeuroCanvas")
    app.setStyle("Fusion")  # the same calm look on every platform; follows the system palette
    app.setStyleSheet(STYLE_SHEET)
    if not hasattr(app, "gui_thread_collector"):
        from .gui_thread_gc import GuiThreadCollector

        app.gui_thread_collector = GuiThreadCollector(app)
    return app


STYLE_SHEET = """
QLabel#muted { color: palette(placeholder-text); }
QDockWidget::title { padding: 6px 8px; font-weight: 600; }
QTabWidget::pane { border: none; }
QStatusBar QLabel { padding: 0 4px; }
"""


def main(argv: list[str] | None = None) -> int:
    args = parse_args(list(sys.argv[1:] if argv is None else argv))
    if args.screenshot:
        # Render offscreen whatever the session has: the result must not depend on a display.
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
        return screenshot(args.project, Path(args.screenshot), args.size)
    if display_missing() and not args.startup_probe:
        print(NO_DISPLAY_HELP, file=sys.stderr)
        return 2
    if display_missing():
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    if (problem := _missing_system_libraries()) is not None:
        print(problem, file=sys.stderr)
        return 2
    return run_window(args)


def _missing_system_libraries() -> str | None:
    from .system_libs import missing_xcb_message, will_use_xcb

    return missing_xcb_message() if will_use_xcb() else None


def run_window(args: argparse.Namespace) -> int:
    from PySide6.QtCore import QTimer

    from .main_window import MainWindow

    app = make_application()
    window = MainWindow(deferred=True)
    if args.startup_probe == "window":
        from .startup_probe import FirstPaint

        window.installEventFilter(FirstPaint(window))
        window.show()
        return app.exec()
    if args.startup_probe == "gallery":
        from .startup_probe import GalleryProbe

        app.installEventFilter(GalleryProbe(window))
    window.show()
    from .crash_dialog import install_excepthook

    install_excepthook(window)
    QTimer.singleShot(0, lambda: finish_startup(window, args.project))
    return app.exec()


def finish_startup(window, project: str | None) -> None:
    """Runs after the first paint: load the engine, then the project, a recovery or the gallery.

    A plain start shows the gallery first, while the panels and torch import on a thread: the
    gallery needs neither, and the user reads it for longer than the import takes."""
    from PySide6.QtCore import QTimer

    from . import files

    gallery_first = not project and files.gallery_at_start() and not files.find_recoveries()
    if gallery_first:
        loading = PanelImport(window.PANEL_MODULES)
        choice = window.ask_template(on_painted=loading.start)
        loading.join()
    window.finish_loading()
    QTimer.singleShot(PREWARM_DELAY_MS, prewarm_training)
    if gallery_first:
        window.apply_template_choice(choice)
        return
    if project:
        if not open_project_or_template(window, project):
            window.show_message(f"Could not open {project}")
        return
    if window.offer_recovery():
        return
    if files.gallery_at_start():  # else a blank canvas; File > New from Template opens it
        window.new_from_template()


class PanelImport:
    """Imports the window's panel modules (and torch) on a thread, started once the gallery is on
    screen so the two do not share the interpreter while it paints."""

    def __init__(self, modules: tuple[str, ...]):
        import threading

        self.modules = modules
        self.thread = threading.Thread(target=self._load, name="import-panels", daemon=True)

    def _load(self) -> None:
        import importlib

        for name in self.modules:
            importlib.import_module(f"neurocanvas.gui.{name}")

    def start(self) -> None:
        if not self.thread.is_alive() and self.thread.ident is None:
            self.thread.start()

    def join(self) -> None:
        """Waits for the import, starting it first if the gallery never painted (cancelled)."""
        self.start()
        self.thread.join()


def prewarm_training() -> None:
    """Start the training process in the background (it imports torch for a few seconds), so the
    first Train starts at once. Off the GUI thread: starting it waits for its handshake."""
    import threading

    from neurocanvas.engine.session.pool import shared_pool

    threading.Thread(target=shared_pool().prewarm, name="prewarm", daemon=True).start()


def open_project_or_template(window, name: str) -> bool:
    from neurocanvas.engine.project import ProjectError

    path = Path(name)
    if path.suffix == ".json" or path.exists():
        return window.open_path(path)
    try:
        window.open_template(name)
    except ProjectError as error:  # no such template: the message lists the ones there are
        window.show_error("Cannot open project", str(error))
        return False
    return True


def render_window(window, size: tuple[int, int]):
    """Lay the window out at `size`, fit the graph and grab it as a QPixmap."""
    from PySide6.QtWidgets import QApplication

    window.resize(*size)
    window.show()
    for _ in range(3):
        QApplication.processEvents()
    canvas = getattr(window, "canvas", None)
    if canvas is not None:
        canvas.fit_all()
    QApplication.processEvents()
    return window.grab()


def screenshot(project: str | None, path: Path, size: tuple[int, int]) -> int:
    """`--screenshot`: the window for `project`, or the template gallery when none is given."""
    app = make_application()
    path.parent.mkdir(parents=True, exist_ok=True)
    if project is None:
        from .gallery import GalleryDialog

        dialog = GalleryDialog()
        ok = render_window(dialog, size).save(str(path))
        dialog.close()
    else:
        from .main_window import MainWindow

        window = MainWindow()
        window.show_error = lambda title, message: print(f"neurocanvas: {message}", file=sys.stderr)
        if not open_project_or_template(window, project):
            return 2
        ok = render_window(window, size).save(str(path))
        window.document.undo_stack.setClean()
        window.close()
    app.processEvents()
    if not ok:
        print(f"neurocanvas: could not write {path}", file=sys.stderr)
        return 1
    print(f"wrote {path}")
    return 0
