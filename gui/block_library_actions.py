"""The user's block library in the window: a block card's "Save to palette…" and "Export block
file…", File > Import Block File…, and the palette's "My blocks" (add, export, remove).

The files are the engine's (`engine/block_library.py`); adding a block to the canvas is one
undoable `Document` edit (`add_library_block`).
"""

from __future__ import annotations

from pathlib import Path

from neurocanvas.engine import block_library
from neurocanvas.engine.blocks import BLOCK_TYPE
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QFileDialog, QInputDialog, QMenu, QMessageBox

from . import files
from .palette import BLOCK_ROLE

BLOCK_FILTER = "NeuroCanvas block (*.block.json *.json)"


def install_library_actions(window) -> None:
    """Wire the palette's My blocks and the canvas' block menu to the window (after its canvas
    exists)."""
    window.palette.block_activated.connect(lambda block: add_after_selection(window, block))
    window.canvas.block_requested.connect(lambda action, node: on_request(window, action, node))
    tree = window.palette.tree
    tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
    tree.customContextMenuRequested.connect(
        lambda point: palette_menu(window, point).popup(tree.viewport().mapToGlobal(point))
    )
    for problem in window.palette.library_problems:  # a bad file is said once, not hidden
        window.show_message(f"My blocks: {problem}")


def on_request(window, action: str, node_id: str) -> None:
    if action == "save_to_palette":
        save_to_palette(window, node_id)
    elif action == "export_block":
        export_node(window, node_id)
    elif action == "replace_head":
        from .head_actions import ask_replace_head

        ask_replace_head(window, node_id)


def add_after_selection(window, block) -> str:
    selected = window.canvas.selected_node_ids()
    node_id = window.document.add_library_block(block, after=selected[-1] if selected else None)
    window.canvas.select_nodes([node_id])
    window.show_message(f"Added {node_id} from My blocks")
    return node_id


def _block_of(window, node_id: str, name: str | None) -> block_library.LibraryBlock | None:
    node = window.document.graph.nodes.get(node_id)
    if node is None or node.type != BLOCK_TYPE:
        window.show_message("Select a block (group layers with Ctrl+G first)")
        return None
    if name is None:
        name, ok = QInputDialog.getText(
            window, "Save to palette", "Name of the block in My blocks:", text=node_id
        )
        if not ok:
            return None
    try:
        block = block_library.from_node(node, name)
    except block_library.BlockFileError as error:
        window.show_error("Cannot save the block", str(error))
        return None
    if not block.node.params["expose"]:  # its widths become fields when it is dropped
        block.node.params["expose"] = block_library.default_expose(block.node.params["graph"])
    return block


def save_to_palette(window, node_id: str, name: str | None = None) -> Path | None:
    """Save the block `node_id` as a user block (asks its name unless given)."""
    asked = name is None
    block = _block_of(window, node_id, name)
    if block is None:
        return None
    target = block_library.library_dir() / block_library.file_name(block.name)
    if asked and target.exists() and not _confirm_replace(window, block.name):
        return None
    try:
        path = block_library.save_to_library(block)
    except OSError as error:
        window.show_error("Cannot save the block", f"{target}: {error.strerror or error}")
        return None
    window.palette.refresh_blocks()
    exposed = ", ".join(block.node.params["expose"]) or "no parameters"
    window.show_message(f"Saved {block.name} to My blocks ({exposed} editable when added)")
    return path


def _confirm_replace(window, name: str) -> bool:
    answer = QMessageBox.question(window, "Save to palette", f"Replace the block “{name}”?")
    return answer == QMessageBox.StandardButton.Yes


def export_node(window, node_id: str, path: Path | None = None) -> Path | None:
    """Write the block `node_id` to a block file to share."""
    block = _block_of(window, node_id, node_id if path is not None else None)
    return export_block(window, block, path) if block is not None else None


def export_block(window, block, path: Path | None = None) -> Path | None:
    if path is None:
        start = Path(files.last_folder("project") or Path.home())
        chosen, _ = QFileDialog.getSaveFileName(
            window,
            "Export block file",
            str(start / block_library.file_name(block.name)),
            BLOCK_FILTER,
        )
        if not chosen:
            return None
        path = Path(chosen)
    try:
        block_library.write_block(block, path)
    except (OSError, block_library.BlockFileError) as error:
        window.show_error("Cannot export the block", str(error))
        return None
    window.show_message(f"Wrote {path}")
    return path


def import_block_file(window, path: Path | None = None) -> block_library.LibraryBlock | None:
    """Read a shared block file into My blocks (checked first: a bad file is refused, named)."""
    if path is None:
        start = str(files.last_folder("project") or Path.home())
        chosen, _ = QFileDialog.getOpenFileName(window, "Import block file", start, BLOCK_FILTER)
        if not chosen:
            return None
        path = Path(chosen)
    try:
        block = block_library.read_block(path)
        block_library.save_to_library(block)
    except (OSError, block_library.BlockFileError) as error:
        window.show_error("Cannot import the block", str(error))
        return None
    window.palette.refresh_blocks()
    window.show_message(f"Added {block.name} to My blocks")
    return block


def palette_menu(window, point: QPoint) -> QMenu:
    menu = QMenu(window.palette)
    item = window.palette.tree.itemAt(point)
    block = item.data(0, BLOCK_ROLE) if item is not None else None
    if block is not None:
        menu.addAction("Add to canvas", lambda: add_after_selection(window, block))
        menu.addAction("Export block file…", lambda: export_block(window, block))
        menu.addAction("Remove from palette", lambda: remove(window, block))
        menu.addSeparator()
    menu.addAction("Import block file…", lambda: import_block_file(window))
    return menu


def remove(window, block) -> None:
    answer = QMessageBox.question(
        window, "Remove from palette", f"Remove “{block.name}” from My blocks?"
    )
    if answer == QMessageBox.StandardButton.Yes:
        block_library.remove_from_library(block)
        window.palette.refresh_blocks()
