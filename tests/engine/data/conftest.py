"""Shared fixtures for the data engine tests: paths to the real data sets and small file makers."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[3]
DATASETS = REPO_ROOT.parent / "shared" / "datasets"
MNIST_DIR = DATASETS / "mnist"
TABULAR_DIR = DATASETS / "tabular"


@pytest.fixture
def tabular_dir() -> Path:
    if not (TABULAR_DIR / "iris.csv").is_file():
        pytest.skip(f"real tabular data sets not found in {TABULAR_DIR}")
    return TABULAR_DIR


@pytest.fixture
def mnist_dir() -> Path:
    if not (MNIST_DIR / "t10k-images-idx3-ubyte.gz").is_file():
        pytest.skip(f"MNIST t10k files not found in {MNIST_DIR}")
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
