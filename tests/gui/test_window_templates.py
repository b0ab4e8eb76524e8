"""Every template opens without a Qt warning (pytest-qt fails the test on one), the gallery, the
`--screenshot` mode and the no-display message."""

from __future__ import annotations

import sys

from neurocanvas.engine.templates import list_templates
from neurocanvas.gui import app
from neurocanvas.gui.gallery import GalleryChoice, GalleryDialog
from neurocanvas.gui.main_window import TAB_CODE, TAB_ISSUES, TAB_SUMMARY
from PySide6.QtGui import QImage
from window_fixtures import *  # noqa: F403 - the shared window fixtures


def test_each_template_opens_with_every_tab(window, qtbot):
    for info in list_templates():
        window.open_template(info.name)
        assert window.windowTitle() == f"{info.title}[*] — NeuroCanvas"
        for tab in (TAB_SUMMARY, TAB_CODE, TAB_ISSUES):
            window.tabs.setCurrentIndex(tab)
        rows = window.summary_view.table.rowCount()
        assert rows == len(window.document.graph), info.name
        assert window.canvas.selected_node_ids() == []


def test_gallery_cards_and_choice(qtbot, window):
    dialog = GalleryDialog()
    qtbot.addWidget(dialog)
    assert set(dialog.cards) == {t.name for t in list_templates()}
    dialog.cards["xor"].clicked.emit("xor")
    dialog.create_button.click()
    assert dialog.choice == GalleryChoice("template", "xor")

    window.ask_template = lambda: GalleryChoice("template", "residual-cnn")
    assert window.new_from_template()
    assert window.document.project.name == "Residual CNN"
    window.ask_template = lambda: GalleryChoice("blank")
    assert window.new_from_template()
    assert len(window.document.graph) == 0


def test_screenshot_renders_the_window(qtbot, data_dir, tmp_path):
    target = tmp_path / "shot.png"
    assert app.main(["seed-cnn", "--screenshot", str(target), "--size", "800x500"]) == 0
    image = QImage(str(target))
    assert (image.width(), image.height()) == (800, 500)


def test_no_display_explains_how_to_run(monkeypatch, capsys):
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(sys, "platform", "linux")
    assert app.main([]) == 2
    message = capsys.readouterr().err
    assert "xvfb-run neurocanvas" in message and "--screenshot" in message
