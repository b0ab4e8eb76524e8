"""A GAN's samples as the window shows them: the tiled grid against a layout built by hand, the
kinds of samples, new draws from a checkpoint against the generator run by hand on the same
codes, and the mode-collapse criterion on synthetic diverse and collapsed samples."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from gan_helpers import ring_data, ring_project
from neurocanvas.engine.session.hints import fit_hint
from neurocanvas.engine.training import RunFinished, Trainer, load_checkpoint
from neurocanvas.engine.training.checkpoint import CheckpointError
from neurocanvas.engine.training.gan_samples import load_generator, sample_kind, tile
from neurocanvas.engine.training.gan_step import diversity


def test_tile_places_each_sample_in_its_cell():
    samples = np.stack([np.full((1, 2, 3), v, np.float32) for v in (0.2, 0.4, 0.6, 0.8, 1.0)])
    picture = tile(samples, columns=3, pad=1)
    # 2 rows x 3 columns of 2x3 cells with 1-pixel borders: 7 x 13 pixels
    assert picture.shape == (2 * 3 + 1, 3 * 4 + 1) and picture.dtype == np.uint8
    expected = np.zeros((7, 13), np.uint8)
    for i, value in enumerate((0.2, 0.4, 0.6, 0.8, 1.0)):
        top, left = 1 + (i // 3) * 3, 1 + (i % 3) * 4
        expected[top : top + 2, left : left + 3] = round(value * 255)
    np.testing.assert_array_equal(picture, expected)


def test_tile_scales_values_outside_unit_range_by_the_batchs_range():
    samples = np.array([[[-1.0, 1.0]] * 4] * 2, np.float32)[:, None]  # a Tanh's range
    picture = tile(samples, columns=2, pad=0)
    assert picture.min() == 0 and picture.max() == 255
    colour = tile(np.ones((2, 3, 4, 4), np.float32), pad=0)
    assert colour.shape == (4, 8, 3)
    with pytest.raises(ValueError, match="tile takes"):
        tile(np.zeros((2, 5, 4, 4)))


def test_sample_kinds():
    assert sample_kind(np.zeros((16, 2))) == "points"
    assert sample_kind(np.zeros((16, 1, 28, 28))) == "image"
    assert sample_kind(np.zeros((16, 3, 32, 32))) == "image"
    assert sample_kind(np.zeros((16, 28, 28))) == "image"
    assert sample_kind(np.zeros((16, 7))) == "values"


def test_new_samples_from_a_checkpoint_are_the_generator_on_fresh_codes(tmp_path):
    result = Trainer(
        ring_project(epochs=1, checkpoint=True), ring_data(300), device="cpu", run_dir=tmp_path
    ).run()
    assert isinstance(result, RunFinished), result
    generator = load_generator(result.checkpoint)
    drawn = generator.draw(50, seed=7)
    model, _ = load_checkpoint(result.checkpoint)
    codes = torch.randn((50, 2), generator=torch.Generator().manual_seed(7))
    with torch.no_grad():
        expected = model(codes).numpy()
    np.testing.assert_allclose(drawn, expected, rtol=1e-6)
    assert drawn.shape == (50, 2)
    assert not np.allclose(generator.draw(50, seed=8), drawn)  # other codes, other points


def test_a_checkpoint_without_a_generator_is_refused_by_name(tmp_path):
    from training_helpers import sequential_project

    project = sequential_project(
        [("Dense", {"units": 8})], training={"epochs": 1, "checkpoint": True}
    )
    data = ring_data(60)
    result = Trainer(project, data, device="cpu", run_dir=tmp_path).run()
    assert isinstance(result, RunFinished), result
    with pytest.raises(CheckpointError, match="no generator"):
        load_generator(result.checkpoint)


def _ring(n, modes, rng):
    angles = 2 * math.pi * rng.integers(0, 8, n) / 8 if modes == 8 else np.zeros(n)
    points = np.stack([np.cos(angles), np.sin(angles)], 1) + rng.normal(0, 0.05, (n, 2))
    return torch.from_numpy(points).float()


def test_mode_collapse_criterion_on_synthetic_samples():
    """Diversity is the samples' spread across samples. Samples from all 8 modes of the ring
    keep about the data's; samples collapsed onto one mode (or one digit with faint noise) fall
    under a fifth of it, and two epochs of that are reported as mode collapse."""
    rng = np.random.default_rng(0)
    data = diversity(_ring(800, 8, rng))
    diverse, collapsed = diversity(_ring(64, 8, rng)), diversity(_ring(64, 1, rng))
    assert diverse > 0.8 * data
    assert collapsed < 0.2 * data
    digit = torch.rand(1, 1, 28, 28)
    images = torch.rand(64, 1, 28, 28)
    alike = digit + 0.01 * torch.randn(64, 1, 28, 28)
    assert diversity(alike) < 0.2 * diversity(images)
    epoch = {"d_real": 0.6, "d_fake": 0.4, "data_diversity": data}
    healthy = [epoch | {"sample_diversity": diverse}] * 2
    assert fit_hint(healthy) == ""
    assert fit_hint([epoch | {"sample_diversity": collapsed}] * 2).startswith("Mode collapse")
