"""The variational autoencoder's `Sampling` layer: z = mean + exp(log_var / 2) * eps.

Port 0 takes the code's mean, port 1 its log-variance (equal shapes, usually two Dense heads on
the encoder). While training, each forward draws eps ~ N(0, 1) (the reparameterisation trick, so
gradients reach both heads) and keeps the batch's KL divergence from the prior N(0, I) in
`module.kl` (summed over the code, averaged over the batch); the training step adds it to the
loss with the `kl_weight` training setting (steps.py, `kl_penalty`). In eval mode (validation,
test, export, Try it) the layer outputs the mean: deterministic codes and reconstructions, as
Keras VAE examples predict with `z_mean`.
"""

from __future__ import annotations

import torch
from torch import nn

from ..registry import InputShapeError, LayerSpec, register
from ..shape_format import shape_text


class Reparameterize(nn.Module):
    """mean + exp(log_var / 2) * eps while training (KL kept in `kl`); the mean in eval mode."""

    def __init__(self):
        super().__init__()
        self.kl: torch.Tensor | None = None

    def forward(self, mean: torch.Tensor, log_var: torch.Tensor) -> torch.Tensor:
        if not self.training:
            self.kl = None
            # zeros_like keeps the log-variance an input of an exported graph (ONNX dropped
            # the unused input and misnamed the output's shape); it adds exact zeros.
            return mean + torch.zeros_like(log_var)
        self.kl = kl_divergence(mean, log_var)
        return mean + torch.exp(0.5 * log_var) * torch.randn_like(mean)


def kl_divergence(mean: torch.Tensor, log_var: torch.Tensor) -> torch.Tensor:
    """KL(N(mean, exp(log_var)) || N(0, 1)) summed over each sample's code, batch mean."""
    per_value = -0.5 * (1.0 + log_var - mean.pow(2) - log_var.exp())
    return per_value.reshape(mean.shape[0], -1).sum(1).mean()


def sampling_layers(model: nn.Module) -> list[Reparameterize]:
    """The model's Sampling modules (the KL terms a training step adds)."""
    return [module for module in model.modules() if isinstance(module, Reparameterize)]


def _build(p, input_shapes):
    mean, log_var = input_shapes
    if tuple(mean) != tuple(log_var):
        raise InputShapeError(
            f"the mean {shape_text(mean)} and the log-variance {shape_text(log_var)} must have "
            "the same shape (two Dense heads of the same units)"
        )
    return Reparameterize()


register(
    LayerSpec(
        name="Sampling",
        aliases=("Reparameterize", "reparameterization", "VAE", "latent sampling"),
        category="Core",
        inputs=2,
        build=_build,
        example_input=(8,),  # a code: the two Dense heads' units
        help="Variational autoencoder code: port 0 the mean, port 1 the log-variance; draws "
        "mean + exp(logvar/2) * noise while training and adds the KL term (kl_weight) to the "
        "loss; outputs the mean when evaluating",
    ),
)
