"""Help menu: last in the menu bar, the keyboard shortcuts read from the window's own actions (F1),
the documentation file, and About."""

from __future__ import annotations

from window_fixtures import *  # noqa: F403 - the shared window fixtures


def test_help_menu_lists_the_shortcuts_and_links_the_docs(qtbot, window, monkeypatch):
    from neurocanvas.gui import help_menu
    from PySide6.QtGui import QDesktopServices

    titles = [action.text() for action in window.menuBar().actions()]
    assert titles[-1] == "&Help" and "&Train" in titles
    actions = {action.text(): action for action in window.help_menu.actions()}
    actions["&Keyboard Shortcuts…"].trigger()
    dialog = window.shortcuts_dialog
    qtbot.waitExposed(dialog)
    text = dialog.text.text()
    for shortcut in ("Ctrl+S", "Ctrl+Z", "Ctrl+L", "F5"):  # Save, Undo, Auto Layout, Train
        assert f"<b>{shortcut}</b>" in text, shortcut
    assert "File > Save" in text and "Space + drag" in text
    dialog.close()
    opened = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url) or True)
    actions["&Documentation"].trigger()
    assert opened[0].toLocalFile() == str(help_menu.DOCS) and help_menu.DOCS.is_file()
