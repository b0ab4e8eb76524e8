"""The "Inspect in Netron" tab: an exported model served by `netron` on 127.0.0.1 (OS-chosen port,
no browser launched) and shown in a QWebEngineView.

Traps handled here (see docs: netron 9.x):
- netron's page asks for cookie consent on first run: a script injected at document creation sets
  its `consent` cookie, so the graph shows at once;
- the page compares its build date (`<meta name="date">`) with today and, after 180 days, shows only
  "Please update": the same script rewrites that meta tag to today as the page is parsed;
- `netron` calls `logging.basicConfig` when the root logger has no handler: a NullHandler is added
  first so the app's logging setup is left alone;
- every request to a host other than loopback (telemetry, ipinfo.io) is refused by an interceptor;
- as root or offscreen, Chromium needs `--no-sandbox --disable-gpu` (set before QtWebEngine loads).
Without QtWebEngine, `NetronView` opens the system browser on the served URL instead.
"""

from __future__ import annotations

import logging
import os
import webbrowser
from pathlib import Path

from PySide6.QtCore import QUrl, Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

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


def serve(path: str | os.PathLike) -> tuple[str, int]:
    """Serve `path` with netron on 127.0.0.1 and an OS-chosen port; (host, port)."""
    root = logging.getLogger()
    if not root.hasHandlers():
        root.addHandler(logging.NullHandler())  # keeps netron from calling basicConfig
    import netron

    host, port = netron.serve(str(path), None, ("127.0.0.1", 0), browse=False)
    return host, port


def stop(address: tuple[str, int]) -> None:
    import netron

    netron.stop(address)


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
        self.address: tuple[str, int] | None = None
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
    def url(self) -> str | None:
        return None if self.address is None else f"http://{self.address[0]}:{self.address[1]}/"

    def open_model(self, path: str | os.PathLike) -> str:
        """Serve `path` (replacing any model shown) and show it; the served URL."""
        self.close_model()
        self.path = Path(path)
        self.address = serve(self.path)
        if self.view is not None:
            self.view.load(QUrl(self.url))
        else:
            webbrowser.open(self.url)
        return self.url

    def close_model(self) -> None:
        if self.address is not None:
            stop(self.address)
            self.address = None

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt override
        self.close_model()
        super().closeEvent(event)
