"""Studies: the exact budget shared by workers (journal file, PostgreSQL), resuming, pruning and
trials that fail or are interrupted."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import optuna
import pytest
from neurocanvas.engine import project as project_io
from neurocanvas.engine.cli import main
from neurocanvas.engine.data import DataConfig, load_dataset, prepare
from neurocanvas.engine.templates import load_project_or_template
from neurocanvas.engine.training import Trainer
from neurocanvas.engine.tune.cli_commands import CLI
from neurocanvas.engine.tune.objective import PruningCallback
from neurocanvas.engine.tune.space import tuning_from_dict
from neurocanvas.engine.tune.study import (
    INTERRUPTED_ATTR,
    make_storage,
    open_study,
    run_worker,
    study_summary,
)

SPACE = {
    "dimensions": [
        {"node": "hidden", "param": "units", "low": 2, "high": 8},
        {"setting": "optimizer.lr", "low": 1e-3, "high": 0.1, "log": True},
    ],
    "objective": "val_accuracy",
    "trials": 4,
    "pruner": "none",
}


def xor_project(tmp_path: Path, **tuning) -> Path:
    project = load_project_or_template("xor")
    project.data = {"source": "xor", "params": {"n": 80, "noise": 0.1}, "split": [0.6, 0.2, 0.2]}
    project.training = project.training | {"epochs": 1, "checkpoint": True}
    project.tuning = SPACE | tuning
    path = tmp_path / "xor.json"
    project_io.save(project, path)
    return path


def trials_of(storage: str, study: str):
    return optuna.load_study(study_name=study, storage=make_storage(storage)).get_trials()


def tune_process(path: Path, *args: str) -> subprocess.Popen:
    env = os.environ | {"PYTHONUNBUFFERED": "1", "OMP_NUM_THREADS": "1"}
    cmd = [sys.executable, "-c", CLI, "tune", str(path), *args]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def assert_exactly(trials, count: int) -> None:
    assert sorted(t.number for t in trials) == list(range(count))
    assert all(t.state == optuna.trial.TrialState.COMPLETE for t in trials)
    folders = [t.user_attrs["run_dir"] for t in trials]
    assert len(set(folders)) == count  # no trial ran twice into one folder
    assert all((Path(f) / "result.json").is_file() for f in folders)


@pytest.mark.slow
def test_two_workers_on_one_journal_file_run_exactly_the_budget_then_resume(tmp_path, capfd):
    path = xor_project(tmp_path)
    assert main(["tune", str(path), "--workers", "2", "--trials", "4", "--json"]) == 0
    lines = [json.loads(line) for line in capfd.readouterr().out.splitlines()]
    ran = [line["number"] for line in lines if "number" in line]
    assert sorted(ran) == [0, 1, 2, 3]  # each trial once, whichever worker process took it
    assert {line["worker"] for line in lines if "number" in line} <= {1, 2}
    final = lines[-1]
    assert final["n_trials"] == {
        "complete": 4,
        "pruned": 0,
        "failed": 0,
        "waiting": 0,
        "running": 0,
    }
    assert set(final["best_params"]) == {"hidden.units", "optimizer.lr"}
    journal = tmp_path / "runs" / "xor-tuning.journal"
    assert final["storage"] == str(journal) and journal.is_file()
    assert_exactly(trials_of(str(journal), "xor"), 4)
    # Started again with a larger budget, the study resumes: two more trials, numbered on.
    assert main(["tune", str(path), "--trials", "6", "--json"]) == 0
    resumed = json.loads(capfd.readouterr().out.splitlines()[-1])
    assert resumed["n_trials"]["complete"] == 6 and resumed["budget"] == 6
    assert_exactly(trials_of(str(journal), "xor"), 6)


@pytest.mark.slow
def test_two_commands_on_one_postgresql_study_split_the_budget(tmp_path, postgres_url, capsys):
    path = xor_project(tmp_path)
    args = ("--storage", postgres_url, "--study", "shared", "--trials", "4", "--json")
    other = tune_process(path, *args, "--seed", "1")  # as if on another machine
    assert main(["tune", str(path), *args, "--seed", "2"]) == 0
    out, err = other.communicate(timeout=240)
    assert other.returncode == 0, err
    lines = capsys.readouterr().out.splitlines()[:-1] + out.splitlines()[:-1]
    assert sorted(json.loads(line)["number"] for line in lines) == [0, 1, 2, 3]
    assert_exactly(trials_of(postgres_url, "shared"), 4)


def test_a_trial_worse_than_the_median_is_pruned_by_the_epoch_callback():
    project = load_project_or_template("xor")
    project.training = project.training | {"epochs": 6, "checkpoint": False}
    cfg = DataConfig(source="xor", params={"n": 60})
    data = prepare(load_dataset(cfg), cfg)
    study = optuna.create_study(
        direction="minimize",
        pruner=optuna.pruners.MedianPruner(n_startup_trials=1, n_warmup_steps=2),
    )
    perfect = study.ask()
    for epoch in range(1, 7):
        perfect.report(0.0, epoch)  # a val_loss no run reaches
    study.tell(perfect, 0.0)
    trial = study.ask()
    pruning = PruningCallback(trial, "val_loss")
    trainer = Trainer(project, data, callbacks=[pruning], device="cpu")
    trainer.run()
    assert pruning.pruned and trainer.stop_reason == "pruned"
    assert trainer.epoch == 2  # reported at epochs 1 and 2; pruned after the warm-up step
    assert sorted(trial.storage.get_trial(trial._trial_id).intermediate_values) == [1, 2]


def test_failed_pruned_and_interrupted_trials_are_counted_and_replaced(tmp_path):
    project = load_project_or_template("xor")
    config = tuning_from_dict(SPACE | {"trials": 4})
    storage = make_storage(tmp_path / "s.journal")
    study = open_study(project, config, storage, "s")

    def objective(trial):
        x = trial.suggest_int("hidden.units", 2, 8)
        if trial.number == 1:
            raise ValueError("the network broke")
        if trial.number == 2:
            raise optuna.TrialPruned()
        if trial.number == 3:
            raise KeyboardInterrupt
        return float(x)

    with pytest.raises(KeyboardInterrupt):
        run_worker(study, objective)
    summary = study_summary(study)
    assert summary["n_trials"] == {
        "complete": 1,
        "pruned": 1,
        "failed": 1,
        "waiting": 1,
        "running": 0,
    }
    interrupted = study.get_trials()[3]
    assert interrupted.user_attrs[INTERRUPTED_ATTR] is True
    assert study.get_trials()[1].user_attrs["error"] == "the network broke"
    # The ticket that replaced the interrupted trial runs on resume; the budget is still 4.
    reopened = open_study(project, config, make_storage(tmp_path / "s.journal"), "s")
    outcomes = run_worker(reopened, lambda trial: 1.0)
    assert [o.number for o in outcomes] == [4]
    assert study_summary(reopened)["n_trials"]["complete"] == 2
    assert study_summary(reopened)["budget"] == 4


def test_bad_input_to_tune_is_one_message(tmp_path, capsys):
    path = xor_project(
        tmp_path, dimensions=[{"node": "gone", "param": "units", "low": 1, "high": 2}]
    )
    assert main(["tune", str(path)]) == 2
    assert "gone.units: the network has no node 'gone'" in capsys.readouterr().err
    assert main(["tune", "xor"]) == 2
    assert "nothing to search" in capsys.readouterr().err
    assert main(["tune", "xor", "--dim", "hidden.units=9..2"]) == 2
    assert "hidden.units: low 9 is above high 2" in capsys.readouterr().err


def test_cross_validated_trials_score_the_mean_of_their_folds(tmp_path, capsys):
    path = xor_project(tmp_path)
    args = ["tune", str(path), "--folds", "2", "--trials", "2", "--pruner", "median", "--json"]
    assert main(args) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    for trial in trials_of(str(tmp_path / "runs" / "xor-tuning.journal"), "xor"):
        folds = [
            json.loads(
                (Path(trial.user_attrs["run_dir"]) / f"fold-{i}" / "result.json").read_text()
            )
            for i in (1, 2)
        ]
        held_out = [fold["test"]["accuracy"] for fold in folds]
        assert trial.value == pytest.approx(sum(held_out) / 2)
        assert sorted(trial.intermediate_values) == [0, 1]  # reported once a fold
    assert lines[-1]["n_trials"]["complete"] == 2


def test_a_budget_in_minutes_only_runs_new_trials_until_the_time_is_up(tmp_path, capsys):
    import time

    project = load_project_or_template("xor")
    config = tuning_from_dict(SPACE | {"trials": None, "minutes": 0.01})
    study = open_study(project, config, make_storage(tmp_path / "m.journal"), "m")

    def objective(trial):
        time.sleep(0.05)
        return float(trial.suggest_int("hidden.units", 2, 8))

    outcomes = run_worker(study, objective, timeout=0.6, open_ended=True)
    assert len(outcomes) >= 2 and all(o.state == "complete" for o in outcomes)
    assert [o.number for o in outcomes] == list(range(len(outcomes)))
    path = xor_project(tmp_path, trials=None)
    assert main(["tune", str(path)]) == 2
    assert "the search has no budget" in capsys.readouterr().err


def test_a_grid_search_runs_each_point_once(tmp_path):
    project = load_project_or_template("xor")
    grid = {"dimensions": [{"node": "hidden", "param": "units", "low": 2, "high": 4}]}
    config = tuning_from_dict(grid | {"sampler": "grid", "trials": 10})
    study = open_study(project, config, make_storage(tmp_path / "g.journal"), "g")
    seen = []
    run_worker(study, lambda trial: seen.append(trial.suggest_int("hidden.units", 2, 4)) or 0.0)
    assert sorted(seen) == [2, 3, 4] and study_summary(study)["budget"] == 3
