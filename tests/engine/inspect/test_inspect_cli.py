"""`neurocanvas activations`, `explain` and `projector` on a checkpoint trained here (a tiny CNN on
300 of scikit-learn's bundled 8x8 digits, 2 epochs)."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest
import torch
from digits_cnn import write_digits_project
from neurocanvas.engine.cli import main
from neurocanvas.engine.inspect.source import load_inspected
from neurocanvas.engine.project import load
from neurocanvas.engine.training.checkpoint import load_checkpoint
from PIL import Image

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    root = tmp_path_factory.mktemp("inspect_cli")
    write_digits_project(root)
    assert main(["train", str(root / "project.json"), "--out", str(root / "run"), "--json"]) == 0
    return root


def _args(root, command, *extra):
    return [
        command,
        str(root / "project.json"),
        "--weights",
        str(root / "run" / "best.pt"),
        "--out",
        str(root / command),
        *extra,
    ]


def test_activations_write_feature_maps_filters_and_statistics(trained, capsys):
    assert main(_args(trained, "activations", "--sample", "3", "--layer", "conv1")) == 0
    out = trained / "activations"
    assert {p.name for p in out.iterdir()} >= {
        "conv1_feature_maps.png",
        "conv1_channels.csv",
        "conv1_filters.png",
        "stats.csv",
        "stats.json",
        "sample.json",
    }
    # the CSV's ranges are those of conv1's real output for test sample 3
    model, _bundle = load_checkpoint(trained / "run" / "best.pt")
    inspected = load_inspected(
        load(trained / "project.json"), str(trained / "run" / "best.pt"), None
    )
    x, y = inspected.sample(3)
    with torch.no_grad():
        conv = model.get_submodule("conv1")(x)[0]
    with (out / "conv1_channels.csv").open() as stream:
        rows = list(csv.DictReader(stream))
    assert [float(r["max"]) for r in rows] == pytest.approx(
        conv.amax(dim=(1, 2)).tolist(), rel=1e-5
    )
    sample = json.loads((out / "sample.json").read_text())
    assert sample["label"] == int(y) and sample["sample"] == 3
    assert sample["predicted"] == int(model(x).argmax())
    stats = {row["node"]: row for row in json.loads((out / "stats.json").read_text())}
    assert list(stats) == ["conv1", "pool1", "flat", "hidden", "out"]
    assert 0 <= stats["hidden"]["dead_fraction"] <= 1 and stats["out"]["dead_fraction"] is None
    assert Image.open(out / "conv1_filters.png").size[0] > 0


@pytest.mark.parametrize("method", ["saliency", "ig", "gradcam"])
def test_explain_writes_the_map_and_top_classes(trained, method):
    assert main(_args(trained, "explain", "--sample", "1", "--method", method)) == 0
    out = trained / "explain"
    top = json.loads((out / "top_classes.json").read_text())
    probs = [c["probability"] for c in top["top_classes"]]
    assert len(probs) == 5 and probs == sorted(probs, reverse=True)
    assert top["method"] == method and top["target"] == top["predicted"]
    heat = np.loadtxt(out / f"{method}.csv", delimiter=",")
    assert heat.shape == (8, 8) and np.isfinite(heat).all()
    assert Image.open(out / f"{method}_overlay.png").mode == "RGB"


def test_projector_writes_coordinates_by_label(trained):
    assert main(_args(trained, "projector", "--layer", "hidden", "--dims", "3")) == 0
    out = trained / "projector"
    with (out / "hidden_pca3d.csv").open() as stream:
        rows = list(csv.DictReader(stream))
    inspected = load_inspected(
        load(trained / "project.json"), str(trained / "run" / "best.pt"), None
    )
    assert len(rows) == len(inspected.split) and {"x0", "x1", "x2", "label", "predicted"} <= set(
        rows[0]
    )
    assert [int(r["label"]) for r in rows] == inspected.split.y.tolist()
    meta = json.loads((out / "hidden_pca3d.json").read_text())
    assert len(meta["explained_variance_ratio"]) == 3


def test_bad_requests_exit_with_2(trained, capsys):
    assert main(_args(trained, "activations", "--sample", "999")) == 2
    assert main(_args(trained, "activations", "--layer", "conv7")) == 2
    assert main(_args(trained, "explain", "--method", "gradcam", "--layer", "hidden")) == 2
    assert main(_args(trained, "projector", "--layer", "nope")) == 2
    (trained / "junk.pt").write_bytes(b"not a checkpoint")
    junk = ["explain", str(trained / "project.json"), "--weights", str(trained / "junk.pt")]
    assert main([*junk, "--out", str(trained / "x")]) == 2
    (trained / "a-file").write_text("")
    assert main(_args(trained, "explain")[:-2] + ["--out", str(trained / "a-file")]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and "--sample 999" in err and "conv7" in err
    assert "junk.pt: not a" in err and "a-file is a file" in err
    assert "hidden: Grad-CAM needs" in err and "nope: no such node" in err
