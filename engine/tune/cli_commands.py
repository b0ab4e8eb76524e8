"""`neurocanvas tune`: what it does (its arguments: cli_args.py).

    neurocanvas tune PROJECT [--trials N] [--timeout S] [--sampler tpe|random|grid]
                     [--pruner median|hyperband|none] [--storage URL] [--study NAME]
                     [--workers K] [--dim SPEC ...] [--folds K] [--json]

Each finished trial is one line on stderr (with --json, one JSON object on stdout); the last
object (stdout) holds best_value, best_params and n_trials {complete, pruned, failed}. With
`--workers K` this process opens the study, starts K worker processes on the same storage and
waits for them; several `tune` commands on one storage URL share a study the same way.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

from ..cli import UsageError
from ..project import Project, ProjectError
from ..templates import load_project_or_template
from .space import TuningConfig, TuningError, check_tuning, tuning_from_dict
from .spec_text import parse_dimension

# `python -m neurocanvas.engine.cli` would run the module as __main__, a second copy whose
# UsageError is not the one the commands raise; the entry point's main() is the right one.
CLI = "import sys; from neurocanvas.engine.cli import main; sys.exit(main())"
WORKER_FLAG = "--worker-index"  # a child of --workers (hidden): its parent prints the summary


def run_tune(args) -> int:
    project = _load(args.project)
    config = _config(project, args)
    runs_root = runs_folder(args.project, args.runs)
    storage_text = args.storage or str(_default_storage(project, runs_root))
    study_name = args.study or _slug(project.name)
    if args.workers < 1 or args.workers > 64:
        raise UsageError("--workers must be a whole number from 1 to 64")
    started = time.perf_counter()
    try:
        import optuna

        optuna.logging.set_verbosity(optuna.logging.WARNING)  # our lines say what happens
        from .study import make_storage, open_study

        storage = make_storage(storage_text)
        seed = (config.seed if args.seed is None else args.seed) + _worker_index(args)
        study = open_study(project, config, storage, study_name, seed=seed)
    except (TuningError, ProjectError) as error:
        raise UsageError(f"{args.project}: {error}") from None
    except ImportError as error:
        raise UsageError(f"tune needs Optuna (pip install 'neurocanvas[tune]'): {error}") from None
    if args.workers > 1:
        codes = _start_workers(args, args.workers, storage_text, study_name)
    else:
        codes = [_work(study, project, config, runs_root, study_name, args)]
    from .study import study_summary

    summary = study_summary(study) | {
        "storage": storage_text,
        "seconds": round(time.perf_counter() - started, 3),
    }
    if not _worker_index(args):  # a worker child leaves the summary to its parent
        _print_summary(summary, args.json)
    return 130 if 130 in codes else 0


def _work(study, project, config, runs_root, study_name, args) -> int:
    from .objective import TrialObjective
    from .study import run_worker

    objective = TrialObjective(
        project, config, runs_root, study_name, data_spec=args.data, device=args.device
    )
    timeout = args.timeout if args.timeout is not None else _minutes(config)
    report = _trial_printer(args.json, _worker_index(args))
    try:
        open_ended = config.trials is None  # a budget in minutes only
        run_worker(study, objective, timeout=timeout, on_trial=report, open_ended=open_ended)
    except KeyboardInterrupt:
        print("neurocanvas: tuning stopped (Ctrl+C); run it again to resume", file=sys.stderr)
        return 130
    return 0


def _start_workers(args, count: int, storage: str, study: str) -> list[int]:
    """`count` child processes of this command on the same storage and study; their exit codes."""
    base = _argv(args)
    children = []
    for index in range(count):
        cmd = [sys.executable, "-c", CLI, *base]
        cmd += ["--storage", storage, "--study", study, WORKER_FLAG, str(index + 1)]
        children.append(subprocess.Popen(cmd, env=os.environ.copy()))
    try:
        return [child.wait() for child in children]
    except KeyboardInterrupt:  # the children got the same Ctrl+C; let them mark their trials
        return [child.wait() for child in children] + [130]


def _argv(args) -> list[str]:
    """The command line of `args` for a worker (without --workers, --storage and --study)."""
    argv = ["tune", args.project]
    for flag, value in (
        ("--data", args.data),
        ("--trials", args.trials),
        ("--timeout", args.timeout),
        ("--sampler", args.sampler),
        ("--pruner", args.pruner),
        ("--objective", args.objective),
        ("--direction", args.direction),
        ("--folds", args.folds),
        ("--epochs", args.epochs),
        ("--seed", args.seed),
        ("--runs", args.runs),
        ("--device", args.device),
    ):
        if value is not None:
            argv += [flag, str(value)]
    for dim in args.dim:
        argv += ["--dim", dim]
    return argv + (["--json"] if args.json else [])


def _worker_index(args) -> int:
    return int(getattr(args, "_worker_index", None) or 0)


def _config(project: Project, args) -> TuningConfig:
    try:
        config = tuning_from_dict(project.tuning or {})
        for text in args.dim:
            config = config.with_dimension(parse_dimension(text, project.graph))
        changes = {
            k: v
            for k, v in (
                ("trials", args.trials),
                ("sampler", args.sampler),
                ("pruner", args.pruner),
                ("objective", args.objective),
                ("direction", args.direction),
                ("folds", args.folds),
            )
            if v is not None
        }
        config = tuning_from_dict(replace(config, **changes).to_dict())
        if not config.dimensions:
            raise TuningError(
                'there is nothing to search: add dimensions to the project\'s "tuning" section '
                '(in the window: right-click a parameter, "Tune this...") or give --dim'
            )
        if args.epochs is not None:
            from ..training.config import ConfigError, TrainConfig

            try:
                TrainConfig.from_dict(project.training | {"epochs": args.epochs})
            except ConfigError as error:
                raise TuningError(str(error)) from None
            project.training = project.training | {"epochs": args.epochs}
        check_tuning(config, project.graph, project.training)
    except TuningError as error:
        raise UsageError(f"{args.project}: {error}") from None
    if args.timeout is not None and args.timeout <= 0:
        raise UsageError("--timeout must be a number of seconds above 0")
    if config.trials is None and config.minutes is None and args.timeout is None:
        raise UsageError(
            f"{args.project}: the search has no budget: give --trials N or --timeout S (or "
            '"trials" or "minutes" in the tuning section)'
        )
    return config


def _minutes(config: TuningConfig) -> float | None:
    return None if config.minutes is None else config.minutes * 60


def runs_folder(project_arg: str, runs: str | None) -> Path:
    """--runs, else runs/ beside the project file (a template: runs/ here)."""
    if runs:
        return Path(runs)
    path = Path(project_arg)
    return path.parent / "runs" if path.suffix == ".json" and path.is_file() else Path("runs")


def _default_storage(project: Project, runs_root: Path) -> Path:
    from .study import default_storage_path

    return default_storage_path(project, runs_root)


def _slug(name: str) -> str:
    from .study import slug

    return slug(name)


def _load(name: str) -> Project:
    try:
        return load_project_or_template(name)
    except ProjectError as error:
        raise UsageError(str(error)) from None


def _trial_printer(as_json: bool, worker: int):
    tag = f"[worker {worker}] " if worker else ""

    def report(outcome) -> None:
        if as_json:
            print(json.dumps(_json_safe(vars(outcome) | {"worker": worker})), flush=True)
            return
        value = "" if outcome.value is None else f" value {outcome.value:.4f}"
        params = ", ".join(f"{k}={_short(v)}" for k, v in outcome.params.items())
        why = f": {outcome.message}" if outcome.message else ""
        print(
            f"{tag}trial {outcome.number} {outcome.state}{value} ({params}) "
            f"{outcome.seconds:.1f}s{why}",
            file=sys.stderr,
            flush=True,
        )

    return report


def _short(value) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def _print_summary(summary: dict, as_json: bool) -> None:
    if as_json:
        print(json.dumps(_json_safe(summary | {"final": True})), flush=True)
        return
    counts = summary["n_trials"]
    print(
        f"Study {summary['study']}: {counts['complete']} complete, {counts['pruned']} pruned, "
        f"{counts['failed']} failed ({summary['storage']})"
    )
    if summary["best_value"] is not None:
        params = ", ".join(f"{k}={_short(v)}" for k, v in summary["best_params"].items())
        print(f"Best: trial {summary['best_trial']} value {summary['best_value']:.4f} ({params})")
        print(f"Its run: {summary['best_run_dir']}")


def _json_safe(value):
    import math

    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    return value
