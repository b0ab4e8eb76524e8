"""Regression tests for the data path: labels numbered by a model's classes, the packaged iris,
`--data` keeping the project's settings, int64 token features, train-only missing-value fills and
the single task -> loss table."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from neurocanvas.engine.data import DataConfig, DataError, Preprocessing, load_dataset, prepare
from neurocanvas.engine.data.info import TASK_LOSS, encode_target
from neurocanvas.engine.data.splits import split_indices
from neurocanvas.engine.training.data_adapter import data_config

IRIS_NAMES = ["Iris-setosa", "Iris-versicolor", "Iris-virginica"]


# --- 1: labels against a trained model's class names ------------------------------------------


def test_encode_target_uses_given_class_names_for_a_subset():
    values = np.array(["b", "c", "c", "b"], dtype=object)
    y, task, names = encode_target(values, task=None, where="t", class_names=["a", "b", "c"])
    assert y.tolist() == [1, 2, 2, 1]  # not renumbered 0/1 from this file's own values
    assert task == "multiclass" and names == ["a", "b", "c"]
    # A single class is fine when the classes come from the model (nothing is learned here).
    y, _, _ = encode_target(np.array([2, 2]), task=None, where="t", class_names=["0", "1", "2"])
    assert y.tolist() == [2, 2]


def test_encode_target_refuses_unknown_labels_by_name():
    with pytest.raises(DataError, match="'zebra'.*not among the model's classes"):
        encode_target(np.array(["a", "zebra"]), task=None, where="t", class_names=["a", "b"])


def test_load_csv_with_class_names(write):
    path = write("sub.csv", "x,label\n1,virginica\n2,versicolor\n3,virginica\n")
    ds = load_dataset(
        DataConfig(source=str(path)), class_names=["setosa", "versicolor", "virginica"]
    )
    assert ds.y.tolist() == [2, 1, 2]
    assert ds.info.num_outputs == 3 and ds.info.task == "multiclass"
    assert ds.info.class_counts == [0, 1, 2]


def test_array_and_image_sources_follow_class_names(tmp_path):
    np.savez(
        tmp_path / "a.npz", x=np.random.rand(4, 2).astype(np.float32), y=np.array([3, 1, 3, 1])
    )
    ds = load_dataset(str(tmp_path / "a.npz"), class_names=["0", "1", "2", "3"])
    assert ds.y.tolist() == [3, 1, 3, 1] and ds.info.num_outputs == 4
    with pytest.raises(DataError, match="'3'"):
        load_dataset(str(tmp_path / "a.npz"), class_names=["0", "1"])


# --- 6: the packaged iris ----------------------------------------------------------------------


def test_iris_is_a_packaged_data_set():
    ds = load_dataset("iris")
    assert len(ds) == 150 and ds.info.feature_shape == (4,)
    assert ds.info.feature_names == ["sepal_length", "sepal_width", "petal_length", "petal_width"]
    assert ds.info.class_names == IRIS_NAMES and ds.info.class_counts == [50, 50, 50]
    assert DataConfig.from_spec("iris").source == "iris"


# --- 2: --data keeps the project's other settings -----------------------------------------------


def test_spec_keeps_the_projects_data_settings(write):
    path = write("t.csv", "a,b,kind,score\n1,2,x,0.5\n3,4,y,1.5\n5,6,x,2.5\n7,8,y,3.5\n")
    project = {
        "source": "iris",
        "target": "kind",
        "task": "binary",
        "missing": "mean",
        "normalize": False,
        "params": {"ignore": ["a"]},
        "split": [0.5, 0.25, 0.25],
        "seed": 3,
    }
    cfg = data_config(project, str(path))
    assert cfg.source == str(path)
    assert (cfg.target, cfg.task, cfg.missing, cfg.normalize) == ("kind", "binary", "mean", False)
    assert cfg.params == {"ignore": ["a"]} and cfg.split == (0.5, 0.25, 0.25) and cfg.seed == 3


def test_spec_drops_target_and_params_when_they_do_not_apply(write):
    path = write("t.csv", "a,b,label\n1,2,x\n3,4,y\n")
    notes: list[str] = []
    cfg = data_config({"source": "iris", "target": "species"}, str(path), notes)
    assert cfg.target is None and any("species" in n for n in notes)  # no such column
    cfg = data_config({"source": "moons", "params": {"n": 50}, "normalize": False}, str(path))
    assert cfg.params == {} and cfg.normalize is False  # synthetic -> file: params dropped
    cfg = data_config({"source": "moons", "params": {"n": 50, "noise": 0.1}}, "circles:n=80")
    assert cfg.params == {"n": 80, "noise": 0.1}  # same kind: merged, the spec wins


# --- 3: integer features are token ids ----------------------------------------------------------


def test_integer_npz_features_stay_int64_and_are_not_normalised(tmp_path):
    x = np.random.default_rng(0).integers(0, 50, size=(40, 6))
    np.savez(tmp_path / "tok.npz", x=x, y=np.arange(40) % 2)
    cfg = DataConfig(source=str(tmp_path / "tok.npz"))
    ds = load_dataset(cfg)
    assert ds.x.dtype == torch.int64 and ds.info.input_dtype == "int64"
    data = prepare(ds, cfg)
    assert data.train.x.dtype == torch.int64 and data.preprocessing.kind == "none"
    assert torch.equal(torch.sort(torch.cat([data.train.x, data.val.x, data.test.x]).flatten())[0],
                       torch.sort(ds.x.flatten())[0])  # fmt: skip
    again = Preprocessing.from_dict(data.preprocessing.to_dict())
    assert again.input_dtype == "int64" and torch.equal(again.apply(ds.x), ds.x)
    # float features are still standardised
    np.savez(tmp_path / "f.npz", x=x.astype(np.float32), y=np.arange(40) % 2)
    assert prepare(load_dataset(str(tmp_path / "f.npz"))).preprocessing.kind == "standardize"


# --- 4: missing values are filled from the training split only ----------------------------------


def _csv_with_gaps(values: list[float | None], colour: list[str | None]) -> str:
    lines = ["v,colour,label"]
    for i, (v, c) in enumerate(zip(values, colour, strict=True)):
        lines.append(f"{'' if v is None else v},{'' if c is None else c},{i % 2}")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("how", ["mean", "median", "most_frequent"])
def test_fill_values_come_from_the_training_split(write, how):
    n = 40
    values: list[float | None] = [float(i % 7) for i in range(n)]
    colour: list[str | None] = ["red" if i % 3 else "blue" for i in range(n)]
    for i in (0, 5, 11, 17, 30):
        values[i] = None
        colour[i] = None
    cfg_kw = {"missing": how, "split": (0.5, 0.25, 0.25), "seed": 1, "normalize": False}
    first = write("a.csv", _csv_with_gaps(values, colour))
    cfg = DataConfig(source=str(first), **cfg_kw)
    ds = load_dataset(cfg)
    assert torch.isnan(ds.x).any()  # left for prepare
    data = prepare(ds, cfg)
    tr, _, te = split_indices(n, cfg.split, seed=cfg.seed, y=ds.y, class_names=ds.info.class_names)
    rows = [i for i in range(n) if values[i] is not None]
    train_known = [values[i] for i in sorted(tr) if values[i] is not None]
    expected = {
        "mean": float(np.mean(train_known)),
        "median": float(np.median(train_known)),
        "most_frequent": float(np.bincount(np.array(train_known, dtype=int)).argmax()),
    }[how]
    fill = data.preprocessing.fill
    assert fill is not None and fill[0] == pytest.approx(expected, rel=1e-5)
    assert not torch.isnan(torch.cat([data.train.x, data.val.x, data.test.x])).any()
    assert any("training split" in line for line in data.report)
    # Change only the test rows' values (the split does not change): the fill must not move.
    changed = list(values)
    for i in te:
        if changed[int(i)] is not None:
            changed[int(i)] = 1000.0 + int(i)
    assert any(changed[i] != values[i] for i in rows)
    second = write("b.csv", _csv_with_gaps(changed, colour))
    cfg2 = DataConfig(source=str(second), **cfg_kw)
    data2 = prepare(load_dataset(cfg2), cfg2)
    assert data2.preprocessing.fill == fill
    # The record stays plain and loadable with weights_only.
    record = data.preprocessing.to_dict()
    path = write("p.pt", b"")
    torch.save(record, path)
    assert torch.load(path, weights_only=True)["fill"] == record["fill"]
    assert Preprocessing.from_dict(record).fill == fill


def test_one_hot_missing_cells_get_the_training_splits_most_frequent_category(write):
    text = "colour,label\n" + "".join(
        f"{'' if i % 10 == 0 else ('red' if i % 4 else 'blue')},{i % 2}\n" for i in range(40)
    )
    cfg = DataConfig(source=str(write("c.csv", text)), missing="most_frequent", normalize=False)
    data = prepare(load_dataset(cfg), cfg)
    assert data.info.feature_names == ["colour=blue", "colour=red"]
    assert data.preprocessing.fill == [0.0, 1.0]
    filled = torch.cat([data.train.x, data.val.x, data.test.x])
    assert not torch.isnan(filled).any() and torch.all(filled.sum(1) == 1)


# --- 7: one task -> loss table ------------------------------------------------------------------


def test_one_task_loss_table_serves_data_and_training():
    import neurocanvas.engine.data as data_pkg
    from neurocanvas.engine.training import losses

    assert losses.TASK_LOSS is TASK_LOSS and not hasattr(losses, "_TASK_LOSS")
    assert load_dataset("xor").info.suggested_loss == TASK_LOSS["binary"]
    assert not hasattr(data_pkg, "labels_for_loss")  # losses.prepare_target is the one converter
