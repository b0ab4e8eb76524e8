"""Repeat with N seeds: one run per seed, mean/std curves, and whether two configurations differ
beyond the seed noise (checked against Welch's t statistic written out by hand)."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from neurocanvas.engine.cli import main
from neurocanvas.engine.templates import load_project_or_template
from neurocanvas.engine.training.run_index import read_run
from neurocanvas.engine.training.seeds import compare, repeat_seeds, seed_curves
from training_helpers import prepared


def welch_t(a, b) -> float:
    a, b = np.asarray(a, float), np.asarray(b, float)
    return (b.mean() - a.mean()) / math.sqrt(a.var(ddof=1) / len(a) + b.var(ddof=1) / len(b))


def test_seeds_give_separate_runs_whose_curves_make_the_band(tmp_path):
    project = load_project_or_template("xor")
    project.training = project.training | {"epochs": 3}
    data = prepared("xor", params={"n": 80, "noise": 0.2}, seed=0)
    runs = repeat_seeds(project, 3, data, run_root=tmp_path, device="cpu")
    assert runs.seeds == [0, 1, 2]
    histories = [read_run(folder)["history"] for folder in runs.run_dirs]
    assert all(
        json.loads((tmp_path / f"seed-{s}" / "config.json").read_text())["training"]["seed"] == s
        for s in runs.seeds
    )
    assert len({h[0]["loss"] for h in histories}) == 3  # other weights, other first epochs
    epochs, mean, std = seed_curves(histories, "val_loss")
    table = np.array([[row["val_loss"] for row in h] for h in histories])
    np.testing.assert_allclose(mean, table.mean(0))
    np.testing.assert_allclose(std, table.std(0, ddof=1))
    assert list(epochs) == [1, 2, 3]
    accuracy = runs.values("accuracy")
    assert runs.summary()["accuracy"] == pytest.approx(
        (np.mean(accuracy), np.std(accuracy, ddof=1))
    )


def test_curves_of_runs_stopped_early_average_the_runs_that_went_on():
    epochs, mean, std = seed_curves([[{"m": 1.0}, {"m": 3.0}], [{"m": 2.0}]], "m")
    assert list(epochs) == [1, 2] and list(mean) == [1.5, 3.0] and std[1] == 0.0


def test_a_difference_is_beyond_the_seed_noise_only_when_welch_says_so():
    a = [0.70, 0.72, 0.71, 0.69, 0.73]
    far = [0.80, 0.82, 0.81, 0.79, 0.83]
    near = [0.71, 0.70, 0.73, 0.72, 0.69]
    clear = compare(a, far, metric="accuracy")
    assert clear.beyond_noise and clear.difference == pytest.approx(0.1)
    assert "larger than the seed noise" in clear.text and clear.text.startswith("accuracy")
    t = welch_t(a, far)  # by hand: t = 0.1 / sqrt(2 * 0.00025 / 5) = 10, far beyond 2.3
    assert t == pytest.approx(10.0)
    assert clear.p_value < 1e-4
    noise = compare(a, near)
    assert not noise.beyond_noise and "within the seed noise" in noise.text
    assert abs(welch_t(a, near)) < 0.5 and noise.p_value > 0.5
    single = compare([0.7], [0.8])
    assert single.p_value is None and "2 or more seeds" in single.text


def test_train_with_seeds_on_the_command_line(tmp_path, capsys):
    out = tmp_path / "seeds"
    assert main(["train", "xor", "--seeds", "2", "--epochs", "2", "--out", str(out), "--json"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["seed"] for line in lines[:-1]] == [0, 1]
    final = lines[-1]
    assert final["final"] and set(final["mean"]) >= {"accuracy", "loss"}
    values = [line["test"]["accuracy"] for line in lines[:-1]]
    assert final["mean"]["accuracy"] == pytest.approx(np.mean(values))
    assert (out / "seed-0" / "result.json").is_file() and (out / "seed-1" / "best.pt").is_file()
