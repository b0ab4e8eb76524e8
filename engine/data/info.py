"""``Dataset`` (tensors + facts) and ``DatasetInfo`` (the facts the model builder needs).

``make_info`` derives task, loss and output activation from the labels; ``encode_target`` turns raw
target values (numbers or strings) into class indices or float targets, so every source agrees on it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any

import numpy as np
import torch

from .errors import DataError

if TYPE_CHECKING:
    from ..shapes import AutoSizes

# A numeric target with at most this many distinct integer values is taken as class labels.
MAX_AUTO_CLASSES = 20

# The default loss for each task; the training engine's ``loss: auto`` reads the same table.
TASK_LOSS = {
    "binary": "binary_cross_entropy",
    "multiclass": "cross_entropy",
    "regression": "mse",
    "reconstruction": "mse",
}
_ACTIVATION = {"binary": "sigmoid", "multiclass": "softmax", "regression": "none"}


@dataclass(frozen=True)
class DatasetInfo:
    """What a data set is, so templates can resolve their ``auto`` input shape and output units."""

    num_samples: int
    feature_shape: tuple[int, ...]
    task: str
    class_names: list[str]
    class_counts: list[int]
    num_outputs: int
    suggested_loss: str
    suggested_output_activation: str
    input_dtype: str
    source: str
    is_image: bool
    feature_names: list[str] = field(default_factory=list)
    # (N, channels, length) series (sequences.py); a mask channel, when any, is the last channel.
    is_sequence: bool = False

    def auto_sizes(self) -> AutoSizes:
        """What a graph's ``auto`` Input shape and output units resolve to on this data."""
        from ..shapes import AutoSizes  # the data engine needs shape inference only here

        return AutoSizes(tuple(self.feature_shape), self.num_outputs, self.input_dtype)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DatasetInfo:
        """Back from ``to_dict()`` (the training process sends it to the window so)."""
        known = {f.name for f in fields(cls)}
        values = {key: value for key, value in data.items() if key in known}
        values["feature_shape"] = tuple(values.get("feature_shape", ()))
        return cls(**values)

    def to_dict(self) -> dict[str, Any]:
        """JSON-able copy (for the GUI and the CLI's ``--json`` output)."""
        return {
            "num_samples": self.num_samples,
            "feature_shape": list(self.feature_shape),
            "task": self.task,
            "class_names": list(self.class_names),
            "class_counts": list(self.class_counts),
            "num_outputs": self.num_outputs,
            "suggested_loss": self.suggested_loss,
            "suggested_output_activation": self.suggested_output_activation,
            "input_dtype": self.input_dtype,
            "source": self.source,
            "is_image": self.is_image,
            "feature_names": list(self.feature_names),
            "is_sequence": self.is_sequence,
        }


@dataclass
class Dataset:
    """Loaded data: ``x`` (N, *feature_shape), ``y`` (N,) or (N, T), facts, own test split, report."""

    x: torch.Tensor
    y: torch.Tensor
    info: DatasetInfo
    test: Dataset | None = None
    report: list[str] = field(default_factory=list)
    # The first rows of the file as it was read (strings), for the GUI's table preview.
    preview_columns: list[str] = field(default_factory=list)
    preview_rows: list[list[str]] = field(default_factory=list)
    # Feature columns whose missing cells (NaN in ``x``) ``prepare`` fills from the TRAINING split:
    # [{"feature": name, "columns": [indices into the flat features], "kind": "numeric" | "onehot"
    # | "ordinal", "how": "mean" | "median" | "most_frequent"}].
    fill: list[dict[str, Any]] = field(default_factory=list)
    # A table's schema (table_rows.table_schema): how raw rows in the file's columns are encoded.
    table: dict[str, Any] | None = None
    # A series' windows (forecast.py): each one's [first step, end) on the series, so `prepare`
    # splits by time; and the time column's values (for axes).
    time_spans: torch.Tensor | None = None
    times: list[str] = field(default_factory=list)
    # Each window's baseline forecasts in the targets' shape and units (forecast.py): "naive"
    # (the last value seen) and, with a season, "seasonal" (the value one season earlier; NaN
    # where the series does not reach back so far); "season" (steps) in ``season``.
    baselines: dict[str, torch.Tensor] = field(default_factory=dict)
    season: int | None = None
    # Labelled texts (texts.py): ``x`` holds row numbers until `prepare` tokenises them with a
    # tokenizer trained on the training split; ``text_settings`` are the tokenizer's params.
    texts: list[str] | None = None
    text_settings: dict[str, Any] = field(default_factory=dict)
    tokenizer_json: str | None = None  # the trained tokenizer (`tokenizers` JSON), after prepare

    def __len__(self) -> int:
        return int(self.x.shape[0])


def make_info(
    x: torch.Tensor,
    y: torch.Tensor,
    *,
    task: str,
    class_names: list[str],
    source: str,
    is_image: bool = False,
    feature_names: list[str] | None = None,
    is_sequence: bool = False,
) -> DatasetInfo:
    """Facts about (x, y): counts per class, outputs, loss and output activation for the task."""
    if task == "regression":
        num_outputs = 1 if y.ndim == 1 else int(y.shape[1])
        counts: list[int] = []
        class_names = []
    else:
        counts = torch.bincount(y.long(), minlength=len(class_names)).tolist() if len(y) else []
        num_outputs = 1 if task == "binary" else len(class_names)
    return DatasetInfo(
        num_samples=int(x.shape[0]),
        feature_shape=tuple(int(s) for s in x.shape[1:]),
        task=task,
        class_names=list(class_names),
        class_counts=counts,
        num_outputs=num_outputs,
        suggested_loss=TASK_LOSS[task],
        suggested_output_activation=_ACTIVATION[task],
        input_dtype="int64" if x.dtype == torch.int64 else "float32",
        source=source,
        is_image=is_image,
        feature_names=list(feature_names or []),
        is_sequence=is_sequence,
    )


def encode_target(
    values: np.ndarray,
    *,
    task: str | None,
    where: str,
    class_names: list[str] | None = None,
    name: str | None = None,
) -> tuple[torch.Tensor, str, list[str]]:
    """Raw target values -> (y, task, class_names).

    Strings are class labels (sorted names kept); integers with few distinct values are class labels;
    anything else is a regression target. ``task`` overrides the guess where that makes sense.
    A constant target is refused: there is nothing to learn.

    With ``class_names`` (a trained model's classes) the labels are numbered by those names instead,
    so data holding only some of the classes, in any order, gets the model's class indices; a label
    that is not among them is refused.
    """
    values = np.asarray(values)
    if values.ndim == 2 and values.shape[1] == 1:
        values = values[:, 0]
    if values.size == 0:
        raise DataError("no samples", path=where)
    if class_names and task != "regression":
        return _encode_known(values, task=task, where=where, class_names=list(class_names))
    if values.ndim == 2:
        return _encode_2d(values, task=task, where=where)
    numeric = values.dtype.kind in "biuf"
    if not numeric and values.dtype.kind == "O":
        # Object columns of pure numbers (pandas gives these) are still numbers.
        try:
            values = values.astype(np.float64)
            numeric = True
        except (TypeError, ValueError):
            values = values.astype(str)
    uniques = np.unique(values)
    if len(uniques) < 2:
        raise DataError(
            f"the target{f' column {name!r}' if name else ''} has only one value "
            f"('{_label_name(uniques[0].item() if hasattr(uniques[0], 'item') else uniques[0])}' "
            f"in all {len(values)} rows); "
            "there is nothing to learn — choose another target column",
            path=where,
        )
    integral = (
        numeric and bool(np.all(np.isfinite(values))) and bool(np.all(np.mod(values, 1) == 0))
    )
    if task is None:
        if not numeric or (integral and len(uniques) <= MAX_AUTO_CLASSES):
            task = "binary" if len(uniques) == 2 else "multiclass"
        else:
            task = "regression"
    if task == "regression":
        if not numeric:
            raise DataError(
                f"the target holds text ({uniques[0]!r}, ...), so it cannot be a regression target",
                path=where,
            )
        return torch.from_numpy(np.array(values, dtype=np.float32)), task, []
    if numeric and not integral:
        raise DataError(
            f"task '{task}' needs class labels but the target holds fractional values "
            f"(e.g. {values[np.mod(values, 1) != 0][0]!r}); use task 'regression'",
            path=where,
        )
    if task == "binary" and len(uniques) != 2:
        raise DataError(
            f"task 'binary' needs exactly 2 classes but the target has {len(uniques)}", path=where
        )
    indices = np.searchsorted(uniques, values)
    return (
        torch.from_numpy(np.array(indices, dtype=np.int64)),
        task,
        [_label_name(u) for u in uniques],
    )


def _encode_known(
    values: np.ndarray, *, task: str | None, where: str, class_names: list[str]
) -> tuple[torch.Tensor, str, list[str]]:
    """Class labels numbered by ``class_names`` (by name; one-hot rows by position)."""
    k = len(class_names)
    task = task or ("binary" if k == 2 else "multiclass")
    if task == "binary" and k != 2:
        raise DataError(f"task 'binary' needs exactly 2 classes, not {k}", path=where)
    if values.ndim == 2:
        y, _, _ = _encode_2d(values, task=task, where=where)
        if y.is_floating_point() or values.shape[1] != k:
            raise DataError(
                f"the target has {values.shape[1]} columns, but the model knows {k} classes",
                path=where,
            )
        return y, task, class_names
    if values.dtype.kind == "O":
        try:
            values = values.astype(np.float64)
        except (TypeError, ValueError):
            values = values.astype(str)
    uniques, inverse = np.unique(values, return_inverse=True)
    names = [_label_name(u.item() if hasattr(u, "item") else u).strip() for u in uniques]
    index = {name: i for i, name in enumerate(class_names)}
    unknown = [name for name in names if name not in index]
    if unknown:
        shown = ", ".join(repr(n) for n in unknown[:10]) + (" ..." if len(unknown) > 10 else "")
        raise DataError(
            f"label(s) {shown} are not among the model's classes "
            f"({', '.join(repr(n) for n in class_names)})",
            path=where,
        )
    codes = np.array([index[name] for name in names], dtype=np.int64)[inverse.reshape(-1)]
    return torch.from_numpy(codes), task, class_names


def align_classes(
    y: torch.Tensor, names: list[str], class_names: list[str], where: str
) -> torch.Tensor:
    """Class indices ``y`` (numbered by ``names``) renumbered by ``class_names`` (a model's)."""
    if list(names) == list(class_names):
        return y
    index = {name: i for i, name in enumerate(class_names)}
    present = torch.unique(y).tolist() if len(y) else []
    unknown = [names[i] for i in present if names[i] not in index]
    if unknown:
        raise DataError(
            f"class(es) {', '.join(repr(n) for n in unknown)} are not among the model's classes "
            f"({', '.join(repr(n) for n in class_names)})",
            path=where,
        )
    table = torch.tensor([index.get(n, -1) for n in names], dtype=torch.int64)
    return table[y.long()]


def _label_name(u: Any) -> str:
    if isinstance(u, (float, np.floating)) and float(u).is_integer():
        return str(int(u))
    return str(u)


def _encode_2d(
    values: np.ndarray, *, task: str | None, where: str
) -> tuple[torch.Tensor, str, list[str]]:
    """A 2-D target: one-hot rows become class indices, anything else is multi-target regression."""
    if values.dtype.kind not in "biuf":
        raise DataError("a 2-D target must be numeric", path=where)
    one_hot = bool(np.all((values == 0) | (values == 1)) and np.all(values.sum(axis=1) == 1))
    if one_hot and task != "regression":
        k = values.shape[1]
        idx = values.argmax(axis=1)
        task = task or ("binary" if k == 2 else "multiclass")
        return torch.as_tensor(idx, dtype=torch.int64), task, [str(i) for i in range(k)]
    if task not in (None, "regression"):
        raise DataError(
            f"task '{task}' needs one label per sample, but the target is 2-D", path=where
        )
    return torch.from_numpy(np.array(values, dtype=np.float32)), "regression", []
