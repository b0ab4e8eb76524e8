"""TrainConfig parsing, schedules and penalties, and the metric formulas."""

from __future__ import annotations

import math

import pytest
import torch
from neurocanvas.engine.templates import load_project_or_template
from neurocanvas.engine.training import (
    ConfigError,
    EpochEnded,
    RunFinished,
    TrainConfig,
    Trainer,
    predict,
)
from neurocanvas.engine.training.losses import Objective
from neurocanvas.engine.training.metrics import (
    RegressionSums,
    binary_auc,
    classification_metrics,
    roc_curve,
)
from training_helpers import prepared


def test_from_dict_reads_template_sections():
    config = TrainConfig.from_dict(load_project_or_template("dense-autoencoder").training)
    assert config.mode == "reconstruction" and config.loss == "mse"
    assert config.optimizer.type == "Adam" and config.optimizer.lr == 0.001
    assert TrainConfig.from_dict(config.to_dict()) == config
    assert TrainConfig.from_dict({"loss": "categorical_crossentropy"}).loss == "cross_entropy"


@pytest.mark.parametrize(
    "bad, words",
    [
        ({"epochs": 0}, "epochs"),
        ({"optimizer": {"type": "Adamm"}}, "optimizer"),
        ({"lr": 0.1}, "unknown training setting"),
        ({"loss": "hinge"}, "loss"),
        ({"optimizer": {"type": "Adam", "nesterov": True}}, "nesterov"),
        ({"schedule": {"type": "exp"}}, "schedule"),
        ({"early_stopping": {"patience": -1}}, "patience"),
    ],
)
def test_bad_settings_are_named(bad, words):
    with pytest.raises(ConfigError, match=words):
        TrainConfig.from_dict(bad)


def test_early_stopping_monitor_becomes_the_run_monitor():
    config = TrainConfig.from_dict(
        {"early_stopping": {"monitor": "val_accuracy", "restore_best": False}}
    )
    assert config.monitor == "val_accuracy" and config.restore_best is False


@pytest.mark.parametrize(
    "schedule",
    [
        {"type": "step", "step_size": 1, "gamma": 0.5},
        {"type": "cosine", "warmup_epochs": 1},
        {"type": "one_cycle", "max_lr": 0.05},
        # The validation loss falls every epoch here, so "max" mode sees no improvement and, with
        # patience 0, must cut the rate: a plateau schedule that never fires would fail.
        {"type": "plateau", "patience": 0, "mode": "max"},
        {"type": "warmup", "warmup_epochs": 2},
    ],
)
def test_schedules_change_the_learning_rate(tmp_path, schedule):
    data = prepared("xor", params={"n": 200, "noise": 0.0}, seed=0)
    rates = []
    config = TrainConfig.from_dict(
        {
            "optimizer": {"type": "SGD", "lr": 0.05, "momentum": 0.9, "nesterov": True},
            "epochs": 4,
            "schedule": schedule,
            "l1": 1e-4,
            "l2": 1e-4,
            "grad_clip": 1.0,
        }
    )
    trainer = Trainer(load_project_or_template("xor"), data, config, device="cpu", run_dir=tmp_path)
    trainer.subscribe(lambda e: rates.append(e.lr) if isinstance(e, EpochEnded) else None)
    assert isinstance(trainer.run(), RunFinished)
    assert len(set(rates)) > 1
    if schedule["type"] == "plateau":
        assert rates[-1] < rates[0] == 0.05
    assert rates[0] > 0 and all(r >= 0 for r in rates)


@pytest.mark.parametrize("optimizer", ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad"])
def test_every_optimizer_trains(optimizer, tmp_path):
    data = prepared("xor", params={"n": 200, "noise": 0.0}, seed=0)
    config = TrainConfig.from_dict(
        {"optimizer": {"type": optimizer, "lr": 0.05, "weight_decay": 1e-4}, "epochs": 2}
    )
    result = Trainer(
        load_project_or_template("xor"), data, config, device="cpu", run_dir=tmp_path
    ).run()
    assert isinstance(result, RunFinished) and math.isfinite(result.test["loss"])


def test_binary_auc_matches_the_pairwise_definition():
    scores = torch.tensor([0.1, 0.4, 0.35, 0.8, 0.4, 0.9])
    positive = torch.tensor([False, False, True, True, True, False])
    pairs = [
        (1.0 if s > t else 0.5 if s == t else 0.0)
        for s, p in zip(scores, positive)
        if p
        for t, q in zip(scores, positive)
        if not q
    ]
    assert binary_auc(scores, positive) == pytest.approx(sum(pairs) / len(pairs))


def _pairwise_auc(scores: torch.Tensor, positive: torch.Tensor) -> float:
    pairs = [
        (1.0 if s > t else 0.5 if s == t else 0.0)
        for s, p in zip(scores.tolist(), positive.tolist())
        if p
        for t, q in zip(scores.tolist(), positive.tolist())
        if not q
    ]
    return sum(pairs) / len(pairs)


@pytest.mark.parametrize("seed", range(5))
def test_binary_auc_is_the_area_under_roc_curve_with_many_ties(seed):
    generator = torch.Generator().manual_seed(seed)
    scores = torch.randint(0, 6, (60,), generator=generator).float() / 5  # many ties
    positive = torch.rand(60, generator=generator) < 0.4
    fpr, tpr = roc_curve(scores, positive)
    assert binary_auc(scores, positive) == pytest.approx(_pairwise_auc(scores, positive))
    assert (fpr.diff() >= 0).all() and (tpr.diff() >= 0).all()
    assert fpr[0] == tpr[0] == 0 and fpr[-1] == tpr[-1] == 1
    assert len(fpr) == len(scores.unique()) + 1  # one point per distinct score


def test_roc_curve_of_a_perfect_and_a_useless_score():
    positive = torch.tensor([False, False, True, True])
    fpr, tpr = roc_curve(torch.tensor([0.1, 0.2, 0.8, 0.9]), positive)
    assert fpr.tolist() == [0, 0, 0, 0.5, 1] and tpr.tolist() == [0, 0.5, 1, 1, 1]
    fpr, tpr = roc_curve(torch.full((4,), 0.5), positive)
    assert fpr.tolist() == [0, 1] and tpr.tolist() == [0, 1]  # one diagonal step
    assert math.isnan(binary_auc(torch.tensor([0.2, 0.7]), torch.tensor([True, True])))


def test_classification_metrics():
    objective = Objective("cross_entropy", "multiclass", "softmax", "logits")
    logits = torch.tensor([[3.0, 0, 0], [0, 3.0, 0], [0, 3.0, 0], [0, 0, 3.0], [3.0, 0, 0]])
    target = torch.tensor([0, 1, 2, 2, 0])
    result = classification_metrics(objective, logits, target, 3)
    assert result.metrics["accuracy"] == pytest.approx(0.8)
    assert result.confusion_matrix == [[2, 0, 0], [0, 1, 0], [0, 1, 1]]
    assert result.per_class["precision"] == pytest.approx([1.0, 0.5, 1.0])
    assert result.per_class["recall"] == pytest.approx([1.0, 1.0, 0.5])
    assert result.metrics["f1"] == pytest.approx((1 + 2 / 3 + 2 / 3) / 3)


def test_regression_sums():
    sums = RegressionSums(torch.device("cpu"))
    target = torch.tensor([1.0, 2.0, 3.0, 4.0])
    out = torch.tensor([1.5, 2.0, 2.5, 4.0])
    sums.update(out[:2, None], target[:2])
    sums.update(out[2:, None], target[2:])
    result = sums.result()
    assert result["mse"] == pytest.approx(0.125) and result["mae"] == pytest.approx(0.25)
    assert result["r2"] == pytest.approx(1 - 0.5 / 5.0)


def test_predict_gives_probabilities_and_class_names(tmp_path):
    data = prepared("xor", params={"n": 200, "noise": 0.0}, seed=0)
    trainer = Trainer(
        load_project_or_template("xor"), data, TrainConfig(epochs=2), device="cpu", run_dir=tmp_path
    )
    trainer.run()
    prediction = predict(trainer.model, data.test.x[:5])
    assert prediction.probabilities.shape == (5, 2)
    assert torch.allclose(prediction.probabilities.sum(1), torch.ones(5))
    assert prediction.class_names == ["0", "1"] and len(prediction.top(0)) == 2
