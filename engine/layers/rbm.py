"""A Bernoulli Restricted Boltzmann Machine as a node: visible units (its input's features) and
`hidden` binary units, energy E(v, h) = -b_v.v - b_h.h - h.W.v.

In a network the node outputs the hidden units' probabilities P(h = 1 | v) = sigmoid(W v + b_h):
learned features for the layers above. It is trained not by backpropagation but by contrastive
divergence, its own training step (`training/rbm_step.py`, `training.step: "rbm"`): `cd_step`
here computes one CD-k update's gradient (Hinton 2002; persistent CD, Tieleman 2008, keeps the
negative chain between batches).
"""

from __future__ import annotations

import torch
from torch import nn

from ..registry import LayerSpec, ParamSpec, register


class BernoulliRBM(nn.Module):
    """W (hidden, visible), visible and hidden biases; forward = P(h = 1 | v)."""

    def __init__(self, visible: int, hidden: int):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(hidden, visible) * 0.01)
        self.visible_bias = nn.Parameter(torch.zeros(visible))
        self.hidden_bias = nn.Parameter(torch.zeros(hidden))

    def forward(self, v: torch.Tensor) -> torch.Tensor:
        return self.hidden_probabilities(v.flatten(1))

    def hidden_probabilities(self, v: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(v @ self.weight.t() + self.hidden_bias)

    def visible_probabilities(self, h: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(h @ self.weight + self.visible_bias)

    def free_energy(self, v: torch.Tensor) -> torch.Tensor:
        """F(v) = -b_v.v - sum log(1 + exp(W v + b_h)), per sample (overfitting: train vs val)."""
        v = v.flatten(1)
        hidden = v @ self.weight.t() + self.hidden_bias
        return -(v @ self.visible_bias) - nn.functional.softplus(hidden).sum(1)

    def extra_repr(self) -> str:
        hidden, visible = self.weight.shape
        return f"visible={visible}, hidden={hidden}"


@torch.no_grad()
def cd_step(
    rbm: BernoulliRBM,
    v0: torch.Tensor,
    k: int = 1,
    chain: torch.Tensor | None = None,
    generator: torch.Generator | None = None,
) -> tuple[dict[str, torch.Tensor], torch.Tensor, torch.Tensor]:
    """One CD-k estimate: ({param name: gradient of the negative log-likelihood}, the chain's
    last visible sample, the reconstruction P(v | h0)).

    Positive phase: P(h | v0). Negative phase: k Gibbs steps from h0 ~ P(h | v0), or from the
    persistent `chain` (visible samples kept from the last batch). Random draws, in order: the
    hidden sample of the data (n, hidden), with a chain its hidden sample, then per Gibbs step
    the visible (n, visible) and, before the next step, the hidden sample."""
    n = v0.shape[0]
    h0 = rbm.hidden_probabilities(v0)
    h = (torch.rand(h0.shape, generator=generator, device=v0.device) < h0).to(v0.dtype)
    reconstruction = rbm.visible_probabilities(h)  # always from the data's hidden sample
    if chain is not None:  # persistent CD: the negative chain goes on from its last state
        start = rbm.hidden_probabilities(chain)
        h = (torch.rand(start.shape, generator=generator, device=v0.device) < start).to(v0.dtype)
    for step in range(k):
        vp = rbm.visible_probabilities(h)
        v = (torch.rand(vp.shape, generator=generator, device=v0.device) < vp).to(v0.dtype)
        hk = rbm.hidden_probabilities(v)
        if step < k - 1:
            h = (torch.rand(hk.shape, generator=generator, device=v0.device) < hk).to(v0.dtype)
    gradients = {
        "weight": -(h0.t() @ v0 - hk.t() @ v) / n,
        "visible_bias": -(v0 - v).mean(0),
        "hidden_bias": -(h0 - hk).mean(0),
    }
    return gradients, v, reconstruction


def _build(p, input_shapes):
    (shape,) = input_shapes
    visible = 1
    for size in shape:
        visible *= size
    return BernoulliRBM(visible, p.hidden)


register(
    LayerSpec(
        name="RBM",
        aliases=("BernoulliRBM", "RestrictedBoltzmannMachine"),
        category="Core",
        build=_build,
        example_input=(8,),
        help="Bernoulli Restricted Boltzmann Machine: outputs its hidden units' probabilities "
        "(features); trained by contrastive divergence with the rbm training step",
        params=(ParamSpec("hidden", "int", 64, "Hidden units (features)", min=1, max=65_536),),
        label=lambda p: f"{p.hidden} hidden",
    ),
)
