"""DataConfig round trip and the CLI's --data SPEC parsing."""

from __future__ import annotations

import json

import pytest
from neurocanvas.engine.data import DataConfig, DataError


def test_round_trip_json():
    d = {"source": "xor", "params": {"n": 400, "noise": 0.1}, "split": [0.7, 0.15, 0.15], "seed": 0,
         "normalize": True, "target": None, "task": None, "missing": "drop", "augment": []}  # fmt: skip
    cfg = DataConfig.from_dict(d)
    again = DataConfig.from_dict(json.loads(json.dumps(cfg.to_dict())))
    assert again == cfg and again.params == {"n": 400, "noise": 0.1}


def test_minimal_project_file_data():
    cfg = DataConfig.from_dict({"source": "mnist", "split": [0.7, 0.15, 0.15], "seed": 0})
    assert cfg.source == "mnist" and cfg.normalize


def test_unknown_keys_and_bad_values():
    with pytest.raises(DataError, match="unknown data setting.*'sauce'"):
        DataConfig.from_dict({"sauce": "xor"})
    with pytest.raises(DataError, match="task"):
        DataConfig(source="xor", task="ranking")
    with pytest.raises(DataError, match="missing"):
        DataConfig(source="xor", missing="guess")
    with pytest.raises(DataError, match="augmentation"):
        DataConfig(source="xor", augment=["mirror"])


def test_from_spec(tmp_path):
    assert DataConfig.from_spec("XOR").source == "xor"
    assert DataConfig.from_spec("Fashion_MNIST").source == "fashion-mnist"
    cfg = DataConfig.from_spec("blobs:n=90,classes=4,noise=0.2")
    assert cfg.params == {"n": 90, "classes": 4, "noise": 0.2}
    f = tmp_path / "a.csv"
    f.write_text("1,2\n")
    assert DataConfig.from_spec(str(f), seed=3).source == str(f)
    with pytest.raises(DataError, match="neither an existing file"):
        DataConfig.from_spec(str(tmp_path / "nope.csv"))
