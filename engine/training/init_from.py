"""Start a run from another run's weights, matched by node name (`train --init-from`).

A node's weights are its state-dict entries (`conv1.weight`, a block's `res1.0.conv1.weight`,
all under the node's name). A node whose entries the checkpoint holds, all with the same shapes,
takes them; one the checkpoint lacks keeps its fresh weights (a new head); a node whose entries
are there but shaped differently is refused by name, since loading part of it, or nothing
silently, would train something other than what the user asked for.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import torch
from torch import nn

from ..shape_format import shape_text
from .checkpoint import CheckpointError


@dataclass(frozen=True)
class InitReport:
    matched: list[str]  # nodes that took the checkpoint's weights
    unmatched: list[str]  # nodes with weights that kept their fresh ones
    unused: list[str]  # nodes of the checkpoint that this network does not have

    def lines(self) -> list[str]:
        def names(items: list[str]) -> str:
            return ", ".join(items) if items else "none"

        return [
            f"weights loaded for {len(self.matched)} node(s): {names(self.matched)}",
            f"fresh weights kept for {len(self.unmatched)} node(s): {names(self.unmatched)}",
            f"checkpoint nodes not in this network: {names(self.unused)}",
        ]


def read_state(path: str) -> dict[str, torch.Tensor]:
    """The weights in `path`: a NeuroCanvas checkpoint's, or a plain state dict (what
    `neurocanvas import` writes beside the project), loaded with weights_only (no code runs)."""
    from ..safe_io import check_regular_file
    from .checkpoint import read_checkpoint

    checked = check_regular_file(path, CheckpointError, "checkpoint")
    try:
        state = torch.load(checked, map_location="cpu", weights_only=True)
    except Exception:  # noqa: BLE001 - read_checkpoint words the refusal
        return read_checkpoint(path)["state_dict"]
    if isinstance(state, dict) and "format" in state:
        return read_checkpoint(path)["state_dict"]
    if not (isinstance(state, dict) and all(isinstance(v, torch.Tensor) for v in state.values())):
        raise CheckpointError(f"{path}: neither a checkpoint nor a state dict (name -> tensor)")
    return state


def _by_node(state: Mapping[str, torch.Tensor]) -> dict[str, dict[str, torch.Tensor]]:
    grouped: dict[str, dict[str, torch.Tensor]] = {}
    for key, value in state.items():
        node, _, rest = key.partition(".")
        grouped.setdefault(node, {})[rest] = value
    return grouped


def init_from(
    model: nn.Module, state: Mapping[str, torch.Tensor], source: str = "<checkpoint>"
) -> InitReport:
    """Copy the checkpoint state's weights into `model` node by node (see the module's text)."""
    ours, theirs = _by_node(model.state_dict()), _by_node(state)
    matched, unmatched = [], []
    for node, entries in ours.items():
        given = theirs.get(node)
        if given is None or set(given) != set(entries):
            if given is not None and set(given) & set(entries):
                missing = sorted(set(entries) - set(given)) or sorted(set(given) - set(entries))
                raise CheckpointError(
                    f"{source}: node {node} has other weights there ({missing[0]} differs); "
                    f"rename the node here to give it fresh weights"
                )
            unmatched.append(node)
            continue
        for name, tensor in entries.items():
            if tuple(given[name].shape) != tuple(tensor.shape):
                raise CheckpointError(
                    f"{source}: node {node}: {name} is {shape_text(tuple(given[name].shape))} in "
                    f"the checkpoint but {shape_text(tuple(tensor.shape))} here; rename the "
                    "node to give it fresh weights, or make its settings match"
                )
        matched.append(node)
    update = {f"{node}.{name}": value for node in matched for name, value in theirs[node].items()}
    model.load_state_dict(update, strict=False)
    return InitReport(matched, unmatched, [node for node in theirs if node not in ours])
