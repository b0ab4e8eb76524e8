"""Freezing (trainable off) and starting from another run's weights (`--init-from`)."""

from __future__ import annotations

import pytest
import torch
from neurocanvas.engine import project as project_io
from neurocanvas.engine.cli import main
from neurocanvas.engine.compiler import compile_graph
from neurocanvas.engine.graph import chain
from neurocanvas.engine.graph_change import diff
from neurocanvas.engine.summary import summarize
from neurocanvas.engine.training import RunFinished, TrainConfig, Trainer
from neurocanvas.engine.training.checkpoint import CheckpointError
from neurocanvas.engine.training.init_from import init_from
from torch import nn
from training_helpers import prepared


def xor_project(frozen=("d1", "bn")):
    graph = chain(
        ("Input", {"shape": (2,)}),
        ("Dense", {"units": 8}),
        ("BatchNorm1d", {}),
        ("Dense", {"units": 8, "activation": "relu"}),
        ("Dense", {"units": 2}),
    )
    for old, new in [("dense_1", "d1"), ("batch_norm1d_1", "bn"), ("dense_2", "d2")]:
        graph.rename_node(old, new)
    graph.rename_node("dense_3", "head")
    for node_id in frozen:
        graph.set_trainable(node_id, False)
    return project_io.Project("frozen", graph=graph)


def _keras_count(module: nn.Module) -> int:
    """Parameters plus the moving statistics, as Keras counts a BatchNormalization."""
    stats = module.running_mean.numel() + module.running_var.numel()
    return sum(p.numel() for p in module.parameters()) + stats


def test_summary_counts_frozen_weights_as_non_trainable():
    summary = summarize(xor_project().graph)
    rows = {row.name: row for row in summary.rows}
    dense, bn = nn.Linear(2, 8), nn.BatchNorm1d(8)  # the reference counts
    assert (
        rows["d1"].params == sum(p.numel() for p in dense.parameters())
        and rows["d1"].trainable == 0
    )
    assert rows["bn"].trainable == 0 and rows["bn"].params == _keras_count(bn)
    head = nn.Linear(8, 2)
    d2 = nn.Linear(8, 8)
    expected_trainable = sum(p.numel() for m in (d2, head) for p in m.parameters())
    assert summary.trainable_params == expected_trainable
    assert summary.non_trainable_params == summary.total_params - expected_trainable


def test_training_leaves_frozen_weights_and_batchnorm_statistics_alone(tmp_path):
    project = xor_project()
    data = prepared("xor", params={"n": 64, "noise": 0.0}, seed=0)
    config = TrainConfig.from_dict({}).replace(epochs=2, batch_size=16)
    trainer = Trainer(project, data, config, device="cpu", run_dir=tmp_path)
    trainer.model = compile_graph(project.graph, seed=0)
    start = {k: v.clone() for k, v in trainer.model.state_dict().items()}
    assert isinstance(trainer.run(), RunFinished)
    end = trainer.model.state_dict()
    for key in ("d1.weight", "d1.bias", "bn.weight", "bn.running_mean", "bn.running_var"):
        assert torch.equal(start[key], end[key]), key
    assert not torch.equal(start["d2.0.weight"], end["d2.0.weight"])
    optimizer_params = {
        id(p) for group in trainer.state.optimizers[0].param_groups for p in group["params"]
    }
    assert id(trainer.model.d1.weight) not in optimizer_params
    assert id(trainer.model.d2[0].weight) in optimizer_params


def test_trainable_round_trips_through_the_file_and_undo():
    graph = xor_project(frozen=()).graph
    before = graph.copy()
    graph.set_trainable("d1", False)
    change = diff(before, graph)
    text = project_io.to_json(project_io.Project(graph=graph))
    assert '"trainable": false' in text and text.count('"trainable"') == 1
    assert project_io.loads(text).graph.nodes["d1"].trainable is False
    change.revert(graph)
    assert graph.nodes["d1"].trainable is True
    bad = project_io.Project(graph=graph).to_dict()
    bad["graphs"]["main"]["nodes"][1]["trainable"] = "no"
    with pytest.raises(
        project_io.ProjectError, match=r"\(d1\): \"trainable\" must be true or false"
    ):
        project_io.from_dict(bad)


def test_init_from_loads_matching_nodes_and_refuses_other_shapes():
    source = compile_graph(xor_project().graph, seed=1)
    graph = xor_project().graph
    graph.rename_node("head", "new_head")
    target = compile_graph(graph, seed=2)
    report = init_from(target, source.state_dict())
    assert report.matched == ["d1", "bn", "d2"]
    assert report.unmatched == ["new_head"] and report.unused == ["head"]
    assert torch.equal(target.d1.weight, source.d1.weight)
    wider = xor_project().graph
    wider.set_param("d2", "units", 16)
    wider.set_param("head", "units", 2)
    with pytest.raises(
        CheckpointError, match=r"node d2: 0.weight is \(8, 8\) in the checkpoint but \(16, 8\)"
    ):
        init_from(compile_graph(wider), source.state_dict())


@pytest.mark.slow
def test_cli_train_init_from_lists_what_matched(tmp_path, capsys):
    assert main(["train", "xor", "--epochs", "1", "--out", str(tmp_path / "a")]) == 0
    checkpoint = tmp_path / "a" / "best.pt"
    capsys.readouterr()
    assert (
        main(
            [
                "train",
                "xor",
                "--epochs",
                "1",
                "--init-from",
                str(checkpoint),
                "--out",
                str(tmp_path / "b"),
            ]
        )
        == 0
    )
    err = capsys.readouterr().err
    assert "--init-from: weights loaded for" in err and "fresh weights kept for 0 node(s)" in err
