"""Start a run from another run's weights, matched by node name (`train --init-from`).

A node's weights are its state-dict entries (`conv1.weight`, a block's `res1.0.conv1.weight`,
all under the node's name). A node whose entries the checkpoint holds, all with the same shapes,
takes them; one the checkpoint lacks keeps its fresh weights (a new head); a node whose entries
are there but shaped differently is refused by name, since loading part of it, or nothing
silently, would train something other than what the user asked for.

A block whose inner names differ from the checkpoint's module of the same name (torchvision's
`features.0.weight` for a block `features` holding `block1.conv1`) takes its weights in order
when every entry's shape matches in order, as with a state dict from the original model (the
report says "by position"); any other difference leaves its fresh weights.
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
    by_position: tuple[str, ...] = ()  # of `matched`: taken in order (other inner names)

    def lines(self) -> list[str]:
        def names(items: list[str]) -> str:
            return ", ".join(items) if items else "none"

        shown = [f"{n} (by position)" if n in self.by_position else n for n in self.matched]
        return [
            f"weights loaded for {len(self.matched)} node(s): {names(shown)}",
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
    matched, unmatched, by_position = [], [], []
    for node, entries in ours.items():
        given = theirs.get(node)
        if given is not None and not set(given) & set(entries) and _same_layout(given, entries):
            theirs[node] = dict(zip(entries, given.values()))  # renamed in order
            matched.append(node)
            by_position.append(node)
            continue
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
    unused = [node for node in theirs if node not in ours]
    return InitReport(matched, unmatched, unused, tuple(by_position))


def _same_layout(given: Mapping[str, torch.Tensor], entries: Mapping[str, torch.Tensor]) -> bool:
    """The same number of entries with the same shapes in the same order."""
    return len(given) == len(entries) and all(
        tuple(a.shape) == tuple(b.shape) for a, b in zip(given.values(), entries.values())
    )
