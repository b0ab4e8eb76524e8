"""What the window's insight views show, computed where the model trains: the decision boundary
of a 2-D model on a grid and weight and gradient histograms per layer (`Snapshot`s, from a
trainer callback), and at the end of a run the ROC curve, predicted-vs-true points or
misclassified images (`Results`).

Everything in them is numpy arrays, numbers and strings, safe to send to another process.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import torch
from neurocanvas.engine.inspect.preview import preview
from neurocanvas.engine.training import Callback
from neurocanvas.engine.training.metrics import binary_auc, roc_curve

from .messages import Results, Snapshot

GRID = 80  # boundary resolution (GRID x GRID model evaluations per picture)
BOUNDARY_INTERVAL = 0.15  # seconds between boundary pictures: ~7 a second is smooth enough
PREVIEW_INTERVAL = 1.0  # s: "a modest rate"; one batch-of-1 forward each time
HISTOGRAM_INTERVAL = 0.5  # histograms change slowly and cost more for big models
HISTOGRAM_BINS = 40
MAX_MISCLASSIFIED = 24
MAX_SCATTER = 2000


class InsightCallback(Callback):
    """At epoch end (throttled; always the first and last epoch) hand `send` a `Snapshot`."""

    def __init__(self, send: Callable[[Snapshot], None]):
        self.send = send
        self._last_boundary = self._last_histograms = -1e9
        self.grid: torch.Tensor | None = None
        self.extent: tuple[float, float, float, float] | None = None

    def on_run_start(self, trainer) -> None:
        x = trainer.data.train.x
        if x.ndim == 2 and x.shape[1] == 2 and x.is_floating_point():
            self.grid, self.extent = _grid(x.float())
        else:
            self.grid = None

    def on_epoch_end(self, trainer, epoch: int, logs: dict[str, float]) -> None:
        # A picture must never end a run (e.g. histograms of inf weights): skip it instead.
        with contextlib.suppress(Exception):
            self._snapshot(trainer, epoch)

    def _snapshot(self, trainer, epoch: int) -> None:
        now = time.perf_counter()
        edge = epoch in (1, trainer.config.epochs)
        picture = weights = None
        if self.grid is not None and (edge or now - self._last_boundary >= BOUNDARY_INTERVAL):
            picture = boundary(trainer, self.grid, self.extent)
            self._last_boundary = now
        if edge or now - self._last_histograms >= HISTOGRAM_INTERVAL:
            weights = histograms(trainer.model)
            self._last_histograms = now
        if picture is not None or weights is not None:
            self.send(Snapshot(epoch, picture, weights))


class PreviewCallback(Callback):
    """Every node's output for one sample, at most every PREVIEW_INTERVAL seconds while the model
    trains (checked on the trainer's throttled progress and at each epoch's end), as a
    `Snapshot(preview=...)`: the canvas cards draw it."""

    def __init__(self, send: Callable[[Snapshot], None], sample: torch.Tensor):
        self.send = send
        self.sample = sample  # (1, ...) on the CPU
        self._last = -1e9

    def on_progress(self, trainer, event) -> None:
        self._maybe(trainer, event.epoch)

    def on_epoch_end(self, trainer, epoch: int, logs: dict[str, float]) -> None:
        self._maybe(trainer, epoch)

    def _maybe(self, trainer, epoch: int) -> None:
        now = time.perf_counter()
        if now - self._last < PREVIEW_INTERVAL:
            return
        self._last = now
        with contextlib.suppress(Exception):  # a picture must never end a run
            self.send(Snapshot(epoch, preview=one_thread_preview(trainer.model, self.sample)))


def one_thread_preview(model, sample: torch.Tensor) -> dict[str, dict[str, Any]]:
    """`preview` on one CPU thread: a batch of one gains nothing from more, and on a busy machine
    each of its small ops waited for the other threads (a 0.5 ms preview took ~350 ms on 2)."""
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        return preview(model, sample)
    finally:
        torch.set_num_threads(previous)


def _grid(x: torch.Tensor) -> tuple[torch.Tensor, tuple[float, float, float, float]]:
    low, high = x.min(0).values, x.max(0).values
    pad = (high - low).clamp(min=1e-3) * 0.1
    low, high = low - pad, high + pad
    xs = torch.linspace(float(low[0]), float(high[0]), GRID)
    ys = torch.linspace(float(low[1]), float(high[1]), GRID)
    gy, gx = torch.meshgrid(ys, xs, indexing="ij")  # row = y, column = x
    points = torch.stack([gx.reshape(-1), gy.reshape(-1)], dim=1)
    return points, (float(low[0]), float(high[0]), float(low[1]), float(high[1]))


@torch.no_grad()
def boundary(trainer, grid: torch.Tensor, extent) -> dict[str, Any]:
    """{"values": (GRID, GRID, C) float32 class probabilities (or C=1 regression output),
    "extent": (x0, x1, y0, y1), "task"}; row 0 is the lowest y."""
    view, objective = trainer.view, trainer.objective
    was_training = view.training
    view.eval()  # dropout off: the picture shows what the model predicts
    try:
        out = view(grid.to(trainer.device)).float()
        values = objective.probabilities(out)
    finally:
        view.train(was_training)
    if objective.classification and values.shape[1] == 1:
        values = torch.cat([1 - values, values], dim=1)
    values = values.reshape(GRID, GRID, -1).cpu().numpy().astype(np.float32)
    return {"values": values, "extent": extent, "task": objective.task}


def histograms(model: torch.nn.Module) -> dict[str, dict[str, Any]]:
    """{parameter name: {"weights": (counts, edges), "grads": (counts, edges) | None}}."""
    result: dict[str, dict[str, Any]] = {}
    for name, parameter in model.named_parameters():
        weights = parameter.detach().float().reshape(-1).cpu().numpy()
        entry: dict[str, Any] = {"weights": _histogram(weights), "grads": None}
        if parameter.grad is not None:
            entry["grads"] = _histogram(parameter.grad.detach().float().reshape(-1).cpu().numpy())
        result[name] = entry
    return result


def _histogram(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    values = values[np.isfinite(values)].astype(np.float64)
    if values.size == 0 or not np.isfinite(values.max() - values.min()):
        return np.zeros(HISTOGRAM_BINS), np.linspace(-1, 1, HISTOGRAM_BINS + 1)
    low, high = float(values.min()), float(values.max())
    if high - low < 1e-12:
        low, high = low - 0.5, high + 0.5
    return np.histogram(values, bins=HISTOGRAM_BINS, range=(low, high))


@torch.no_grad()
def results(trainer) -> Results:
    """ROC (binary), predicted-vs-true points (regression) or misclassified images, on the split
    the trainer evaluated at the end."""
    split_name = getattr(trainer, "evaluated_on", "test")
    placed = trainer.splits.get(split_name)
    if placed is None:
        return Results(split_name)
    if trainer.objective.task == "reconstruction" and trainer.config.step != "rbm":
        from neurocanvas.engine.training.anomaly import anomaly_report

        return Results(split_name, anomaly=anomaly_report(trainer, split_name))
    x, target = placed
    view, objective = trainer.view, trainer.objective
    was_training = view.training
    view.eval()
    try:
        size = trainer.config.eval_batch_size
        out = torch.cat([view(x[i : i + size]).float() for i in range(0, x.shape[0], size)])
    finally:
        view.train(was_training)
    if objective.classification:
        labels = getattr(trainer.data, split_name).y.reshape(-1).long()
        roc = None
        if objective.task == "binary":
            roc = roc_points(objective.probabilities(out)[:, -1].cpu(), labels == 1)
        info = getattr(trainer.data, "info", None)
        wrong = []
        if info is not None and info.is_image:
            predicted = objective.labels(out).cpu()
            wrong = _misclassified(trainer, split_name, predicted, labels)
        return Results(split_name, roc=roc, misclassified=wrong)
    if objective.task == "regression" and target is not None:
        return Results(split_name, scatter=_scatter(out, target))
    return Results(split_name)


def roc_points(score: torch.Tensor, positive: torch.Tensor) -> dict[str, Any]:
    """The engine's ROC curve and its area, as arrays for a plot."""
    fpr, tpr = roc_curve(score, positive)
    auc = binary_auc(score, positive)
    return {"fpr": fpr.numpy(), "tpr": tpr.numpy(), "auc": auc}


def _scatter(out: torch.Tensor, target: torch.Tensor) -> dict[str, Any]:
    pred = out.reshape(out.shape[0], -1)[:, 0].cpu().numpy()
    true = target.reshape(target.shape[0], -1)[:, 0].cpu().numpy()
    keep = slice(0, MAX_SCATTER)
    denominator = float(((true - true.mean()) ** 2).sum()) or 1.0
    r2 = 1.0 - float(((true - pred) ** 2).sum()) / denominator
    return {"true": true[keep], "pred": pred[keep], "r2": r2}


def _misclassified(trainer, split_name: str, predicted, labels) -> list[dict[str, Any]]:
    wrong = torch.nonzero(predicted != labels).reshape(-1)[:MAX_MISCLASSIFIED]
    if wrong.numel() == 0:
        return []
    x = getattr(trainer.data, split_name).x[wrong].float()
    preprocessing = getattr(trainer.data, "preprocessing", None)
    if preprocessing is not None:
        x = preprocessing.invert(x)
    images = (x.clamp(0, 1) * 255).round().to(torch.uint8).numpy()
    names = trainer.class_names or [str(i) for i in range(int(labels.max()) + 1)]
    return [
        {
            "image": images[i].transpose(1, 2, 0).squeeze(-1)
            if images[i].shape[0] == 1
            else images[i].transpose(1, 2, 0),
            "true": names[int(labels[index])],
            "pred": names[int(predicted[index])],
            "index": int(index),  # in the split: the Inside tab's sample number
        }
        for i, index in enumerate(wrong.tolist())
    ]
