"""`neurocanvas train --tensorboard`: the logs, read back with TensorBoard's own reader."""

from __future__ import annotations

import json

import pytest
import torch
from digits_cnn import write_digits_project
from neurocanvas.engine.cli import main
from neurocanvas.engine.training.checkpoint import read_checkpoint
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    root = tmp_path_factory.mktemp("tensorboard")
    project = write_digits_project(root)
    out = root / "run"
    argv = ["train", str(project), "--out", str(out), "--tensorboard", "--json"]
    assert main(argv) == 0
    accumulator = EventAccumulator(
        str(out / "tensorboard"), size_guidance={"scalars": 0, "histograms": 0, "images": 0}
    )
    accumulator.Reload()
    return out, accumulator


def test_scalars_are_each_epochs_metrics(run):
    out, acc = run
    epochs = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    tags = acc.Tags()["scalars"]
    assert {"loss", "accuracy", "val_loss", "val_accuracy", "lr"} <= set(tags)
    for tag in ("loss", "val_accuracy", "lr"):
        events = acc.Scalars(tag)
        assert [e.step for e in events] == [1, 2]
        assert [e.value for e in events] == pytest.approx([row[tag] for row in epochs], rel=1e-6)


def test_weight_and_gradient_histograms(run):
    out, acc = run
    tags = set(acc.Tags()["histograms"])
    weights = read_checkpoint(out / "last.pt")["state_dict"]
    assert {f"weights/{name}" for name in weights} <= tags
    assert {f"gradients/{name}" for name in weights} <= tags
    last = acc.Histograms("weights/conv1.0.weight")[-1]
    assert last.step == 2
    kernel = weights["conv1.0.weight"].double()
    assert last.histogram_value.num == kernel.numel()
    assert last.histogram_value.min == pytest.approx(float(kernel.min()))
    assert last.histogram_value.max == pytest.approx(float(kernel.max()))
    assert last.histogram_value.sum == pytest.approx(float(kernel.sum()), abs=1e-5)


def test_graph_sample_images_and_projector(run):
    out, acc = run
    assert acc.Tags()["graph"] is True
    images = acc.Images("samples")
    assert images and (images[0].width, images[0].height) >= (8, 8)
    config = next((out / "tensorboard").rglob("projector_config.pbtxt")).read_text()
    assert 'tensor_name: "hidden' in config
    folder = next(p.parent for p in (out / "tensorboard").rglob("tensors.tsv"))
    rows = (folder / "tensors.tsv").read_text().splitlines()
    labels = (folder / "metadata.tsv").read_text().splitlines()
    assert len(rows) == len(labels) == 60 and len(rows[0].split("\t")) == 16
    assert set(labels) <= {str(k) for k in range(10)}
    assert torch.tensor([float(v) for v in rows[0].split("\t")]).min() >= 0  # after a ReLU


def test_tensorboard_serves_the_run_on_loopback(run):
    import urllib.request

    from neurocanvas.engine.training.tensorboard_server import TensorBoardServer, command

    out, _acc = run
    assert command(out / "tensorboard", 1234)[-4:] == ["--host", "127.0.0.1", "--port", "1234"]
    server = TensorBoardServer(out / "tensorboard")
    url = server.start(timeout=60)
    try:
        assert url.startswith("http://127.0.0.1:")
        with urllib.request.urlopen(url + "data/runs", timeout=10) as reply:
            assert json.loads(reply.read()) == ["."]  # it reads this run's logs
    finally:
        server.stop()
    assert server.process is None


def test_tensorboard_without_logs_says_so(tmp_path):
    from neurocanvas.engine.training.tensorboard_server import TensorBoardError, TensorBoardServer

    with pytest.raises(TensorBoardError, match="no TensorBoard logs"):
        TensorBoardServer(tmp_path / "missing").start()
