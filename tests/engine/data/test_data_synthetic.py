"""Synthetic generators: reproducible, sized as asked, and their classes are the claimed shapes."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from neurocanvas.engine.data import (
    SYNTHETIC_NAMES,
    DataConfig,
    DataError,
    load_dataset,
    scatter_points,
)


def gen(name: str, seed: int = 0, **params):
    return load_dataset(DataConfig(source=name, params=params, seed=seed))


@pytest.mark.parametrize("name", SYNTHETIC_NAMES)
def test_reproducible_and_sized(name):
    a, b, c = (
        gen(name, n=200, noise=0.1),
        gen(name, n=200, noise=0.1),
        gen(name, seed=1, n=200, noise=0.1),
    )
    assert torch.equal(a.x, b.x) and torch.equal(a.y, b.y)
    assert not torch.equal(a.x, c.x)
    assert len(a) == 200 and a.x.dtype == torch.float32
    points, values = scatter_points(a)
    assert points.shape == (200, 2) and values.shape == (200,)


def test_xor_quadrants():
    ds = gen("xor", n=400, noise=0.0)
    x, y = ds.x.numpy(), ds.y.numpy()
    assert ((x[:, 0] * x[:, 1] > 0) == (y == 1)).all()
    assert ds.info.task == "binary" and abs(int(y.sum()) - 200) < 40


def test_circles_inner_disc_outer_ring():
    ds = gen("circles", n=300)
    r = ds.x.norm(dim=1)
    assert r[ds.y == 1].max() <= 0.5 + 1e-6 and r[ds.y == 0].min() >= 0.7 - 1e-6
    assert ds.info.class_counts == [150, 150]


def test_moons_are_separated_half_circles():
    ds = gen("moons", n=300)
    x, y = ds.x.numpy() + np.array([0.5, 0.25]), ds.y.numpy()
    assert np.allclose(np.linalg.norm(x[y == 0], axis=1), 1.0, atol=1e-5)  # upper moon: unit circle
    assert np.allclose(np.linalg.norm(x[y == 1] - [1.0, 0.5], axis=1), 1.0, atol=1e-5)


def test_spirals_and_blobs_classes():
    sp = gen("spirals", n=300, classes=3)
    assert sp.info.task == "multiclass" and sp.info.class_counts == [100, 100, 100]
    bl = gen("blobs", n=90, classes=3)
    centres = torch.stack([bl.x[bl.y == c].mean(0) for c in range(3)])
    for c in range(3):  # every blob lies nearest its own centre
        d = torch.cdist(bl.x[bl.y == c], centres)
        assert (d.argmin(1) == c).float().mean() > 0.95


def test_regression_plane_and_sine_are_exact_without_noise():
    plane = gen("regression-plane", n=50)
    assert plane.info.task == "regression"
    assert torch.allclose(plane.y, plane.x[:, 0] + 0.5 * plane.x[:, 1], atol=1e-5)
    sine = gen("sine", n=50)
    assert sine.x.shape == (50, 1) and torch.allclose(sine.y, torch.sin(sine.x[:, 0]), atol=1e-5)


def test_bad_params():
    with pytest.raises(DataError, match="does not take"):
        gen("xor", colour=3)
    with pytest.raises(DataError, match="n must be"):
        gen("moons", n=1)
    with pytest.raises(DataError, match="noise"):
        gen("moons", noise=-1)
