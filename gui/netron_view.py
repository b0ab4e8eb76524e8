""" "Inspect in Netron": an exported model served by `netron` on 127.0.0.1 (OS-chosen port, no
browser launched) and shown in a QWebEngineView (`NetronView`), one tab per model in a window of
its own (`NetronWindow`).

Why a window of its own: a QWebEngineView in a raster top-level window switches that window's
surface type, and on xcb Qt then re-creates the native window: the main window would lose its
dock sizes and its open dialogs. The Netron window has *no parent widget* for the same reason: Qt
marks every ancestor widget of a web view as having a texture child, across window boundaries, and
re-creates the main window all the same. So its owner (`ExportActions`) closes it when the main
window closes, and it never keeps the application running on its own.

Traps handled here (see docs: netron 9.x):
- netron's page asks for cookie consent on first run: a script injected at document creation sets
  its `consent` cookie, so the graph shows at once;
- the page compares its build date (`<meta name="date">`) with today and, after 180 days, shows only
  "Please update": the same script rewrites that meta tag to today as the page is parsed;
- `netron` calls `logging.basicConfig` when the root logger has no handler: a NullHandler is added
  first so the app's logging setup is left alone;
- every request to a host other than loopback (telemetry, ipinfo.io) is refused by an interceptor;
- the page and one private copy of the model are served by `netron_server` (not `netron.serve`,
  which exposes the model's whole folder and trusts any Host header);
- as root or offscreen, Chromium needs `--no-sandbox --disable-gpu` (set before QtWebEngine loads).
Without QtWebEngine, `NetronView` opens the system browser on the served URL instead.
"""

from __future__ import annotations

import logging
import os
import webbrowser
from pathlib import Path

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtWidgets import QLabel, QTabWidget, QVBoxLayout, QWidget

from .netron_server import NetronServer

LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}


def _chromium_flags() -> None:
    # Must happen before QtWebEngine starts Chromium; harmless when a flag is already there.
    flags = os.environ.get("QTWEBENGINE_CHROMIUM_FLAGS", "")
    needed = []
    if (hasattr(os, "geteuid") and os.geteuid() == 0) or os.environ.get(
        "QT_QPA_PLATFORM"
    ) == "offscreen":
        needed = [f for f in ("--no-sandbox", "--disable-gpu") if f not in flags]
    if needed:
        os.environ["QTWEBENGINE_CHROMIUM_FLAGS"] = " ".join([flags, *needed]).strip()


_chromium_flags()
try:
    from PySide6.QtWebEngineCore import (
        QWebEnginePage,
        QWebEngineScript,
        QWebEngineUrlRequestInterceptor,
    )
    from PySide6.QtWebEngineWidgets import QWebEngineView

    HAVE_WEBENGINE = True
except ImportError:  # a Qt build without WebEngine: fall back to the system browser
    HAVE_WEBENGINE = False

# Runs before netron's own scripts: consent cookie set, build date made today.
_PAGE_SCRIPT = """
document.cookie = 'consent=' + Date.now() + '; path=/; max-age=31536000';
(function () {
  var today = new Date().toISOString().slice(0, 19).replace('T', ' ');
  var fix = function () {
    var meta = document.querySelector('meta[name="date"]');
    if (meta && meta.content !== today) { meta.content = today; }
  };
  new MutationObserver(fix).observe(document, {childList: true, subtree: true});
  document.addEventListener('DOMContentLoaded', fix);
})();
"""


def is_loopback(host: str) -> bool:
    return host.lower() in LOOPBACK


def serve(path: str | os.PathLike) -> NetronServer:
    """Serve a private copy of `path` to netron's page on 127.0.0.1 (see `netron_server`)."""
    root = logging.getLogger()
    if not root.hasHandlers():
        root.addHandler(logging.NullHandler())  # keeps netron from calling basicConfig
    return NetronServer(path)


if HAVE_WEBENGINE:

    class LoopbackOnly(QWebEngineUrlRequestInterceptor):
        """Refuses every request whose host is not loopback (no telemetry, no lookups)."""

        def __init__(self, parent=None):
            super().__init__(parent)
            self.blocked: list[str] = []

        def interceptRequest(self, info) -> None:  # noqa: N802 - Qt override
            url = info.requestUrl()
            if url.scheme() in ("data", "blob", "about"):
                return
            if not is_loopback(url.host()):
                self.blocked.append(url.toString())
                info.block(True)


class NetronView(QWidget):
    """Shows one model file in Netron; `close_model()` (or closing the widget) stops the server."""

    loaded = Signal(bool)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.server: NetronServer | None = None
        self.path: Path | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        if HAVE_WEBENGINE:
            self.view = QWebEngineView(self)
            self.interceptor = LoopbackOnly(self.view)
            page = QWebEnginePage(self.view)  # own page: the interceptor applies to this view only
            page.setUrlRequestInterceptor(self.interceptor)
            script = QWebEngineScript()
            script.setName("neurocanvas-netron")
            script.setInjectionPoint(QWebEngineScript.InjectionPoint.DocumentCreation)
            script.setWorldId(QWebEngineScript.ScriptWorldId.MainWorld)
            script.setRunsOnSubFrames(False)
            script.setSourceCode(_PAGE_SCRIPT)
            page.scripts().insert(script)
            self.view.setPage(page)
            self.view.loadFinished.connect(self.loaded)
            layout.addWidget(self.view)
        else:
            self.view = None
            self.label = QLabel("Netron opens in your web browser (QtWebEngine is not installed).")
            layout.addWidget(self.label)

    @property
    def address(self) -> tuple[str, int] | None:
        return None if self.server is None else self.server.address

    @property
    def url(self) -> str | None:
        return None if self.server is None else self.server.url

    def open_model(self, path: str | os.PathLike) -> str:
        """Serve `path` (replacing any model shown) and show it; the served URL."""
        self.close_model()
        self.path = Path(path)
        self.server = serve(self.path)
        if self.view is not None:
            self.view.load(QUrl(self.url))
        else:
            webbrowser.open(self.url)
        return self.url

    def close_model(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt override
        self.close_model()
        super().closeEvent(event)


class NetronWindow(QWidget):
    """A top-level window with one closable `NetronView` tab per inspected model. Closing a tab
    stops its server; closing the window stops them all. `size_like`: the main window, whose size
    sets this one's; `view_factory` makes the views (tests pass a stand-in without Chromium)."""

    def __init__(self, size_like: QWidget | None = None, view_factory=None):
        super().__init__(None, Qt.WindowType.Window)  # no parent widget: see the module's doc
        self.setWindowTitle("Netron — NeuroCanvas")
        self.setAttribute(Qt.WidgetAttribute.WA_QuitOnClose, False)  # the main window decides
        self._factory = view_factory or NetronView
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.setTabsClosable(True)
        self.tabs.setMovable(True)
        self.tabs.tabCloseRequested.connect(lambda index: self.close_tab(self.tabs.widget(index)))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs)
        if size_like is not None:  # three quarters of the main window's size
            size = size_like.size()
            self.resize(max(800, size.width() * 3 // 4), max(600, size.height() * 3 // 4))
            self.move(size_like.frameGeometry().center() - self.rect().center())
        else:
            self.resize(1200, 800)

    def views(self) -> list:
        return [self.tabs.widget(index) for index in range(self.tabs.count())]

    def open_model(self, path: str | os.PathLike):
        """Show `path` in its tab (a new one, or the one already showing that file, reloaded) and
        bring the window to the front; the view. Raises when netron cannot serve the file."""
        path = Path(path)
        view = next((v for v in self.views() if getattr(v, "path", None) == path), None)
        new = view is None
        if new:
            view = self._factory()
        try:
            view.open_model(path)
        except Exception:
            if new:
                view.deleteLater()
            raise
        view.path = path
        if new:
            self.tabs.addTab(view, path.name)
            self.tabs.setTabToolTip(self.tabs.indexOf(view), str(path))
        self.tabs.setCurrentWidget(view)
        self.show()
        self.raise_()
        self.activateWindow()
        return view

    def close_tab(self, view) -> None:
        """Stop `view`'s server and remove its tab; the window hides with its last tab."""
        index = self.tabs.indexOf(view)
        if index < 0:
            return
        view.close_model()
        self.tabs.removeTab(index)
        view.deleteLater()
        if self.tabs.count() == 0:
            self.hide()

    def close_all(self) -> None:
        for view in self.views():
            self.close_tab(view)

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt override
        self.close_all()
        super().closeEvent(event)
