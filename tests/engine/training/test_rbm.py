"""The Bernoulli RBM: CD-1's gradient against the formulas worked out in numpy with the same
random draws, the free energy against its closed form, and the rbm step lowering the
reconstruction error on a toy set of binary patterns."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from neurocanvas.engine.data import DataConfig, Dataset, prepare
from neurocanvas.engine.data.info import make_info
from neurocanvas.engine.layers.rbm import BernoulliRBM, cd_step
from neurocanvas.engine.training import RunFailed, RunFinished, Trainer
from training_helpers import sequential_project


def _sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))


def _small_rbm():
    rbm = BernoulliRBM(3, 2)
    with torch.no_grad():
        rbm.weight.copy_(torch.tensor([[0.5, -1.0, 0.25], [1.5, 0.0, -0.5]]))
        rbm.visible_bias.copy_(torch.tensor([0.1, -0.2, 0.3]))
        rbm.hidden_bias.copy_(torch.tensor([-0.4, 0.2]))
    return rbm


def test_cd1_gradient_matches_the_hand_computed_case():
    rbm = _small_rbm()
    v0 = torch.tensor([[1.0, 0.0, 1.0], [0.0, 1.0, 1.0]])
    grads, v1_out, _ = cd_step(rbm, v0, k=1, generator=torch.Generator().manual_seed(3))
    # The same draws, in cd_step's order: hidden (2, 2), then visible (2, 3).
    draws = torch.Generator().manual_seed(3)
    u_h, u_v = torch.rand(2, 2, generator=draws).numpy(), torch.rand(2, 3, generator=draws).numpy()
    W, bv, bh = (
        t.detach().numpy().astype(np.float64)
        for t in (rbm.weight, rbm.visible_bias, rbm.hidden_bias)
    )
    v = v0.numpy().astype(np.float64)
    h0p = _sigmoid(v @ W.T + bh)
    h0 = (u_h < h0p).astype(float)
    v1 = (u_v < _sigmoid(h0 @ W + bv)).astype(float)
    h1p = _sigmoid(v1 @ W.T + bh)
    expected_w = -(h0p.T @ v - h1p.T @ v1) / 2
    np.testing.assert_allclose(grads["weight"].numpy(), expected_w, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(grads["visible_bias"].numpy(), -(v - v1).mean(0), atol=1e-7)
    np.testing.assert_allclose(grads["hidden_bias"].numpy(), -(h0p - h1p).mean(0), rtol=1e-5)
    np.testing.assert_array_equal(v1_out.numpy(), v1)


def test_free_energy_is_the_closed_form():
    rbm = _small_rbm()
    v = torch.tensor([[1.0, 1.0, 0.0]])
    W, bv, bh = (
        t.detach().numpy().astype(np.float64)
        for t in (rbm.weight, rbm.visible_bias, rbm.hidden_bias)
    )
    x = v.numpy()[0]
    expected = -bv @ x - np.log1p(np.exp(W @ x + bh)).sum()
    assert rbm.free_energy(v).item() == pytest.approx(expected, rel=1e-6)


def _patterns(n=400):
    """Two binary prototypes of 12 pixels with 5% flips: what an RBM of 4 units can model."""
    rng = np.random.default_rng(0)
    protos = np.array([[1] * 6 + [0] * 6, [0] * 6 + [1] * 6], dtype=np.float32)
    which = rng.integers(0, 2, n)
    x = np.abs(protos[which] - (rng.random((n, 12)) < 0.05)).astype(np.float32)
    xt, yt = torch.from_numpy(x), torch.from_numpy(which)
    info = make_info(xt, yt, task="binary", class_names=["a", "b"], source="t")
    cfg = DataConfig(source="t.npz", normalize=False, split=(0.75, 0.25, 0.0))
    return prepare(Dataset(xt, yt, info), cfg)


@pytest.mark.parametrize("persistent", [False, True])
def test_the_rbm_step_lowers_the_reconstruction_error(persistent):
    project = sequential_project(
        [("RBM", {"hidden": 4})],
        input_shape=[12],
        training={
            "step": "rbm",
            "rbm": {"k": 1, "persistent": persistent},
            "optimizer": {"type": "SGD", "lr": 0.1, "momentum": 0.5},
            "epochs": 15,
            "batch_size": 20,
            "checkpoint": False,
        },
    )
    history = []
    trainer = Trainer(project, _patterns(), device="cpu")
    trainer.subscribe(lambda e: history.append(e.train) if hasattr(e, "train") else None)
    result = trainer.run()
    assert isinstance(result, RunFinished), result
    assert history[-1]["loss"] < 0.5 * history[0]["loss"]
    assert "val_free_energy" in history[-1] and "free_energy" in result.test


def test_standardised_inputs_are_refused_with_the_fix():
    project = sequential_project(
        [("RBM", {"hidden": 4})], input_shape=[12], training={"step": "rbm", "checkpoint": False}
    )
    data = _patterns()
    data.train.x = data.train.x * 3 - 1
    result = Trainer(project, data, device="cpu").run()
    assert isinstance(result, RunFailed) and "normalize" in result.message
