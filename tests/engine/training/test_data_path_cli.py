"""Regression tests for the data path through training and `neurocanvas evaluate`: token-id (int64)
data trains an Embedding model, the packaged iris trains the tabular template, and evaluating on
another file numbers its labels by the checkpoint's classes and scores all its rows."""

from __future__ import annotations

import json

import numpy as np
import torch
from neurocanvas.engine import project as project_io
from neurocanvas.engine.cli import main
from neurocanvas.engine.data import DataConfig, load_dataset, prepare
from neurocanvas.engine.training import RunFinished, TrainConfig, Trainer


def test_embedding_lstm_trains_on_token_ids(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.integers(1, 20, size=(64, 8))
    y = (x[:, 0] > 10).astype(np.int64)  # the class is in the first token
    np.savez(tmp_path / "tokens.npz", x=x, y=y)
    cfg = DataConfig(source=str(tmp_path / "tokens.npz"), split=(0.75, 0.25, 0.0))
    data = prepare(load_dataset(cfg), cfg)
    assert data.info.input_dtype == "int64" and data.train.x.dtype == torch.int64
    layers = [
        ("input", "Input", {"shape": "auto", "dtype": "int64"}),
        ("embed", "Embedding", {"num_embeddings": 20, "embedding_dim": 8}),
        ("lstm", "LSTM", {"hidden_size": 8, "num_layers": 1, "return_sequences": False}),
        ("out", "Dense", {"units": "auto"}),
    ]
    nodes = [{"id": i, "type": t, "params": p} for i, t, p in layers]
    edges = [{"from": [a[0], 0], "to": [b[0], 0]} for a, b in zip(layers, layers[1:])]
    project = project_io.from_dict(
        {"format": "neurocanvas", "version": 1, "name": "tokens",
         "graph": {"nodes": nodes, "edges": edges}, "training": {}}
    )  # fmt: skip
    config = TrainConfig.from_dict({"epochs": 2, "batch_size": 16})
    result = Trainer(project, data, config, device="cpu", run_dir=tmp_path / "run").run()
    assert isinstance(result, RunFinished), getattr(result, "message", result)
    assert result.epochs_run == 2


def _iris_files(tmp_path):
    from neurocanvas.engine.data.config import packaged_path

    lines = packaged_path("iris").read_text().splitlines()
    header, rows = lines[0], lines[1:]
    no_setosa = tmp_path / "iris_no_setosa.csv"
    no_setosa.write_text("\n".join([header] + [r for r in rows if "setosa" not in r]) + "\n")
    extra = tmp_path / "iris_extra.csv"
    extra.write_text("\n".join([header] + rows + ["5.0,3.0,1.0,0.2,Iris-extra"]) + "\n")
    return no_setosa, extra


def test_tabular_template_trains_on_iris_and_evaluates_on_other_files(tmp_path, capsys):
    run = tmp_path / "r_iris"
    args = ["train", "tabular-mlp", "--epochs", "5", "--out", str(run), "--json"]
    assert main(args) == 0
    final = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert final["final"] is True and final["class_names"] == [
        "Iris-setosa",
        "Iris-versicolor",
        "Iris-virginica",
    ]
    weights = str(run / "best.pt")
    no_setosa, extra = _iris_files(tmp_path)

    # Another file: labels follow the checkpoint's classes, and every row is scored by default.
    assert main(["evaluate", "tabular-mlp", "--weights", weights, "--data", str(no_setosa),
                 "--json"]) == 0  # fmt: skip
    other = json.loads(capsys.readouterr().out)
    assert other["split"] == "all" and other["num_samples"] == 100
    assert other["metrics"]["accuracy"] > 0.5  # was 0.0: labels went under the wrong classes
    assert other["confusion_matrix"][0] == [0, 0, 0]  # no setosa rows, none predicted there

    # --split test scores only that file's test split, and the text output says which was used.
    assert main(["evaluate", "tabular-mlp", "--weights", weights, "--data", str(no_setosa),
                 "--split", "test"]) == 0  # fmt: skip
    out = capsys.readouterr().out
    assert "on the test split of" in out
    assert main(["evaluate", "tabular-mlp", "--weights", weights]) == 0
    assert "on the test split of" in capsys.readouterr().out  # the project's own data: test

    # A label the model never saw: a clear usage error (exit 2), not a traceback.
    assert main(["evaluate", "tabular-mlp", "--weights", weights, "--data", str(extra)]) == 2
    err = capsys.readouterr().err
    assert (
        "Traceback" not in err and "'Iris-extra'" in err and "not among the model's classes" in err
    )
