"""`neurocanvas cv PROJECT --folds K [--seeds N] [--json]`: k-fold cross-validation.

Prints every fold's held-out metrics and each metric's mean +- std (sample standard deviation
over the folds); with `--seeds N` the whole cross-validation runs with N training seeds and the
spread over the seeds' means is reported too. With --json: one object at the end.
"""

from __future__ import annotations

import json
import sys
import time

from ..cli import UsageError
from ..project import ProjectError
from ..templates import load_project_or_template
from .cli_commands import _json_safe, runs_folder
from .study import slug

_SHOWN = ("accuracy", "balanced_accuracy", "macro_f1", "auc", "loss", "rmse", "mae", "r2")


def run_cv(args) -> int:
    from ..data import DataError
    from ..training.config import ConfigError, TrainConfig
    from ..training.cross_validation import CrossValidationError, cross_validate, summarize

    try:
        project = load_project_or_template(args.project)
    except ProjectError as error:
        raise UsageError(str(error)) from None
    if not 2 <= args.folds <= 100:
        raise UsageError(f"--folds must be a whole number from 2 to 100, got {args.folds}")
    if not 1 <= args.seeds <= 100:
        raise UsageError(f"--seeds must be a whole number from 1 to 100, got {args.seeds}")
    try:
        base = TrainConfig.from_dict(project.training)
        if args.epochs is not None:
            base = base.replace(epochs=args.epochs)
    except ConfigError as error:
        raise UsageError(f"{args.project}: {error}") from None
    root = runs_folder(args.project, args.runs) / f"{slug(project.name)}-cv-{_stamp()}"
    dataset = _dataset(project, args.data)
    started = time.perf_counter()
    per_seed = []
    for offset in range(args.seeds):
        config = base.replace(seed=base.seed + offset)
        where = root / f"seed-{config.seed}" if args.seeds > 1 else root
        try:
            result = cross_validate(
                project,
                args.folds,
                config=config,
                run_root=where,
                device=args.device,
                dataset=dataset,
                on_fold=None if args.json else _fold_printer(config.seed, args.seeds > 1),
            )
        except (CrossValidationError, DataError) as error:
            raise UsageError(f"{args.project}: {error}") from None
        per_seed.append((config.seed, result))
    means = [{k: m for k, (m, _) in r.summary().items()} for _, r in per_seed]
    report = {
        "folds": args.folds,
        "kind": per_seed[0][1].kind,
        "runs": str(root),
        "seconds": round(time.perf_counter() - started, 3),
        "seeds": [{"seed": seed, **r.to_dict()} for seed, r in per_seed],
        "mean": per_seed[0][1].to_dict()["mean"] if args.seeds == 1 else _means(means, summarize),
        "std": per_seed[0][1].to_dict()["std"] if args.seeds == 1 else _stds(means, summarize),
    }
    if args.json:
        print(json.dumps(_json_safe(report)))
    else:
        _print_report(report, args.seeds)
    return 0


def _dataset(project, spec):
    from ..data import DataError, load_dataset
    from ..training.data_adapter import data_config

    try:
        cfg = data_config(project.data, spec)
        return load_dataset(cfg), cfg
    except DataError as error:
        raise UsageError(f"data: {error}") from None


def _means(rows, summarize) -> dict[str, float]:
    return {k: m for k, (m, _) in summarize(rows).items()}


def _stds(rows, summarize) -> dict[str, float]:
    return {k: s for k, (_, s) in summarize(rows).items()}


def _stamp() -> str:
    from datetime import datetime

    return datetime.now().strftime("%Y%m%d-%H%M%S")


def _fold_printer(seed: int, with_seed: bool):
    def show(index: int, metrics: dict[str, float]) -> None:
        shown = "  ".join(f"{k} {metrics[k]:.4f}" for k in _SHOWN if k in metrics)
        tag = f"seed {seed} " if with_seed else ""
        print(f"{tag}fold {index + 1}: {shown}", file=sys.stderr, flush=True)

    return show


def _print_report(report: dict, seeds: int) -> None:
    spread = "over the seeds' means" if seeds > 1 else "over the folds"
    print(
        f"{report['folds']}-fold cross-validation ({report['kind']} folds), mean +- std {spread}:"
    )
    for name, mean in report["mean"].items():
        print(f"  {name:<18} {mean:.4f} +- {report['std'][name]:.4f}")
    print(f"Runs: {report['runs']}")
