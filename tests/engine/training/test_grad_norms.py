"""Per-layer gradient norms (checked against autograd's own gradients), clipping by value, and
the hints that read the norms."""

from __future__ import annotations

import math

import pytest
import torch
from neurocanvas.engine.compiler import compile_graph
from neurocanvas.engine.graph import chain
from neurocanvas.engine.project import Project
from neurocanvas.engine.session.hints import fit_hint, gradient_hint
from neurocanvas.engine.training import EpochEnded, TrainConfig, Trainer
from neurocanvas.engine.training.grad_norms import GradNormTracker
from neurocanvas.engine.training.run_state import auto_sizes_for
from training_helpers import prepared


def test_norms_are_each_layers_gradient_norm_averaged_over_batches():
    model = torch.nn.Sequential()
    model.add_module("first", torch.nn.Linear(3, 4))
    model.add_module("act", torch.nn.Tanh())
    model.add_module("last", torch.nn.Linear(4, 1))
    tracker = GradNormTracker(model)
    assert tracker.nodes == ["first", "last"]
    expected = {"first": 0.0, "last": 0.0}
    for seed in range(3):
        x = torch.randn(5, 3, generator=torch.Generator().manual_seed(seed))
        model.zero_grad()
        model(x).pow(2).sum().backward()
        tracker.update()
        for node in expected:
            layer = getattr(model, node)
            flat = torch.cat([layer.weight.grad.reshape(-1), layer.bias.grad])
            expected[node] += math.sqrt(float((flat.double() ** 2).sum())) / 3
    assert tracker.read() == pytest.approx(expected)
    assert tracker.read() == {}  # read resets


def test_norms_kept_across_flushes_and_a_parameter_without_gradient(monkeypatch):
    """Sums made every FLUSH batches (here 2, over 5 batches) give the same means, and a parameter
    left without a gradient in a batch counts as 0 for its layer."""
    from neurocanvas.engine.training import grad_norms

    monkeypatch.setattr(grad_norms, "FLUSH", 2)
    model = torch.nn.Sequential()
    model.add_module("first", torch.nn.Linear(3, 4))
    model.add_module("last", torch.nn.Linear(4, 1))
    tracker = GradNormTracker(model)
    expected = {"first": 0.0, "last": 0.0}
    for seed in range(5):
        x = torch.randn(5, 3, generator=torch.Generator().manual_seed(seed))
        model.zero_grad(set_to_none=True)
        model(x).pow(2).sum().backward()
        if seed == 3:
            model.last.bias.grad = None
        tracker.update()
        for node in expected:
            layer = getattr(model, node)
            parts = [g.reshape(-1) for g in (layer.weight.grad, layer.bias.grad) if g is not None]
            expected[node] += math.sqrt(float((torch.cat(parts).double() ** 2).sum())) / 5
    assert tracker.read() == pytest.approx(expected)


def _project(**training):
    graph = chain(
        ("Input", {"shape": [2]}),
        ("Dense", {"units": 8, "activation": "tanh"}),
        ("Dense", {"units": "auto"}),
    )
    return Project(graph=graph, training={"epochs": 2, **training})


def test_the_trainer_emits_the_norms_every_epoch(tmp_path):
    project = _project()
    config = TrainConfig.from_dict(project.training)
    trainer = Trainer(project, prepared("xor"), config, device="cpu", run_dir=None)
    epochs = []
    trainer.subscribe(lambda e: epochs.append(e) if isinstance(e, EpochEnded) else None)
    trainer.run()
    weighted = [n.id for n in project.graph.nodes.values() if n.type == "Dense"]
    assert [list(e.grad_norms) for e in epochs] == [weighted, weighted]
    assert all(v > 0 for e in epochs for v in e.grad_norms.values())


def test_clipping_by_value_bounds_every_gradient_element():
    model = torch.nn.Linear(3, 1)
    x = torch.full((4, 3), 100.0)
    model(x).sum().backward()
    assert model.weight.grad.abs().max() > 1
    torch.nn.utils.clip_grad_value_(model.parameters(), 0.5)  # what the step calls with the setting
    assert model.weight.grad.abs().max() == 0.5
    assert TrainConfig.from_dict({"grad_clip_value": 0.5}).grad_clip_value == 0.5


def test_training_with_clipping_by_value_runs(tmp_path):
    project = _project(grad_clip_value=0.01, optimizer={"type": "SGD", "lr": 1.0})
    config = TrainConfig.from_dict(project.training)
    data = prepared("xor")
    trainer = Trainer(project, data, config, device="cpu", run_dir=None)
    trainer.model = compile_graph(project.graph, auto=auto_sizes_for(data), seed=0)
    before = {k: v.clone() for k, v in trainer.model.state_dict().items()}
    trainer.run()
    steps = trainer.epoch * math.ceil(len(data.train) / config.batch_size)
    moved = 0.0
    for name, value in trainer.model.state_dict().items():  # SGD, lr 1: <= 0.01 a step
        change = (value - before[name]).abs().max().item()
        assert change <= 0.01 * steps + 1e-6
        moved = max(moved, change)
    assert moved > 0


def test_hints_name_exploding_and_vanishing_layers():
    assert gradient_hint([{"a": 1.0, "b": 1.0}, {"a": 0.9, "b": 1.1}]) == ""
    exploding = gradient_hint([{"a": 1.0, "b": 1.0}, {"a": 5000.0, "b": 1.0}])
    assert exploding.startswith("Exploding gradients") and "'a'" in exploding
    vanishing = gradient_hint([{"rnn": 1e-3, "out": 1.0}, {"rnn": 1e-7, "out": 0.5}])
    assert vanishing.startswith("Vanishing gradients") and "'rnn'" in vanishing
    history = [{"loss": 1.0, "grad_norms": {"a": 1.0}}, {"loss": 0.9, "grad_norms": {"a": 1e5}}]
    assert fit_hint(history).startswith("Exploding gradients")
