"""An Optuna study over a project's search space, shared by any number of worker processes.

    study = open_study(project, config, storage=None, name=None)   # creates or resumes
    run_worker(study, project, config, runs_root)                  # claims trials until done

Storage: by default a journal file in the project's runs folder (`<slug>-tuning.journal`), so a
study survives the window or the terminal and resumes; any Optuna storage URL works too (a
PostgreSQL or MySQL URL shares one study between machines).

The budget is exact with several workers: the process that creates the study enqueues one
waiting trial ("ticket") per trial of the budget, and workers claim tickets atomically through
the storage (a WAITING -> RUNNING transition only one of them wins), never creating trials of
their own. So two workers on one study run exactly N trials between them, none twice. A later
`tune` on the same study with a larger budget adds the difference; a trial interrupted by Ctrl+C
is marked failed and "interrupted", and a ticket replaces it.
"""

from __future__ import annotations

import itertools
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import project as project_io
from .space import TuningConfig, check_tuning
from .values import grid_space

BUDGET_ATTR = "neurocanvas_budget"  # study user attribute: the number of tickets enqueued so far
INTERRUPTED_ATTR = "interrupted"
GRID_ATTR = "neurocanvas_grid"  # study user attribute: its tickets are a grid's points
_CREATOR_WAIT = 10.0  # seconds a worker waits for the study's creator to enqueue the budget


def slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-").lower() or "project"


def default_storage_path(project: project_io.Project, runs_root: str | Path) -> Path:
    return Path(runs_root) / f"{slug(project.name)}-tuning.journal"


def make_storage(url_or_path: str | Path):
    """An Optuna storage: a database URL as it is, anything else a journal file's path."""
    import optuna
    from optuna.storages.journal import JournalFileBackend

    text = str(url_or_path)
    if "://" in text:
        return _database_storage(database_url(text))
    Path(text).parent.mkdir(parents=True, exist_ok=True)
    return optuna.storages.JournalStorage(JournalFileBackend(text))


def _database_storage(url: str, attempts: int = 5):
    """RDBStorage(url). Workers started together race to create the schema (PostgreSQL: "duplicate
    key ... studydirection"); the loser tries again and finds the tables made."""
    import optuna
    from sqlalchemy.exc import IntegrityError, ProgrammingError

    for attempt in range(attempts):
        try:
            return optuna.storages.RDBStorage(url)
        except (IntegrityError, ProgrammingError):
            if attempt == attempts - 1:
                raise
            time.sleep(0.5 * (attempt + 1))
    raise AssertionError("unreachable")


def database_url(url: str) -> str:
    """`url` with a PostgreSQL driver SQLAlchemy can import: SQLAlchemy 2.1 reads a plain
    postgresql:// as psycopg 3, and the tune extra installs psycopg2."""
    import importlib.util

    scheme, sep, rest = url.partition("://")
    find = importlib.util.find_spec
    if scheme in ("postgresql", "postgres") and find("psycopg") is None and find("psycopg2"):
        return f"postgresql+psycopg2{sep}{rest}"
    return url


def make_sampler(config: TuningConfig, project: project_io.Project, seed: int):
    import optuna

    if config.sampler in ("grid", "random"):  # a grid's points come as the tickets' params
        return optuna.samplers.RandomSampler(seed=seed)
        return optuna.samplers.RandomSampler(seed=seed)
    startup = min(10, max(2, (config.trials or 20) // 3))
    # constant_liar: workers sharing a study do not all sample around the same running trials.
    return optuna.samplers.TPESampler(
        seed=seed, n_startup_trials=startup, multivariate=True, constant_liar=True
    )


def make_pruner(config: TuningConfig, epochs: int):
    import optuna

    if config.pruner == "median":
        warmup = 1 if config.folds else max(1, epochs // 10)
        return optuna.pruners.MedianPruner(n_startup_trials=5, n_warmup_steps=warmup)
    if config.pruner == "hyperband":
        steps = config.folds or epochs  # cross-validated trials report once a fold
        return optuna.pruners.HyperbandPruner(min_resource=1, max_resource=max(steps, 3))
    return optuna.pruners.NopPruner()


def open_study(
    project: project_io.Project,
    config: TuningConfig,
    storage: Any,
    name: str | None = None,
    *,
    seed: int | None = None,
):
    """The study `name` (default: the project's slug) in `storage`, created with the budget's
    tickets, or loaded (and topped up to a larger budget). The search space is checked first."""
    import optuna
    from optuna.exceptions import DuplicatedStudyError

    from ..training.config import TrainConfig

    check_tuning(config, project.graph, project.training)
    name = name or slug(project.name)
    epochs = TrainConfig.from_dict(project.training).epochs
    kwargs = dict(
        storage=storage,
        study_name=name,
        sampler=make_sampler(config, project, config.seed if seed is None else seed),
        pruner=make_pruner(config, epochs),
    )
    try:
        study = optuna.create_study(direction=config.resolved_direction, **kwargs)
        created = True
    except DuplicatedStudyError:
        study = optuna.load_study(**kwargs)
        created = False
    trials, points = config.trials, None
    if config.sampler == "grid":  # each ticket is one point; more trials would repeat them
        points = grid_points(config, project)
        trials = len(points) if trials is None else min(trials, len(points))
    if created:
        if points is not None:
            study.set_user_attr(GRID_ATTR, True)
        _enqueue(study, trials or 0, points=points)
    else:
        _top_up(study, trials, points)
    return study


def grid_points(config: TuningConfig, project: project_io.Project) -> list[dict[str, Any]]:
    """Every point of a grid search, in order (the last dimension varies fastest)."""
    space = grid_space(config, project)
    return [dict(zip(space, values)) for values in itertools.product(*space.values())]


def _enqueue(study, count: int, replacement: bool = False, points=None, params=None) -> None:
    """`count` tickets; the budget grows by them unless they replace interrupted trials. A grid's
    tickets carry the next `points` (a replacement carries the interrupted trial's `params`)."""
    budget = int(study.user_attrs.get(BUDGET_ATTR, 0))
    for index in range(count):
        fixed = params if replacement else (points[budget + index] if points else None)
        study.enqueue_trial(fixed or {}, skip_if_exists=False)
    if not replacement:
        study.set_user_attr(BUDGET_ATTR, budget + count)


def _top_up(study, trials: int | None, points=None) -> None:
    """Add tickets up to `trials` counted trials; waits briefly for a creator still enqueueing."""
    deadline = time.monotonic() + _CREATOR_WAIT
    while BUDGET_ATTR not in study.user_attrs and time.monotonic() < deadline:
        time.sleep(0.2)
    if trials is None:
        return
    budget = int(study.user_attrs.get(BUDGET_ATTR, 0))
    if trials > budget:
        _enqueue(study, trials - budget, points=points)


def claim_trial(study):
    """The next waiting ticket as an `optuna.Trial` this worker alone runs, or None when none
    is left. The WAITING -> RUNNING transition is the storage's own atomic step."""
    import optuna
    from optuna.exceptions import UpdateFinishedTrialError
    from optuna.trial import TrialState

    storage = study._storage  # noqa: SLF001 - the study's storage, as Study.ask uses it
    waiting = storage.get_all_trials(study._study_id, deepcopy=False, states=(TrialState.WAITING,))
    for frozen in waiting:
        try:
            if storage.set_trial_state_values(frozen._trial_id, state=TrialState.RUNNING):
                return optuna.Trial(study, frozen._trial_id)
        except UpdateFinishedTrialError:
            continue
    return None


@dataclass
class TrialOutcome:
    number: int
    state: str  # "complete", "pruned", "failed"
    value: float | None
    params: dict[str, Any]
    seconds: float
    run_dir: str | None
    message: str = ""


def run_worker(
    study,
    objective: Callable[[Any], float],
    *,
    timeout: float | None = None,
    on_trial: Callable[[TrialOutcome], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    open_ended: bool = False,
) -> list[TrialOutcome]:
    """Claim and run trials until no ticket is left, `timeout` seconds have passed or
    `should_stop()`; `objective(trial)` returns the value or raises optuna.TrialPruned.
    `open_ended` (a budget in minutes only): new trials once the tickets are gone."""
    import optuna
    from optuna.trial import TrialState

    deadline = None if timeout is None else time.monotonic() + timeout
    done: list[TrialOutcome] = []
    while deadline is None or time.monotonic() < deadline:
        if should_stop is not None and should_stop():
            break
        trial = claim_trial(study)
        if trial is None and open_ended and deadline is not None:
            trial = study.ask()
        if trial is None:
            break
        started = time.perf_counter()
        state, value, message = "complete", None, ""
        try:
            value = float(objective(trial))
            study.tell(trial, value)
        except optuna.TrialPruned:
            state = "pruned"
            study.tell(trial, state=TrialState.PRUNED)
        except KeyboardInterrupt:
            trial.set_user_attr(INTERRUPTED_ATTR, True)
            study.tell(trial, state=TrialState.FAIL)
            # A grid point is run again; a sampled trial's ticket samples afresh.
            fixed = dict(trial.params) if study.user_attrs.get(GRID_ATTR) else None
            _enqueue(study, 1, replacement=True, params=fixed)  # the budget keeps its size
            raise
        except Exception as error:  # noqa: BLE001 - a failed trial is a result; the study goes on
            state, message = "failed", str(error)
            trial.set_user_attr("error", message[:2000])
            study.tell(trial, state=TrialState.FAIL)
        outcome = TrialOutcome(
            trial.number,
            state,
            value,
            dict(trial.params),
            time.perf_counter() - started,
            trial.user_attrs.get("run_dir"),
            message,
        )
        done.append(outcome)
        if on_trial is not None:
            on_trial(outcome)
    return done


def study_summary(study) -> dict[str, Any]:
    """best_value, best_params, n_trials {complete, pruned, failed, waiting, running}, ..."""
    from optuna.trial import TrialState

    trials = study.get_trials(deepcopy=False)
    counted = [t for t in trials if not t.user_attrs.get(INTERRUPTED_ATTR)]

    def count(state) -> int:
        return sum(1 for t in counted if t.state == state)

    complete = [t for t in trials if t.state == TrialState.COMPLETE]
    best = study.best_trial if complete else None
    return {
        "study": study.study_name,
        "direction": study.direction.name.lower(),
        "best_value": None if best is None else best.value,
        "best_params": {} if best is None else dict(best.params),
        "best_trial": None if best is None else best.number,
        "best_run_dir": None if best is None else best.user_attrs.get("run_dir"),
        "n_trials": {
            "complete": count(TrialState.COMPLETE),
            "pruned": count(TrialState.PRUNED),
            "failed": count(TrialState.FAIL),
            "waiting": count(TrialState.WAITING),
            "running": count(TrialState.RUNNING),
        },
        "budget": int(study.user_attrs.get(BUDGET_ATTR, 0)),
    }
