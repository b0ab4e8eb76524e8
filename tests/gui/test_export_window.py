"""Exports from the window: the model export dialog (background job, parity figure, errors naming
the layer, "Inspect in Netron"), the canvas as PNG/SVG and the summary as text/Markdown/CSV."""

from __future__ import annotations

import csv
import io
import os
import xml.etree.ElementTree as ET

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QWidget
from window_fixtures import *  # noqa: F403 - the shared window fixtures

SEED_CNN_PARAMS = 231926


def _export(qtbot, dialog, timeout=20000) -> dict:
    with qtbot.waitSignal(dialog.finished_export, timeout=timeout) as blocker:
        dialog.export_button.click()
        # The job runs on a pool thread: the GUI stays responsive and shows it is busy.
        assert dialog.running and dialog.progress.isVisible()
        assert not dialog.export_button.isEnabled()
    return blocker.args[0]


def test_export_dialog_exports_onnx_in_the_background(qtbot, window, tmp_path):
    dialog = window.exports.open_dialog()
    assert dialog.format == "onnx" and dialog.opset_combo.isVisible()
    # No training run for this project: initial weights, and the dialog says so up front.
    assert dialog.weights_combo.currentData() is None and dialog.untrained_label.isVisible()
    out = tmp_path / "seed-cnn.onnx"
    dialog.path_edit.setText(str(out))
    reply = _export(qtbot, dialog)
    qtbot.waitUntil(lambda: dialog.result_box.isVisible(), timeout=2000)
    assert reply["ok"] and out.is_file() and reply["size_bytes"] == out.stat().st_size
    assert reply["max_abs_diff"] < 1e-4
    assert "max abs difference" in dialog.parity_label.text()
    assert f"{reply['max_abs_diff']:.2e}" in dialog.parity_label.text()
    # "Inspect ONNX File in Netron…" now starts where this export went.
    assert window.exports.netron_start_folder() == tmp_path
    assert "KB" in dialog.size_label.text() and " s " in dialog.time_label.text()
    assert "untrained" in dialog.warnings_label.text()
    assert dialog.netron_button.isVisible() and not dialog.error_label.isVisible()


def test_failing_export_shows_the_message_and_selects_the_layer(
    qtbot, window, tmp_path, monkeypatch
):
    from neurocanvas.engine import export as export_api

    def refuse(source, fmt, out, **options):
        raise export_api.ExportError("ONNX cannot express layer 'conv1' (aten::i0)", "conv1")

    monkeypatch.setattr(export_api, "export", refuse)
    dialog = window.exports.open_dialog()
    dialog.path_edit.setText(str(tmp_path / "bad.onnx"))
    reply = _export(qtbot, dialog)
    assert not reply["ok"] and reply["node"] == "conv1"
    assert dialog.error_label.isVisible() and "conv1" in dialog.error_label.text()
    assert "ONNX cannot express" in dialog.error_label.text()
    assert not dialog.result_box.isVisible() and not dialog.netron_button.isVisible()
    assert window.canvas.selected_node_ids() == ["conv1"]
    assert not (tmp_path / "bad.onnx").exists()


def test_pytorch_format_hides_opset_and_writes_a_folder(qtbot, window, tmp_path):
    dialog = window.exports.open_dialog()
    dialog.set_format("pytorch")
    assert not dialog.opset_combo.isVisible() and dialog.path_edit.text().endswith("-pytorch")
    dialog.path_edit.setText(str(tmp_path / "code"))
    reply = _export(qtbot, dialog)
    assert reply["ok"], reply
    assert (tmp_path / "code" / "model.py").is_file() and not dialog.netron_button.isVisible()


def test_keras_format_writes_the_script_and_its_weights(qtbot, window, tmp_path):
    os.environ.setdefault("KERAS_BACKEND", "torch")  # no TensorFlow here
    pytest.importorskip("keras")
    dialog = window.exports.open_dialog()
    dialog.set_format("keras")
    assert dialog.path_edit.text().endswith("-keras")
    dialog.path_edit.setText(str(tmp_path / "keras"))
    reply = _export(qtbot, dialog, timeout=60000)
    assert reply["ok"], reply
    assert reply["max_abs_diff"] < 1e-5
    written = sorted(p.name for p in (tmp_path / "keras").iterdir())
    assert written == ["model_keras.py", "model_keras.weights.npz"]


def test_latest_checkpoint_is_offered(qtbot, window, data_dir):
    from neurocanvas.gui.export_job import find_latest_checkpoint

    assert find_latest_checkpoint(window.document) is None
    run = data_dir / "runs" / "seed-cnn-20250101-120000-000"
    run.mkdir(parents=True)
    (run / "last.pt").write_bytes(b"x")
    (run / "best.pt").write_bytes(b"x")
    (data_dir / "runs" / "other-model-20250101-120000-000").mkdir()
    assert find_latest_checkpoint(window.document) == run / "best.pt"
    dialog = window.exports.open_dialog()
    assert dialog.weights_combo.currentData() == str(run / "best.pt")
    assert not dialog.untrained_label.isVisible()


def test_choosing_a_checkpoint_file_asks_once(qtbot, window, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    asked = []
    chosen = str(tmp_path / "mine.pt")

    def ask(*_args, **_kwargs):
        asked.append(True)
        return chosen, "Checkpoints (*.pt)"

    monkeypatch.setattr(QFileDialog, "getOpenFileName", ask)
    dialog = window.exports.open_dialog()
    dialog.weights_combo.setCurrentIndex(dialog.weights_combo.findData("choose"))
    assert asked == [True]  # one dialog, not a second "Choose a checkpoint"
    assert dialog.weights_combo.currentData() == chosen
    assert not dialog.untrained_label.isVisible()


class _FakeNetron(QWidget):
    """Stands in for NetronView: no Chromium, no server, records what the tab does."""

    opened: list = []
    closed: list = []

    def open_model(self, path):
        self.opened.append(str(path))
        return "http://127.0.0.1:1/"

    def close_model(self):
        self.closed.append(True)


@pytest.mark.qt_log_ignore("does not support raise")  # offscreen
def test_netron_opens_in_its_own_window_one_tab_per_model(qtbot, window, monkeypatch):
    from neurocanvas.gui import netron_view

    monkeypatch.setattr(netron_view, "NetronView", _FakeNetron)
    _FakeNetron.opened, _FakeNetron.closed = [], []
    tabs_before = window.tabs.count()
    window_id = window.winId()
    view = window.exports.show_netron("/tmp/model.onnx")
    netron = window.exports.netron
    # Not a tab of the main window: a top-level window of its own, with no parent widget (a web
    # view below the main window in the widget tree would make Qt re-create the main window).
    assert window.tabs.count() == tabs_before and window.winId() == window_id
    assert netron.isWindow() and netron.isVisible() and netron.parentWidget() is None
    assert not netron.testAttribute(Qt.WidgetAttribute.WA_QuitOnClose)
    assert netron.tabs.currentWidget() is view and netron.tabs.tabText(0) == "model.onnx"
    other = window.exports.show_netron("/tmp/other.onnx")
    again = window.exports.show_netron("/tmp/model.onnx")  # the same file: its tab, reloaded
    assert again is view and netron.tabs.count() == 2 and netron.tabs.currentWidget() is view
    assert _FakeNetron.opened == ["/tmp/model.onnx", "/tmp/other.onnx", "/tmp/model.onnx"]
    netron.tabs.tabCloseRequested.emit(netron.tabs.indexOf(other))  # the tab's close button
    assert netron.tabs.count() == 1 and len(_FakeNetron.closed) == 1
    netron.close()  # closing the window stops every server
    assert netron.tabs.count() == 0 and len(_FakeNetron.closed) == 2


@pytest.mark.qt_log_ignore("does not support raise")  # offscreen
def test_netron_window_closes_with_the_main_window(qtbot, window, monkeypatch):
    from neurocanvas.gui import netron_view

    monkeypatch.setattr(netron_view, "NetronView", _FakeNetron)
    _FakeNetron.opened, _FakeNetron.closed = [], []
    window.exports.show_netron("/tmp/model.onnx")
    assert window.exports.netron.isVisible()
    assert window.close()
    qtbot.waitUntil(lambda: window.exports.netron is None)
    assert _FakeNetron.closed == [True]


# ---- canvas and summary -------------------------------------------------------------------------
def test_canvas_png_and_svg_are_valid(qtbot, window, tmp_path):
    window.canvas.select_nodes(["conv1"])
    png = window.exports.save_canvas(tmp_path / "canvas.png")
    image = QImage(str(png))
    assert not image.isNull() and image.width() > 0 and image.height() > 0
    rect = window.canvas.canvas_scene.items_rect()
    assert image.width() >= 2 * rect.width()  # rendered at 2x, with margins
    svg = window.exports.save_canvas(tmp_path / "canvas.svg")
    root = ET.parse(svg).getroot()
    assert root.tag.endswith("svg") and len(list(root.iter())) > 10
    assert "conv1" in svg.read_text()  # the cards' text is kept as text
    assert window.canvas.selected_node_ids() == ["conv1"]  # selection restored after rendering


@pytest.mark.parametrize("kind, suffix", [("text", ".txt"), ("markdown", ".md"), ("csv", ".csv")])
def test_summary_exports_hold_the_totals(qtbot, window, tmp_path, kind, suffix):
    path = window.exports.save_summary(tmp_path / f"summary{suffix}", kind)
    text = path.read_text(encoding="utf-8")
    if kind == "csv":
        rows = list(csv.reader(io.StringIO(text)))
        assert rows[0][:2] == ["layer", "type"] and rows[-1][0] == "TOTAL"
        assert int(rows[-1][4]) == SEED_CNN_PARAMS
        assert sum(int(r[4]) for r in rows[1:-1]) == SEED_CNN_PARAMS
    else:
        assert "231,926" in text
    if kind == "markdown":
        assert "| Layer | Type |" in text and "conv1" in text


def test_export_menu_is_in_the_file_menu(window):
    file_menu = window.menuBar().actions()[0].menu()
    export_menu = next(
        a.menu() for a in file_menu.actions() if a.menu() is not None and a.text() == "E&xport"
    )
    texts = [a.text() for a in export_menu.actions() if not a.isSeparator()]
    assert any("Model" in t for t in texts) and any("SVG" in t for t in texts)
    assert any("CSV" in t for t in texts) and any("Netron" in t for t in texts)


def test_open_folder_after_an_export(qtbot, window, tmp_path, monkeypatch):
    from PySide6.QtGui import QDesktopServices

    opened = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url) or True)
    dialog = window.exports.open_dialog()
    assert not dialog.folder_button.isVisible()  # nothing exported yet
    dialog.path_edit.setText(str(tmp_path / "out" / "seed.onnx"))
    (tmp_path / "out").mkdir()
    assert _export(qtbot, dialog)["ok"]
    assert dialog.folder_button.isVisible()
    dialog.folder_button.click()
    assert [url.toLocalFile() for url in opened] == [str(tmp_path / "out")]


def test_the_chosen_weights_are_remembered(qtbot, window, data_dir, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    run = data_dir / "runs" / "seed-cnn-20250101-120000-000"
    run.mkdir(parents=True)
    (run / "best.pt").write_bytes(b"x")
    dialog = window.exports.open_dialog()
    assert dialog.weights_combo.currentData() == str(run / "best.pt")  # the latest, at first
    dialog.weights_combo.setCurrentIndex(dialog.weights_combo.findData(None))
    dialog.path_edit.setText(str(tmp_path / "initial.onnx"))
    assert _export(qtbot, dialog)["ok"]
    dialog.close()
    again = window.exports.open_dialog()
    assert again.weights_combo.currentData() is None  # "Initial weights", as chosen last time

    mine = tmp_path / "mine.pt"
    mine.write_bytes(b"x")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *_a, **_k: (str(mine), ""))
    again.weights_combo.setCurrentIndex(again.weights_combo.findData("choose"))
    again.path_edit.setText(str(tmp_path / "mine.onnx"))
    _export(qtbot, again)  # the file is no checkpoint: this export fails, the choice stays
    again.close()
    third = window.exports.open_dialog()
    assert third.weights_combo.currentData() == str(mine)
