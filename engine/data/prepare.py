"""From a loaded ``Dataset`` to training-ready tensors: split, normalise with TRAINING-split
statistics only, and the ``Preprocessing`` record that replays the same transform at prediction
and export time (stored in checkpoints as plain lists, loadable with ``torch.load(weights_only=True)``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import torch
import torch.nn.functional as F

from .config import DataConfig
from .errors import DataError
from .info import Dataset, DatasetInfo
from .splits import split_indices

PREPROCESSING_VERSION = 1


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
class Preprocessing:
    """The input transform: ``x * scale`` for integer (raw uint8) inputs, then ``(x - mean) / std``.

    ``kind`` is "standardize" (per feature), "image" (per channel) or "none". Float inputs are taken
    to be on the same scale as the loaded data (images in [0, 1]).
    """

    kind: str = "none"
    mean: torch.Tensor | None = None
    std: torch.Tensor | None = None
    scale: float = 1.0
    feature_shape: tuple[int, ...] = ()
    feature_names: list[str] = field(default_factory=list)
    class_names: list[str] = field(default_factory=list)
    task: str = ""

    def apply(self, x: torch.Tensor) -> torch.Tensor:
        """Normalise raw inputs ``x`` (N, *feature_shape) the way the training data was."""
        if not x.is_floating_point():
            x = x.to(torch.float32) * self.scale
        if self.mean is None or self.std is None:
            return x
        mean = self.mean.to(x.device, x.dtype)
        std = self.std.to(x.device, x.dtype)
        return (x - mean) / std

    def invert(self, x: torch.Tensor) -> torch.Tensor:
        """Undo the standardisation (for showing normalised images)."""
        if self.mean is None or self.std is None:
            return x
        return x * self.std.to(x.device, x.dtype) + self.mean.to(x.device, x.dtype)

    def to_dict(self) -> dict[str, Any]:
        """Plain lists/numbers/strings only, so a checkpoint stays ``weights_only`` loadable."""
        return {
            "version": PREPROCESSING_VERSION,
            "kind": self.kind,
            "mean": self.mean.flatten().tolist() if self.mean is not None else None,
            "std": self.std.flatten().tolist() if self.std is not None else None,
            "stats_shape": list(self.mean.shape) if self.mean is not None else None,
            "scale": float(self.scale),
            "feature_shape": list(self.feature_shape),
            "feature_names": list(self.feature_names),
            "class_names": list(self.class_names),
            "task": self.task,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Preprocessing:
        if d.get("version", 1) > PREPROCESSING_VERSION:
            raise DataError(f"preprocessing format version {d['version']} is newer than this app")
        shape = tuple(d.get("stats_shape") or ())

        def tensor(v: list[float] | None) -> torch.Tensor | None:
            return None if v is None else torch.tensor(v, dtype=torch.float32).reshape(shape)

        return cls(
            kind=d.get("kind", "none"),
            mean=tensor(d.get("mean")),
            std=tensor(d.get("std")),
            scale=float(d.get("scale", 1.0)),
            feature_shape=tuple(d.get("feature_shape") or ()),
            feature_names=list(d.get("feature_names") or []),
            class_names=list(d.get("class_names") or []),
            task=d.get("task", ""),
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


def fit_preprocessing(x_train: torch.Tensor, info: DatasetInfo, normalize: bool) -> Preprocessing:
    """Statistics from the training split only: per channel for images, per feature otherwise."""
    pre = Preprocessing(
        kind="none",
        scale=1.0 / 255.0 if info.is_image else 1.0,
        feature_shape=tuple(info.feature_shape),
        feature_names=list(info.feature_names),
        class_names=list(info.class_names),
        task=info.task,
    )
    if not normalize or not x_train.is_floating_point() or len(x_train) == 0:
        return pre
    x = x_train.double()  # float64 sums: MNIST-sized sets lose digits in float32
    if info.is_image and x.ndim == 4:
        dims = (0, 2, 3)
        mean = x.mean(dim=dims, keepdim=True)[0]
        std = x.std(dim=dims, keepdim=True, unbiased=False)[0]
        pre.kind = "image"
    else:
        mean = x.mean(dim=0)
        std = x.std(dim=0, unbiased=False)
        pre.kind = "standardize"
    # A constant feature has std 0; dividing by 1 leaves it at 0 instead of NaN.
    std = torch.where(std < 1e-8, torch.ones_like(std), std)
    pre.mean, pre.std = mean.float(), std.float()
    return pre


def prepare(ds: Dataset, cfg: DataConfig | None = None) -> PreparedData:
    """Split ``ds`` (or use its own test split), then normalise all splits with train statistics."""
    cfg = cfg or DataConfig(source=ds.info.source)
    info = ds.info
    report: list[str] = []
    classify = info.task != "regression"
    stratify_y = ds.y if classify and cfg.stratify else None
    if ds.test is not None and cfg.use_own_test:
        f_tr, f_va, _ = cfg.split
        frac = (f_tr / (f_tr + f_va), f_va / (f_tr + f_va), 0.0)
        tr, va, _ = split_indices(
            len(ds), frac, seed=cfg.seed, y=stratify_y, class_names=info.class_names
        )
        test_x, test_y = ds.test.x, ds.test.y
        report.append(f"using the data set's own test split ({len(ds.test)} samples)")
    else:
        tr, va, te = split_indices(
            len(ds), cfg.split, seed=cfg.seed, y=stratify_y, class_names=info.class_names
        )
        test_x, test_y = ds.x[te], ds.y[te]
    tr_t, va_t = torch.from_numpy(tr), torch.from_numpy(va)
    train_x, train_y = ds.x[tr_t], ds.y[tr_t]
    val_x, val_y = ds.x[va_t], ds.y[va_t]
    report.append(
        f"split {len(train_x)} train / {len(val_x)} validation / {len(test_x)} test"
        + (" (stratified)" if stratify_y is not None else "")
        + f", seed {cfg.seed}"
    )
    pre = fit_preprocessing(train_x, info, cfg.normalize)
    if pre.kind != "none":
        what = "per channel" if pre.kind == "image" else "per feature"
        report.append(f"standardised {what} with training-split mean and std")
    augment = None
    if cfg.augment:
        if not info.is_image:
            raise DataError(f"augmentation ({', '.join(cfg.augment)}) applies only to image data")
        from .augment import build_augment

        augment = build_augment(cfg.augment, pre)
        report.append(f"augmenting training batches: {', '.join(cfg.augment)}")
    return PreparedData(
        train=TensorSplit(pre.apply(train_x), train_y),
        val=TensorSplit(pre.apply(val_x), val_y),
        test=TensorSplit(pre.apply(test_x), test_y),
        preprocessing=pre,
        info=info,
        class_names=list(info.class_names),
        report=report,
        augment=augment,
    )


_INDEX_LOSSES = {"cross_entropy", "nll", "nll_loss", "categorical_cross_entropy"}
_BINARY_LOSSES = {
    "binary_cross_entropy",
    "bce",
    "bce_with_logits",
    "binary_cross_entropy_with_logits",
}
_FLOAT_LOSSES = {"mse", "mae", "l1", "huber", "smooth_l1"}


def labels_for_loss(
    y: torch.Tensor, loss: str, num_outputs: int, *, one_hot: bool = False
) -> torch.Tensor:
    """Targets in the form ``loss`` needs: class indices for cross-entropy (one-hot floats when
    ``one_hot``), float (N, 1) for binary cross-entropy, float (N, num_outputs) for regression losses
    (class labels become one-hot when there are several outputs)."""
    if loss in _INDEX_LOSSES:
        if y.is_floating_point():
            raise DataError(f"loss '{loss}' needs class labels, but the targets are continuous")
        return F.one_hot(y.long(), num_outputs).float() if one_hot else y.long()
    if loss in _BINARY_LOSSES:
        return y.float().reshape(-1, 1)
    if loss in _FLOAT_LOSSES:
        if not y.is_floating_point() and num_outputs > 1:
            return F.one_hot(y.long(), num_outputs).float()
        return y.float().reshape(len(y), -1)
    raise DataError(
        f"unknown loss '{loss}'; known: {', '.join(sorted(_INDEX_LOSSES | _BINARY_LOSSES | _FLOAT_LOSSES))}"
    )
