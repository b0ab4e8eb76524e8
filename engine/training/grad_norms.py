"""Per-layer gradient norms over training: for each graph node with parameters, the L2 norm of
its parameters' gradients (all of them as one vector), averaged over an epoch's batches and taken
before any clipping. Kept on the device batch by batch and read once per epoch, so the hot loop
gains no host-device sync. A series of these shows vanishing gradients (the first layers' norms
orders of magnitude below the last ones') and exploding ones (norms that grow by orders of
magnitude); hints.gradient_hint puts that in words.
"""

from __future__ import annotations

import torch

FLUSH = 256  # batches of per-parameter norms kept before they are summed per node


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
        self._pending: list[torch.Tensor] = []  # per-parameter norms of batches not yet summed
        self.count = 0

    @torch.no_grad()
    def update(self) -> None:
        """Keep this batch's per-parameter norms (parameters without a gradient count as 0).

        One fused norm and one stack per batch: the per-node sums are made from the kept norms
        every FLUSH batches and at `read` (summing per node on every batch was six more small
        tensor operations a step, a tenth of a tiny model's step)."""
        grads = [param.grad for param in self.params]
        if not grads:
            return
        if any(grad is None for grad in grads):
            have = [i for i, grad in enumerate(grads) if grad is not None]
            if not have:
                return
            norms = torch.zeros(len(grads), dtype=torch.float32, device=self.sums.device)
            norms[have] = torch.stack(torch._foreach_norm([grads[i] for i in have])).float()
        else:
            norms = torch.stack(torch._foreach_norm(grads)).float()
        self._pending.append(norms)
        self.count += 1
        if len(self._pending) >= FLUSH:
            self._flush()

    def _flush(self) -> None:
        """Add the kept batches' per-node norms (root of each node's sum of squares) to the sums."""
        if not self._pending:
            return
        squares = torch.stack(self._pending).double().pow(2)  # (batches, parameters)
        per_node = squares.new_zeros(squares.shape[0], len(self.nodes))
        per_node.index_add_(1, self.index, squares)
        self.sums += per_node.sqrt().sum(0)
        self._pending.clear()

    def read(self) -> dict[str, float]:
        """{node id: mean gradient norm this epoch}, in the graph's order; resets the sums."""
        if not self.count:
            return {}
        self._flush()
        values = (self.sums / self.count).tolist()
        self.sums.zero_()
        self.count = 0
        return dict(zip(self.nodes, values))
