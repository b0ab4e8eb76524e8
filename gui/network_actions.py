"""The Network menu: add, rename and remove the project's networks (a canvas tab each), open the
selected block and back out of it; an issue chosen in the Issues tab opens the graph it is in. The actions ask the user for names and hand every change to
the Document as one undoable step; a refused name is said in a message naming the rule.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QInputDialog, QLineEdit, QMenu, QMessageBox

NAME_RULE = "A Python identifier: letters, digits and _, not starting with a digit"


def install_network_menu(window, menu: QMenu) -> None:
    window.add_network_action = window._action(
        menu, "&Add Network…", lambda: ask_add(window), status="Add an empty network (a tab)"
    )
    window.rename_network_action = window._action(
        menu, "&Rename Network…", lambda: ask_rename(window, window.document.network)
    )
    window.remove_network_action = window._action(
        menu, "Re&move Network", lambda: remove_current(window)
    )
    menu.addSeparator()
    window.open_block_action = window._action(
        menu, "&Open Block", lambda: open_selected_block(window), "Ctrl+Return",
        status="Edit inside the selected block (or double-click its card)",
    )  # fmt: skip
    window.up_action = window._action(
        menu, "&Up Out of Block", lambda: window.document.go_up(), "Ctrl+Backspace",
        status="Back out of the opened block (Esc on the canvas)",
    )  # fmt: skip
    for action in (window.open_block_action, window.up_action):
        # Canvas keys only: Ctrl+Backspace in a text field still deletes a word.
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        window.canvas.addAction(action)
    menu.aboutToShow.connect(lambda: _update(window))
    window.pane.rename_requested.connect(lambda name: ask_rename(window, name))
    window.issues_view.location_chosen.connect(lambda path, node: show_location(window, path, node))


def show_location(window, path, node_id) -> None:
    """An issue was chosen: show the graph holding its node (a block's body) and select it."""
    try:
        window.document.open_path(tuple(path))
    except KeyError:
        return
    if node_id:
        window.select_node(node_id)


def _update(window) -> None:
    document = window.document
    window.remove_network_action.setEnabled(len(document.graphs) > 1)
    window.up_action.setEnabled(len(document.active_path) > 1)


def _ask(window, title: str, label: str, text: str) -> str | None:
    """A name from the user (None: cancelled); tests replace `QInputDialog.getText`."""
    name, ok = QInputDialog.getText(
        window, title, f"{label}\n({NAME_RULE}.)", QLineEdit.EchoMode.Normal, text
    )
    return name.strip() if ok else None


def ask_add(window) -> str | None:
    document = window.document
    suggestion = "discriminator" if "discriminator" not in document.graphs else ""
    name = _ask(window, "Add network", "Name of the new network:", suggestion)
    if not name:
        return None
    problem = document.network_name_problem(name)
    if problem:
        QMessageBox.warning(window, "Cannot add the network", problem)
        return None
    return document.add_network(name)


def ask_rename(window, old: str) -> str | None:
    name = _ask(window, "Rename network", f"New name for {old}:", old)
    if not name or name == old:
        return None
    problem = window.document.rename_network(old, name)
    if problem:
        QMessageBox.warning(window, f"Cannot rename {old}", problem)
        return None
    return name


def remove_current(window) -> bool:
    document = window.document
    name = document.network
    if len(document.graphs) == 1:
        window.show_message(f"Cannot remove {name}: a project keeps one network at least")
        return False
    return document.remove_network(name)  # one undo step: Edit > Undo brings it back


def open_selected_block(window) -> bool:
    graph = window.document.graph
    blocks = [i for i in window.canvas.selected_node_ids() if graph.nodes[i].type == "Block"]
    if len(blocks) != 1:
        window.show_message("Select one block to open")
        return False
    return window.document.open_block(blocks[0])
