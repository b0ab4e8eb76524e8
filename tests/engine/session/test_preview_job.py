"""A training job with the canvas preview on sends every node's output for the chosen sample at
a modest rate, and the job still pickles with its settings only."""

from __future__ import annotations

import pickle

import numpy as np
from neurocanvas.engine.data import DataConfig, load_dataset, prepare
from neurocanvas.engine.session import insight
from neurocanvas.engine.session.messages import Snapshot
from neurocanvas.engine.session.training_job import TrainingJob
from neurocanvas.engine.templates import load_template
from neurocanvas.engine.training.events import RunFinished


def test_preview_snapshots_carry_every_nodes_output(tmp_path, monkeypatch):
    monkeypatch.setattr(insight, "PREVIEW_INTERVAL", 0.0)  # one per progress event and epoch
    project = load_template("xor")
    project.training = {**project.training, "checkpoint": False, "epochs": 3}
    job = TrainingJob(project.to_dict(), insight=False, preview_sample=5)
    assert pickle.loads(pickle.dumps(job)).preview_sample == 5
    events = []
    job.run(events.append)
    previews = [e.preview for e in events if isinstance(e, Snapshot) and e.preview]
    assert any(isinstance(e, RunFinished) for e in events)
    assert len(previews) >= 3  # at least each epoch's end
    nodes = list(project.graph.nodes)
    assert all(list(p) == nodes for p in previews)
    cfg = DataConfig.from_dict(project.data)
    data = prepare(load_dataset(cfg), cfg)
    expected = data.test.x[5 % len(data.test.x)].numpy()
    np.testing.assert_allclose(previews[-1]["input"]["values"], expected, rtol=1e-6)
    assert previews[-1][nodes[-1]]["kind"] == "bar"
    # the weights change while the model trains, so the output's preview does too
    assert not np.array_equal(previews[0][nodes[1]]["values"], previews[-1][nodes[1]]["values"])


def test_no_preview_by_default():
    project = load_template("xor")
    project.training = {**project.training, "checkpoint": False, "epochs": 1}
    events = []
    TrainingJob(project.to_dict(), insight=False).run(events.append)
    assert not [e for e in events if isinstance(e, Snapshot) and e.preview]


def test_the_preview_runs_on_one_thread_and_gives_the_threads_back():
    import torch
    from neurocanvas.engine.compiler import compile_graph
    from neurocanvas.engine.inspect.preview import preview

    model = compile_graph(load_template("xor").graph, seed=0)
    x = torch.rand(1, 2)
    before = torch.get_num_threads()
    entries = insight.one_thread_preview(model, x)
    assert torch.get_num_threads() == before
    expected = preview(model, x)
    assert list(entries) == list(expected)
    for node, entry in entries.items():
        np.testing.assert_array_equal(entry["values"], expected[node]["values"])
