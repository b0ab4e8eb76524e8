"""The projector's PCA against numpy's SVD; t-SNE keeps well-separated clusters apart."""

from __future__ import annotations

import numpy as np
import pytest
from neurocanvas.engine.inspect.projection import project


def test_pca_equals_numpys_svd_up_to_the_sign_of_each_axis():
    rng = np.random.default_rng(0)
    points = rng.normal(size=(60, 8)) @ rng.normal(size=(8, 8))
    centred = points - points.mean(axis=0)
    u, s, _vt = np.linalg.svd(centred, full_matrices=False)
    expected = u[:, :3] * s[:3]
    result = project(points, "pca", dims=3)
    signs = np.sign((result.coords * expected).sum(axis=0))
    np.testing.assert_allclose(result.coords * signs, expected, rtol=1e-6, atol=1e-8)
    variance = s**2 / (s**2).sum()
    np.testing.assert_allclose(result.explained_variance_ratio, variance[:3], rtol=1e-6)


def test_pca_of_fewer_features_than_dimensions_pads_with_zeros():
    points = np.random.default_rng(1).normal(size=(10, 1))
    coords = project(points, "pca", dims=2).coords
    assert coords.shape == (10, 2) and not coords[:, 1].any()


@pytest.mark.slow
def test_tsne_keeps_separate_clusters_apart():
    rng = np.random.default_rng(2)
    points = np.concatenate([rng.normal(0, 0.1, (15, 5)), rng.normal(10, 0.1, (15, 5))])
    coords = project(points, "tsne", dims=2, seed=0).coords
    a, b = coords[:15], coords[15:]
    between = np.linalg.norm(a.mean(axis=0) - b.mean(axis=0))
    within = max(
        np.linalg.norm(a - a.mean(axis=0), axis=1).max(),
        np.linalg.norm(b - b.mean(axis=0), axis=1).max(),
    )
    assert between > 2 * within


def test_bad_projections_are_refused():
    with pytest.raises(ValueError, match="choose one of pca, tsne"):
        project(np.zeros((5, 2)), "umap")
    with pytest.raises(ValueError, match="at least 4 points"):
        project(np.zeros((3, 5)), "pca", dims=3)
    with pytest.raises(ValueError, match="NaN"):
        project(np.full((5, 2), np.nan))
