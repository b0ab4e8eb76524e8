"""`render_training_screenshots(out_dir)`: the training pictures for the README and docs.

training-live.png (xor mid-run: curves, progress), results-confusion.png (iris: confusion matrix
and per-class scores), playground-boundary.png (circles: the decision boundary over the points),
runs-compare.png (two runs of one model, SGD vs Adam, their validation losses overlaid),
draw-digit.png (an MNIST model trained on the t10k set, a drawn digit and its class bars);
forecast-results.png, try-forecast.png, try-sentence.png and data-sequences.png
(screenshots_sequences.py); the Inside tab's inside-*.png (screenshots_inside.py); the GAN,
Autoencoder, RBM and Anomalies tabs' gan-tab.png, autoencoder-tab.png, rbm-tab.png and
anomaly-tab.png (screenshots_generative.py).
Real runs, driven through the dock as a user would; takes some seconds.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

SIZE = (1600, 1000)
ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT / ".." / "shared" / "datasets"
RUN_TIMEOUT_S = 120


def _dock(template: str, data: dict | None = None, graph_params: dict | None = None, **training):
    from neurocanvas.engine.templates import load_template

    from ..document import Document
    from .dock import TrainingDock

    project = load_template(template)
    project.training = {**project.training, "checkpoint": False, **training}
    if data is not None:
        project.data = data
    for (node, name), value in (graph_params or {}).items():
        project.graph.nodes[node].params[name] = value
    dock = TrainingDock(Document(project))
    dock.resize(*SIZE)
    dock.show()
    return dock


def _wait(condition, timeout: float = RUN_TIMEOUT_S) -> None:
    import time

    from PySide6.QtWidgets import QApplication

    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the screenshot's training run did not get there in time")
        QApplication.processEvents()
        time.sleep(0.01)


def _grab(dock, path: Path) -> Path:
    from PySide6.QtWidgets import QApplication

    dock.live_view.redraw(force=True)
    for _ in range(5):
        QApplication.processEvents()
    if not dock.grab().save(str(path)):
        raise OSError(f"could not write {path}")
    return path


def _train(dock) -> None:
    """One run to its end, as a click on Train and a wait would do."""
    dock.start()
    _wait(lambda: not dock.running)


def _grab_view(dock, view, path: Path) -> Path:
    """`view`'s tab in front, the dock's picture saved to `path`, the dock closed."""
    dock.views.setCurrentWidget(view)
    _grab(dock, path)
    dock.close()
    return path


def _live(folder: Path) -> Path:
    dock = _dock("xor", epochs=400, data={"source": "xor", "params": {"n": 600, "noise": 0.25}})
    dock.start()
    _wait(lambda: dock.live_view.point_counts()["loss"] >= 60)
    dock.pause()
    _wait(lambda: True)
    dock.live_view.progress.setFormat(dock.live_view.progress.format())
    dock.views.setCurrentWidget(dock.live_view)  # 2-D data opens on the boundary; this shows curves
    path = _grab(dock, folder / "training-live.png")
    dock.shutdown()
    dock.close()
    return path


def _confusion(folder: Path) -> Path:
    iris = SHARED / "tabular" / "iris.csv"
    data = {"source": str(iris.resolve())} if iris.is_file() else {"source": "blobs"}
    dock = _dock("tabular-mlp", data=data, epochs=60, batch_size=16)
    _train(dock)
    dock.results_view.confusion.normalized.setChecked(False)
    return _grab_view(dock, dock.results_view, folder / "results-confusion.png")


def _boundary(folder: Path) -> Path:
    dock = _dock(
        "xor",
        data={"source": "circles", "params": {"n": 500, "noise": 0.1}},
        graph_params={("hidden", "units"): 8},
        epochs=120,
    )
    _train(dock)
    return _grab_view(dock, dock.boundary_view, folder / "playground-boundary.png")


def _runs(folder: Path) -> Path:
    """Two runs of one model with different optimizers, their validation losses overlaid."""
    dock = _dock(
        "xor",
        data={"source": "moons", "params": {"n": 600, "noise": 0.2}},
        graph_params={("hidden", "units"): 8},
        epochs=80,
    )
    dock.document.project.name = "Moons"  # its own run folders, not the xor pictures' runs
    dock.show_past_runs()
    for optimizer in ({"type": "SGD", "lr": 0.05}, {"type": "Adam", "lr": 0.01}):
        dock.document.project.training = {**dock.document.project.training, "optimizer": optimizer}
        _train(dock)
    return _grab_view(dock, dock.runs_view, folder / "runs-compare.png")


def _digit(folder: Path, work: Path) -> Path:
    mnist = SHARED / "mnist"
    source = str(mnist.resolve()) if mnist.is_dir() else "mnist"
    dock = _dock(
        "mnist-quickstart",
        data={"source": source, "split": [0.8, 0.1, 0.1]},
        epochs=3,
        checkpoint=True,
    )
    dock._run_dir = lambda: work / "mnist-run"
    _train(dock)
    _wait(lambda: dock.try_view.model is not None)
    # A hand-drawn "3": two arcs, as a learner would draw it with the mouse.
    dock.try_view.pad.draw_stroke([(85, 60), (140, 45), (190, 70), (175, 120), (130, 140)])
    dock.try_view.pad.draw_stroke([(130, 140), (190, 160), (195, 215), (140, 240), (85, 225)])
    return _grab_view(dock, dock.try_view, folder / "draw-digit.png")


def render_training_screenshots(out_dir: str | Path) -> list[Path]:
    """Write the training pictures into `out_dir`; returns their paths."""
    from ..app import make_application
    from .screenshots_generative import render_generative_screenshots
    from .screenshots_inside import render_inside_screenshots
    from .screenshots_sequences import data_sequences, forecast_results, try_sentence

    make_application()
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as work:
        os.environ.setdefault("NEUROCANVAS_DATA_DIR", str(Path(work) / "user-data"))
        return [
            _live(folder),
            _confusion(folder),
            _boundary(folder),
            _runs(folder),
            _digit(folder, Path(work)),
            *forecast_results(folder, Path(work)),
            try_sentence(folder, Path(work)),
            data_sequences(folder),
            *render_inside_screenshots(folder, Path(work)),
            *render_generative_screenshots(folder, Path(work)),
        ]


def render_main(argv: list[str] | None, render) -> int:
    """The `python -m` entry of one group of pictures: `render(folder, work)` offscreen into the
    folder named by the first argument (docs/screenshots by default), with a scratch work folder."""
    argv = sys.argv[1:] if argv is None else argv
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from ..app import make_application

    make_application()
    folder = Path(argv[0] if argv else "docs/screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as work:
        os.environ.setdefault("NEUROCANVAS_DATA_DIR", str(Path(work) / "user-data"))
        for path in render(folder, Path(work)):
            print(f"wrote {path}")
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    for path in render_training_screenshots(argv[0] if argv else "docs/screenshots"):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
