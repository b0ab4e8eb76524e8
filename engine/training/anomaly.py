"""Anomaly detection with an autoencoder: a row it reconstructs badly is unlike the rows it was
trained on. Each row's reconstruction error (the mean squared difference over its values, in
the units the model sees: standardised features for a table), and a threshold taken as a
percentile of the training rows' errors.

    errors = reconstruction_errors(model, x)            # (N,) numpy
    limit = percentile_threshold(train_errors, 95)      # 5% of training rows lie above it
    flagged = int((errors > limit).sum())

`anomaly_report(trainer, split)` gathers what the Anomalies tab draws, at the end of a
reconstruction run (session/insight.py's `results`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

MAX_ROWS = 20_000  # rows whose errors are sent to the window (a histogram needs no more)
DEFAULT_PERCENTILE = 95.0


def reconstruction_errors(model, x, target=None, batch: int = 1024) -> np.ndarray:
    """Each row's mean squared reconstruction error, (N,) float32; `target` None: the input
    itself (a denoising autoencoder's clean rows otherwise). Runs in eval mode (no dropout)."""
    import torch  # here: the window imports this module for the counts, before torch loads

    with torch.no_grad():
        return _errors(model, x, x if target is None else target, batch)


def _errors(model, x, target, batch: int) -> np.ndarray:
    import torch

    if len(x) != len(target):
        raise ValueError(f"{len(x)} inputs but {len(target)} targets")
    was_training = model.training
    model.eval()
    try:
        parts = []
        for start in range(0, len(x), batch):
            out = model(x[start : start + batch]).float()
            want = target[start : start + batch].float()
            if out.shape != want.shape:
                raise ValueError(
                    f"the model's output {tuple(out.shape[1:])} is not the shape of its target "
                    f"{tuple(want.shape[1:])}: an autoencoder must reconstruct its input"
                )
            parts.append((out - want).pow(2).flatten(1).mean(1).cpu())
    finally:
        model.train(was_training)
    return torch.cat(parts).numpy().astype(np.float32) if parts else np.zeros(0, np.float32)


def percentile_threshold(train_errors: np.ndarray, percentile: float) -> float:
    """The error below which `percentile`% of the training rows lie."""
    if not 0 <= percentile <= 100:
        raise ValueError(f"a percentile is between 0 and 100, not {percentile}")
    if len(train_errors) == 0:
        raise ValueError("no training errors to take a percentile of")
    return float(np.percentile(np.asarray(train_errors, dtype=np.float64), percentile))


def flag_counts(
    errors: np.ndarray, threshold: float, labels: np.ndarray | None, normal: int | None
) -> dict[str, int]:
    """How many rows lie above `threshold` ("flagged"); with labels and the normal class's
    index, also how many rows are not of that class ("anomalies") and how many of them, and
    of the normal rows, are flagged."""
    errors = np.asarray(errors)
    above = errors > threshold
    counts = {"rows": int(len(errors)), "flagged": int(above.sum())}
    if labels is not None and normal is not None:
        other = np.asarray(labels) != normal
        counts |= {
            "anomalies": int(other.sum()),
            "anomalies_flagged": int((above & other).sum()),
            "normal_flagged": int((above & ~other).sum()),
        }
    return counts


def anomaly_report(trainer, split_name: str) -> dict[str, Any] | None:
    """Errors of the training rows and of the split evaluated at the end, with that split's
    labels (class indices, or None) and the data's class names and normal class."""
    placed, train = trainer.splits.get(split_name), trainer.splits.get("train")
    if placed is None or train is None:
        return None
    model = trainer.model
    x, target = placed
    errors = reconstruction_errors(
        model, x[:MAX_ROWS], None if target is None else target[:MAX_ROWS]
    )
    train_x, train_target = train
    train_errors = reconstruction_errors(
        model, train_x[:MAX_ROWS], None if train_target is None else train_target[:MAX_ROWS]
    )
    split = getattr(trainer.data, split_name, None)
    y = getattr(split, "y", None)
    labels = None
    if y is not None and y.ndim <= 1 and len(y) >= len(errors) and not y.is_floating_point():
        labels = y.reshape(-1)[: len(errors)].long().cpu().numpy()
    return {
        "split": split_name,
        "errors": errors,
        "train_errors": train_errors,
        "labels": labels,
        "class_names": [str(name) for name in getattr(trainer.data, "class_names", []) or []],
        "normal_class": getattr(trainer.data, "normal_class", None),
        "percentile": DEFAULT_PERCENTILE,
    }
