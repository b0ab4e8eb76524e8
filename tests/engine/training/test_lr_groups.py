"""A block's learning-rate multiplier: the optimizer's groups carry lr x mult (nested blocks
multiply), a frozen block's weights are in no group, and a run trains with those groups."""

from __future__ import annotations

import pytest
import torch
from neurocanvas.engine.block_edit import group
from neurocanvas.engine.compiler import compile_graph
from neurocanvas.engine.graph import chain
from neurocanvas.engine.project import Project
from neurocanvas.engine.training import RunFinished, TrainConfig, Trainer
from training_helpers import prepared


def xor_graph():
    graph = chain(
        ("Input", {"shape": [2]}),
        ("Dense", {"units": 8, "activation": "relu"}),
        ("Dense", {"units": 8, "activation": "relu"}),
        ("Dense", {"units": 8, "activation": "relu"}),
        ("Dense", {"units": 1, "activation": "sigmoid"}),
    )
    group(graph, ["dense_1", "dense_2"], block_id="slow")
    group(graph, ["dense_3"], block_id="frozen")
    graph.set_param("slow", "lr_mult", 0.1)
    graph.set_trainable("frozen", False)
    return graph


def ids(tensors) -> set[int]:
    return {id(t) for t in tensors}


def test_the_optimizer_gets_a_group_per_multiplier_without_frozen_weights(tmp_path):
    graph = xor_graph()
    data = prepared("xor", params={"n": 64, "noise": 0.0}, seed=0)
    settings = {"optimizer": {"type": "SGD", "lr": 0.5}}
    config = TrainConfig.from_dict(settings).replace(epochs=2, batch_size=16)
    project = Project(graph=graph, training=settings)
    trainer = Trainer(project, data, config, device="cpu", run_dir=tmp_path)
    trainer.model = model = compile_graph(graph, seed=0)
    start = {k: v.clone() for k, v in model.state_dict().items()}
    assert isinstance(trainer.run(), RunFinished)
    groups = trainer.state.optimizers[0].param_groups
    assert [g["lr"] for g in groups] == [pytest.approx(0.5), pytest.approx(0.05)]
    assert ids(groups[0]["params"]) == ids(model.dense_4.parameters())
    assert ids(groups[1]["params"]) == ids(model.slow.parameters())
    everything = ids(p for g in groups for p in g["params"])
    assert not ids(model.frozen.parameters()) & everything
    end = model.state_dict()
    assert all(torch.equal(start[k], end[k]) for k in start if k.startswith("frozen."))
    assert not torch.equal(start["slow.dense_1.0.weight"], end["slow.dense_1.0.weight"])


def test_nested_and_repeated_blocks_multiply_their_rates():
    from neurocanvas.engine.training.lr_groups import param_groups

    graph = chain(
        ("Input", {"shape": [4]}),
        ("Dense", {"units": 4}),
        ("Dense", {"units": 4}),
        ("Dense", {"units": 2}),
    )
    group(graph, ["dense_1"], block_id="inner")
    graph.set_param("inner", "lr_mult", 0.5)
    graph.set_param("inner", "repeat", 2)
    group(graph, ["inner", "dense_2"], block_id="outer")
    graph.set_param("outer", "lr_mult", 0.2)
    model = compile_graph(graph, seed=0)
    groups = {g["lr_mult"]: g for g in param_groups(model, graph, 1.0)}
    assert sorted(groups) == [pytest.approx(0.1), pytest.approx(0.2), 1.0]
    nested = next(g for m, g in groups.items() if m == pytest.approx(0.1))
    assert ids(nested["params"]) == ids(model.outer.inner.parameters())  # both copies
    assert nested["lr"] == pytest.approx(0.1)
