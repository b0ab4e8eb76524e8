"""Why this answer: Captum's saliency, Integrated Gradients and Grad-CAM on a compiled model.

Attributions are taken of the class score before a final Softmax/Sigmoid (the logits view shares
the model's parameters), for the predicted class unless another is chosen. Captum does the work;
this module only picks the layer, the target and the baseline, and shapes the result for views.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import fx

from .capture import InspectError, capture, input_names, node_module, node_order
from .maps import conv_layer
from .source import logits_view

METHODS = ("saliency", "ig", "gradcam")


@dataclass(frozen=True)
class Attribution:
    method: str
    target: int
    values: torch.Tensor  # the input's shape (without the batch axis); Grad-CAM: (H, W)
    layer: str | None = None  # Grad-CAM's layer
    delta: float | None = None  # Integrated Gradients' convergence delta (completeness error)

    def map2d(self) -> torch.Tensor:
        """One (H, W) map to draw over an image: channels summed, as Captum's viz does."""
        values = self.values
        return values.sum(dim=0) if values.ndim == 3 else values


def _called_module(model: fx.GraphModule, layer: str) -> torch.nn.Module:
    """The module whose output is `layer`'s in the logits view: the node's own, or for the head
    node (called there part by part, without its activation) its last part."""
    view = logits_view(model)
    targets = [str(n.target) for n in view.graph.nodes if n.op == "call_module"]
    if layer in targets:
        return view.get_submodule(layer)
    return view.get_submodule([t for t in targets if t.startswith(f"{layer}.")][-1])


def _forward(model: fx.GraphModule):
    view = logits_view(model)

    def forward(x):
        out = view(x)
        out = out[0] if isinstance(out, tuple) else out
        return out.reshape(len(x), -1)

    return forward


def _check_one_input(model: fx.GraphModule) -> None:
    if len(input_names(model)) != 1:
        raise InspectError("attributions need a network with one Input node")


def _check_target(target: int | None, classes: int) -> None:
    if target is not None and not 0 <= target < classes:
        raise InspectError(f"--target {target}: the network has classes 0 to {classes - 1}")


def last_conv(model: fx.GraphModule) -> str:
    """The last node (in run order) that holds a 2-D convolution: Grad-CAM's usual layer."""
    found = [
        node_id
        for node_id in node_order(model)
        if node_id in model._modules and isinstance(conv_layer(model, node_id), torch.nn.Conv2d)
    ]
    if not found:
        raise InspectError("Grad-CAM needs a network with a Conv2d layer")
    return found[-1]


def predicted_class(model: fx.GraphModule, x: torch.Tensor) -> int:
    with torch.no_grad():
        scores = _forward(model)(x)
    return int(scores.argmax(dim=1)[0]) if scores.shape[1] > 1 else 0


def attribute(
    model: fx.GraphModule,
    x: torch.Tensor,
    method: str,
    target: int | None = None,
    layer: str | None = None,
    ig_steps: int = 50,
) -> Attribution:
    """The attribution of one sample `x` (batch axis of 1) to class `target` (the predicted one
    when None). `layer` is Grad-CAM's node (the last Conv2d when None)."""
    from captum.attr import IntegratedGradients, LayerAttribution, LayerGradCam, Saliency

    _check_one_input(model)
    if method not in METHODS:
        raise InspectError(f"--method {method!r}: choose one of {', '.join(METHODS)}")
    if not torch.is_floating_point(x):
        raise InspectError(
            f"{method} needs real-valued inputs; this network takes token ids (use token attributions)"
        )
    model.eval()
    forward = _forward(model)
    target = predicted_class(model, x) if target is None else int(target)
    with torch.no_grad():
        _check_target(target, forward(x).shape[1])
    x = x.detach().clone().requires_grad_(True)
    if method == "saliency":
        values = Saliency(forward).attribute(x, target=target, abs=True)
        return Attribution(method, target, values[0].detach())
    if method == "ig":
        values, delta = IntegratedGradients(forward).attribute(
            x,
            baselines=torch.zeros_like(x),
            target=target,
            n_steps=ig_steps,
            return_convergence_delta=True,
        )
        return Attribution(method, target, values[0].detach(), delta=float(delta.abs().max()))
    layer = layer or last_conv(model)
    node_module(model, layer)  # an unknown node or an Input is named here
    maps = capture(model, x.detach(), [layer])[layer]
    if maps.ndim != 4 or x.ndim != 4:
        raise InspectError(f"{layer}: Grad-CAM needs a layer with 2-D feature maps (N, C, H, W)")
    cam = LayerGradCam(forward, _called_module(model, layer)).attribute(
        x, target=target, relu_attributions=True
    )
    cam = LayerAttribution.interpolate(cam, tuple(x.shape[-2:]), interpolate_mode="bilinear")
    return Attribution(method, target, cam[0, 0].detach(), layer=layer)


def feature_attributions(
    model: fx.GraphModule, x: torch.Tensor, target: int | None = None, ig_steps: int = 50
) -> torch.Tensor:
    """Integrated Gradients per feature of a table's rows `x` (N, F), each row for its own
    predicted class (or `target`), from the all-zero baseline (the training mean once
    standardised). Average the absolute values over rows for the test set's picture."""
    from captum.attr import IntegratedGradients

    _check_one_input(model)
    model.eval()
    forward = _forward(model)
    with torch.no_grad():
        scores = forward(x)
    _check_target(target, scores.shape[1])
    if target is None:
        targets = (
            scores.argmax(dim=1) if scores.shape[1] > 1 else torch.zeros(len(x), dtype=torch.long)
        )
    else:
        targets = torch.full((len(x),), int(target), dtype=torch.long)
    values = IntegratedGradients(forward).attribute(
        x.detach().clone(), baselines=torch.zeros_like(x), target=targets, n_steps=ig_steps
    )
    return values.detach()


def embedding_node(model: fx.GraphModule) -> str:
    """The first node holding an Embedding: where token attributions are taken."""
    for node_id in node_order(model):
        if node_id in model._modules and any(
            isinstance(m, torch.nn.Embedding) for m in model.get_submodule(node_id).modules()
        ):
            return node_id
    raise InspectError("token attributions need a network with an Embedding layer")


def token_attributions(
    model: fx.GraphModule, ids: torch.Tensor, target: int | None = None, ig_steps: int = 50
) -> tuple[torch.Tensor, int]:
    """(one attribution per token position, the class explained) for the token ids `ids`
    (1, L): Captum's LayerIntegratedGradients on the Embedding's output, from the all-padding
    baseline (id 0), summed over the embedding's features."""
    from captum.attr import LayerIntegratedGradients

    _check_one_input(model)
    model.eval()
    forward = _forward(model)
    with torch.no_grad():
        _check_target(target, forward(ids).shape[1])
    target = predicted_class(model, ids) if target is None else int(target)
    layer = _called_module(model, embedding_node(model))
    values = LayerIntegratedGradients(forward, layer).attribute(
        ids, baselines=torch.zeros_like(ids), target=target, n_steps=ig_steps
    )
    return values.detach()[0].sum(dim=-1), target


def token_texts(tokenizer_json: str | None, ids: torch.Tensor) -> list[str]:
    """Each id's token by the checkpoint's tokenizer (the id itself without one)."""
    if not tokenizer_json:
        return [str(int(i)) for i in ids]
    from tokenizers import Tokenizer

    tok = Tokenizer.from_str(tokenizer_json)
    return [tok.id_to_token(int(i)) or str(int(i)) for i in ids]
