"""What the RBM tab shows, computed in the training process after each epoch (no Qt): the first
hidden units' weight vectors (filters, in the input's shape), mean-field reconstructions of a
few fixed samples, and samples from Gibbs chains that start from the same seeded noise every
epoch (each pixel on as often as in the training images), so each cell shows how the model's
idea of the data changes as it trains.

    rbm_picture(rbm, shape, fixed) -> {"filters", "inputs", "reconstructions", "chains", ...}

Everything is a small float32 numpy array (a few hundred kB for MNIST), since it crosses the
training process's pipe inside `EpochEnded.samples` (rbm_step.py's `epoch_samples`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from ..layers.rbm import BernoulliRBM

FILTERS = 64  # hidden units shown (the first ones: the same cells every epoch)
SHOWN = 8  # fixed samples reconstructed
CHAINS = 16  # Gibbs chains sampled
# Steps per chain: chains from noise need some hundreds to reach the model's modes. 200 steps
# of 16 chains through a 784 x 256 RBM take ~0.3 s on one CPU thread.
GIBBS_STEPS = 200
CHAIN_SEED = 0


def filters(rbm: BernoulliRBM, shape: tuple[int, ...], count: int = FILTERS) -> np.ndarray:
    """The first `count` hidden units' weight rows, each in the input's shape (count, *shape)."""
    rows = rbm.weight.detach()[:count].float().cpu()
    return rows.reshape(len(rows), *shape).numpy()


@torch.no_grad()
def reconstructions(rbm: BernoulliRBM, v: torch.Tensor) -> torch.Tensor:
    """Mean-field reconstructions P(v | h = P(h | v)), in v's shape: no sampling noise, so
    the fixed samples' pictures change only as the weights do."""
    flat = v.flatten(1).float()
    return rbm.visible_probabilities(rbm.hidden_probabilities(flat)).reshape(v.shape)


@torch.no_grad()
def gibbs_chains(
    rbm: BernoulliRBM,
    count: int = CHAINS,
    steps: int = GIBBS_STEPS,
    seed: int = CHAIN_SEED,
    start: torch.Tensor | None = None,
) -> torch.Tensor:
    """`count` chains of `steps` alternating Gibbs steps (h ~ P(h | v), v ~ P(v | h)) from
    binary noise, each visible unit on with probability `start` (visible,) (None: 0.5), with
    their own seeded generator (the run's random state is left alone); returns the last step's
    P(v | h) (count, visible): the mean of the sample drawn next, less speckled than the
    binary sample itself.

    Why `start`: a CD-1 RBM of MNIST keeps a spurious grey mode it never had to unlearn, and
    chains from half-on noise all fall into it (16 identical grey blobs); from noise with the
    training pixels' frequencies they reach digits of several classes within 50-200 steps."""
    device = rbm.weight.device
    draws = torch.Generator(device=device).manual_seed(seed)
    visible = rbm.weight.shape[1]
    on = torch.full((visible,), 0.5, device=device) if start is None else start.to(device)
    v = (torch.rand(count, visible, generator=draws, device=device) < on).float()
    probabilities = v
    for _ in range(max(steps, 1)):
        hp = rbm.hidden_probabilities(v)
        h = (torch.rand(hp.shape, generator=draws, device=device) < hp).float()
        probabilities = rbm.visible_probabilities(h)
        v = torch.rand(probabilities.shape, generator=draws, device=device) < probabilities
        v = v.float()
    return probabilities


def rbm_picture(
    rbm: BernoulliRBM,
    shape: tuple[int, ...],
    fixed: torch.Tensor,
    steps: int = GIBBS_STEPS,
    start: torch.Tensor | None = None,
) -> dict[str, Any]:
    """The tab's content for the RBM as it is now. `shape`: one sample's shape (what the
    filters and chains are reshaped to); `fixed`: the samples to reconstruct (N, *shape);
    `start`: each visible unit's probability of being on where the chains start."""
    was_training = rbm.training
    rbm.eval()
    # One thread on the CPU: the chains are hundreds of small products, and two threads on a
    # busy 2-core machine took 18 s for what one does in 1.7 s (measured at 1,000 steps).
    threads = torch.get_num_threads()
    if rbm.weight.device.type == "cpu":
        torch.set_num_threads(1)
    try:
        chains = gibbs_chains(rbm, steps=steps, start=start).reshape(-1, *shape)
        return {
            "filters": filters(rbm, shape),
            "hidden": int(rbm.weight.shape[0]),
            "inputs": fixed.float().cpu().numpy(),
            "reconstructions": reconstructions(rbm, fixed).cpu().numpy(),
            "chains": chains.cpu().numpy(),
            "gibbs_steps": int(steps),
        }
    finally:
        torch.set_num_threads(threads)
        rbm.train(was_training)
