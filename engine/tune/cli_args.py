"""The arguments of `neurocanvas tune` and `neurocanvas cv`; cli_commands.py and cv_command.py do
the work. Free of torch and Optuna, so `neurocanvas --help` answers at once."""

from __future__ import annotations

import argparse

_TUNE = "neurocanvas.engine.tune.cli_commands"
_CV = "neurocanvas.engine.tune.cv_command"
_DIM_HELP = (
    "a search dimension (repeatable), added to the project's own: NODE.PARAM or SETTING, then "
    "=LOW..HIGH (':log' for a log scale, ':step=S') or =A,B,C for choices; e.g. "
    "dense1.units=8..128:log, optimizer.lr=1e-4..1e-1:log, batch_size=16,32,64"
)


def register_commands(subparsers) -> None:
    _add_tune(subparsers)
    _add_cv(subparsers)


def _add_tune(subparsers) -> None:
    tune = subparsers.add_parser(
        "tune",
        help="search hyperparameters (Optuna) over the project's search space",
        description='Runs trials of the project\'s "tuning" search space (or --dim ones); each '
        "trial is a run folder. The study lives in a journal file in the runs folder (or "
        "--storage URL) and resumes when started again; workers on one study share its trials.",
    )
    tune.add_argument("project", help="project file (.json) or template name")
    tune.add_argument("--data", metavar="SPEC", help="data instead of the project's own")
    tune.add_argument("--dim", action="append", default=[], metavar="SPEC", help=_DIM_HELP)
    tune.add_argument("--trials", type=int, help="the study's budget of trials")
    tune.add_argument("--timeout", type=float, metavar="S", help="stop claiming trials after S s")
    tune.add_argument("--sampler", choices=("tpe", "random", "grid"))
    tune.add_argument("--pruner", choices=("median", "hyperband", "none"))
    tune.add_argument("--objective", metavar="METRIC", help="e.g. val_accuracy, val_loss")
    tune.add_argument("--direction", choices=("maximize", "minimize"))
    tune.add_argument("--folds", type=int, help="score each trial by k-fold cross-validation")
    tune.add_argument("--epochs", type=int, help="epochs of every trial")
    tune.add_argument(
        "--storage",
        metavar="URL",
        help="an Optuna storage: postgresql://user@host/db, mysql://..., sqlite:///file.db, or "
        "a journal file path (default: runs/<project>-tuning.journal)",
    )
    tune.add_argument("--study", metavar="NAME", help="study name (default: the project's)")
    tune.add_argument("--workers", type=int, default=1, metavar="K", help="K processes")
    tune.add_argument("--seed", type=int, help="the sampler's seed (each worker adds its index)")
    tune.add_argument("--runs", metavar="DIR", help="runs folder (default: runs/ beside it)")
    tune.add_argument("--device", default="auto", help="auto, cpu or cuda")
    tune.add_argument("--json", action="store_true", help="one JSON object per trial, then a last")
    tune.add_argument("--worker-index", dest="_worker_index", type=int, help=argparse.SUPPRESS)
    tune.set_defaults(handler=f"{_TUNE}:run_tune")


def _add_cv(subparsers) -> None:
    cv = subparsers.add_parser(
        "cv",
        help="k-fold cross-validation: every fold and the mean +- std of each metric",
        description="Stratified folds for classes, expanding time windows for a series (never "
        "shuffled); normalisation is fitted on each fold's training part only.",
    )
    cv.add_argument("project", help="project file (.json) or template name")
    cv.add_argument("--folds", type=int, default=5, metavar="K")
    cv.add_argument("--seeds", type=int, default=1, metavar="N", help="repeat with N seeds")
    cv.add_argument("--data", metavar="SPEC", help="data instead of the project's own")
    cv.add_argument("--epochs", type=int)
    cv.add_argument("--runs", metavar="DIR", help="runs folder (default: runs/ beside it)")
    cv.add_argument("--device", default="auto", help="auto, cpu or cuda")
    cv.add_argument("--json", action="store_true", help="one JSON object at the end")
    cv.set_defaults(handler=f"{_CV}:run_cv")
