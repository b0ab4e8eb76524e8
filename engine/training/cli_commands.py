"""`neurocanvas train` and `neurocanvas evaluate`: what they do (their arguments: cli_args.py).

    neurocanvas train PROJECT_OR_TEMPLATE [--data SPEC] [--test-data PATH] [--epochs N] [--batch-size N] [--lr X]
                      [--optimizer NAME] [--device auto|cpu|cuda] [--seed N] [--out DIR] [--json] [--download]
                      [--tensorboard]
    neurocanvas evaluate PROJECT --weights CKPT [--data SPEC | --test-data PATH]
                         [--split test|all] [--json] [--download]

On a terminal `train` shows a progress bar (loss, accuracy, samples/s, ETA) on stderr; with `--json`
it prints one JSON object per epoch and a last one with "final": true. Bad input exits with 2; a run
that fails (diverging loss, out of memory) exits with 1.

`evaluate` numbers the data's labels by the checkpoint's classes (a label the model does not know
is bad input) and scores the test split of the project's data, or every row of another `--data`
file (`--split` chooses).
"""

from __future__ import annotations

import json
import math
import sys
import time
from pathlib import Path

from ..cli import UsageError
from ..compiler import CompileError, compile_graph
from ..data import DataError
from ..graph import structure_key
from ..project import ProjectError
from ..project import from_dict as project_from_dict
from ..shapes import AutoSizes
from ..templates import load_project_or_template
from .checkpoint import CheckpointError, load_checkpoint
from .cli_signals import stop_on_signals
from .config import ConfigError, TrainConfig
from .data_adapter import data_config, first_nonempty, load_all_rows, load_prepared, renormalise
from .devices import resolve_device
from .distributed import Ranks, backend_name, end_group, rank_device, start_group
from .evaluation import evaluate
from .events import BatchEnded, EpochEnded, RunFailed, RunFinished, RunStarted
from .launch import launch, torchrun_command, worker_environment
from .run_events import TrainingError
from .run_state import auto_sizes_for
from .trainer import Trainer

_SHOWN = ("loss", "accuracy", "val_loss", "val_accuracy", "val_r2", "val_mae")
_SHOWN += ("d_loss", "d_real", "d_fake")  # a GAN's (its "loss" is the generator's)


def run_train(args) -> int:
    project = _load_project(args.project)
    changes = {
        key: value
        for key, value in (
            ("step", args.step),
            ("epochs", args.epochs),
            ("batch_size", args.batch_size),
            ("lr", args.lr),
            ("optimizer_type", args.optimizer),
            ("seed", args.seed),
            ("compile", args.compile or None),
            ("tensorboard", args.tensorboard or None),
            ("processes", args.nproc_per_node),
        )
        if value is not None
    }
    try:
        config = TrainConfig.from_dict(project.training).replace(**changes)
        device = resolve_device(args.device)
    except (ConfigError, ValueError) as error:
        raise UsageError(f"{args.project}: {error}") from None
    ranks = Ranks.from_environment()  # one of torchrun's workers: train as that rank
    if ranks is None or ranks.is_main:  # only rank 0 writes the folder
        _check_out(args)
    if ranks is None and (config.processes > 1 or args.nnodes > 1):
        return _launch(args, config)  # before the data: each rank loads its own
    if ranks is not None:
        if args.seeds is not None:
            raise UsageError("--seeds trains one process at a time; use it without processes")
        try:
            device = rank_device(ranks, device)
        except TrainingError as error:
            raise UsageError(str(error)) from None
        start_group(ranks, device)
    try:
        return _train(args, project, config, device, ranks)
    finally:
        if ranks is not None:
            end_group()


def _check_out(args) -> None:
    if args.out and Path(args.out).exists() and not Path(args.out).is_dir():
        raise UsageError(
            f"--out {args.out} is a file; a run writes a folder (give a new folder name)"
        )
    if args.out and Path(args.out).is_dir() and any(Path(args.out).iterdir()):
        raise UsageError(
            f"--out {args.out} already holds files (an earlier run?); choose a new folder so "
            "nothing is overwritten"
        )


def _launch(args, config) -> int:
    """The same command under torchrun, in `config.processes` processes per machine."""
    if args.seeds is not None:
        raise UsageError("--seeds trains one process at a time; use it without processes")
    argv = getattr(args, "argv", None) or sys.argv[1:]
    try:
        command = torchrun_command(
            argv, config.processes, args.nnodes, args.node_rank, args.rdzv_endpoint
        )
    except ValueError as error:
        raise UsageError(str(error)) from None
    return launch(command, worker_environment(config.processes))


def _train(args, project, config, device, ranks) -> int:
    main = ranks is None or ranks.is_main
    data = _load_data(project.data, args.data, args.download, args.test_data)
    if args.seeds is not None:
        from .seeds_command import run_seeds

        return run_seeds(args, project, config, data, device)
    trainer = Trainer(
        project, data, config, device=str(device), run_dir=args.out if main else None, ranks=ranks
    )
    try:  # compile here so a broken graph is bad input (status 2), not a failed run
        # A GAN's main graph is its generator: noise in, a sample out (not the data's sizes).
        auto = AutoSizes() if config.step == "gan" else auto_sizes_for(data)
        trainer.model = compile_graph(project.graph, auto=auto, seed=config.seed)
    except CompileError as error:
        raise UsageError(f"{args.project}: {error}") from None
    if args.init_from:
        _init_from(trainer.model, args.init_from)
    if main:  # rank 0 alone reports (the epoch figures are every rank's)
        reporter = _JsonReporter() if args.json else _ProgressReporter(sys.stderr)
        trainer.subscribe(reporter)
    if ranks is not None and main:
        print(
            f"neurocanvas: training in {ranks.world} processes ({backend_name()}, "
            f"DistributedDataParallel): batch {config.batch_size} per process, "
            f"{config.batch_size * ranks.world} per update",
            file=sys.stderr,
        )
    with stop_on_signals(trainer) as caught:
        result = trainer.run()
    if caught.exit_status is not None and main:
        how = "stopped (Ctrl+C)" if caught.exit_status == 130 else "terminated"
        where = f"; checkpoint in {trainer.run_dir}" if trainer.run_dir else ""
        print(f"neurocanvas: training {how} at epoch {trainer.epoch}{where}", file=sys.stderr)
    if caught.exit_status is not None:
        return caught.exit_status
    return 0 if isinstance(result, RunFinished) else 1


def _init_from(model, path: str) -> None:
    from .init_from import init_from, read_state

    try:
        report = init_from(model, read_state(path), path)
    except CheckpointError as error:
        raise UsageError(str(error)) from None
    for line in report.lines():
        print(f"neurocanvas: --init-from: {line}", file=sys.stderr)


def run_evaluate(args) -> int:
    project = _load_project(args.project)
    try:
        model, bundle = load_checkpoint(args.weights)
    except (CheckpointError, ProjectError) as error:
        raise UsageError(str(error)) from None
    _check_same_network(project, bundle, args)
    class_names = list(bundle.get("class_names") or []) or None
    spec = args.data
    if args.test_data:
        if args.data or args.split:
            raise UsageError("--test-data is the data to score: give it without --data or --split")
        if not Path(args.test_data).expanduser().exists():
            raise UsageError(f"--test-data {args.test_data}: no such file or folder")
        spec = args.test_data
    which = "all" if args.test_data else args.split or _default_split(project.data, args.data)
    try:
        if which == "all":
            split, data = load_all_rows(
                project.data,
                spec,
                class_names=class_names,
                preprocessing=bundle.get("preprocessing"),
                allow_download=args.download,
            )
            name = "test file" if args.test_data else "all"
        else:
            data = load_prepared(
                project.data, args.data, class_names=class_names, allow_download=args.download
            )
    except DataError as error:
        raise UsageError(f"data: {error}") from None
    expected = (bundle.get("auto") or {}).get("input_shape")
    if expected is not None and list(data.info.feature_shape) != list(expected):
        raise UsageError(
            f"{spec or args.project}: samples of shape "
            f"{list(data.info.feature_shape)} do not fit the checkpoint's network "
            f"(input {list(expected)})"
        )
    if which != "all":
        name, split = first_nonempty(data)
        split = renormalise(split, data.preprocessing, bundle.get("preprocessing"))
    if len(split) == 0:
        raise UsageError(f"{spec or args.project}: no samples to evaluate on")
    result = evaluate(
        model, split, batch_size=int(bundle.get("config", {}).get("eval_batch_size", 1024))
    )
    rows = {"all": "all rows", "test file": "every row"}.get(name, f"the {name} split")
    if args.json:
        print(json.dumps({"split": name, **_clean(result.to_dict())}))
    else:
        print(
            f"Evaluated {Path(args.weights).name} on {rows} of {data.info.source} "
            f"({result.num_samples} samples):"
        )
        for key, value in result.metrics.items():
            print(f"  {key:<16} {value:.4f}")
        if result.confusion_matrix is not None and len(result.confusion_matrix) <= 12:
            print("Confusion matrix (rows: true class, columns: predicted):")
            for row in result.confusion_matrix:
                print("  " + " ".join(f"{v:5d}" for v in row))
    return 0


def _check_same_network(project, bundle, args) -> None:
    """The checkpoint carries its own graph; evaluating it under another project's name would
    report that other network's numbers as this one's."""
    saved = bundle.get("project")
    if not isinstance(saved, dict):
        return
    try:
        trained = project_from_dict(saved, str(args.weights)).graph
    except ProjectError:
        return
    if structure_key(trained) != structure_key(project.graph):
        raise UsageError(
            f'{args.weights} holds weights for "{saved.get("name", "?")}", whose network differs '
            f"from {args.project}'s; evaluate it with that project (or its template name)"
        )


def _default_split(project_data, spec) -> str:
    """ "all" when `spec` names other data than the project's own, else "test"."""
    if not spec:
        return "test"
    try:
        own = data_config(project_data).source
        other = data_config(project_data, spec).source
    except DataError as error:
        raise UsageError(f"data: {error}") from None
    return "test" if _same_source(own, other) else "all"


def _same_source(a: str, b: str) -> bool:
    if a == b:
        return True
    try:
        return Path(a).expanduser().resolve() == Path(b).expanduser().resolve()
    except OSError:
        return False


def _load_project(name: str):
    try:
        return load_project_or_template(name)
    except ProjectError as error:
        raise UsageError(str(error)) from None


def _load_data(project_data, spec, allow_download=False, test_data=None):
    if test_data and not Path(test_data).expanduser().exists():
        raise UsageError(f"--test-data {test_data}: no such file or folder")
    try:
        return load_prepared(
            project_data, spec, allow_download=allow_download, test_source=test_data
        )
    except DataError as error:
        raise UsageError(f"data: {error}") from None


def _clean(value):
    """JSON-safe: NaN and infinities become null."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    return value


class _JsonReporter:
    def __call__(self, event) -> None:
        if isinstance(event, EpochEnded):
            line = {
                "epoch": event.epoch,
                "epochs": event.epochs,
                **event.train,
                **event.val,
                "lr": event.lr,
                "seconds": event.seconds,
                "samples_per_s": event.samples_per_s,
                "grad_norms": event.grad_norms,
            }
        elif isinstance(event, RunFinished):
            line = {
                "final": True,
                "test": event.test,
                # A GAN's generated digits scored by our classifier (digit_score.py).
                **{
                    k: event.test[k]
                    for k in ("mean_confidence", "classes_present")
                    if k in event.test
                },
                "splits": event.splits,
                "best_epoch": event.best_epoch,
                "epochs_run": event.epochs_run,
                "stopped": event.stopped,
                "samples_per_s": event.samples_per_s,
                "seconds": event.seconds,
                "checkpoint": event.checkpoint,
                "run_dir": event.run_dir,
                "evaluated_on": event.evaluated_on,
                "class_names": event.class_names,
                "confusion_matrix": event.confusion_matrix,
                **({"forecast": event.forecast} if event.forecast else {}),
                **({"misclassified": event.misclassified} if event.misclassified else {}),
            }
        elif isinstance(event, RunFailed):
            line = {
                "final": True,
                "failed": True,
                "kind": event.kind,
                "message": event.message,
                "epoch": event.epoch,
                "checkpoint": event.checkpoint,
            }
        else:
            return
        print(json.dumps(_clean(line)), flush=True)


class _ProgressReporter:
    """A one-line progress bar on a terminal; plain epoch lines otherwise."""

    def __init__(self, stream):
        self.stream = stream
        self.tty = stream.isatty()
        self.started = time.perf_counter()

    def __call__(self, event) -> None:
        write = self.stream.write
        if isinstance(event, RunStarted):
            self.epochs, self.batches = event.config["epochs"], event.batches_per_epoch
            self.started = time.perf_counter()
            write(
                f"Training on {event.device_name}: {event.num_train} train / {event.num_val} "
                f"val / {event.num_test} test samples, {event.param_count:,} parameters\n"
                f"{event.loss_note}\n" + (f"{event.compile_note}\n" if event.compile_note else "")
            )
        elif isinstance(event, BatchEnded) and self.tty:
            done = ((event.epoch - 1) * event.batches + event.batch) / (self.epochs * event.batches)
            elapsed = time.perf_counter() - self.started
            eta = elapsed / max(done, 1e-9) * (1 - done)
            bar = "#" * int(24 * event.batch / event.batches)
            write(
                f"\repoch {event.epoch}/{self.epochs} [{bar:<24}] loss {event.loss:.4f} "
                f"{event.samples_per_s:,.0f} samples/s ETA {eta:4.0f}s "
            )
        elif isinstance(event, EpochEnded):
            logs = {**event.train, **event.val}
            shown = "  ".join(f"{k} {logs[k]:.4f}" for k in _SHOWN if k in logs)
            write(
                ("\r" if self.tty else "") + f"epoch {event.epoch}/{event.epochs}  {shown}  "
                f"{event.samples_per_s:,.0f} samples/s  {event.seconds:.1f}s"
                + ("  *" if event.improved else "")
                + " " * 8
                + "\n"
            )
        elif isinstance(event, RunFinished):
            metrics = "  ".join(f"{k} {v:.4f}" for k, v in event.test.items())
            write(
                f"Done ({event.stopped}, best epoch {event.best_epoch}). {event.evaluated_on} "
                f"{metrics}\nCheckpoint: {event.checkpoint}\n"
            )
        elif isinstance(event, RunFailed):
            write(f"\nTraining failed: {event.message}\n")
            if event.checkpoint:
                write(f"Last good checkpoint: {event.checkpoint}\n")
        self.stream.flush()
