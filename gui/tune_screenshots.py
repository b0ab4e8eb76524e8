"""The tuning pictures for the README, from real runs (`python -m neurocanvas.gui.tune_screenshots
docs/screenshots` renders only these): tune-history.png, tune-parallel.png and tune-importance.png
(the Tune tab over a 16-trial TPE search of tabular-mlp's units, dropout and learning rate) and
runs-seed-bands.png (two learning rates, three seeds each, in the Runs view with seed bands).
The data: the Pima CSV beside the checkout (../shared/datasets/tabular) when there, else iris."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

SIZE = (1600, 1000)
PIMA = Path("../shared/datasets/tabular/pima-indians-diabetes.csv")
SPACE = {
    "dimensions": [
        {"node": "dense1", "param": "units", "low": 8, "high": 128, "log": True},
        {"node": "dropout1", "param": "rate", "low": 0.0, "high": 0.5},
        {"setting": "optimizer.lr", "low": 1e-4, "high": 0.1, "log": True},
    ],
    "objective": "val_accuracy",
    "trials": 16,
    "pruner": "median",
}


def _project(epochs: int):
    from neurocanvas.engine.templates import load_template

    project = load_template("tabular-mlp")
    source = str(PIMA.resolve()) if PIMA.is_file() else "iris"
    project.data = {"source": source, "split": [0.7, 0.15, 0.15], "seed": 0}
    project.training = project.training | {"epochs": epochs}
    project.tuning = SPACE
    return project


def render_tune_screenshots(folder: Path) -> list[Path]:
    from neurocanvas.engine.training.data_adapter import load_prepared
    from neurocanvas.engine.training.run_index import read_run
    from neurocanvas.engine.training.seeds import repeat_seeds

    from .app import make_application, render_window
    from .document import Document
    from .training.runs import RunsView
    from .tune_view import TuneView

    make_application()
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    with tempfile.TemporaryDirectory() as work:
        document = Document(_project(epochs=30))
        document.save(Path(work) / "pima.json")
        _search(document.project, Path(work) / "runs")
        view = TuneView(document)
        view.refresh()
        view.table.sortItems(2)  # by value
        for index, name in enumerate(("history", "parallel", "importance")):
            view.plots.setCurrentIndex(index)
            path = folder / f"tune-{name}.png"
            render_window(view, SIZE).save(str(path))
            written.append(path)
        view.close()
        project = _project(epochs=40)
        data = load_prepared(project.data)
        runs = RunsView()
        past = []
        for lr in (0.001, 0.01):
            tuned = _project(epochs=40)
            tuned.training = tuned.training | {"optimizer": {"type": "Adam", "lr": lr}}
            done = repeat_seeds(tuned, 3, data, run_root=Path(work) / f"lr{lr}", device="cpu")
            past += [read_run(run) for run in done.run_dirs]
        runs.show_past(past)
        for run in runs.runs:
            runs._set_checked(run, True)
        runs.metric_choice.setCurrentIndex(max(0, runs.metric_choice.findData("val_loss")))
        runs.seed_bands.setChecked(True)
        path = folder / "runs-seed-bands.png"
        render_window(runs, SIZE).save(str(path))
        written.append(path)
        runs.close()
        document.undo_stack.setClean()
    return written


def _search(project, runs_root: Path) -> None:
    from neurocanvas.engine.tune.objective import TrialObjective
    from neurocanvas.engine.tune.space import tuning_from_dict
    from neurocanvas.engine.tune.study import (
        default_storage_path,
        make_storage,
        open_study,
        run_worker,
        slug,
    )

    config = tuning_from_dict(project.tuning)
    storage = make_storage(default_storage_path(project, runs_root))
    study = open_study(project, config, storage, slug(project.name))
    run_worker(study, TrialObjective(project, config, runs_root, slug(project.name), device="cpu"))


def main(argv: list[str] | None = None) -> int:
    import os

    argv = sys.argv[1:] if argv is None else argv
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    for path in render_tune_screenshots(Path(argv[0] if argv else "docs/screenshots")):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
