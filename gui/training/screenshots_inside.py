"""The Inside tab's pictures: the seed CNN trained on MNIST t10k for 2 epochs, then its first-layer
filters (inside-filters.png), conv1's feature maps on a digit (inside-feature-maps.png), Grad-CAM
on a misclassified digit (inside-gradcam.png) and the projector of the penultimate layer
(inside-projector.png); and the editor with the canvas preview of that model on a test digit
(canvas-preview.png). `python -m neurocanvas.gui.training.screenshots_inside docs/screenshots`
renders only these."""

from __future__ import annotations

import sys
from pathlib import Path


def _misclassified(inspected) -> int:
    """The first test digit the model gets wrong (0 when it gets all right)."""
    from neurocanvas.engine.inspect.source import probabilities

    x, y = inspected.split.x[:2000], inspected.split.y[:2000]
    wrong = (probabilities(inspected.model, x).argmax(dim=1) != y).nonzero()
    return int(wrong[0]) if len(wrong) else 0


def render_inside_screenshots(folder: Path, work: Path) -> list[Path]:
    from .screenshots import SHARED, _dock, _grab, _train, _wait

    mnist = SHARED / "mnist"
    source = str(mnist.resolve()) if mnist.is_dir() else "mnist"
    dock = _dock(
        "seed-cnn", data={"source": source, "split": [0.8, 0.1, 0.1]}, epochs=2, checkpoint=True
    )
    dock._run_dir = lambda: work / "seed-cnn-run"
    _train(dock)
    inside = dock.inside_view
    dock.show_inside("filters", "conv1")
    _wait(lambda: inside.inspected is not None)
    written = [_grab(dock, folder / "inside-filters.png")]
    dock.show_inside("feature_maps", "conv1")
    written.append(_grab(dock, folder / "inside-feature-maps.png"))
    inside.sample_box.setValue(_misclassified(inside.inspected))
    dock.show_inside("gradcam", "conv1")
    written.append(_grab(dock, folder / "inside-gradcam.png"))
    dock.show_inside("projector", "dense1")
    written.append(_grab(dock, folder / "inside-projector.png"))
    written.append(_canvas_preview(inside.inspected, folder / "canvas-preview.png"))
    dock.shutdown()
    dock.close()
    return written


def _canvas_preview(inspected, path: Path) -> Path:
    """The seed CNN in the editor, each card showing its output for test sample 0 (what the
    training process sends while it trains, here from the trained model)."""
    from neurocanvas.engine.inspect.preview import preview
    from neurocanvas.engine.templates import load_template

    from ..app import render_window
    from ..document import Document
    from ..main_window import MainWindow
    from .screenshots import SIZE

    window = MainWindow(Document(load_template("seed-cnn")))
    window.ask_save_changes = lambda: "discard"
    window.canvas.set_previews(preview(inspected.model, inspected.split.x[:1]))
    if not render_window(window, SIZE).save(str(path)):
        raise OSError(f"could not write {path}")
    window.document.undo_stack.setClean()
    window.close()
    return path


def main(argv: list[str] | None = None) -> int:
    from .screenshots import render_main

    return render_main(argv, render_inside_screenshots)


if __name__ == "__main__":
    sys.exit(main())
