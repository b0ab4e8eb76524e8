"""Checkpoint bundle round trip, export from a checkpoint, and the `neurocanvas export` command."""

from __future__ import annotations

import onnx
import torch
from neurocanvas.engine.cli import main
from neurocanvas.engine.export import load_source, save_checkpoint_bundle
from neurocanvas.engine.export.bundle import UNTRAINED_WARNING


def test_checkpoint_bundle_round_trip(tmp_path):
    source = load_source("seed-mlp", seed=3)
    source.class_names = [str(i) for i in range(10)]
    result = save_checkpoint_bundle(source, tmp_path / "model.pt")
    assert result.max_abs_diff == 0.0
    bundle = torch.load(tmp_path / "model.pt", weights_only=True)
    assert bundle["format"] == "neurocanvas-checkpoint"
    again = load_source(None, tmp_path / "model.pt")
    assert again.trained and not again.warnings
    assert again.class_names == source.class_names
    for key, value in source.model.state_dict().items():
        assert torch.equal(again.model.state_dict()[key], value)


def test_untrained_source_warns():
    assert load_source("xor").warnings == [UNTRAINED_WARNING]


def test_cli_exports_onnx_from_checkpoint(tmp_path, capsys):
    source = load_source("xor", seed=1)
    source.class_names = ["0", "1"]
    save_checkpoint_bundle(source, tmp_path / "best.pt")
    out = tmp_path / "xor.onnx"
    assert main(["export", "--weights", str(tmp_path / "best.pt"), "--out", str(out)]) == 0
    assert "max abs difference" in capsys.readouterr().out
    meta = {p.key: p.value for p in onnx.load(str(out)).metadata_props}
    assert meta["class_names"] == '["0", "1"]' and meta["neurocanvas.trained"] == "true"


def test_cli_bad_input_exits_2(tmp_path, capsys):
    assert main(["export", "tabular-mlp", "--out", str(tmp_path / "t.onnx")]) == 2
    assert "--input-shape" in capsys.readouterr().err
    assert main(["export", "no-such-template", "--out", str(tmp_path / "t.onnx")]) == 2


def test_cli_auto_sizes_and_formats(tmp_path, capsys):
    args = ["export", "tabular-mlp", "--input-shape", "4", "--output-units", "3"]
    assert main(args + ["--format", "torchscript", "--out", str(tmp_path / "t.pt")]) == 0
    assert main(args + ["--format", "pytorch", "--out", str(tmp_path / "code")]) == 0
    assert (tmp_path / "code" / "train.py").is_file()
    assert "untrained" in capsys.readouterr().err
