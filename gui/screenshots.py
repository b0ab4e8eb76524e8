"""`python -m neurocanvas.gui.screenshots docs/screenshots`: the README's pictures, 1600x1000.

editor-seed-cnn.png (a layer selected, summary shown), editor-inception.png (a branching graph and
its generated code), editor-error.png (a Conv2d after a Flatten: red outline and the issue),
gallery.png (the template gallery), export-dialog.png (seed-cnn exported to ONNX: the parity figure),
editor-blocks.png (torchvision's ResNet-18 imported: its stages as blocks, the stem frozen, the
summary with layer1 unfolded; `python -m neurocanvas.gui.screenshots DIR blocks` renders it alone),
editor-networks.png (dcgan-mnist: a canvas tab per network, the discriminator shown) and
editor-block-inside.png (ResNet-18's first basic block opened, its breadcrumb above the canvas;
`... DIR navigation` renders these two alone); the tuning pictures come from tune_screenshots.py.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

SIZE = (1600, 1000)


def _window(template: str, select: str | None, tab: int):
    from neurocanvas.engine.templates import load_template

    from .document import Document
    from .main_window import MainWindow

    window = MainWindow(Document(load_template(template)))
    window.ask_save_changes = lambda: "discard"
    window.tabs.setCurrentIndex(tab)
    if select:
        window.canvas.select_nodes([select])
    return window


def write_all(folder: Path) -> list[Path]:
    from .app import make_application, render_window
    from .gallery import GalleryDialog
    from .main_window import TAB_CODE, TAB_ISSUES, TAB_SUMMARY

    make_application()
    folder.mkdir(parents=True, exist_ok=True)
    written = []

    def save(widget, name: str) -> None:
        path = folder / name
        if not render_window(widget, SIZE).save(str(path)):
            raise OSError(f"could not write {path}")
        document = getattr(widget, "document", None)
        if document is not None:
            document.undo_stack.setClean()  # a picture, not work to keep: close without asking
        widget.close()
        written.append(path)

    save(_window("seed-cnn", "conv1", TAB_SUMMARY), "editor-seed-cnn.png")
    save(_window("inception-block", "concat", TAB_CODE), "editor-inception.png")
    broken = _window("seed-cnn", None, TAB_ISSUES)
    bad = broken.document.add_after("Conv2d", "flatten")
    broken.canvas.select_nodes([bad])
    save(broken, "editor-error.png")
    save(GalleryDialog(), "gallery.png")
    save(blocks_window(), "editor-blocks.png")
    for window, name in navigation_windows():
        save(window, name)
    written.append(export_dialog_picture(folder / "export-dialog.png"))
    from .training.screenshots import render_training_screenshots

    written += render_training_screenshots(folder)
    from .tune_screenshots import render_tune_screenshots

    written += render_tune_screenshots(folder)
    return written


def blocks_window():
    """ResNet-18 imported from torchvision (built on the meta device: no weights needed for a
    picture), conv1 and bn1 frozen, layer2 selected, the summary open with layer1 unfolded."""
    import torch
    import torchvision
    from neurocanvas.engine.importer.fx_import import import_module

    from .document import Document
    from .main_window import TAB_SUMMARY, MainWindow

    with torch.device("meta"):
        model = torchvision.models.resnet18(weights=None)
    project = import_module(model, (3, 64, 64), "resnet18", copy_weights=False).project
    for node_id in ("conv1", "bn1"):
        project.graph.set_trainable(node_id, False)
    window = MainWindow(Document(project))
    window.ask_save_changes = lambda: "discard"
    window.tabs.setCurrentIndex(TAB_SUMMARY)
    window.summary_view.expanded = {"layer1"}
    window.summary_view.refresh()
    window.canvas.select_nodes(["layer2"])
    return window


def navigation_windows():
    """(window, file name): dcgan-mnist's two network tabs, the discriminator shown with a
    layer selected; ResNet-18 with main › layer1 › layer1_0 open and conv2 selected."""
    from .main_window import TAB_SUMMARY

    networks = _window("dcgan-mnist", None, TAB_SUMMARY)
    networks.pane.tabs.setCurrentIndex(1)
    networks.canvas.select_nodes(["down2"])
    inside = blocks_window()
    inside.document.open_path(("main", "layer1", "layer1_0"))
    inside.canvas.select_nodes(["conv2"], reveal=False)
    return [(networks, "editor-networks.png"), (inside, "editor-block-inside.png")]


def export_dialog_picture(path: Path) -> Path:
    """The export dialog after a real ONNX export of seed-cnn (written to a temporary folder)."""
    import tempfile

    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    window = _window("seed-cnn", None, 0)
    with tempfile.TemporaryDirectory() as folder:
        dialog = window.exports.open_dialog()
        dialog.path_edit.setText(str(Path(folder) / "seed-cnn.onnx"))
        loop = QEventLoop()
        dialog.finished_export.connect(lambda _reply: loop.quit())
        QTimer.singleShot(60_000, loop.quit)  # never hang the picture run on a stuck export
        dialog.start_export()
        loop.exec()
        for label in (dialog.path_edit, dialog.file_label):  # no temporary path in the picture
            label.setText(label.text().replace(folder, "~/models"))
        for _ in range(3):
            QApplication.processEvents()
        dialog.adjustSize()
        QApplication.processEvents()
        ok = dialog.grab().save(str(path))
    dialog.close()
    window.close()
    if not ok:
        raise OSError(f"could not write {path}")
    return path


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    os.environ["QT_QPA_PLATFORM"] = "offscreen"  # the pictures must not depend on the desktop
    folder = Path(argv[0] if argv else "docs/screenshots")
    if argv[1:] in (["blocks"], ["navigation"]):
        from .app import make_application, render_window

        make_application()
        size = tuple(
            int(v) for v in os.environ.get("NEUROCANVAS_SHOT_SIZE", "1600x1000").split("x")
        )
        pictures = (
            [(blocks_window(), "editor-blocks.png")]
            if argv[1] == "blocks"
            else navigation_windows()
        )
        for window, name in pictures:
            render_window(window, size).save(str(folder / name))
            window.document.undo_stack.setClean()
            window.close()
            print(f"wrote {folder / name}")
        return 0
    for path in write_all(folder):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
