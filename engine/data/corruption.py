"""Input corruption for denoising autoencoders: noise on the INPUT only, the clean sample as target.

Three kinds, each with a `strength` in [0, 1]:

- ``gaussian``: add N(0, strength²) noise (in the raw units: pixels in [0, 1]), then clip to the
  training split's range, so a denoised pixel can be told from an impossible one;
- ``masking``: set each value to zero with probability `strength` (dropout on the input, the
  classic "masking noise" of Vincent et al. 2008);
- ``salt_pepper``: set each value with probability `strength` to the training split's minimum or
  maximum (for pixels: black or white), half and half.

Batches arrive normalised (when the data is standardised); the noise is applied to the raw values,
as `augment.py` does, and the batch normalised again. Training batches get fresh noise every
batch; validation and test inputs are corrupted once with a fixed seed, so their figures are
comparable epoch after epoch.
"""

from __future__ import annotations

from collections.abc import Callable

import torch

from .errors import DataError
from .preprocessing import Preprocessing

NOISE_KINDS = ("none", "gaussian", "masking", "salt_pepper")
EVAL_NOISE_SEED = 1234  # the fixed noise of the validation and test inputs


def _gaussian(x, strength, low, high, generator):
    noise = torch.randn(x.shape, generator=generator, device=x.device, dtype=x.dtype)
    return torch.maximum(torch.minimum(x + strength * noise, high), low)


def _masking(x, strength, low, high, generator):
    keep = torch.rand(x.shape, generator=generator, device=x.device) >= strength
    return x * keep


def _salt_pepper(x, strength, low, high, generator):
    draw = torch.rand(x.shape, generator=generator, device=x.device)
    salt = draw < strength / 2
    pepper = (draw >= strength / 2) & (draw < strength)
    x = torch.where(salt, high.expand_as(x), x)
    return torch.where(pepper, low.expand_as(x), x)


_KINDS = {"gaussian": _gaussian, "masking": _masking, "salt_pepper": _salt_pepper}


def build_corruption(
    kind: str,
    strength: float,
    train_raw: torch.Tensor,
    preprocessing: Preprocessing | None = None,
) -> Callable[..., torch.Tensor] | None:
    """`corrupt(x, generator=None) -> noisy x` for normalised batches, or None for kind "none".

    `train_raw` (the training split before normalisation) gives the range salt-and-pepper and
    the Gaussian clip use, per feature."""
    if kind == "none":
        return None
    if kind not in _KINDS:
        raise DataError(f"data input_noise must be one of {', '.join(NOISE_KINDS)}, got {kind!r}")
    if not train_raw.is_floating_point():
        raise DataError("input noise needs numeric inputs; token ids cannot be corrupted")
    low, high = train_raw.amin(0, keepdim=True), train_raw.amax(0, keepdim=True)
    op = _KINDS[kind]

    def corrupt(x: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
        with torch.no_grad():
            raw = preprocessing.invert(x) if preprocessing is not None else x
            lo, hi = low.to(x.device, x.dtype), high.to(x.device, x.dtype)
            noisy = op(raw, strength, lo, hi, generator)
            return preprocessing.apply(noisy) if preprocessing is not None else noisy

    corrupt.kind, corrupt.strength = kind, strength  # type: ignore[attr-defined]
    return corrupt


def fixed_noise(corrupt: Callable[..., torch.Tensor], x: torch.Tensor) -> torch.Tensor:
    """`x` corrupted with the fixed evaluation seed (on x's device)."""
    generator = torch.Generator(device=x.device).manual_seed(EVAL_NOISE_SEED)
    return corrupt(x, generator)
