"""Every node's output for some samples: forward hooks on the compiled model's modules.

`compile_graph` emits one `call_module` per node, named after the node, so a hook on the module
`model.get_submodule(node_id)` sees exactly that node's output. Input nodes (fx placeholders) are
the inputs themselves.
"""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import contextmanager

import torch
from torch import fx, nn


class InspectError(ValueError):
    """A request the model cannot answer (an unknown node, a layer without kernels); the
    message names the node."""


def node_order(model: fx.GraphModule) -> list[str]:
    """The model's nodes (inputs first) in the order they run."""
    # A placeholder's target is the node's id; its fx name may differ ("input" becomes "input_1").
    return [str(n.target) for n in model.graph.nodes if n.op in ("placeholder", "call_module")]


def input_names(model: fx.GraphModule) -> list[str]:
    return [str(n.target) for n in model.graph.nodes if n.op == "placeholder"]


def node_module(model: fx.GraphModule, node_id: str) -> nn.Module:
    """The module that computes `node_id`; InspectError naming the node if there is none."""
    if node_id not in node_order(model):
        known = ", ".join(node_order(model))
        raise InspectError(f"{node_id}: no such node in the network (nodes: {known})")
    if node_id in input_names(model):
        raise InspectError(f"{node_id}: an Input node has no layer (it is the sample itself)")
    return model.get_submodule(node_id)


def _first_tensor(value):
    """A node's output: the tensor itself, or the first tensor of a tuple (an LSTM's output)."""
    if isinstance(value, torch.Tensor):
        return value
    if isinstance(value, (tuple, list)):
        for item in value:
            found = _first_tensor(item)
            if found is not None:
                return found
    return None


@contextmanager
def recording(model: fx.GraphModule, nodes: Iterable[str] | None = None, detach: bool = True):
    """While open, each forward of `model` stores the chosen nodes' outputs in the yielded dict
    (node id -> tensor); `detach=False` keeps them in the autograd graph."""
    wanted = list(node_order(model) if nodes is None else nodes)
    outputs: dict[str, torch.Tensor] = {}
    handles = []
    placeholders = set(input_names(model))
    for node_id in wanted:
        if node_id in placeholders:
            continue
        module = node_module(model, node_id)

        def hook(_module, _args, output, node_id=node_id):
            tensor = _first_tensor(output)
            if tensor is not None:
                outputs[node_id] = tensor.detach() if detach else tensor

        handles.append(module.register_forward_hook(hook))
    try:
        yield outputs
    finally:
        for handle in handles:
            handle.remove()


def capture(
    model: fx.GraphModule, inputs: torch.Tensor | tuple, nodes: Iterable[str] | None = None
) -> dict[str, torch.Tensor]:
    """Every (or each chosen) node's output for `inputs` (a batch), in eval mode, without grad.
    The model's training mode is restored afterwards."""
    inputs = inputs if isinstance(inputs, tuple) else (inputs,)
    wanted = list(node_order(model) if nodes is None else nodes)
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad(), recording(model, wanted) as outputs:
            model(*inputs)
    finally:
        model.train(was_training)
    for name, value in zip(input_names(model), inputs):
        if name in wanted:
            outputs[name] = value.detach()
    return {node_id: outputs[node_id] for node_id in wanted if node_id in outputs}


def capture_batches(
    model: fx.GraphModule, x: torch.Tensor, nodes: Iterable[str], batch_size: int = 256
) -> dict[str, torch.Tensor]:
    """`capture` over many samples, a batch at a time, concatenated on the CPU."""
    nodes = list(nodes)
    parts: dict[str, list[torch.Tensor]] = {node_id: [] for node_id in nodes}
    device = next(model.parameters(), torch.zeros(0)).device
    for start in range(0, len(x), batch_size):
        batch = x[start : start + batch_size].to(device)
        for node_id, value in capture(model, batch, nodes).items():
            parts[node_id].append(value.cpu())
    return {node_id: torch.cat(chunks) for node_id, chunks in parts.items() if chunks}
