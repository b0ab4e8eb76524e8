"""Seed figures: parameter counts must match Keras model.summary() exactly."""

import json
import subprocess
import sys

import pytest
from neurocanvas.engine import templates
from neurocanvas.engine.graph import chain
from neurocanvas.engine.summary import format_table, summarize

SEED_FIGURES = {
    "seed-mlp": 418_666,
    "seed-cnn": 231_926,
    "seed-cnn2": 22_046,
    "mnist-quickstart": 101_770,
}


@pytest.mark.parametrize("name,total", SEED_FIGURES.items())
def test_template_totals(name, total):
    summary = summarize(templates.load_template(name).graph)
    assert summary.total_params == total
    assert summary.trainable_params == total
    assert summary.non_trainable_params == 0
    assert summary.param_bytes == 4 * total


def test_seed_mlp_rows_like_keras():
    graph = chain(
        ("Input", {"shape": [1, 28, 28]}),
        "Flatten",
        ("Dense", {"units": 512, "activation": "relu"}),
        ("Dense", {"units": 32, "activation": "relu"}),
        ("Dense", {"units": 10, "activation": "softmax"}),
    )
    summary = summarize(graph)
    assert [(r.output_shape, r.params) for r in summary.rows] == [
        ((1, 28, 28), 0),
        ((784,), 0),
        ((512,), 401_920),
        ((32,), 16_416),
        ((10,), 330),
    ]
    # Matmul FLOPs per sample: 2 * (784*512 + 512*32 + 32*10)
    assert summary.flops == 2 * (784 * 512 + 512 * 32 + 32 * 10)
    table = format_table(summary, "seed")
    assert "Total params: 418,666" in table and "dense_1 (Dense)" in table
    assert "Softmax" in table  # the note on final softmax + cross-entropy


def test_batchnorm_statistics_count_as_non_trainable_like_keras():
    """Keras: BatchNormalization has 4 weights per channel, gamma and beta trainable and the
    moving mean and variance non-trainable (Conv2D(4, 3) on 3 channels: 108 + 4)."""
    graph = chain(("Input", {"shape": [3, 8, 8]}), ("Conv2d", {"out_channels": 4}), "BatchNorm2d")
    summary = summarize(graph)
    assert [(row.type, row.params, row.trainable) for row in summary.rows] == [
        ("Input", 0, 0),
        ("Conv2d", 3 * 4 * 9 + 4, 3 * 4 * 9 + 4),
        ("BatchNorm2d", 4 * 4, 2 * 4),
    ]
    assert summary.total_params == 3 * 4 * 9 + 4 + 4 * 4
    assert summary.trainable_params == 3 * 4 * 9 + 4 + 2 * 4
    assert summary.non_trainable_params == 2 * 4


def test_auto_sizes_show_unknown_instead_of_failing():
    summary = summarize(templates.load_template("tabular-mlp").graph)
    assert summary.rows[0].output_shape is None
    assert summary.flops is None
    assert "?" in format_table(summary)


@pytest.mark.slow
def test_cli_summary_json_reports_seed_mlp():
    result = subprocess.run(
        [sys.executable, "-m", "neurocanvas.engine.cli", "summary", "seed-mlp", "--json"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    data = json.loads(result.stdout)
    assert data["total_params"] == 418_666
    assert {"total_params", "trainable_params", "non_trainable_params", "flops", "layers"} <= set(
        data
    )
    assert data["layers"][2]["params"] == 401_920
