"""Losses and the model's final activation ("head").

A final Softmax (or LogSoftmax) with cross-entropy, or a final Sigmoid with binary cross-entropy, is
trained from the logits: `training_view` strips that last activation from the compiled graph (the view
shares every parameter with the model) and the loss is `F.cross_entropy` (log-softmax inside) or
`F.binary_cross_entropy_with_logits` on the logits. That is mathematically the loss of the model's
own output, but exact and numerically stable (no log of a rounded-to-zero probability). The model
itself, saved and exported, keeps its activation and outputs probabilities.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import fx, nn

from .. import registry
from ..data.info import TASK_LOSS

_REGRESSION_LOSSES = {
    "mse": F.mse_loss,
    "mae": F.l1_loss,
    "huber": F.huber_loss,
}
LOSS_TITLES = {
    "cross_entropy": "cross-entropy",
    "binary_cross_entropy": "binary cross-entropy",
    "mse": "mean squared error",
    "mae": "mean absolute error",
    "huber": "Huber",
}


@dataclass(frozen=True)
class Objective:
    """What is trained: the loss, the task, and what the training view outputs."""

    loss: str  # cross_entropy | binary_cross_entropy | mse | mae | huber
    task: str  # binary | multiclass | regression | reconstruction
    head: str  # the model's final activation: softmax | log_softmax | sigmoid | none
    view_output: (
        str  # what the training view outputs: logits | softmax | log_softmax | sigmoid | none
    )
    class_dim: int = 1
    note: str = ""

    @property
    def classification(self) -> bool:
        return self.task in ("binary", "multiclass")

    def loss_fn(self) -> Callable[[torch.Tensor, torch.Tensor], torch.Tensor]:
        if self.loss == "cross_entropy":
            if self.view_output == "log_softmax":
                return F.nll_loss
            return F.cross_entropy
        if self.loss == "binary_cross_entropy":
            if self.view_output == "sigmoid":
                return F.binary_cross_entropy
            return F.binary_cross_entropy_with_logits
        return _REGRESSION_LOSSES[self.loss]

    def probabilities(self, out: torch.Tensor) -> torch.Tensor:
        """Class probabilities from the view's output (classification), or the output itself."""
        if not self.classification:
            return out
        if self.view_output in ("softmax", "sigmoid"):
            return out
        if self.view_output == "log_softmax":
            return out.exp()
        if self.loss == "binary_cross_entropy" or out.shape[1] == 1:
            return torch.sigmoid(out)
        return torch.softmax(out, dim=1)

    def reconstruct(self, out: torch.Tensor) -> torch.Tensor:
        """The values the view's output stands for: a BCE reconstruction's logits through a
        sigmoid; other outputs as they are."""
        if self.loss == "binary_cross_entropy" and self.task == "reconstruction":
            return torch.sigmoid(out) if self.view_output != "sigmoid" else out
        return out

    def labels(self, out: torch.Tensor) -> torch.Tensor:
        """Predicted class indices from the view's output (no probabilities needed)."""
        if out.ndim > 1 and out.shape[1] > 1:
            return out.argmax(1)
        threshold = 0.5 if self.view_output == "sigmoid" else 0.0
        return (out.reshape(out.shape[0]) > threshold).long()


def find_head(model: fx.GraphModule) -> tuple[str, fx.Node | None, int]:
    """(name of the final activation, the fx node holding it, its dim); ("none", None, 1) if none."""
    output = next(node for node in model.graph.nodes if node.op == "output")
    last = output.args[0]
    if not isinstance(last, fx.Node) or last.op != "call_module":
        return "none", None, 1
    module = model.get_submodule(last.target)
    if isinstance(module, nn.Sequential) and len(module) > 1:
        module = module[-1]
    head = registry.head_of(module)
    if head is None:
        return "none", None, 1
    dim = getattr(module, "dim", 1)
    return head.kind, last, 1 if dim in (None, -1) else dim


def _folded_heads() -> dict[str, tuple[str, ...]]:
    """Classification loss -> the head kinds it trains through from the logits (LayerSpec.head)."""
    folded: dict[str, tuple[str, ...]] = {}
    for kind, spec in registry.output_heads().items():
        folded[spec.head.loss] = (*folded.get(spec.head.loss, ()), kind)
    return folded


def strip_head(model: fx.GraphModule) -> fx.GraphModule:
    """A view of `model` without its final activation, sharing all parameters with it."""
    head, head_node, _ = find_head(model)
    if head_node is None:
        return model
    graph = fx.Graph()
    env: dict[fx.Node, fx.Node] = {}
    for node in model.graph.nodes:
        if node is head_node:
            value = env[node.args[0]]
            module = model.get_submodule(node.target)
            if isinstance(module, nn.Sequential):
                for index in range(len(module) - 1):
                    value = graph.call_module(f"{node.target}.{index}", (value,))
            env[node] = value
        else:
            env[node] = graph.node_copy(node, lambda n: env[n])
    view = fx.GraphModule(model, graph, class_name="NeuroCanvasLogits")
    view.train(model.training)
    return view


def resolve_objective(
    model: fx.GraphModule, loss: str, task: str | None, out_units: int, mode: str = "supervised"
) -> Objective:
    """Pick the loss for `task` (when `loss` is auto) and decide whether to train from logits."""
    strippable = _folded_heads()
    if mode == "reconstruction":
        task = "reconstruction"
    if task == "classification":  # labels are class indices; the output decides which kind
        task = "multiclass" if out_units > 1 else "binary"
    task = task or ("multiclass" if out_units > 1 else "regression")
    if loss == "auto":
        loss = TASK_LOSS[task]  # the data engine's suggested loss
    if task in ("binary", "multiclass") and loss not in strippable:
        raise ValueError(
            f"the data is a {task} classification task but the loss is {loss}; "
            "use cross_entropy or binary_cross_entropy (or loss auto)"
        )
    if task == "reconstruction" and loss == "binary_cross_entropy":
        # Per-value BCE against inputs in [0, 1] (pixels): the autoencoder's other loss.
        return _reconstruction_bce(model)
    if task in ("regression", "reconstruction") and loss in strippable:
        hint = "mse or binary_cross_entropy" if task == "reconstruction" else "mse, mae or huber"
        raise ValueError(
            f"the data is a {task} task; {LOSS_TITLES[loss]} needs class labels (use {hint})"
        )
    # A binary task with two outputs trains as two-class cross-entropy, and vice versa.
    if loss == "binary_cross_entropy" and out_units > 1:
        loss = "cross_entropy"
    elif loss == "cross_entropy" and out_units == 1:
        loss = "binary_cross_entropy"
    head, _, dim = find_head(model)
    title = LOSS_TITLES[loss]
    if head in strippable.get(loss, ()):
        fn = "log_softmax" if loss == "cross_entropy" else "log-sigmoid"
        note = (
            f"The final {_pretty(head)} is folded into the {title} loss: training computes it "
            f"from the logits ({fn} inside the loss, exact and numerically stable); the model "
            f"still outputs {'' if _outputs_probabilities(head) else 'log-'}probabilities."
        )
        return Objective(loss, task, head, "logits", dim, note)
    if loss in strippable:
        if head == "none":
            act = "softmax" if loss == "cross_entropy" else "sigmoid"
            note = (
                f"The output has no activation: it is taken as logits for the {title} loss; "
                f"probabilities are its {act}."
            )
        else:
            note = (
                f"Warning: the final {_pretty(head)} does not suit {title}; its outputs are "
                "taken as logits."
            )
            head = "none"
        return Objective(loss, task, head, "none", dim, note)
    note = f"{title.capitalize()} loss on the model's output" + (
        f" (after its final {_pretty(head)})." if head != "none" else "."
    )
    return Objective(loss, task, head, head, dim, note)


def _reconstruction_bce(model: fx.GraphModule) -> Objective:
    """BCE reconstruction: a final Sigmoid is folded into the loss (trained from the logits);
    without one the outputs are taken as logits. `reconstruct` turns the view's output back
    into values in [0, 1] for the metrics."""
    head, _, dim = find_head(model)
    if head == "sigmoid":
        note = (
            "The final Sigmoid is folded into the binary cross-entropy reconstruction loss "
            "(computed from the logits, exact and numerically stable); the model still "
            "outputs values in [0, 1]."
        )
        return Objective("binary_cross_entropy", "reconstruction", head, "logits", dim, note)
    note = (
        "Binary cross-entropy reconstruction: the output has no final Sigmoid, so it is taken "
        "as logits (add a Sigmoid to output values in [0, 1])."
    )
    return Objective("binary_cross_entropy", "reconstruction", "none", "none", dim, note)


def _pretty(head: str) -> str:
    spec = registry.output_heads().get(head)
    return spec.name if spec else head


def _outputs_probabilities(head: str) -> bool:
    spec = registry.output_heads().get(head)
    return spec is None or spec.head.probabilities


def prepare_target(
    y: torch.Tensor, objective: Objective, out_shape: tuple[int, ...]
) -> torch.Tensor:
    """The target in the dtype and shape the loss wants, converted once for a whole split."""
    if objective.loss == "cross_entropy":
        if y.is_floating_point() and y.ndim == 2 and y.shape[1] > 1:  # one-hot rows
            return y.argmax(1)
        return y.long().reshape(y.shape[0], *y.shape[1 + (y.ndim > 1 and y.shape[1] == 1) :])
    target = y.float()
    tail = tuple(out_shape[1:])
    if target.numel() == target.shape[0] * _prod(tail):
        target = target.reshape(target.shape[0], *tail)
    return target


def _prod(shape: tuple[int, ...]) -> int:
    result = 1
    for size in shape:
        result *= size
    return result
