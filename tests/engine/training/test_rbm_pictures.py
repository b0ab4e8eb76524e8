"""The RBM tab's pictures, made in the training process: filters are the weight rows in the
input's shape, reconstructions the mean-field formula worked out in numpy, Gibbs chains in
[0, 1], repeatable from their seed and, for a 3-visible RBM, averaging to the exact model mean
found by summing over all 32 joint states; the rbm step sends them with every epoch, and trains
a frozen RBM under a classifier while leaving the classifier alone."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch
from neurocanvas.engine.layers.rbm import BernoulliRBM
from neurocanvas.engine.training import RunFinished, Trainer
from neurocanvas.engine.training.events import EpochEnded
from neurocanvas.engine.training.rbm_pictures import (
    filters,
    gibbs_chains,
    rbm_picture,
    reconstructions,
)
from test_rbm import _patterns, _sigmoid, _small_rbm
from training_helpers import sequential_project


def test_filters_are_the_hidden_units_weight_rows_in_the_input_shape():
    rbm = BernoulliRBM(12, 5)
    shown = filters(rbm, (3, 4), count=3)
    assert shown.shape == (3, 3, 4)
    for unit in range(3):
        np.testing.assert_array_equal(shown[unit].ravel(), rbm.weight[unit].detach().numpy())
    assert filters(rbm, (12,)).shape == (5, 12)  # fewer units than asked: all of them


def test_reconstructions_are_the_mean_field_formula():
    rbm = _small_rbm()
    v = torch.tensor([[1.0, 0.0, 1.0], [0.0, 1.0, 0.0]])
    W, bv, bh = (
        t.detach().numpy().astype(np.float64)
        for t in (rbm.weight, rbm.visible_bias, rbm.hidden_bias)
    )
    expected = _sigmoid(_sigmoid(v.numpy() @ W.T + bh) @ W + bv)
    np.testing.assert_allclose(reconstructions(rbm, v).numpy(), expected, rtol=1e-6)


def test_gibbs_chains_are_probabilities_repeatable_from_their_seed():
    rbm = _small_rbm()
    state = torch.random.get_rng_state()
    first = gibbs_chains(rbm, count=6, steps=20, seed=4)
    assert torch.equal(state, torch.random.get_rng_state())  # the run's draws are untouched
    assert first.shape == (6, 3) and float(first.min()) >= 0 and float(first.max()) <= 1
    assert torch.equal(first, gibbs_chains(rbm, count=6, steps=20, seed=4))
    assert not torch.equal(first, gibbs_chains(rbm, count=6, steps=20, seed=5))


def test_gibbs_chains_average_to_the_exact_model_mean():
    """E[v] under p(v, h) ~ exp(-E(v, h)), summed over every binary (v, h): the chains'
    P(v | h) at their last step, averaged over many chains, must come out at it."""
    rbm = _small_rbm()
    W, bv, bh = (
        t.detach().numpy().astype(np.float64)
        for t in (rbm.weight, rbm.visible_bias, rbm.hidden_bias)
    )
    weights, mean = 0.0, np.zeros(3)
    for bits in itertools.product([0.0, 1.0], repeat=5):
        v, h = np.array(bits[:3]), np.array(bits[3:])
        p = np.exp(bv @ v + bh @ h + h @ W @ v)
        weights, mean = weights + p, mean + p * v
    exact = mean / weights
    chains = gibbs_chains(rbm, count=20_000, steps=30, seed=0).double().mean(0).numpy()
    np.testing.assert_allclose(chains, exact, atol=0.015)


def test_the_picture_holds_each_view_in_the_samples_shape():
    rbm = BernoulliRBM(16, 70)
    fixed = torch.rand(5, 1, 4, 4)
    picture = rbm_picture(rbm, (1, 4, 4), fixed, steps=3)
    assert picture["filters"].shape == (64, 1, 4, 4) and picture["hidden"] == 70
    assert picture["inputs"].shape == picture["reconstructions"].shape == (5, 1, 4, 4)
    assert picture["chains"].shape == (16, 1, 4, 4) and picture["gibbs_steps"] == 3
    assert all(v.dtype == np.float32 for v in picture.values() if isinstance(v, np.ndarray))
    assert rbm.training  # its mode is given back


def _rbm_training(**extra):
    return {
        "step": "rbm",
        "optimizer": {"type": "SGD", "lr": 0.1, "momentum": 0.5},
        "epochs": 3,
        "batch_size": 20,
        "checkpoint": False,
    } | extra


def test_every_epoch_of_the_rbm_step_carries_its_pictures():
    project = sequential_project(
        [("RBM", {"hidden": 4, "id": "rbm"})], [12], training=_rbm_training()
    )
    epochs: list[EpochEnded] = []
    trainer = Trainer(project, _patterns(), device="cpu")
    trainer.subscribe(lambda e: epochs.append(e) if isinstance(e, EpochEnded) else None)
    assert isinstance(trainer.run(), RunFinished)
    assert len(epochs) == 3
    last = epochs[-1].samples
    np.testing.assert_array_equal(last["filters"], trainer.model.rbm.weight.detach().numpy())
    data = _patterns()
    np.testing.assert_array_equal(last["inputs"], data.val.x[:8].numpy())  # fixed: validation
    assert last["chains"].shape == (16, 12)
    # The same seeded chains each epoch: they differ only because the weights moved.
    assert not np.array_equal(epochs[0].samples["chains"], last["chains"])


def test_a_frozen_rbm_under_a_classifier_is_trained_by_the_rbm_step_alone():
    project = sequential_project(
        [
            ("RBM", {"hidden": 4, "id": "rbm"}),
            ("Dense", {"units": 2, "activation": "softmax", "id": "classifier"}),
        ],
        [12],
        training=_rbm_training(epochs=8),
    )
    project.graph.nodes["rbm"].trainable = False
    trainer = Trainer(project, _patterns(), device="cpu")
    history = []
    trainer.subscribe(lambda e: history.append(e.train) if isinstance(e, EpochEnded) else None)
    from neurocanvas.engine.compiler import compile_graph

    before = compile_graph(project.graph, seed=0).state_dict()
    assert isinstance(trainer.run(), RunFinished)
    after = trainer.model.state_dict()
    assert not torch.equal(before["rbm.weight"], after["rbm.weight"])
    assert torch.equal(before["classifier.0.weight"], after["classifier.0.weight"])
    assert history[-1]["loss"] < 0.7 * history[0]["loss"]


def test_an_rbm_step_needs_an_rbm():
    project = sequential_project([("Dense", {"units": 12})], [12], training=_rbm_training())
    result = Trainer(project, _patterns(), device="cpu").run()
    assert not isinstance(result, RunFinished) and "one RBM node" in result.message


@pytest.mark.parametrize("k", [1, 3])
def test_cd_k_pictures_stay_finite(k):
    project = sequential_project(
        [("RBM", {"hidden": 6})], [12], training=_rbm_training(rbm={"k": k, "persistent": True})
    )
    epochs = []
    trainer = Trainer(project, _patterns(), device="cpu")
    trainer.subscribe(lambda e: epochs.append(e) if isinstance(e, EpochEnded) else None)
    assert isinstance(trainer.run(), RunFinished)
    for value in epochs[-1].samples.values():
        assert not isinstance(value, np.ndarray) or np.isfinite(value).all()


def test_chains_start_from_noise_with_the_given_frequencies():
    """All pixels on at the start (frequency 1): one step's P(v | h) follows from h drawn
    given the all-ones image, with the generator's draws taken in the same order."""
    rbm = _small_rbm()
    ones = torch.ones(3)
    out = gibbs_chains(rbm, count=4, steps=1, seed=2, start=ones)
    draws = torch.Generator().manual_seed(2)
    torch.rand(4, 3, generator=draws)  # the start's draws: every pixel on whatever they are
    u_h = torch.rand(4, 2, generator=draws).numpy()
    W, bv, bh = (
        t.detach().numpy().astype(np.float64)
        for t in (rbm.weight, rbm.visible_bias, rbm.hidden_bias)
    )
    h = (u_h < _sigmoid(np.ones((4, 3)) @ W.T + bh)).astype(float)
    np.testing.assert_allclose(out.numpy(), _sigmoid(h @ W + bv), rtol=1e-6)
