"""Normalization: statistics adapted from the training split like keras.layers.Normalization.adapt,
counted as Keras counts them, and carried into ONNX."""

from __future__ import annotations

import keras_oracle as ko
import numpy as np
import pytest
import torch
from neurocanvas.engine import project as project_io
from neurocanvas.engine.compiler import compile_graph
from neurocanvas.engine.data import DataConfig, load_dataset, prepare
from neurocanvas.engine.graph import chain
from neurocanvas.engine.summary import summarize
from neurocanvas.engine.training import Trainer
from neurocanvas.engine.training.adapt import adapt_normalizations

keras = ko.keras
CPU = torch.device("cpu")
KERAS_AXIS = {"last": -1, "first": 1, "all": None}


@pytest.mark.parametrize(
    "shape,axis", [((4,), "last"), ((5, 3), "last"), ((3, 6, 6), "first"), ((2, 4), "all")]
)
def test_adapt_equals_keras_adapt(shape, axis):
    rng = np.random.default_rng(0)
    data = (rng.normal(size=(300, *shape)) * rng.uniform(0.5, 4, size=shape) + 3).astype("f4")
    graph = chain(("Input", {"shape": list(shape)}), ("Normalization", {"axis": axis}))
    model = compile_graph(graph, seed=0).eval()
    adapt_normalizations(model, torch.from_numpy(data), CPU)

    layer = keras.layers.Normalization(axis=KERAS_AXIS[axis])
    keras_model = keras.Sequential([keras.Input(shape), layer])
    layer.adapt(data)
    mean, variance, _ = layer.get_weights()
    ours = next(m for m in model.modules() if hasattr(m, "variance"))
    np.testing.assert_allclose(ko._np(ours.mean), mean.reshape(-1), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(ko._np(ours.variance), variance.reshape(-1), rtol=1e-4)
    x = torch.from_numpy(data[:7])
    assert ko.max_difference(model, keras_model, [x]) < 1e-4
    # mean, variance and count: non-trainable weights in Keras, buffers here
    assert ko.ours(summarize(graph)) == ko.counts(keras_model)


def test_a_run_adapts_to_the_training_split_only(tmp_path):
    csv = tmp_path / "table.csv"
    rng = np.random.default_rng(1)
    rows = rng.normal(size=(120, 3)) * [1, 10, 100] + [0, 50, -500]
    lines = ["a,b,c,label"] + [f"{a},{b},{c},{int(a > 0)}" for a, b, c in rows]
    csv.write_text("\n".join(lines) + "\n", encoding="utf-8")
    cfg = DataConfig(source=str(csv), target="label", normalize=False, split=(0.5, 0.5, 0.0))
    data = prepare(load_dataset(cfg), cfg)
    graph = chain(("Input", {"shape": [3]}), ("Normalization", {}), ("Dense", {"units": 2}))
    project = project_io.Project("norm", graph=graph)
    trainer = Trainer(project, data, {"epochs": 1, "batch_size": 16, "checkpoint": False})
    assert trainer.run().__class__.__name__ == "RunFinished"
    layer = next(m for m in trainer.model.modules() if hasattr(m, "variance"))
    train_x = data.train.x.double()
    torch.testing.assert_close(layer.mean.double(), train_x.mean(0), rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(
        layer.variance.double(), train_x.var(0, unbiased=False), rtol=1e-5, atol=1e-4
    )
    assert not torch.allclose(layer.mean.double(), data.val.x.double().mean(0), atol=1e-3)
    assert layer.count.item() == len(data.train.x)


def test_the_statistics_travel_into_onnx(tmp_path):
    onnxruntime = pytest.importorskip("onnxruntime")
    from neurocanvas.engine.export import export, load_source

    graph = chain(("Input", {"shape": [3]}), ("Normalization", {}), ("Dense", {"units": 2}))
    source = load_source(project_io.Project("norm", graph=graph), seed=0)
    x = torch.randn(500, 3) * torch.tensor([1.0, 10.0, 100.0]) + 7
    adapt_normalizations(source.model, x, CPU)
    result = export(source, "onnx", tmp_path / "model.onnx")
    session = onnxruntime.InferenceSession(str(result.path))
    sample = x[:4].numpy()
    (got,) = session.run(None, {session.get_inputs()[0].name: sample})
    with torch.no_grad():
        expected = source.model(x[:4]).numpy()
    np.testing.assert_allclose(got, expected, atol=1e-5)
    layer = next(m for m in source.model.modules() if hasattr(m, "variance"))
    assert layer.variance.max() > 100  # adapted, not the initial ones
