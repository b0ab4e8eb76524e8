"""Class labels read from image sets (IDX, CIFAR, NumPy arrays) are checked before they become a
model's output size: whole numbers, not negative, inside the set's named classes, and, when the
classes are counted from the labels themselves, numbering them 0..K-1 rather than a stray value
(labels all 255 would otherwise make a 256-class model without a word).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .errors import DataError

MAX_CLASSES = 10_000


def integer_labels(labels: np.ndarray, path: Path | str | None) -> np.ndarray:
    """`labels` as int64; floats only when they are whole numbers (0.7 is not class 0)."""
    labels = np.asarray(labels)
    if labels.dtype.kind in "iub":
        return labels.astype(np.int64)
    if labels.dtype.kind == "f":
        finite = np.isfinite(labels)
        whole = finite & (labels == np.round(np.where(finite, labels, 0)))
        if not whole.all():
            at = int(np.flatnonzero(~whole)[0])
            raise DataError(
                f"label {labels[at]!r} of sample {at + 1} is not a whole class number", path=path
            )
        return labels.astype(np.int64)
    raise DataError(f"the labels have dtype {labels.dtype}, not class numbers", path=path)


def class_count(parts: list[np.ndarray], names: list[str] | None, path) -> int:
    """How many classes the labels in `parts` (train, test...) stand for; DataError if they do
    not number classes sensibly."""
    everything = np.concatenate([np.asarray(p).reshape(-1) for p in parts])
    if everything.size == 0:
        raise DataError("the data set holds no samples", path=path)
    low, high = int(everything.min()), int(everything.max())
    if low < 0:
        at = int(np.flatnonzero(everything < 0)[0])
        raise DataError(
            f"label {low} of sample {at + 1} is negative; classes are 0, 1, 2...", path=path
        )
    if names is not None:
        if high >= len(names):
            at = int(np.flatnonzero(everything >= len(names))[0])
            raise DataError(
                f"label {high} of sample {at + 1} is not one of the {len(names)} classes "
                f"(0-{len(names) - 1})",
                path=path,
            )
        return len(names)
    seen = len(np.unique(everything))
    if high + 1 > MAX_CLASSES or (high + 1 > 2 and seen * 2 < high + 1):
        raise DataError(
            f"the labels run up to {high} but only {seen} different value(s) appear: labels must "
            f"number the classes 0..K-1",
            path=path,
        )
    return high + 1
