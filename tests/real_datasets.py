"""Where the real data sets live for tests and benchmarks: ../shared/datasets beside the checkout
(MNIST t10k in IDX format; the Pima, iris and housing CSVs). They are not part of the repository
and are never downloaded at test time, so a test that needs one is skipped, saying which file is
missing, when the checkout has no such folder beside it (CI and the development machines do)."""

from __future__ import annotations

from pathlib import Path

import pytest

DATASETS = Path(__file__).resolve().parents[1].parent / "shared" / "datasets"
MNIST = DATASETS / "mnist"
TABULAR = DATASETS / "tabular"
SEQUENCES = DATASETS / "sequences"
TEXT = DATASETS / "text"


def need(path: Path) -> Path:
    """`path`, or skip: the real data set is not beside this checkout and tests never download."""
    if not path.exists():
        pytest.skip(
            f"needs the real data set {path.name} in {path.parent} (../shared/datasets beside the "
            "checkout); tests never download data"
        )
    return path
