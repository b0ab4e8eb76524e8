"""Autoencoder runs: the data's target = input, BCE reconstruction (checked against torch's own
binary_cross_entropy on the model's outputs), and denoising with noise on the input only."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from neurocanvas.engine.data import DataConfig, Dataset, prepare
from neurocanvas.engine.data.info import make_info
from neurocanvas.engine.training import RunFailed, RunFinished, Trainer
from neurocanvas.engine.training.steps import SupervisedStep
from training_helpers import sequential_project


def _data(**settings):
    rng = np.random.default_rng(0)
    x = torch.from_numpy(rng.uniform(0.0, 1.0, (120, 6))).float()
    y = torch.arange(120) % 3
    info = make_info(x, y, task="multiclass", class_names=["a", "b", "c"], source="t")
    cfg = DataConfig(source="t.npz", split=(0.6, 0.2, 0.2), reconstruct=True, **settings)
    return prepare(Dataset(x, y, info), cfg)


def _project(loss="binary_cross_entropy"):
    return sequential_project(
        [
            ("Dense", {"units": 3, "activation": "relu"}),
            ("Dense", {"id": "out", "units": 6}),
            ("Sigmoid", {"id": "sig"}),
        ],
        training={"loss": loss, "epochs": 2, "batch_size": 16, "checkpoint": False},
    )


class Recording(SupervisedStep):
    """The supervised step, keeping the first batch's (input, target)."""

    seen: list = []

    def __call__(self, x, target):
        if not self.seen:
            self.seen.append((x.clone(), target.clone()))
        return super().__call__(x, target)


def test_bce_reconstruction_matches_torch_on_the_model_outputs():
    data = _data(normalize=False)
    trainer = Trainer(_project(), data, device="cpu")
    result = trainer.run()
    assert isinstance(result, RunFinished), result
    assert trainer.config.mode == "reconstruction" and trainer.objective.view_output == "logits"
    model = trainer.model.eval()
    with torch.no_grad():
        out = model(data.test.x)  # the model keeps its Sigmoid: values in [0, 1]
    expected = F.binary_cross_entropy(out, data.test.x).item()
    assert result.test["loss"] == pytest.approx(expected, rel=1e-5)
    assert result.test["mse"] == pytest.approx(F.mse_loss(out, data.test.x).item(), rel=1e-5)


def test_bce_on_standardised_inputs_says_how_to_fix_it():
    result = Trainer(_project(), _data(normalize=True), device="cpu").run()
    assert isinstance(result, RunFailed)
    assert "[0, 1]" in result.message and "normalize" in result.message


def test_denoising_corrupts_the_input_only():
    data = _data(normalize=False, input_noise="masking", input_noise_strength=0.5)
    Recording.seen = []
    trainer = Trainer(_project("mse"), data, device="cpu", train_step=Recording())
    assert isinstance(trainer.run(), RunFinished)
    x, target = Recording.seen[0]
    assert torch.any(target != x)  # the target is the clean batch
    zeroed = x == 0
    assert 0.35 < float(zeroed.float().mean()) < 0.65
    np.testing.assert_array_equal(x[~zeroed].numpy(), target[~zeroed].numpy())
    val_x, val_target = trainer.splits["val"]
    assert torch.equal(val_target, data.val.x) and not torch.equal(val_x, data.val.x)


def test_an_autoencoder_checkpoint_loads_back(tmp_path):
    from neurocanvas.engine.training import load_checkpoint

    project = _project()
    project.training["checkpoint"] = True
    result = Trainer(project, _data(normalize=False), device="cpu", run_dir=tmp_path).run()
    model, bundle = load_checkpoint(result.checkpoint)
    assert bundle["task"] == "reconstruction" and model.mode == "reconstruction"
