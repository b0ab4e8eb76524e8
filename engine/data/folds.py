"""Cross-validation folds of a loaded ``Dataset``, each prepared like a training run's data.

``cv_folds(ds, cfg, k)`` gives k (train rows, held-out rows) pairs:
- classification (and ``stratify`` on): stratified k-fold, each class spread over the folds;
- regression: plain k-fold, seeded;
- a forecasting series (windows with ``time_spans``): expanding windows, never shuffled: the
  series is cut into k + 1 blocks of steps; fold j trains on the windows that end in the first
  j blocks and is scored on those inside block j + 1 (a window straddling the cut is dropped).

``prepare_fold`` turns one pair into ``PreparedData``: the held-out rows are its test split, a
validation split (for the best epoch and early stopping) is carved out of the fold's training
rows with the project's split fractions (stratified, or the latest steps of a series), and the
missing-value fill, the normalisation and a text tokenizer are fitted on the fold's training
rows only. A data set's own test split takes no part in cross-validation.
"""

from __future__ import annotations

import numpy as np

from .config import DataConfig
from .errors import DataError
from .info import Dataset
from .prepare import PreparedData, prepare_indices
from .splits import kfold_indices, split_indices

Fold = tuple[np.ndarray, np.ndarray]


def fold_kind(ds: Dataset, cfg: DataConfig) -> str:
    """ "expanding" (a series), "stratified" (classes) or "shuffled"."""
    if ds.time_spans is not None:
        return "expanding"
    if ds.info.task != "regression" and cfg.stratify:
        return "stratified"
    return "shuffled"


def cv_folds(ds: Dataset, cfg: DataConfig, k: int) -> list[Fold]:
    """The k (train rows, held-out rows) pairs of ``ds`` (see the module docstring)."""
    kind = fold_kind(ds, cfg)
    if kind == "expanding":
        return expanding_folds(ds.time_spans.numpy(), k)
    if kind == "stratified":
        labels = ds.y.cpu().numpy()
        counts = np.bincount(labels.astype(np.int64))
        smallest = int(counts[counts > 0].min())
        if smallest < k:
            name = ds.info.class_names[int(np.flatnonzero(counts == smallest)[0])]
            raise DataError(
                f"class '{name}' has {smallest} sample(s), fewer than the {k} folds; "
                "use fewer folds or more data"
            )
        return kfold_indices(len(ds), k, seed=cfg.seed, y=labels)
    return kfold_indices(len(ds), k, seed=cfg.seed)


def expanding_folds(spans: np.ndarray, k: int) -> list[Fold]:
    """Expanding-window folds over windows spanning [start, end) steps, in time order."""
    if k < 2:
        raise DataError(f"cross-validation needs at least 2 folds, not {k}")
    steps = int(spans[:, 1].max())
    cuts = [int(round(steps * j / (k + 1))) for j in range(1, k + 2)]
    start, end = spans[:, 0], spans[:, 1]
    folds = []
    for j in range(k):
        train = np.flatnonzero(end <= cuts[j])
        held = np.flatnonzero((start >= cuts[j]) & (end <= cuts[j + 1]))
        if len(train) == 0 or len(held) == 0:
            raise DataError(
                f"fold {j + 1} of {k} has no whole window to train on or to score (the series "
                f"has {steps} steps); use fewer folds, or a shorter window or horizon"
            )
        folds.append((train, held))
    return folds


def prepare_fold(ds: Dataset, cfg: DataConfig, fold: Fold) -> PreparedData:
    """The fold's data: held-out rows as the test split, validation carved from its training
    rows, every statistic fitted on the fold's own training rows."""
    train_rows, held_out = fold
    report: list[str] = []
    f_tr, f_va, _ = cfg.split
    share = f_va / (f_tr + f_va) if f_tr + f_va > 0 else 0.0
    if ds.time_spans is not None:
        tr, va = _latest_as_validation(ds.time_spans.numpy(), train_rows, share)
    else:
        stratify = ds.y[train_rows] if fold_kind(ds, cfg) == "stratified" else None
        a, b, _ = split_indices(len(train_rows), (1 - share, share, 0.0), seed=cfg.seed, y=stratify)
        tr, va = train_rows[a], train_rows[b]
    if ds.texts is not None:
        from .texts import tokenize_splits

        ds = tokenize_splits(ds, tr, report)
    return prepare_indices(ds, cfg, tr, va, np.asarray(held_out), report)


def _latest_as_validation(spans: np.ndarray, rows: np.ndarray, share: float) -> Fold:
    """A series fold's validation: its latest `share` of windows (at least one); the training
    windows end before the first of them starts (the ones straddling that step are dropped)."""
    if share <= 0 or len(rows) < 2:
        return rows, rows[:0]
    rows = rows[np.argsort(spans[rows, 1], kind="stable")]
    count = min(len(rows) - 1, max(1, int(round(len(rows) * share))))
    val = rows[-count:]
    cut = int(spans[val, 0].min())
    train = rows[spans[rows, 1] <= cut]
    if len(train) == 0:
        return rows, rows[:0]
    return np.sort(train), np.sort(val)
