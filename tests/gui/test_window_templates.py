"""Every template opens without a Qt warning (pytest-qt fails the test on one), the gallery, the
`--screenshot` mode and the no-display message."""

from __future__ import annotations

import sys

from neurocanvas.engine.templates import list_templates, load_template
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
        table = window.summary_view.table
        rows = sum(not table.isRowHidden(row) for row in range(table.rowCount()))
        assert rows == len(window.document.graph), info.name  # a block's rows start folded
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


def test_gallery_offers_recent_projects_and_can_stay_away_at_start(
    qtbot, window, tmp_path, monkeypatch
):
    from neurocanvas.engine.project import save
    from neurocanvas.engine.templates import load_template
    from neurocanvas.gui import files
    from PySide6.QtCore import Qt

    paths = [tmp_path / "first.json", tmp_path / "second.json"]
    for path in paths:
        save(load_template("xor"), path)
        files.add_recent_file(path)
    dialog = GalleryDialog(recent=files.recent_files())
    qtbot.addWidget(dialog)
    dialog.show()
    listing = dialog.recent
    assert listing.isVisible() and listing.count() == 2
    assert listing.item(0).data(Qt.ItemDataRole.UserRole) == str(paths[1].resolve())  # newest
    assert listing.visualItemRect(listing.item(1)).bottom() <= listing.viewport().height()
    listing.itemActivated.emit(listing.item(1))
    assert dialog.choice == GalleryChoice("recent", str(paths[0].resolve()))
    window.ask_template = lambda: dialog.choice
    assert window.new_from_template()
    assert window.document.path == paths[0].resolve()

    # "Show this at start", unticked, is remembered: the next start opens no gallery.
    asked = []
    window.ask_template = lambda on_painted=None: asked.append(True)
    window.finish_loading = lambda *_a: None  # already loaded
    window.offer_recovery = lambda: False
    monkeypatch.setattr(app, "prewarm_training", lambda: None)  # no training process here
    again = GalleryDialog()
    qtbot.addWidget(again)
    assert again.at_start.isChecked()
    again.at_start.setChecked(False)
    app.finish_startup(window, None)
    assert asked == [] and not GalleryDialog().at_start.isChecked()
    files.set_gallery_at_start(True)
    app.finish_startup(window, None)
    assert asked == [True]


def test_a_plain_start_shows_the_gallery_before_the_panels_and_imports_them_meanwhile(
    qtbot, data_dir, monkeypatch
):
    """The gallery comes up on the bare shell (no panels yet); the panels' import starts once it
    has painted, and the chosen template opens in the finished window."""
    from neurocanvas.gui.main_window import MainWindow

    shell = MainWindow(deferred=True)
    shell.ask_save_changes = lambda: "discard"
    qtbot.addWidget(shell)
    monkeypatch.setattr(app, "prewarm_training", lambda: None)
    started = []
    monkeypatch.setattr(app.PanelImport, "start", lambda self: started.append(True))
    monkeypatch.setattr(app.PanelImport, "join", lambda self: None)
    seen_at_gallery = {}

    def gallery(on_painted=None):
        seen_at_gallery["panels"] = hasattr(shell, "summary_view")
        on_painted()
        return GalleryChoice("template", "xor")

    shell.ask_template = gallery
    app.finish_startup(shell, None)
    assert seen_at_gallery == {"panels": False} and started == [True]
    assert shell.document.project.name == load_template("xor").name
    assert hasattr(shell, "summary_view")


def test_panel_import_loads_the_panels_on_a_thread_and_join_starts_it_if_never_painted():
    loading = app.PanelImport(("palette", "inspector"))
    loading.join()  # the gallery was cancelled before it painted: join still imports
    assert not loading.thread.is_alive()
    assert {"neurocanvas.gui.palette", "neurocanvas.gui.inspector"} <= set(sys.modules)
    loading.start()  # a second start is harmless
