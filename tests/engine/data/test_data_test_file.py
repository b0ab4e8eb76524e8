"""A separate test file (`test_source`, `--test-data`): the test split as it is, for every kind
of data; validation then comes from the training source."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from neurocanvas.engine.cli import main
from neurocanvas.engine.data import DataConfig, DataError, load_dataset, prepare
from neurocanvas.engine.data.settings import DATA_SETTINGS
from test_data_sources import make_image_folder


def _table(write, name, rows):
    return str(write(name, "a,b,label\n" + "".join(f"{a},{b},{c}\n" for a, b, c in rows)))


def _rows(n, offset=0.0):
    return [(i + offset, (i * 7) % 5 + offset, "yes" if i % 2 else "no") for i in range(n)]


def test_a_table_test_file_is_the_test_split_as_it_is(write):
    train, test = _table(write, "train.csv", _rows(20)), _table(write, "test.csv", _rows(7, 0.5))
    cfg = DataConfig(source=train, test_source=test, split=(0.75, 0.25, 0.0))
    data = prepare(load_dataset(cfg), cfg)
    assert (len(data.train), len(data.val), len(data.test)) == (16, 4, 7)  # 7.5 per class: 8
    raw = data.preprocessing.invert(data.test.x)
    expected = torch.tensor([[a, b] for a, b, _ in _rows(7, 0.5)], dtype=torch.float32)
    torch.testing.assert_close(raw, expected)  # every test row, in file order, unshuffled
    assert data.test.y.tolist() == [0, 1, 0, 1, 0, 1, 0]
    # statistics from the training file's training split only
    assert data.preprocessing.mean[0].item() != pytest.approx(expected[:, 0].mean().item())


def test_the_test_file_labels_are_numbered_by_the_training_classes(write):
    train = _table(write, "train.csv", [(1, 2, "b"), (2, 3, "c"), (3, 4, "a")] * 4)
    test = _table(write, "test.csv", [(1, 2, "c"), (2, 3, "c")])
    ds = load_dataset(DataConfig(source=train, test_source=test, stratify=False))
    assert ds.info.class_names == ["a", "b", "c"] and ds.test.y.tolist() == [2, 2]
    unknown = _table(write, "unknown.csv", [(1, 2, "d")])
    with pytest.raises(DataError, match="'d'"):
        load_dataset(DataConfig(source=train, test_source=unknown))


def test_other_columns_in_the_test_file_are_refused_naming_it(write):
    train = _table(write, "train.csv", _rows(10))
    other = str(write("other.csv", "a,c,label\n1,2,yes\n2,3,no\n"))
    with pytest.raises(DataError) as caught:
        load_dataset(DataConfig(source=train, test_source=other))
    assert caught.value.path == other and "only in the training data: b" in str(caught.value)


def test_sequence_files_of_other_lengths_are_padded_alike(write):
    train = write("a_TRAIN.ts", "@classLabel true x y\n@data\n1,2,3:x\n4,5,6:y\n7,8,9:x\n1,1,1:y\n")
    test = write("a_TEST.ts", "@classLabel true x y\n@data\n1,2,3,4,5:y\n")
    ds = load_dataset(DataConfig(source=str(train), test_source=str(test), split=(0.5, 0.5, 0)))
    assert ds.x.shape == ds.test.x.shape[:0] + (4, 2, 5) and ds.test.x.shape == (1, 2, 5)
    assert ds.x[:, -1].sum(-1).tolist() == [3, 3, 3, 3] and ds.test.x[0, -1].sum() == 5
    data = prepare(ds, DataConfig(source=str(train), test_source=str(test), split=(0.5, 0.5, 0)))
    assert data.test.x.shape == (1, 2, 5) and (data.train.x[..., 3:] == 0).all()


def test_image_folders_test_images_take_the_training_size(tmp_path):
    train = make_image_folder(tmp_path / "train", size=(10, 12))
    test = make_image_folder(tmp_path / "test", size=(20, 8), per_class=2)
    cfg = DataConfig(source=str(train), test_source=str(test), split=(0.5, 0.5, 0.0))
    data = prepare(load_dataset(cfg), cfg)
    assert data.test.x.shape == (4, 3, 10, 12) and len(data.train) + len(data.val) == 8


def test_a_series_test_file_gives_the_test_windows(write):
    def series(name, start):
        return str(write(name, "t,v\n" + "".join(f"{i},{start + i}\n" for i in range(30))))

    cfg = DataConfig(
        source=series("train.csv", 0),
        test_source=series("test.csv", 100),
        split=(0.8, 0.2, 0.0),
        params={"layout": "series", "window": 4},
    )
    data = prepare(load_dataset(cfg), cfg)
    assert len(data.test) == 26
    torch.testing.assert_close(data.test.y[:2], torch.tensor([104.0, 105.0]))
    assert float(data.preprocessing.mean.flatten()[0]) < 30  # from the training file only


def test_test_source_is_a_data_setting_that_round_trips(write):
    spec = next(s for s in DATA_SETTINGS if s.name == "test_source")
    assert spec.optional and spec.label == "test file"
    cfg = DataConfig(source="x.csv", test_source="y.csv")
    assert DataConfig.from_dict(json.loads(json.dumps(cfg.to_dict()))) == cfg
    with pytest.raises(DataError, match="test_source"):
        DataConfig(source="x.csv", test_source="mnist")


def test_cli_train_with_test_data(tmp_path, write, capsys):
    rng = np.random.default_rng(0)

    def rows(n):
        x = rng.normal(size=(n, 2))
        return [(round(a, 4), round(b, 4), int(a + b > 0)) for a, b in x]

    train, test = _table(write, "train.csv", rows(60)), _table(write, "test.csv", rows(17))
    args = ["train", "tabular-mlp", "--data", train, "--test-data", test, "--epochs", "1"]
    assert main(args + ["--out", str(tmp_path / "run"), "--json"]) == 0
    final = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert final["final"] is True
    assert main(args[:5] + [str(tmp_path / "none.csv"), "--epochs", "1"]) == 2
    assert "--test-data" in capsys.readouterr().err


def test_another_data_file_does_not_keep_the_projects_test_file(write):
    from neurocanvas.engine.training.data_adapter import data_config

    train, test = _table(write, "train.csv", _rows(10)), _table(write, "test.csv", _rows(4))
    other = _table(write, "other.csv", _rows(10))
    notes: list[str] = []
    project = DataConfig(source=train, test_source=test).to_dict()
    assert data_config(project).test_source == test
    assert data_config(project, other, notes).test_source is None
    assert any("test file" in note for note in notes)
