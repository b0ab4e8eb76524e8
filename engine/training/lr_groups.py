"""Per-block learning rates (discriminative fine-tuning): a block's `lr_mult` scales the
optimizer's rate for every weight inside it (a nested block's multiplies its outer one's).

The optimizer then gets one parameter group per multiplier, the rate-1 group first (the one
events and logs show), each marked with its `lr_mult` so schedules that set a rate of their
own (one-cycle's `max_lr`) scale it too. Frozen weights are never in any group.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import torch
from torch import nn

from ..blocks import BLOCK_TYPE
from ..graph import Graph


def block_prefixes(graph: Graph, prefix: str = "", outer: float = 1.0) -> Iterator[tuple]:
    """(module path prefix, multiplier) of every block, repeats' copies each (`res1.0.`)."""
    for node in graph:
        if node.type != BLOCK_TYPE:
            continue
        mult = outer * float(node.params.get("lr_mult", 1.0))
        repeat = node.params["repeat"]
        copies = [f"{prefix}{node.id}."]
        if repeat > 1:
            copies = [f"{prefix}{node.id}.{index}." for index in range(repeat)]
        for copy in copies:
            yield copy, mult
            yield from block_prefixes(node.params["graph"], copy, mult)


def multiplier_of(name: str, prefixes: list[tuple[str, float]]) -> float:
    """The multiplier of the deepest block holding the parameter `name` (1 outside blocks)."""
    best, mult = -1, 1.0
    for prefix, value in prefixes:
        if name.startswith(prefix) and len(prefix) > best:
            best, mult = len(prefix), value
    return mult


def param_groups(model: nn.Module, graph: Graph, lr: float) -> list[dict[str, Any]]:
    """The trainable parameters in groups by multiplier: [{"params", "lr", "lr_mult"}]."""
    prefixes = list(block_prefixes(graph))
    groups: dict[float, list[torch.Tensor]] = {1.0: []}
    for name, parameter in model.named_parameters():
        if parameter.requires_grad:
            groups.setdefault(multiplier_of(name, prefixes), []).append(parameter)
    return [
        {"params": params, "lr": lr * mult, "lr_mult": mult}
        for mult, params in groups.items()
        if params
    ]
