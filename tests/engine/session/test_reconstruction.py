"""The Autoencoder tab's pictures: the bottleneck of the autoencoder templates, a code decoded by
replacing the bottleneck's output (against the decoder layer applied by hand), the latent plane's
grid, and a denoising run's snapshots (inputs, noisy inputs, reconstructions and the latent
points against the model and scikit-learn's PCA computed here)."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from neurocanvas.engine import project as project_io
from neurocanvas.engine.compiler import compile_graph
from neurocanvas.engine.data import DataConfig, Dataset, prepare
from neurocanvas.engine.data.info import make_info
from neurocanvas.engine.session import reconstruction
from neurocanvas.engine.session.reconstruction import (
    AutoencoderCallback,
    bottleneck_node,
    decode,
    plane_codes,
)
from neurocanvas.engine.shapes import AutoSizes
from neurocanvas.engine.templates import load_template
from neurocanvas.engine.training import RunFinished, Trainer
from sklearn.decomposition import PCA


def _chain(layers, name="ae", training=None):
    nodes = [{"id": "input", "type": "Input", "params": {"shape": "auto"}}]
    nodes += [{"id": i, "type": t, "params": p} for i, t, p in layers]
    edges = [{"from": [a["id"], 0], "to": [b["id"], 0]} for a, b in zip(nodes, nodes[1:])]
    return project_io.from_dict(
        {
            "format": "neurocanvas",
            "version": 3,
            "name": name,
            "graphs": {"main": {"nodes": nodes, "edges": edges}},
            "training": training or {},
        }
    )


def test_the_bottleneck_of_the_autoencoder_templates():
    x = torch.rand(2, 1, 28, 28)
    for template, expected in (
        ("conv-autoencoder", ("bottleneck", 32 * 7 * 7)),
        ("vae-mnist", ("z", 2)),
    ):
        graph = load_template(template).graph
        model = compile_graph(graph, auto=AutoSizes((1, 28, 28)))
        assert bottleneck_node(model, graph, x) == expected


def test_a_code_is_decoded_by_the_layers_after_the_bottleneck():
    project = _chain([("latent", "Dense", {"units": 2}), ("out", "Dense", {"units": 6})])
    model = compile_graph(project.graph, auto=AutoSizes((6,)))
    codes = torch.tensor([[0.5, -1.0], [2.0, 0.0], [0.0, 0.0]])
    out_layer = next(
        m for m in model.modules() if isinstance(m, torch.nn.Linear) and m.in_features == 2
    )
    expected = F.linear(codes, out_layer.weight, out_layer.bias)
    decoded = decode(model, "latent", codes, torch.rand(4, 6))
    torch.testing.assert_close(decoded, expected.detach())


def test_the_latent_plane_grid_reads_from_the_top_left():
    rng = np.random.default_rng(0)
    coords = rng.uniform(-1, 1, (400, 2))
    codes, (x0, x1, y0, y1) = plane_codes(coords, size=3)
    low, high = np.percentile(coords, [2, 98], axis=0)
    assert (x0, x1, y0, y1) == (low[0], high[0], low[1], high[1])
    grid = codes.numpy().reshape(3, 3, 2)
    np.testing.assert_allclose(grid[0, 0], [low[0], high[1]], rtol=1e-6)  # top left
    np.testing.assert_allclose(grid[2, 2], [high[0], low[1]], rtol=1e-6)  # bottom right
    np.testing.assert_allclose(grid[1, 1], (low + high) / 2, rtol=1e-5)


def _denoising_data():
    rng = np.random.default_rng(0)
    x = torch.from_numpy(rng.uniform(0.0, 1.0, (120, 6))).float()
    y = torch.arange(120) % 3
    info = make_info(x, y, task="multiclass", class_names=["a", "b", "c"], source="t")
    cfg = DataConfig(
        source="t.npz",
        split=(0.6, 0.2, 0.2),
        reconstruct=True,
        normalize=False,
        input_noise="masking",
        input_noise_strength=0.3,
    )
    return prepare(Dataset(x, y, info), cfg)


def test_a_denoising_runs_snapshots(monkeypatch):
    monkeypatch.setattr(reconstruction, "INTERVAL", 0.0)  # a picture every epoch
    project = _chain(
        [
            ("latent", "Dense", {"units": 3, "activation": "relu"}),
            ("out", "Dense", {"units": 6}),
            ("sig", "Sigmoid", {}),
        ],
        training={
            "loss": "binary_cross_entropy",
            "epochs": 2,
            "batch_size": 16,
            "checkpoint": False,
        },
    )
    data = _denoising_data()
    sent = []
    trainer = Trainer(project, data, device="cpu", callbacks=[AutoencoderCallback(sent.append)])
    assert isinstance(trainer.run(), RunFinished)
    assert [s.epoch for s in sent] == [1, 2]
    picture = sent[-1].autoencoder
    noisy, clean = trainer.splits["test"]
    np.testing.assert_array_equal(picture["inputs"], data.test.x[:8].numpy())
    np.testing.assert_array_equal(picture["noisy"], noisy[:8].numpy())
    assert (picture["noisy"] != picture["inputs"]).any()  # masking zeroed some values
    model = trainer.model.eval()
    with torch.no_grad():
        np.testing.assert_allclose(picture["outputs"], model(noisy[:8]).numpy(), rtol=1e-5)
    latent = picture["latent"]
    assert latent["node"] == "latent" and latent["width"] == 3 and latent["method"] == "PCA"
    code_layer = next(m for m in model.modules() if isinstance(m, torch.nn.Linear))
    with torch.no_grad():
        hidden = torch.relu(F.linear(noisy, code_layer.weight, code_layer.bias)).numpy()
    expected = PCA(2).fit_transform(hidden.astype(np.float64))
    # PCA's signs are arbitrary: compare each axis up to its sign
    for axis in range(2):
        got, want = latent["coords"][:, axis], expected[:, axis]
        sign = np.sign(np.dot(got, want)) or 1.0
        np.testing.assert_allclose(got * sign, want, atol=1e-4)
    np.testing.assert_array_equal(latent["labels"], data.test.y.numpy())
    assert "plane" not in picture  # a 3-number code has no plane to walk


def test_a_classifier_run_gets_no_autoencoder_pictures():
    project = _chain([("out", "Dense", {"units": 3})], training={"epochs": 1, "checkpoint": False})
    rng = np.random.default_rng(1)
    x = torch.from_numpy(rng.normal(size=(60, 4))).float()
    y = torch.arange(60) % 3
    info = make_info(x, y, task="multiclass", class_names=["a", "b", "c"], source="t")
    data = prepare(Dataset(x, y, info), DataConfig(source="t.npz", split=(0.6, 0.2, 0.2)))
    sent = []
    Trainer(project, data, device="cpu", callbacks=[AutoencoderCallback(sent.append)]).run()
    assert sent == []


def test_a_two_number_code_gets_its_latent_plane_decoded():
    project = _chain(
        [
            ("latent", "Dense", {"units": 2}),
            ("out", "Dense", {"units": 6}),
            ("sig", "Sigmoid", {}),
        ],
        training={"loss": "binary_cross_entropy", "epochs": 1, "checkpoint": False},
    )
    sent = []
    trainer = Trainer(
        project, _denoising_data(), device="cpu", callbacks=[AutoencoderCallback(sent.append)]
    )
    trainer.run()
    picture = sent[-1].autoencoder
    assert picture["latent"]["method"] == "" and picture["latent"]["coords"].shape == (24, 2)
    plane = picture["plane"]
    codes, extent = plane_codes(picture["latent"]["coords"], plane["size"])
    assert plane["extent"] == extent and plane["samples"].shape == (15 * 15, 6)
    out_layer = [m for m in trainer.model.modules() if isinstance(m, torch.nn.Linear)][-1]
    with torch.no_grad():
        expected = torch.sigmoid(F.linear(codes, out_layer.weight, out_layer.bias)).numpy()
    np.testing.assert_allclose(plane["samples"], expected, rtol=1e-5, atol=1e-6)
