"""Per-layer gradient norms over training: for each graph node with parameters, the L2 norm of
its parameters' gradients (all of them as one vector), averaged over an epoch's batches and taken
before any clipping. Kept on the device batch by batch and read once per epoch, so the hot loop
gains no host-device sync. A series of these shows vanishing gradients (the first layers' norms
orders of magnitude below the last ones') and exploding ones (norms that grow by orders of
magnitude); hints.gradient_hint puts that in words.
"""

from __future__ import annotations

import torch


class GradNormTracker:
    """Sums of per-node gradient norms for one epoch (`update` after backward, `read` at its end)."""

    def __init__(self, model: torch.nn.Module):
        self.nodes: list[str] = []
        self.params: list[torch.nn.Parameter] = []
        index: list[int] = []
        for name, param in model.named_parameters():
            if not param.requires_grad:
                continue
            node = name.split(".", 1)[0]  # the compiled graph's submodules are its node ids
            if node not in self.nodes:
                self.nodes.append(node)
            self.params.append(param)
            index.append(self.nodes.index(node))
        device = self.params[0].device if self.params else torch.device("cpu")
        self.index = torch.tensor(index, dtype=torch.long, device=device)
        self.sums = torch.zeros(len(self.nodes), dtype=torch.float64, device=device)
        self.count = 0

    @torch.no_grad()
    def update(self) -> None:
        """Add this batch's per-node norms (parameters without a gradient count as 0)."""
        have = [i for i, p in enumerate(self.params) if p.grad is not None]
        if not have:
            return
        norms = torch._foreach_norm([self.params[i].grad for i in have])
        squares = torch.stack(norms).double().pow(2)
        per_node = torch.zeros_like(self.sums).index_add_(0, self.index[have], squares)
        self.sums += per_node.sqrt()
        self.count += 1

    def read(self) -> dict[str, float]:
        """{node id: mean gradient norm this epoch}, in the graph's order; resets the sums."""
        if not self.count:
            return {}
        values = (self.sums / self.count).tolist()
        self.sums.zero_()
        self.count = 0
        return dict(zip(self.nodes, values))
