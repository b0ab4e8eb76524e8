"""The rbm-features route as the window takes it: a job with the rbm step trains the frozen RBM
under a classifier, then a supervised job that starts from its best.pt (`init_from`) trains the
classifier alone on the RBM's features; and the same through `train --step supervised
--init-from` on the command line. A checkpoint that does not fit fails the job with a message."""

from __future__ import annotations

import json

import numpy as np
import torch
from neurocanvas.engine.cli import main
from neurocanvas.engine.session.messages import Status
from neurocanvas.engine.session.training_job import TrainingJob
from neurocanvas.engine.training import RunFailed, RunFinished
from neurocanvas.engine.training.checkpoint import load_checkpoint


def _patterns_file(folder) -> str:
    """Two binary prototypes of 12 pixels with 5% of them flipped, labelled by prototype."""
    rng = np.random.default_rng(0)
    protos = np.array([[1] * 6 + [0] * 6, [0] * 6 + [1] * 6], dtype=np.float32)
    y = rng.integers(0, 2, 300)
    x = np.abs(protos[y] - (rng.random((300, 12)) < 0.05)).astype(np.float32)
    path = folder / "patterns.npz"
    np.savez(path, x=x, y=y)
    return str(path)


def _project(folder, step: str, hidden: int = 4) -> dict:
    nodes = [
        {"id": "input", "type": "Input", "params": {"shape": [12]}},
        {"id": "rbm", "type": "RBM", "params": {"hidden": hidden}, "trainable": False},
        {"id": "classifier", "type": "Dense", "params": {"units": 2, "activation": "softmax"}},
    ]
    edges = [
        {"from": ["input", 0], "to": ["rbm", 0]},
        {"from": ["rbm", 0], "to": ["classifier", 0]},
    ]
    return {
        "format": "neurocanvas",
        "version": 3,
        "name": "rbm features",
        "graphs": {"main": {"nodes": nodes, "edges": edges}},
        "data": {"source": _patterns_file(folder), "normalize": False, "split": [0.6, 0.2, 0.2]},
        "training": {
            "step": step,
            "optimizer": {"type": "SGD", "lr": 0.1, "momentum": 0.5},
            "epochs": 8,
            "batch_size": 20,
        },
    }


def _run(job) -> list:
    events = []
    job.run(events.append)
    return events


def test_the_classifier_trains_on_the_frozen_rbm_of_the_run_before(tmp_path):
    first = _run(TrainingJob(_project(tmp_path, "rbm"), run_dir=tmp_path / "rbm", insight=False))
    finished = next(e for e in first if isinstance(e, RunFinished))
    rbm_weights = load_checkpoint(finished.checkpoint)[0].state_dict()["rbm.weight"]
    job = TrainingJob(
        _project(tmp_path, "supervised"),
        run_dir=tmp_path / "classifier",
        insight=False,
        init_from=finished.checkpoint,
    )
    second = _run(job)
    status = [e.text for e in second if isinstance(e, Status)]
    # The classifier's weights come too: the rbm run left them as they were initialised.
    assert status == ["Starting from rbm: weights loaded for 2 node(s): rbm, classifier"]
    result = next(e for e in second if isinstance(e, (RunFinished, RunFailed)))
    assert isinstance(result, RunFinished), result
    assert result.test["accuracy"] > 0.9
    trained = job.trainer.model.state_dict()
    assert torch.equal(trained["rbm.weight"], rbm_weights)  # frozen: the RBM's features as given


def test_weights_of_another_shape_fail_the_job_with_a_message(tmp_path):
    first = _run(TrainingJob(_project(tmp_path, "rbm"), run_dir=tmp_path / "rbm", insight=False))
    checkpoint = next(e for e in first if isinstance(e, RunFinished)).checkpoint
    other = TrainingJob(_project(tmp_path, "supervised", hidden=5), insight=False)
    other.init_from = checkpoint
    failed = next(e for e in _run(other) if isinstance(e, RunFailed))
    assert "Could not start from those weights" in failed.message and "rbm" in failed.message


def test_the_command_line_route(tmp_path, capsys):
    path = tmp_path / "rbm.json"
    path.write_text(json.dumps(_project(tmp_path, "rbm")))
    assert main(["train", str(path), "--out", str(tmp_path / "rbm"), "--device", "cpu"]) == 0
    checkpoint = tmp_path / "rbm" / "best.pt"
    out = tmp_path / "classifier"
    argv = ["train", str(path), "--step", "supervised", "--init-from", str(checkpoint)]
    assert main([*argv, "--out", str(out), "--json", "--device", "cpu"]) == 0
    captured = capsys.readouterr()
    assert "weights loaded for 2 node(s): rbm, classifier" in captured.err
    final = json.loads(captured.out.strip().splitlines()[-1])
    assert final["test"]["accuracy"] > 0.9
