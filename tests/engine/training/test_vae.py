"""The VAE's Sampling layer and KL term: the KL against the closed form worked by hand, the
training step's loss against reconstruction + weight x KL / values computed independently, and
the mean passed through in eval mode."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from neurocanvas.engine import project as project_io
from neurocanvas.engine.compiler import compile_graph
from neurocanvas.engine.data import DataConfig, Dataset, prepare
from neurocanvas.engine.data.info import make_info
from neurocanvas.engine.layers.sampling import kl_divergence
from neurocanvas.engine.registry import InputShapeError
from neurocanvas.engine.shapes import AutoSizes
from neurocanvas.engine.training import TrainConfig
from neurocanvas.engine.training.run_state import prepare_run
from neurocanvas.engine.training.steps import SupervisedStep


def test_kl_matches_the_value_worked_by_hand():
    # KL(N(mu, s²) || N(0, 1)) = (s² + mu² - 1 - ln s²) / 2 per value.
    # Sample 1: mu = (1, 0), s² = (1, 2): (1 + 1 - 1 - 0)/2 + (2 + 0 - 1 - ln 2)/2 = 1 - ln(2)/2.
    # Sample 2: mu = (0, 0), s² = (1, 1): 0. The batch mean is (1 - ln(2)/2) / 2.
    mean = torch.tensor([[1.0, 0.0], [0.0, 0.0]])
    log_var = torch.tensor([[0.0, math.log(2.0)], [0.0, 0.0]])
    assert float(kl_divergence(mean, log_var)) == pytest.approx((1 - math.log(2) / 2) / 2)


def _vae_project():
    nodes = [
        ("input", "Input", {"shape": [6]}),
        ("enc", "Dense", {"units": 5, "activation": "tanh"}),
        ("mu", "Dense", {"units": 2}),
        ("logvar", "Dense", {"units": 2}),
        ("z", "Sampling", {}),
        ("dec", "Dense", {"units": 6}),
        ("sig", "Sigmoid", {}),
    ]
    edges = [("input", "enc"), ("enc", "mu"), ("enc", "logvar"), ("mu", "z"), ("logvar", "z")]
    edges += [("z", "dec"), ("dec", "sig")]
    ports: dict[str, int] = {}
    wires = []
    for src, dst in edges:
        wires.append({"from": [src, 0], "to": [dst, ports.get(dst, 0)]})
        ports[dst] = ports.get(dst, 0) + 1
    return project_io.from_dict(
        {
            "format": "neurocanvas",
            "version": 2,
            "name": "vae",
            "graph": {
                "nodes": [{"id": i, "type": t, "params": p} for i, t, p in nodes],
                "edges": wires,
            },
        }
    )


def _data():
    x = torch.from_numpy(np.random.default_rng(0).uniform(0, 1, (40, 6))).float()
    y = torch.zeros(40, dtype=torch.long)
    info = make_info(x, y, task="binary", class_names=["a", "b"], source="t")
    cfg = DataConfig(source="t.npz", normalize=False, reconstruct=True, split=(0.5, 0.25, 0.25))
    return prepare(Dataset(x, y, info), cfg)


def test_the_step_adds_weight_times_kl_per_value_to_the_reconstruction_loss():
    data = _data()
    config = TrainConfig(loss="binary_cross_entropy", mode="reconstruction", kl_weight=0.5)
    run = prepare_run(_vae_project().graph, data, config, torch.device("cpu"))
    step = SupervisedStep()
    step.configure(run, config)
    x = data.train.x[:8]
    with torch.no_grad():  # the heads' outputs before the update, by hand
        hidden = run.model.enc(x)  # Linear + its fused tanh
        mu, log_var = run.model.mu(hidden), run.model.logvar(hidden)
    kl = (0.5 * (log_var.exp() + mu**2 - 1 - log_var)).sum(1).mean()
    loss, out = step(x, x)
    expected = F.binary_cross_entropy(torch.sigmoid(out.detach()), x) + 0.5 * kl / 6
    assert loss.item() == pytest.approx(expected.item(), rel=1e-5)


def test_sampling_draws_while_training_and_passes_the_mean_when_evaluating():
    model = compile_graph(_vae_project().graph, auto=AutoSizes())
    x = torch.rand(4, 6)
    model.train()
    assert not torch.equal(model(x), model(x))  # fresh noise every forward
    model.eval()
    hidden = model.enc(x)
    expected = torch.sigmoid(model.dec(model.mu(hidden)))
    torch.testing.assert_close(model(x), expected)


def test_mean_and_log_variance_of_different_shapes_are_refused():
    from neurocanvas.engine import registry

    with pytest.raises(InputShapeError, match="same shape"):
        registry.get("Sampling").build(None, [(2,), (3,)])
