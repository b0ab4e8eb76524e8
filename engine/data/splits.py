"""Seeded train/validation/test splits (stratified for classification) and k-fold indices.

Stratification allocates each class separately, rounding its share of every split, so each
class's count in a split is within one sample of its exact share.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import torch

from .config import check_split
from .errors import DataError

Indices = tuple[np.ndarray, np.ndarray, np.ndarray]


def _round(v: float) -> int:
    return int(math.floor(v + 0.5))  # half up, not Python's banker's rounding


def split_indices(
    num_samples: int,
    fractions: Sequence[float],
    *,
    seed: int = 0,
    y: torch.Tensor | np.ndarray | None = None,
    class_names: Sequence[str] | None = None,
) -> Indices:
    """Indices of (train, val, test). With class labels ``y`` the split is stratified."""
    f = check_split(fractions)
    rng = np.random.default_rng(seed)
    if y is None:
        order = rng.permutation(num_samples)
        n_tr, n_va = _round(num_samples * f[0]), _round(num_samples * f[1])
        n_va = min(n_va, num_samples - n_tr)
        return order[:n_tr], order[n_tr : n_tr + n_va], order[n_tr + n_va :]
    labels = y.cpu().numpy() if isinstance(y, torch.Tensor) else np.asarray(y)
    if labels.ndim != 1 or len(labels) != num_samples:
        raise DataError("stratified splitting needs one class label per sample")
    used = sum(1 for p in f if p > 0)
    parts: list[list[np.ndarray]] = [[], [], []]
    for c in np.unique(labels):
        idx = rng.permutation(np.flatnonzero(labels == c))
        if used > 1 and len(idx) < 2:
            name = class_names[int(c)] if class_names and int(c) < len(class_names) else str(c)
            raise DataError(
                f"class '{name}' has a single sample, so a stratified split cannot put it in both "
                "training and evaluation; add samples, drop the class, or turn stratify off"
            )
        n_tr = _round(len(idx) * f[0])
        n_va = min(_round(len(idx) * f[1]), len(idx) - n_tr)
        parts[0].append(idx[:n_tr])
        parts[1].append(idx[n_tr : n_tr + n_va])
        parts[2].append(idx[n_tr + n_va :])
    # Shuffle within each split so classes are interleaved rather than in blocks.
    return tuple(rng.permutation(np.concatenate(p)) for p in parts)  # type: ignore[return-value]


def kfold_indices(
    num_samples: int,
    k: int = 5,
    *,
    seed: int = 0,
    y: torch.Tensor | np.ndarray | None = None,
) -> list[tuple[np.ndarray, np.ndarray]]:
    """``k`` (train, val) index pairs covering every sample exactly once as validation.

    With labels ``y`` the folds are stratified (each class spread evenly over the folds).
    """
    if k < 2 or k > num_samples:
        raise DataError(f"k-fold needs 2 <= k <= number of samples ({num_samples}), not k={k}")
    rng = np.random.default_rng(seed)
    folds: list[list[np.ndarray]] = [[] for _ in range(k)]
    if y is None:
        groups = [rng.permutation(num_samples)]
    else:
        labels = y.cpu().numpy() if isinstance(y, torch.Tensor) else np.asarray(y)
        groups = [rng.permutation(np.flatnonzero(labels == c)) for c in np.unique(labels)]
    offset = 0
    for g in groups:
        # Rotate the starting fold per class so small classes do not all land in fold 0.
        for j, chunk in enumerate(np.array_split(g, k)):
            folds[(j + offset) % k].append(chunk)
        offset += len(g) % k
    val = [np.sort(np.concatenate(f)) for f in folds]
    all_idx = np.arange(num_samples)
    return [(np.setdiff1d(all_idx, v, assume_unique=True), v) for v in val]
