"""The trainer against a hand-written PyTorch loop: same initial weights, batch order and optimizer
give the same per-batch losses (within 1e-5).

Both sides handle the seed MLP's final Softmax the same way: the loss is `F.cross_entropy` on the
logits of the last Dense (log-softmax inside the loss), i.e. the model without its Softmax."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from neurocanvas.engine.compiler import compile_graph
from neurocanvas.engine.shapes import AutoSizes
from neurocanvas.engine.templates import load_project_or_template
from neurocanvas.engine.training import Callback, TrainConfig, Trainer
from torch import nn
from training_helpers import mnist_subset


class LossRecorder(Callback):
    def __init__(self):
        self.losses = []

    def on_batch_end(self, trainer, step, loss):
        self.losses.append(loss.item())


def hand_written_losses(model_state, data, epochs, batch_size, lr, seed):
    model = nn.Sequential(
        nn.Flatten(),
        nn.Linear(784, 512),
        nn.ReLU(),
        nn.Linear(512, 32),
        nn.ReLU(),
        nn.Linear(32, 10),
    )  # the seed MLP without its Softmax
    keys = [
        "dense1.0.weight",
        "dense1.0.bias",
        "dense2.0.weight",
        "dense2.0.bias",
        "output.0.weight",
        "output.0.bias",
    ]
    with torch.no_grad():
        for parameter, key in zip(model.parameters(), keys):
            parameter.copy_(model_state[key])
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    generator = torch.Generator().manual_seed(seed)
    x, y = data.train.x, data.train.y
    losses = []
    for _ in range(epochs):
        order = torch.randperm(len(x), generator=generator)
        for start in range(0, len(x), batch_size):
            index = order[start : start + batch_size]
            loss = F.cross_entropy(model(x[index]), y[index])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
    return losses


def test_seed_mlp_matches_a_hand_written_loop(tmp_path):
    project = load_project_or_template("seed-mlp")
    data = mnist_subset(1000)
    config = TrainConfig.from_dict(project.training).replace(epochs=2, batch_size=64, seed=3)
    auto = data.info.auto_sizes()
    initial = compile_graph(project.graph, auto=auto, seed=config.seed).state_dict()
    recorder = LossRecorder()
    result = Trainer(project, data, config, [recorder], device="cpu", run_dir=tmp_path).run()
    assert result.__class__.__name__ == "RunFinished", result
    expected = hand_written_losses(initial, data, 2, 64, config.optimizer.lr, config.seed)
    assert len(recorder.losses) == len(expected) == 2 * 13
    assert max(abs(a - b) for a, b in zip(recorder.losses, expected)) < 1e-5
    assert expected[-1] < expected[0] * 0.6  # it learned something


def test_softmax_output_is_trained_from_logits():
    project = load_project_or_template("seed-mlp")
    auto = AutoSizes((1, 28, 28), 10)
    model = compile_graph(project.graph, auto=auto, seed=0)
    from neurocanvas.engine.training import resolve_objective, strip_head

    objective = resolve_objective(model, "auto", "multiclass", 10)
    assert (objective.loss, objective.head, objective.view_output) == (
        "cross_entropy",
        "softmax",
        "logits",
    )
    assert "Softmax" in objective.note and "logits" in objective.note
    view = strip_head(model)
    x = torch.randn(5, 1, 28, 28) * 50  # large inputs saturate the softmax
    logits = view(x)
    assert torch.allclose(torch.softmax(logits, 1), model(x), atol=1e-6)
    assert view.dense1 is model.dense1  # parameters shared, not copied
    loss = F.cross_entropy(logits, torch.zeros(5, dtype=torch.long))
    assert torch.isfinite(loss)
