"""Shared fixtures for the data engine tests: paths to the real data sets and small file makers."""

from __future__ import annotations

from pathlib import Path

import pytest
from real_datasets import MNIST as MNIST_DIR
from real_datasets import TABULAR as TABULAR_DIR
from real_datasets import need


@pytest.fixture
def tabular_dir() -> Path:
    need(TABULAR_DIR / "iris.csv")
    return TABULAR_DIR


@pytest.fixture
def mnist_dir() -> Path:
    need(MNIST_DIR / "t10k-images-idx3-ubyte.gz")
    return MNIST_DIR


@pytest.fixture
def write(tmp_path: Path):
    """write("name.csv", text) -> path of a new file holding ``text``."""

    def _write(name: str, text: str | bytes) -> Path:
        p = tmp_path / name
        p.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            p.write_bytes(text)
        else:
            p.write_text(text)
        return p

    return _write
