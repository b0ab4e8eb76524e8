"""Anomaly detection with an autoencoder: per-row reconstruction errors against numpy on a
linear model with known weights, the percentile threshold and the flag counts against values
worked out by hand, the normal_class setting keeping training and validation to one class, and
a run on iris trained on versicolor giving the other species larger errors."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from neurocanvas.engine.data import DataConfig, DataError, load_dataset, prepare
from neurocanvas.engine.session.insight import results
from neurocanvas.engine.templates import load_template
from neurocanvas.engine.training import RunFinished, Trainer
from neurocanvas.engine.training.anomaly import (
    flag_counts,
    percentile_threshold,
    reconstruction_errors,
)
from torch import nn


def test_errors_are_each_rows_mean_squared_difference():
    model = nn.Linear(3, 3)
    with torch.no_grad():
        model.weight.copy_(torch.tensor([[1.0, 0.0, 0.5], [0.0, 2.0, 0.0], [-1.0, 0.0, 1.0]]))
        model.bias.copy_(torch.tensor([0.1, -0.2, 0.0]))
    x = torch.tensor([[1.0, 2.0, 3.0], [0.0, -1.0, 0.5], [2.0, 2.0, 2.0]])
    W, b, v = model.weight.detach().numpy(), model.bias.detach().numpy(), x.numpy()
    expected = (((v @ W.T + b) - v) ** 2).mean(1)
    np.testing.assert_allclose(reconstruction_errors(model, x, batch=2), expected, rtol=1e-6)
    clean = torch.zeros_like(x)  # a denoising autoencoder's targets
    np.testing.assert_allclose(
        reconstruction_errors(model, x, clean), ((v @ W.T + b) ** 2).mean(1), rtol=1e-6
    )
    assert model.training  # its mode is given back


def test_a_model_that_does_not_reconstruct_is_refused():
    with pytest.raises(ValueError, match="must reconstruct its input"):
        reconstruction_errors(nn.Linear(3, 2), torch.zeros(4, 3))


def test_the_threshold_and_the_counts():
    errors = np.arange(1, 101, dtype=np.float32)  # 1..100
    assert percentile_threshold(errors, 95) == pytest.approx(95.05)  # linear between 95 and 96
    assert percentile_threshold(errors, 100) == 100
    with pytest.raises(ValueError, match="between 0 and 100"):
        percentile_threshold(errors, 101)
    labels = np.array([0, 0, 1, 1, 2])
    counts = flag_counts(np.array([0.1, 0.9, 0.2, 0.8, 0.7]), 0.5, labels, normal=0)
    assert counts == {
        "rows": 5,
        "flagged": 3,
        "anomalies": 3,
        "anomalies_flagged": 2,
        "normal_flagged": 1,
    }
    assert flag_counts(np.array([0.1, 0.9]), 0.5, None, None) == {"rows": 2, "flagged": 1}


def _iris(**settings):
    cfg = DataConfig(source="iris", reconstruct=True, split=(0.6, 0.1, 0.3), **settings)
    return prepare(load_dataset(cfg), cfg)


def test_normal_class_keeps_training_and_validation_to_that_class():
    data = _iris(normal_class="Iris-versicolor")
    normal = data.class_names.index("Iris-versicolor")
    assert set(data.train.y.tolist()) == {normal} and set(data.val.y.tolist()) == {normal}
    assert set(data.test.y.tolist()) == {0, 1, 2}  # the test split keeps every class
    assert any("anomaly detection" in line for line in data.report)
    everything = _iris()
    assert len(data.train.x) == (everything.train.y == normal).sum()


def test_normal_class_refusals_name_the_fix():
    with pytest.raises(DataError, match="its classes: Iris-setosa, Iris-versicolor"):
        _iris(normal_class="rose")
    cfg = DataConfig(source="iris", normal_class="Iris-setosa")
    with pytest.raises(DataError, match="needs reconstruct"):
        prepare(load_dataset(cfg), cfg)


def test_an_autoencoder_trained_on_versicolor_finds_the_other_species_unusual():
    project = load_template("tabular-anomaly")
    project.training = {**project.training, "checkpoint": False}
    cfg = DataConfig.from_dict(project.data)
    data = prepare(load_dataset(cfg), cfg)
    trainer = Trainer(project, data, device="cpu")
    assert isinstance(trainer.run(), RunFinished)
    report = results(trainer).anomaly
    assert report is not None and report["normal_class"] == "Iris-versicolor"
    errors, labels = report["errors"], report["labels"]
    assert len(errors) == len(data.test.x) and len(report["train_errors"]) == len(data.train.x)
    normal = report["class_names"].index("Iris-versicolor")
    assert errors[labels != normal].mean() > 3 * errors[labels == normal].mean()
    threshold = percentile_threshold(report["train_errors"], report["percentile"])
    counts = flag_counts(errors, threshold, labels, normal)
    assert counts["anomalies_flagged"] >= 0.8 * counts["anomalies"]
