"""``Preprocessing``: the input transform fitted on the TRAINING split (standardise per feature or
per channel, fill missing cells), replayed the same way at prediction and export time, and stored
in checkpoints as plain lists (loadable with ``torch.load(weights_only=True)``).

Kept apart from prepare.py so that augment.py (which un-normalises, augments and re-normalises
batches) and prepare.py (which builds the augmentation) each depend on it, not on each other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import torch

from .errors import DataError
from .info import DatasetInfo

PREPROCESSING_VERSION = 1


@dataclass
class Preprocessing:
    """The input transform: ``x * scale`` for integer (raw uint8) inputs, then ``(x - mean) / std``.

    ``kind`` is "standardize" (per feature), "image" (per channel), "sequence" (per channel of
    (N, C, L) series, over real steps only) or "none". Float inputs are taken to be on the same
    scale as the loaded data (images in [0, 1]). ``masked``: the last channel of a sequence is its
    mask (sequences.py), passed through, and padded steps stay exactly 0.
    """

    kind: str = "none"
    input_dtype: str = "float32"  # "int64": token ids, passed through untouched
    # Per flat feature column: the value that fills a missing (NaN) cell, or None (never missing).
    # Computed from the training split only.
    fill: list[float | None] | None = None
    mean: torch.Tensor | None = None
    std: torch.Tensor | None = None
    scale: float = 1.0
    feature_shape: tuple[int, ...] = ()
    feature_names: list[str] = field(default_factory=list)
    class_names: list[str] = field(default_factory=list)
    task: str = ""
    masked: bool = False
    # Text data: the tokenizer trained on the training split (Hugging Face `tokenizers` JSON, a
    # plain string, so it travels in checkpoints) and the length texts are padded/cut to.
    tokenizer: str | None = None
    decode_html: bool = True  # texts: HTML entities decoded before the tokenizer sees them
    # Tables: the file's columns and each feature's encoding (table_rows.table_schema), so raw
    # rows typed in the file's own columns can be encoded as the training file was.
    table: dict[str, Any] | None = None

    def encode_table_rows(self, rows: list[list[str]]) -> torch.Tensor:
        """Raw rows of cells (the file's columns) -> (N, features) float32, not yet normalised
        (``apply`` does that, filling missing cells as training did)."""
        if self.table is None:
            raise DataError("this model was not trained on a table read from a file")
        from .table_rows import encode_rows

        return torch.from_numpy(encode_rows(self.table, rows, self.fill))

    def encode_texts(self, texts: list[str]) -> torch.Tensor:
        """Raw texts -> (N, length) int64 token ids, as the training texts were encoded."""
        if self.tokenizer is None:
            raise DataError("this model was not trained on texts (no tokenizer)")
        from .texts import encode_with

        return encode_with(self.tokenizer, texts, self.decode_html)

    def apply(self, x: torch.Tensor) -> torch.Tensor:
        """Normalise raw inputs ``x`` (N, *feature_shape) the way the training data was.

        Integer token ids (``input_dtype`` "int64") are returned as they are."""
        if self.input_dtype == "int64":
            return x if x.dtype == torch.int64 else x.long()
        if not x.is_floating_point():
            x = x.to(torch.float32) * self.scale
        x = self.fill_missing(x)
        if self.mean is None or self.std is None:
            return x
        if self.kind == "sequence" and self.masked:
            mask = x[:, -1:]
            values = (x[:, :-1] - self.mean.to(x.device, x.dtype)) / self.std.to(x.device, x.dtype)
            return torch.cat([values * mask, mask], dim=1)
        mean = self.mean.to(x.device, x.dtype)
        std = self.std.to(x.device, x.dtype)
        return (x - mean) / std

    def fill_missing(self, x: torch.Tensor) -> torch.Tensor:
        """``x`` with its missing (NaN) cells replaced by the training split's fill values."""
        if not self.fill or not x.is_floating_point() or x.ndim != 2:
            return x
        values = torch.tensor(
            [float("nan") if v is None else float(v) for v in self.fill], dtype=x.dtype
        ).to(x.device)
        if values.numel() != x.shape[1]:
            return x
        return torch.where(torch.isnan(x), values.expand_as(x), x)

    def invert(self, x: torch.Tensor) -> torch.Tensor:
        """Undo the standardisation (for showing normalised images)."""
        if self.mean is None or self.std is None:
            return x
        if self.kind == "sequence" and self.masked:
            mask = x[:, -1:]
            values = x[:, :-1] * self.std.to(x.device, x.dtype) + self.mean.to(x.device, x.dtype)
            return torch.cat([values * mask, mask], dim=1)
        return x * self.std.to(x.device, x.dtype) + self.mean.to(x.device, x.dtype)

    def to_dict(self) -> dict[str, Any]:
        """Plain lists/numbers/strings only, so a checkpoint stays ``weights_only`` loadable."""
        return {
            "version": PREPROCESSING_VERSION,
            "kind": self.kind,
            "input_dtype": self.input_dtype,
            "fill": None
            if self.fill is None
            else [None if v is None else float(v) for v in self.fill],
            "mean": self.mean.flatten().tolist() if self.mean is not None else None,
            "std": self.std.flatten().tolist() if self.std is not None else None,
            "stats_shape": list(self.mean.shape) if self.mean is not None else None,
            "scale": float(self.scale),
            "feature_shape": list(self.feature_shape),
            "feature_names": list(self.feature_names),
            "class_names": list(self.class_names),
            "task": self.task,
            "masked": self.masked,
            "tokenizer": self.tokenizer,
            "decode_html": self.decode_html,
            "table": self.table,
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
            input_dtype=d.get("input_dtype", "float32"),
            fill=None if d.get("fill") is None else list(d["fill"]),
            mean=tensor(d.get("mean")),
            std=tensor(d.get("std")),
            scale=float(d.get("scale", 1.0)),
            feature_shape=tuple(d.get("feature_shape") or ()),
            feature_names=list(d.get("feature_names") or []),
            class_names=list(d.get("class_names") or []),
            task=d.get("task", ""),
            masked=bool(d.get("masked", False)),
            tokenizer=d.get("tokenizer") if isinstance(d.get("tokenizer"), str) else None,
            decode_html=bool(d.get("decode_html", True)),
            table=d.get("table") if isinstance(d.get("table"), dict) else None,
        )


def fit_preprocessing(x_train: torch.Tensor, info: DatasetInfo, normalize: bool) -> Preprocessing:
    """Statistics from the training split only: per channel for images, per feature otherwise."""
    pre = Preprocessing(
        kind="none",
        input_dtype=info.input_dtype,
        scale=1.0 / 255.0 if info.is_image else 1.0,
        feature_shape=tuple(info.feature_shape),
        feature_names=list(info.feature_names),
        class_names=list(info.class_names),
        task=info.task,
    )
    if not normalize or not x_train.is_floating_point() or len(x_train) == 0:
        return pre
    x = x_train.double()  # float64 sums: MNIST-sized sets lose digits in float32
    if info.is_sequence and x.ndim == 3:
        return _fit_sequence(pre, x, info)
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


def _fit_sequence(pre: Preprocessing, x: torch.Tensor, info: DatasetInfo) -> Preprocessing:
    """Per-channel mean and std of (N, C, L) series over their real steps only (the mask channel,
    when there is one, says which), so padding never moves the statistics."""
    pre.masked = info.feature_names[-1:] == ["mask"]
    values = x[:, :-1] if pre.masked else x
    weight = x[:, -1:].expand_as(values) if pre.masked else torch.ones_like(values)
    count = weight.sum(dim=(0, 2)).clamp_min(1.0)
    mean = (values * weight).sum(dim=(0, 2)) / count
    var = (((values - mean[None, :, None]) ** 2) * weight).sum(dim=(0, 2)) / count
    std = var.sqrt()
    std = torch.where(std < 1e-8, torch.ones_like(std), std)
    pre.kind = "sequence"
    pre.mean, pre.std = mean.float().reshape(-1, 1), std.float().reshape(-1, 1)
    return pre


def fill_values(
    groups: list[dict[str, Any]], x_train: torch.Tensor
) -> tuple[list[float | None] | None, list[str]]:
    """Fill values for the missing cells of ``groups`` (see ``Dataset.fill``), from the training
    rows only, and what was done: (one value or None per flat feature column, report lines)."""
    if not groups or x_train.ndim != 2:
        return None, []
    fill: list[float | None] = [None] * int(x_train.shape[1])
    report = []
    for group in groups:
        cols = list(group["columns"])
        block = x_train[:, cols].double()
        present = ~torch.isnan(block).any(dim=1)
        known = block[present]
        how = group.get("how", "most_frequent")
        if group["kind"] == "onehot":
            sums = known.sum(dim=0) if len(known) else torch.zeros(len(cols))
            best = int(sums.argmax())
            values = [1.0 if i == best else 0.0 for i in range(len(cols))]
            name = str(group.get("names", [c for c in cols])[best])
            text = f"the most frequent value in the training split ({name!r})"
        else:
            col = known[:, 0]
            if len(col) == 0:
                value = 0.0
                text = "0 (the training split has no value in this column)"
            elif group["kind"] == "numeric" and how == "mean":
                value = float(col.mean())
                text = f"the training split's mean ({value:.4g})"
            elif group["kind"] == "numeric" and how == "median":
                value = float(col.quantile(0.5))
                text = f"the training split's median ({value:.4g})"
            else:
                uniq, counts = torch.unique(col, return_counts=True)
                value = float(uniq[int(counts.argmax())])
                label = group.get("names", [])
                shown = (
                    label[int(value)] if group["kind"] == "ordinal" and label else f"{value:.4g}"
                )
                text = f"the most frequent value in the training split ({shown})"
            values = [value]
        for c, v in zip(cols, values, strict=True):
            fill[c] = v
        report.append(
            f"fill missing cells in column '{group['feature']}' ({group.get('missing', '?')} in "
            f"the file) with {text}"
        )
    return fill, report
