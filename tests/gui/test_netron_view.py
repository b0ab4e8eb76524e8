"""The Netron tab renders an exported model offscreen: graph nodes, no consent or update page, no
request leaves the machine, and the server stops when the widget closes."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6.QtWebEngineWidgets")

from neurocanvas.engine.export import load_source  # noqa: E402
from neurocanvas.engine.export.onnx_export import export_onnx  # noqa: E402
from neurocanvas.gui import netron_view  # noqa: E402

_COUNT_NODES = "document.querySelectorAll('#canvas .node').length"
_PAGE_TEXT = "document.body ? document.body.innerText : ''"


def _js(qtbot, view, script):
    results = []
    view.view.page().runJavaScript(script, 0, results.append)
    qtbot.waitUntil(lambda: bool(results), timeout=5000)
    return results[0]


def test_is_loopback():
    assert netron_view.is_loopback("127.0.0.1") and netron_view.is_loopback("localhost")
    assert not netron_view.is_loopback("analytics.google.com")


@pytest.mark.slow
# Software rendering offscreen: Chromium reports that it has no GL context, which is expected.
@pytest.mark.qt_log_ignore("QRhiGles2", "Failed to create RHI", "GPUInfo")
def test_netron_tab_shows_graph_nodes(qtbot, tmp_path):
    model = export_onnx(load_source("seed-cnn"), tmp_path / "seed-cnn.onnx").path
    view = netron_view.NetronView()
    qtbot.addWidget(view)
    view.resize(1200, 800)
    view.show()
    with qtbot.waitSignal(view.loaded, timeout=20000):
        url = view.open_model(model)
    assert url.startswith("http://127.0.0.1:")
    qtbot.waitUntil(lambda: _js(qtbot, view, _COUNT_NODES) >= 8, timeout=20000)
    text = _js(qtbot, view, _PAGE_TEXT)
    assert "cookies" not in text and "update" not in text.lower()
    assert all(
        not netron_view.is_loopback(u.split("/")[2].split(":")[0]) for u in view.interceptor.blocked
    )
    server = view.server
    view.close()
    assert view.address is None and not server.alive
