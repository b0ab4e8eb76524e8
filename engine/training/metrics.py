"""Metrics, computed with tensor operations on the device the data is on.

Training accumulates only what it needs per batch (loss sum, correct count) in device tensors and
reads them once per log interval. Evaluation gathers the outputs of a split and computes accuracy,
top-k, precision/recall/F1 (macro and per class), balanced accuracy, macro-F1, the confusion matrix
and ROC-AUC (binary, or one-vs-rest macro) for classification; MSE, RMSE, MAE and R²
(variance-weighted over outputs) for regression (forecasts add their baselines:
forecast_metrics.py).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import torch

from .losses import Objective


class RunningMetrics:
    """On-device sums for the training loop: `update` never synchronises; `read` does, once."""

    def __init__(self, objective: Objective, device: torch.device):
        self.classification = objective.classification
        self._labels = objective.labels
        self.loss_sum = torch.zeros((), dtype=torch.float64, device=device)
        self.correct = torch.zeros((), dtype=torch.int64, device=device)
        self.count = 0

    @torch.no_grad()
    def update(self, loss: torch.Tensor, out: torch.Tensor, target: torch.Tensor) -> None:
        n = out.shape[0]
        self.loss_sum.add_(loss.detach(), alpha=n)
        if self.classification:
            self.correct.add_((self._labels(out) == target.reshape(n)).sum())
        self.count += n

    def read(self) -> dict[str, float]:
        """Synchronises; {} when nothing was added."""
        if not self.count:
            return {}
        result = {"loss": self.loss_sum.item() / self.count}
        if self.classification:
            result["accuracy"] = self.correct.item() / self.count
        return result

    def reset(self) -> None:
        self.loss_sum.zero_()
        self.correct.zero_()
        self.count = 0


@dataclass
class EvalResult:
    metrics: dict[str, float]
    confusion_matrix: list[list[int]] | None = None
    per_class: dict[str, list[float]] = field(default_factory=dict)
    class_names: list[str] = field(default_factory=list)
    num_samples: int = 0
    # A forecast's per-window targets, predictions and baselines (forecast_metrics.py), or {}.
    forecast: dict[str, list] = field(default_factory=dict)
    # Texts: the mistakes, most confident first (misclassified.py), or [].
    misclassified: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "metrics": dict(self.metrics),
            "confusion_matrix": self.confusion_matrix,
            "per_class": dict(self.per_class),
            "class_names": list(self.class_names),
            "num_samples": self.num_samples,
        }


def classification_metrics(
    objective: Objective,
    out: torch.Tensor,
    target: torch.Tensor,
    num_classes: int,
    top_k: int | None = None,
) -> EvalResult:
    """Metrics of the view outputs `out` (N, C) or (N, 1) against class indices `target` (N,)."""
    n = out.shape[0]
    target = target.reshape(n).long()
    predicted = objective.labels(out)
    k = max(num_classes, 2)
    confusion = torch.bincount(target * k + predicted, minlength=k * k).reshape(k, k)
    result: dict[str, float] = {
        "accuracy": (predicted == target).double().mean().item() if n else math.nan
    }
    true_pos = confusion.diag().double()
    support = confusion.sum(1).double()
    predicted_count = confusion.sum(0).double()
    precision = torch.where(predicted_count > 0, true_pos / predicted_count.clamp(min=1), 0.0)
    recall = torch.where(support > 0, true_pos / support.clamp(min=1), 0.0)
    f1 = torch.where(
        precision + recall > 0, 2 * precision * recall / (precision + recall).clamp(min=1e-12), 0.0
    )
    present = support > 0
    result["precision"] = precision[present].mean().item() if present.any() else math.nan
    result["recall"] = recall[present].mean().item() if present.any() else math.nan
    result["f1"] = f1[present].mean().item() if present.any() else math.nan
    # The mean recall over the classes present (sklearn's balanced_accuracy_score), and the mean
    # F1 over the classes that occur as labels or as predictions (sklearn's macro f1_score).
    result["balanced_accuracy"] = result["recall"]
    occurring = present | (predicted_count > 0)
    result["macro_f1"] = f1[occurring].mean().item() if occurring.any() else math.nan
    probabilities = objective.probabilities(out).float()
    result["auc"] = _roc_auc(probabilities, target, k)
    top_k = top_k or (5 if k > 5 else 0)
    if top_k and out.shape[1] >= top_k:
        hits = (out.topk(top_k, dim=1).indices == target[:, None]).any(1)
        result[f"top{top_k}_accuracy"] = hits.double().mean().item()
    per_class = {
        "precision": precision.tolist(),
        "recall": recall.tolist(),
        "f1": f1.tolist(),
        "support": support.tolist(),
    }
    return EvalResult(result, confusion.tolist(), per_class, num_samples=n)


def _roc_auc(probabilities: torch.Tensor, target: torch.Tensor, num_classes: int) -> float:
    if probabilities.shape[1] == 1 or num_classes == 2:
        scores = probabilities[:, -1] if probabilities.shape[1] > 1 else probabilities[:, 0]
        return binary_auc(scores, target == 1)
    values = [binary_auc(probabilities[:, c], target == c) for c in range(probabilities.shape[1])]
    values = [v for v in values if not math.isnan(v)]
    return sum(values) / len(values) if values else math.nan


def roc_curve(scores: torch.Tensor, positive: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(false positive rates, true positive rates), float64 from (0, 0) to (1, 1), one point per
    distinct score: tied samples move the curve together (diagonally), which is what makes the
    area under it equal the rank-sum (Mann-Whitney U) AUC with ties at their average rank."""
    scores, positive = scores.reshape(-1), positive.reshape(-1)
    origin = torch.zeros(1, dtype=torch.float64, device=scores.device)
    if scores.numel() == 0:
        return origin, origin
    order = scores.argsort(descending=True, stable=True)
    hits = positive[order].double()
    last = torch.tensor([scores.numel() - 1], device=scores.device)
    ends = torch.cat([torch.nonzero(scores[order].diff()).reshape(-1), last])
    true_pos, false_pos = hits.cumsum(0)[ends], (1 - hits).cumsum(0)[ends]
    # A class that is absent leaves its rate at 0 rather than dividing by zero.
    tpr = torch.cat([origin, true_pos / true_pos[-1].clamp(min=1)])
    fpr = torch.cat([origin, false_pos / false_pos[-1].clamp(min=1)])
    return fpr, tpr


def binary_auc(scores: torch.Tensor, positive: torch.Tensor) -> float:
    """Area under `roc_curve`; NaN when one of the two classes is absent."""
    positives = int(positive.sum())
    if positives == 0 or positives == positive.numel():
        return math.nan
    fpr, tpr = roc_curve(scores, positive)
    return torch.trapezoid(tpr, fpr).item()


class RegressionSums:
    """Sums for MSE, MAE and R², added batch by batch on the device."""

    def __init__(self, device: torch.device):
        self.sums = torch.zeros(5, dtype=torch.float64, device=device)  # se, ae, y, y², count
        self.columns: torch.Tensor | None = None

    @torch.no_grad()
    def update(self, out: torch.Tensor, target: torch.Tensor) -> None:
        out = out.double().reshape(out.shape[0], -1)
        target = target.double().reshape(out.shape)
        error = out - target
        stats = torch.stack(
            [error.pow(2).sum(0), error.abs().sum(0), target.sum(0), target.pow(2).sum(0)]
        )
        self.columns = stats if self.columns is None else self.columns + stats
        self.sums[4] += out.shape[0]

    def result(self) -> dict[str, float]:
        if self.columns is None:
            return {}
        count = self.sums[4].item()
        se, ae, total, squares = self.columns
        variance_sum = (squares - total.pow(2) / count).sum().item()
        values = count * se.numel()
        r2 = 1 - se.sum().item() / variance_sum if variance_sum > 0 else math.nan
        mse = se.sum().item() / values
        return {"mse": mse, "rmse": math.sqrt(mse), "mae": ae.sum().item() / values, "r2": r2}


def monitor_mode(name: str) -> str:
    """'min' for losses and errors, 'max' for scores."""
    base = name.split("_", 1)[1] if name.startswith(("val_", "train_", "test_")) else name
    return "min" if base in ("loss", "mse", "rmse", "mae", "mase") else "max"
