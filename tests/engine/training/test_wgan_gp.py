"""WGAN-GP in the GAN step: the gradient penalty against values worked out by hand, a critic
run that reports its scores and the Wasserstein estimate, and a bad loss name refused."""

from __future__ import annotations

import math

import pytest
import torch
from gan_helpers import ring_project
from neurocanvas.engine.data import DataConfig, load_dataset, prepare
from neurocanvas.engine.training import ConfigError, RunFinished, TrainConfig, Trainer
from neurocanvas.engine.training.events import EpochEnded
from neurocanvas.engine.training.gan_step import gradient_penalty


def test_the_penalty_of_a_linear_critic_is_its_weight_norm_away_from_one():
    # D(x) = 3 x1 + 4 x2 + 1: the gradient is (3, 4) everywhere, |grad| = 5, penalty (5 - 1)^2
    critic = torch.nn.Linear(2, 1)
    with torch.no_grad():
        critic.weight.copy_(torch.tensor([[3.0, 4.0]]))
        critic.bias.fill_(1.0)
    real, fake = torch.randn(5, 2), torch.randn(5, 2)
    assert gradient_penalty(critic, real, fake).item() == pytest.approx(16.0)


def test_the_penalty_of_a_quadratic_critic_by_hand():
    # D(x) = sum(x^2): grad = 2 x_hat. Real (1, 0) and (0, 0); fake (0, 0) and (0, 2);
    # eps 0.5 and 0.25: x_hat = (0.5, 0) and (0, 1.5); |grad| = 1 and 3: ((1-1)^2 + (3-1)^2)/2 = 2
    critic = lambda x: (x**2).sum(1)  # noqa: E731
    real = torch.tensor([[1.0, 0.0], [0.0, 0.0]])
    fake = torch.tensor([[0.0, 0.0], [0.0, 2.0]])
    penalty = gradient_penalty(critic, real, fake, eps=torch.tensor([0.5, 0.25]))
    assert penalty.item() == pytest.approx(2.0)


def test_the_penalty_trains_the_critic_through_its_gradient():
    critic = torch.nn.Linear(2, 1)
    penalty = gradient_penalty(critic, torch.randn(4, 2), torch.randn(4, 2))
    penalty.backward()  # create_graph: the penalty's own gradient reaches the weights
    w = critic.weight.detach()[0]
    norm = w.norm()
    expected = 2 * (norm - 1) * w / norm  # d/dw (|w| - 1)^2
    torch.testing.assert_close(critic.weight.grad[0], expected)


def test_a_wgan_gp_run_reports_critic_scores_and_the_wasserstein_estimate():
    cfg = DataConfig(
        source="blobs", params={"n": 300, "classes": 8, "spread": 0.05}, split=(1.0, 0.0, 0.0),
        normalize=False,
    )  # fmt: skip
    data = prepare(load_dataset(cfg), cfg)
    project = ring_project(epochs=2, gan={"loss": "wgan-gp", "d_steps": 5})
    epochs = []
    trainer = Trainer(project, data, device="cpu")
    trainer.subscribe(lambda e: epochs.append(e) if isinstance(e, EpochEnded) else None)
    result = trainer.run()
    assert isinstance(result, RunFinished), result
    last = epochs[-1].train
    assert last["wasserstein"] == pytest.approx(last["d_real"] - last["d_fake"])
    assert all(math.isfinite(last[k]) for k in ("d_loss", "g_loss", "wasserstein"))
    assert "wasserstein" in result.test


def test_an_unknown_gan_loss_is_refused_by_name():
    with pytest.raises(ConfigError, match="loss"):
        TrainConfig.from_dict({"step": "gan", "gan": {"loss": "hinge"}})
