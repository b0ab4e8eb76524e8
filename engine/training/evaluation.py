"""`evaluate` a model on a split and `predict` class probabilities, for the trainer, the CLI and the
GUI's results and try-it views. Both run the model in eval mode without gradients, batch by batch."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import fx

from .devices import autocast
from .losses import Objective, prepare_target, resolve_objective, strip_head
from .metrics import EvalResult, RegressionSums, classification_metrics


@torch.no_grad()
def evaluate_view(
    view: torch.nn.Module,
    objective: Objective,
    x: torch.Tensor,
    target: torch.Tensor | None,
    *,
    batch_size: int = 1024,
    device: torch.device | str = "cpu",
    amp_dtype: torch.dtype | None = None,
    num_classes: int = 2,
    class_names: list[str] | None = None,
) -> EvalResult:
    """Loss and metrics of the training `view` on (x, target); `target` None means target = x.
    `target` is already in the loss's dtype and shape (see `prepare_target`)."""
    device = torch.device(device)
    was_training = view.training
    view.eval()
    try:
        loss_fn = objective.loss_fn()
        n = int(x.shape[0])
        loss_sum = torch.zeros((), dtype=torch.float64, device=device)
        outputs = []
        sums = RegressionSums(device)
        for start in range(0, n, batch_size):
            xb = x[start : start + batch_size].to(device, non_blocking=True)
            yb = (
                xb
                if target is None
                else target[start : start + batch_size].to(device, non_blocking=True)
            )
            with autocast(device, amp_dtype):
                out = view(xb)
            out = out.float()
            loss_sum += loss_fn(out, yb).double() * xb.shape[0]
            if objective.classification:
                outputs.append(out)
            else:
                sums.update(objective.reconstruct(out), yb)
        if n == 0:
            return EvalResult({}, class_names=list(class_names or []))
        if objective.classification:
            labels = target if target is not None else x
            result = classification_metrics(
                objective, torch.cat(outputs), labels.to(device), num_classes
            )
        else:
            result = EvalResult(sums.result())
        result.metrics = {"loss": loss_sum.item() / n, **result.metrics}
        result.class_names = list(class_names or [])
        result.num_samples = n
        return result
    finally:
        view.train(was_training)


def objective_for(
    model: fx.GraphModule,
    sample: torch.Tensor,
    *,
    task: str | None = None,
    loss: str = "auto",
    mode: str | None = None,
) -> tuple[Objective, torch.nn.Module, tuple[int, ...]]:
    """(objective, training view, output shape) for `model`, probing it with one sample."""
    task = task or getattr(model, "task", None)
    mode = mode or getattr(model, "mode", "supervised")
    was_training = model.training
    model.eval()
    with torch.no_grad():
        out_shape = tuple(model(sample[:1]).shape)
    model.train(was_training)
    out_units = out_shape[1] if len(out_shape) > 1 else 1
    objective = resolve_objective(
        model, loss if loss != "auto" else getattr(model, "loss", "auto"), task, out_units, mode
    )
    view = strip_head(model) if objective.view_output == "logits" else model
    return objective, view, out_shape


def evaluate(
    model: fx.GraphModule,
    split,
    *,
    task: str | None = None,
    loss: str = "auto",
    mode: str | None = None,
    batch_size: int = 1024,
    device: str | torch.device = "cpu",
    class_names: list[str] | None = None,
) -> EvalResult:
    """Evaluate `model` on `split` (anything with `.x` and `.y`, already preprocessed).

    `task`, `loss`, `mode` and `class_names` default to what the trainer or `load_checkpoint` stored
    on the model; failing that, the task is guessed from the labels (floats: regression)."""
    device = torch.device(device)
    model.to(device)
    x, y = split.x, split.y
    if (
        task is None
        and getattr(model, "task", None) is None
        and (mode or "supervised") == "supervised"
    ):
        task = "regression" if y.is_floating_point() else "classification"
    objective, view, out_shape = objective_for(model, x.to(device), task=task, loss=loss, mode=mode)
    target = None if objective.task == "reconstruction" else prepare_target(y, objective, out_shape)
    num_classes = out_shape[1] if len(out_shape) > 1 and out_shape[1] > 1 else 2
    names = class_names if class_names is not None else getattr(model, "class_names", None)
    return evaluate_view(
        view,
        objective,
        x,
        target,
        batch_size=batch_size,
        device=device,
        num_classes=num_classes,
        class_names=names,
    )


@dataclass
class Prediction:
    probabilities: torch.Tensor  # (N, classes); regression: the outputs
    labels: list[int]  # predicted class index per sample ([] for regression)
    class_names: list[str]

    def top(self, index: int = 0, k: int = 3) -> list[tuple[str, float]]:
        """The k most likely (class name, probability) pairs of sample `index`."""
        row = self.probabilities[index]
        values, indices = row.topk(min(k, row.numel()))
        names = self.class_names or [str(i) for i in range(row.numel())]
        return [(names[i], float(v)) for v, i in zip(values.tolist(), indices.tolist())]


@torch.no_grad()
def predict(
    model: fx.GraphModule,
    x: torch.Tensor,
    *,
    class_names: list[str] | None = None,
    task: str | None = None,
    preprocessing=None,
    batch_size: int = 1024,
) -> Prediction:
    """Class probabilities (a binary output gives two columns: [1 - p, p]) and predicted classes.

    `x` is raw when `preprocessing` (the data's Preprocessing, with `.apply`) is given, otherwise
    already preprocessed. Runs on the device the model's parameters are on."""
    device = next(model.parameters()).device
    if preprocessing is not None:
        x = preprocessing.apply(x)
    x = x.to(device)
    objective, view, _ = objective_for(model, x, task=task)
    names = list(
        class_names if class_names is not None else getattr(model, "class_names", []) or []
    )
    was_training = view.training
    view.eval()
    try:
        outs = [view(x[i : i + batch_size]).float() for i in range(0, x.shape[0], batch_size)]
    finally:
        view.train(was_training)
    out = torch.cat(outs) if outs else torch.empty(0)
    if not objective.classification:
        return Prediction(out.cpu(), [], [])
    probabilities = objective.probabilities(out)
    if probabilities.shape[1] == 1:
        probabilities = torch.cat([1 - probabilities, probabilities], dim=1)
    return Prediction(probabilities.cpu(), probabilities.argmax(1).tolist(), names)
