"""model.py states the input preprocessing it expects (issue 14.17): in its docstring, and as
`preprocess(x)`, which must prepare raw inputs exactly as NeuroCanvas' own Preprocessing does."""

from __future__ import annotations

import torch
from neurocanvas.engine.data import DataConfig, Preprocessing, load_dataset, prepare
from neurocanvas.engine.export.bundle import load_source
from neurocanvas.engine.export.code import export_pytorch, load_generated_module
from neurocanvas.engine.templates import load_template
from neurocanvas.engine.training import Trainer

CHURN = "id,age,usage,region,churn\n" + "".join(
    f"{i},{20 + i},{'' if i == 3 else 10 + 3 * i},{['north', 'south', 'east'][i % 3]},"
    f"{'yes' if i % 2 else 'no'}\n"
    for i in range(24)
)


def test_model_py_states_and_applies_a_tables_preprocessing(tmp_path):
    path = tmp_path / "churn.csv"
    path.write_text(CHURN)
    project = load_template("tabular-mlp")
    project.data = {"source": str(path), "missing": "mean", "params": {"ignore": ["id"]}}
    project.training = {**project.training, "epochs": 1}
    cfg = DataConfig.from_dict(project.data)
    ds = load_dataset(cfg)
    data = prepare(ds, cfg)
    result = Trainer(project, data, run_dir=tmp_path / "run").run()
    source = load_source(None, result.checkpoint)
    export_pytorch(source, tmp_path / "out", train_script=False)
    code = (tmp_path / "out" / "model.py").read_text()
    doc = code.split('"""')[1]
    assert "standardised per feature: (x - MEAN) / STD" in doc
    assert "missing values (NaN) are filled" in doc
    assert "feature columns age, usage, region=east, region=north, region=south" in doc
    assert "region (onehot)" in doc
    module = load_generated_module(tmp_path / "out" / "model.py")
    assert module.FEATURES == ["age", "usage", "region=east", "region=north", "region=south"]
    # The oracle: NeuroCanvas' own preprocessing of the same raw rows (with a missing cell).
    pre = Preprocessing.from_dict(source.preprocessing)
    assert torch.isnan(ds.x).any()
    assert torch.allclose(module.preprocess(ds.x.clone()), pre.apply(ds.x.clone()), atol=1e-6)


def test_model_py_of_an_image_model_scales_raw_pixels(tmp_path):
    pre = Preprocessing(
        kind="image",
        scale=1 / 255,
        mean=torch.tensor([[[0.13]]]),
        std=torch.tensor([[[0.31]]]),
        feature_shape=(1, 28, 28),
    )
    source = load_source(load_template("seed-cnn"))
    source.preprocessing = pre.to_dict()
    export_pytorch(source, tmp_path, train_script=False)
    doc = (tmp_path / "model.py").read_text().split('"""')[1]
    assert "multiplied by 0.00392157" in doc and "standardised per channel" in doc
    module = load_generated_module(tmp_path / "model.py")
    raw = torch.randint(0, 256, (3, 1, 28, 28), dtype=torch.uint8)
    assert torch.allclose(module.preprocess(raw), pre.apply(raw), atol=1e-6)


def test_model_py_without_a_record_says_so(tmp_path):
    export_pytorch(load_source(load_template("seed-cnn")), tmp_path, train_script=False)
    module = load_generated_module(tmp_path / "model.py")
    assert "no preprocessing was recorded" in (tmp_path / "model.py").read_text()
    x = torch.randn(2, 1, 28, 28)
    assert torch.equal(module.preprocess(x), x)
