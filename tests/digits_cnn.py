"""A tiny CNN project on 300 of scikit-learn's bundled 8x8 digits (no download), for tests that
need a trained checkpoint: the inspection CLI, the TensorBoard logs, the window's views."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

_CHAIN = [
    ("input", "Input", {"shape": "auto"}),
    ("conv1", "Conv2d", {"out_channels": 4, "kernel_size": 3, "activation": "relu"}),
    ("pool1", "MaxPool2d", {"kernel_size": 2}),
    ("flat", "Flatten", {}),
    ("hidden", "Dense", {"units": 16, "activation": "relu"}),
    ("out", "Dense", {"units": "auto", "activation": "softmax"}),
]


def write_digits_project(root: Path, samples: int = 300) -> Path:
    """digits.npz and project.json in `root`; returns the project file."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    x = (digits.images[:samples] / 16.0).astype(np.float32)[:, None]
    np.savez(root / "digits.npz", x=x, y=digits.target[:samples])
    project = {
        "format": "neurocanvas",
        "version": 2,
        "name": "digits cnn",
        "graph": {
            "nodes": [{"id": i, "type": t, "params": p} for i, t, p in _CHAIN],
            "edges": [{"from": [a[0], 0], "to": [b[0], 0]} for a, b in zip(_CHAIN, _CHAIN[1:])],
        },
        "data": {"source": str(root / "digits.npz"), "split": [0.6, 0.2, 0.2], "seed": 0},
        "training": {"epochs": 2, "batch_size": 32, "seed": 0},
    }
    path = root / "project.json"
    path.write_text(json.dumps(project), encoding="utf-8")
    return path
