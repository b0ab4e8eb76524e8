"""Edit > Group into Block / Ungroup, File > Import Model… (a torchvision architecture) and
File > Import Model File… (ONNX or TorchScript).

The actions only ask the Document for undoable edits, or open the imported project as a new
document; the work (grouping, tracing, weights) is the engine's.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QInputDialog, QLabel, QMenu

from . import files

IMPORT_HELP = (
    "Builds torchvision's architecture without downloading anything (random weights); "
    "its module hierarchy becomes blocks. To start from published weights, run "
    "`neurocanvas import torchvision:NAME --weights FILE.pth --out project.json` with a "
    "downloaded .pth, then `neurocanvas train project.json --init-from project.weights.pt`."
)


def install_block_actions(window, edit: QMenu) -> None:
    edit.addSeparator()
    window.group_action = window._action(
        edit, "&Group into Block", lambda: group_selected(window), "Ctrl+G"
    )
    window.ungroup_action = window._action(
        edit, "U&ngroup Block", lambda: ungroup_selected(window), "Ctrl+Shift+G"
    )
    window.replace_head_action = window._action(
        edit,
        "Replace &Head…",
        lambda: _replace_head(window),
        status="Replace the selected layer (the old classifier) and what follows by a new Dense",
    )


def _replace_head(window) -> bool:
    from .head_actions import ask_replace_head

    return ask_replace_head(window)


def group_selected(window) -> str | None:
    selected = window.canvas.selected_node_ids()
    if not selected:
        window.show_message("Select the layers to group into a block")
        return None
    block_id = window.document.group_nodes(selected)
    if block_id:
        window.canvas.select_nodes([block_id], reveal=False)
    return block_id


def ungroup_selected(window) -> bool:
    graph = window.document.graph
    blocks = [i for i in window.canvas.selected_node_ids() if graph.nodes[i].type == "Block"]
    if len(blocks) != 1:
        window.show_message("Select one block to ungroup")
        return False
    return window.document.ungroup(blocks[0])


def install_import_action(window, file_menu: QMenu) -> None:
    from .block_library_actions import import_block_file

    window.import_action = window._action(
        file_menu, "&Import Model…", lambda: ask_import(window), status=IMPORT_HELP
    )
    window.import_file_action = window._action(
        file_menu,
        "Import Model &File…",
        lambda: ask_import_file(window),
        status="Open an ONNX (.onnx) or TorchScript (.pt) file as an editable project, "
        "its weights kept",
    )
    window.import_block_action = window._action(
        file_menu,
        "Import &Block File…",
        lambda: import_block_file(window),
        status="Add a shared block file (.block.json) to the palette's My blocks",
    )


IMPORT_ASK = (
    "The architecture to import, built without downloading anything (random weights; its "
    "modules become blocks). The next steps ask for the input shape and where to save the "
    "project. For published weights, see this menu item's tip in the status bar."
)


def ask_import(window) -> bool:
    """Ask (unsaved changes first, then the model, its input shape and where to save it)."""
    from neurocanvas.engine.importer.sources import TORCHVISION_MODELS

    if not window.maybe_save("importing a model"):
        return False
    dialog = QInputDialog(window)
    dialog.setWindowTitle("Import a torchvision model")
    dialog.setLabelText(IMPORT_ASK)
    dialog.setComboBoxItems(list(TORCHVISION_MODELS))
    dialog.setComboBoxEditable(False)
    dialog.setToolTip(IMPORT_HELP)
    for label in dialog.findChildren(QLabel):  # the sentence wraps: the dialog fits the screen
        label.setWordWrap(True)
    dialog.setMaximumWidth(560)
    if not dialog.exec():
        return False
    name = dialog.textValue()
    shape, ok = QInputDialog.getText(
        window, "Input shape", "One image, channels first:", text="3,224,224"
    )
    if not ok:
        return False
    start = Path(files.last_folder("project") or Path.home()) / f"{name}.json"
    path, _ = QFileDialog.getSaveFileName(
        window, "Save the imported project", str(start), "NeuroCanvas project (*.json)"
    )
    if not path:
        return False
    files.remember_folder("project", path)
    return import_into(window, f"torchvision:{name}", shape, Path(path))


def ask_import_file(window) -> bool:
    """Ask for an ONNX or TorchScript file, then where to save the project."""
    if not window.maybe_save("importing a model"):
        return False
    start = files.last_folder("model") or str(Path.home())
    source, _ = QFileDialog.getOpenFileName(
        window,
        "Import an ONNX or TorchScript model",
        start,
        "Models (*.onnx *.pt *.pth *.ts);;All files (*)",
    )
    if not source:
        return False
    files.remember_folder("model", source)
    target = Path(files.last_folder("project") or Path(source).parent) / f"{Path(source).stem}.json"
    path, _ = QFileDialog.getSaveFileName(
        window, "Save the imported project", str(target), "NeuroCanvas project (*.json)"
    )
    if not path:
        return False
    files.remember_folder("project", path)
    return import_into(window, source, "", Path(path))


def import_into(window, source: str, shape_text: str, path: Path) -> bool:
    """Import `source`, write the project and its weights to `path`, then open it (in the
    background: tracing ResNet-50 takes a few seconds)."""
    from neurocanvas.engine.importer.cli_commands import write_import
    from neurocanvas.engine.importer.sources import import_source

    from .background import run_in_background

    try:
        shape = (
            tuple(int(part) for part in shape_text.replace("x", ",").split(","))
            if shape_text
            else None  # a model file's own input shape
        )
    except ValueError:
        window.show_error("Cannot import", f"{shape_text!r} is not a shape such as 3,224,224")
        return False

    def work():
        write_import(import_source(source, input_shape=shape), path)
        return path

    def failed(message: str, details: str) -> None:
        window.show_error("Cannot import", message)  # a ModelImportError names the module

    def done(written: Path) -> None:
        window.open_path(written, asked=True)

    window.show_message(f"Importing {source}…")
    window._import_task = run_in_background(work, done, failed)
    return True
