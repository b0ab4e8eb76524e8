"""From a loaded ``Dataset`` to training-ready tensors: split, fill missing cells and normalise
with TRAINING-split statistics only (``Preprocessing``, preprocessing.py), and build the per-batch
augmentation of image data (augment.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import torch

from .config import DataConfig
from .corruption import build_corruption
from .errors import DataError
from .info import Dataset, DatasetInfo
from .preprocessing import Preprocessing, fill_values, fit_preprocessing
from .splits import split_indices


@dataclass
class TensorSplit:
    """One split's features and targets, already normalised."""

    x: torch.Tensor
    y: torch.Tensor

    def __len__(self) -> int:
        return int(self.x.shape[0])

    def to(self, device: torch.device | str) -> TensorSplit:
        return TensorSplit(
            self.x.to(device, non_blocking=True), self.y.to(device, non_blocking=True)
        )


@dataclass
class PreparedData:
    """Train/val/test splits ready for the trainer, and what was done to get them."""

    train: TensorSplit
    val: TensorSplit
    test: TensorSplit
    preprocessing: Preprocessing
    info: DatasetInfo
    class_names: list[str]
    report: list[str] = field(default_factory=list)
    # Per-batch augmentation for training batches (images only), or None.
    augment: Callable[[torch.Tensor], torch.Tensor] | None = None
    # A series' baseline forecasts per split ({"test": {"naive": ..., "seasonal": ...}}), in the
    # targets' shape and units, and its season (forecast.py); empty for other data.
    baselines: dict[str, dict[str, torch.Tensor]] = field(default_factory=dict)
    season: int | None = None
    # A series: each window's last target time (the time column's text) per split, for axes.
    target_times: dict[str, list[str]] = field(default_factory=dict)
    # Texts: each split's raw texts in its samples' order (for the misclassified list); else {}.
    texts: dict[str, list[str]] = field(default_factory=dict)
    # An autoencoder's data (the "reconstruct" setting): the target is the input itself.
    reconstruct: bool = False
    # Anomaly detection: the class the training rows were kept to (the "normal_class" setting)
    normal_class: str | None = None
    # Denoising: `corrupt(x, generator=None)` adds the input noise to a normalised batch
    # (corruption.py); the trainer corrupts inputs only, never targets. None: no noise.
    corrupt: Callable[..., torch.Tensor] | None = None


def training_rows(ds: Dataset, cfg: DataConfig):
    """The indices of ``ds``'s training split, as ``prepare`` cuts it."""
    return _indices(ds, cfg, [])[0]


def _indices(ds: Dataset, cfg: DataConfig, report: list[str]):
    """(train, val, test) indices into ``ds``; test is None when ``ds.test`` is the test split
    (its own, or the test file's). A series is cut in time order (forecast.time_split)."""
    own_test = ds.test is not None and (cfg.use_own_test or bool(cfg.test_source))
    split = cfg.split
    if own_test:
        f_tr, f_va, _ = split
        split = (f_tr / (f_tr + f_va), f_va / (f_tr + f_va), 0.0)
        own = "the test file's" if cfg.test_source else "the data set's own"
        report.append(f"using {own} test split ({len(ds.test)} samples)")
    if ds.time_spans is not None:
        from .forecast import time_split

        tr, va, te, cut1, cut2, dropped = time_split(ds, split)
        report.append(
            f"cut the series in time order at step {cut1}"
            + (f" and {cut2}" if split[2] > 0 and cut2 != cut1 else "")
            + (f"; dropped {dropped} window(s) that straddle a cut" if dropped else "")
        )
        return tr, va, None if own_test else te
    classify = ds.info.task != "regression"
    stratify_y = ds.y if classify and cfg.stratify else None
    tr, va, te = split_indices(
        len(ds), split, seed=cfg.seed, y=stratify_y, class_names=ds.info.class_names
    )
    return tr, va, None if own_test else te


def prepare(ds: Dataset, cfg: DataConfig | None = None) -> PreparedData:
    """Split ``ds`` (or use its own test split), then normalise all splits with train statistics."""
    cfg = cfg or DataConfig(source=ds.info.source)
    report: list[str] = []
    if ds.texts is not None:
        from .texts import tokenize_splits  # tokenizers is imported only for text data

        ds = tokenize_splits(ds, _indices(ds, cfg, [])[0], report)
    tr, va, te = _indices(ds, cfg, report)
    return prepare_indices(ds, cfg, tr, va, te, report)


def prepare_indices(
    ds: Dataset,
    cfg: DataConfig,
    tr: np.ndarray,
    va: np.ndarray,
    te: np.ndarray | None,
    report: list[str] | None = None,
) -> PreparedData:
    """The splits of ``ds`` at these row indices (``te`` None: ``ds.test`` is the test split),
    missing cells filled and normalised with statistics of the ``tr`` rows only. Text data must
    already be tokenised (``prepare`` does it; cross-validation per fold, folds.py)."""
    report = [] if report is None else report
    info = ds.info
    own_test = te is None
    if cfg.normal_class is not None:
        tr, va = normal_rows(ds, cfg, tr, va, report)
    test_x, test_y = (ds.test.x, ds.test.y) if own_test else (ds.x[te], ds.y[te])
    tr_t, va_t = torch.from_numpy(tr), torch.from_numpy(va)
    train_x, train_y = ds.x[tr_t], ds.y[tr_t]
    val_x, val_y = ds.x[va_t], ds.y[va_t]
    stratified = info.task != "regression" and cfg.stratify and ds.time_spans is None
    report.append(
        f"split {len(train_x)} train / {len(val_x)} validation / {len(test_x)} test"
        + (" (stratified)" if stratified else "")
        + (" in time order" if ds.time_spans is not None else f", seed {cfg.seed}")
    )
    fill, fill_report = fill_values(ds.fill, train_x)
    report += fill_report
    if fill is not None:
        train_x = Preprocessing(fill=fill).fill_missing(train_x)
    pre = fit_preprocessing(train_x, info, cfg.normalize)
    pre.fill = fill
    pre.table = ds.table
    pre.tokenizer = ds.tokenizer_json
    pre.decode_html = bool(ds.text_settings.get("html", True))
    if pre.kind != "none":
        what = "per channel" if pre.kind in ("image", "sequence") else "per feature"
        report.append(f"standardised {what} with training-split mean and std")
    augment = None
    if cfg.augment:
        if not info.is_image:
            raise DataError(f"augmentation ({', '.join(cfg.augment)}) applies only to image data")
        from .augment import build_augment  # torchvision (3 s to import): only when augmenting

        augment = build_augment(cfg.augment, pre)
        report.append(f"augmenting training batches: {', '.join(cfg.augment)}")
    corrupt = _corruption(cfg, train_x, pre, report)
    baselines, times = {}, {}
    if ds.time_spans is not None and ds.times:  # each window's last target step, for axes
        ends = [ds.times[int(e) - 1] for e in ds.time_spans[:, 1].tolist()]
        times = {"train": [ends[i] for i in tr], "val": [ends[i] for i in va]}
        if own_test and ds.test.time_spans is not None and ds.test.times:
            times["test"] = [ds.test.times[int(e) - 1] for e in ds.test.time_spans[:, 1].tolist()]
        elif not own_test:
            times["test"] = [ends[i] for i in te]
    if ds.baselines:
        test_part = ds.test.baselines if own_test else {k: v[te] for k, v in ds.baselines.items()}
        baselines = {
            "train": {k: v[tr_t] for k, v in ds.baselines.items()},
            "val": {k: v[va_t] for k, v in ds.baselines.items()},
            "test": dict(test_part) if test_part else {},
        }
    texts = {}
    if ds.texts is not None:
        test_texts = (ds.test.texts or []) if own_test else [ds.texts[i] for i in te]
        texts = {
            "train": [ds.texts[i] for i in tr],
            "val": [ds.texts[i] for i in va],
            "test": list(test_texts),
        }
    return PreparedData(
        train=TensorSplit(pre.apply(train_x), train_y),
        val=TensorSplit(pre.apply(val_x), val_y),
        test=TensorSplit(pre.apply(test_x), test_y),
        preprocessing=pre,
        info=info,
        class_names=list(info.class_names),
        report=report,
        augment=augment,
        baselines=baselines,
        season=ds.season,
        texts=texts,
        target_times=times,
        reconstruct=cfg.reconstruct,
        normal_class=cfg.normal_class,
        corrupt=corrupt,
    )


def normal_rows(ds: Dataset, cfg: DataConfig, tr: np.ndarray, va: np.ndarray, report: list[str]):
    """The training and validation rows of `cfg.normal_class` only (anomaly detection: an
    autoencoder learns what normal rows look like; the test split keeps every class)."""
    names = [str(name) for name in ds.info.class_names]
    if ds.info.task == "regression" or not names:
        raise DataError("data normal_class needs labelled classes; this data's target is a number")
    if not cfg.reconstruct:
        raise DataError(
            "data normal_class is for anomaly detection with an autoencoder: it needs "
            "reconstruct (target = input) turned on"
        )
    if cfg.normal_class not in names:
        raise DataError(
            f"data normal_class {cfg.normal_class!r} is not a class of this data; its classes: "
            + ", ".join(names)
        )
    index = names.index(cfg.normal_class)
    labels = ds.y.numpy()
    tr, va = tr[labels[tr] == index], va[labels[va] == index]
    if len(tr) == 0:
        raise DataError(f"no training rows of class {cfg.normal_class!r} are left")
    report.append(
        f"anomaly detection: training and validation on class {cfg.normal_class} only; the "
        "test split keeps every class"
    )
    return tr, va


def _corruption(cfg: DataConfig, train_raw: torch.Tensor, pre: Preprocessing, report: list[str]):
    if cfg.input_noise == "none":
        return None
    if not cfg.reconstruct:
        raise DataError(
            f"data input_noise {cfg.input_noise!r} is for denoising autoencoders: it needs "
            "reconstruct (target = input) turned on"
        )
    raw = pre.invert(pre.apply(train_raw))  # float, in the raw units (pixels 0-1)
    corrupt = build_corruption(cfg.input_noise, cfg.input_noise_strength, raw, pre)
    report.append(
        f"denoising: {cfg.input_noise} noise of strength {cfg.input_noise_strength:g} on the "
        "inputs only (fresh every training batch, fixed for validation and test)"
    )
    return corrupt
