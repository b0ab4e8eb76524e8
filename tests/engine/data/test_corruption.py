"""Denoising input noise: each kind changes what it says (checked against numpy counts), in the
raw units when the data is standardised, and only with target = input."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from neurocanvas.engine.data import DataConfig, DataError, Dataset, prepare
from neurocanvas.engine.data.corruption import build_corruption, fixed_noise
from neurocanvas.engine.data.info import make_info
from neurocanvas.engine.data.preprocessing import Preprocessing


def _pixels(n=400, side=8, seed=0):
    return torch.from_numpy(
        np.random.default_rng(seed).uniform(0.2, 0.8, (n, 1, side, side))
    ).float()


def test_masking_zeroes_about_the_strength_and_keeps_the_rest():
    x = _pixels()
    noisy = build_corruption("masking", 0.3, x)(x, torch.Generator().manual_seed(0))
    changed = (noisy != x).numpy()
    assert abs(changed.mean() - 0.3) < 0.02
    assert np.all(noisy.numpy()[changed] == 0.0)
    np.testing.assert_array_equal(noisy.numpy()[~changed], x.numpy()[~changed])


def test_salt_and_pepper_sets_the_training_min_or_max_half_and_half():
    x = _pixels()
    low, high = x.numpy().min(0), x.numpy().max(0)
    noisy = build_corruption("salt_pepper", 0.2, x)(x, torch.Generator().manual_seed(1)).numpy()
    salt = np.isclose(noisy, np.broadcast_to(high, noisy.shape)) & (noisy != x.numpy())
    pepper = np.isclose(noisy, np.broadcast_to(low, noisy.shape)) & (noisy != x.numpy())
    assert abs(salt.mean() - 0.1) < 0.015 and abs(pepper.mean() - 0.1) < 0.015


def test_gaussian_noise_has_the_strength_as_std_and_stays_in_range():
    x = _pixels(2000)
    wide = torch.cat([x, torch.zeros(1, 1, 8, 8) - 5, torch.zeros(1, 1, 8, 8) + 5])  # no clipping
    noisy = build_corruption("gaussian", 0.1, wide)(x, torch.Generator().manual_seed(2))
    assert abs(float((noisy - x).std()) - 0.1) < 0.003
    clipped = build_corruption("gaussian", 0.5, x)(x, torch.Generator().manual_seed(2))
    assert float(clipped.min()) >= float(x.min()) and float(clipped.max()) <= float(x.max())


def test_noise_acts_on_raw_values_of_standardised_data():
    x = _pixels()
    pre = Preprocessing(kind="image", mean=x.mean((0, 2, 3)), std=x.std((0, 2, 3)))
    normalised = pre.apply(x)
    noisy = build_corruption("masking", 0.5, x, pre)(normalised)
    raw = pre.invert(noisy)
    masked = (raw.abs() < 1e-5).float().mean()
    assert abs(float(masked) - 0.5) < 0.03  # zero pixels, not zero z-scores


def test_fixed_noise_repeats_and_training_noise_does_not():
    x = _pixels(50)
    corrupt = build_corruption("masking", 0.3, x)
    assert torch.equal(fixed_noise(corrupt, x), fixed_noise(corrupt, x))
    assert not torch.equal(corrupt(x), corrupt(x))


def _dataset(n=60):
    x = _pixels(n)
    y = torch.arange(n) % 2
    return Dataset(x, y, make_info(x, y, task="binary", class_names=["a", "b"], source="t"))


def test_prepare_builds_the_corruption_only_with_target_input():
    ds = _dataset()
    cfg = DataConfig(source="t.npz", normalize=False, reconstruct=True, input_noise="masking")
    data = prepare(ds, cfg)
    assert data.reconstruct and data.corrupt is not None
    assert any("denoising: masking" in line for line in data.report)
    with pytest.raises(DataError, match="needs reconstruct"):
        prepare(ds, DataConfig(source="t.npz", input_noise="gaussian"))
    with pytest.raises(DataError, match="input_noise"):
        DataConfig(source="t.npz", input_noise="speckle")
