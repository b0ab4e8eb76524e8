"""Points in many dimensions (a layer's activations, a generator's latent codes) projected to 2-D
or 3-D by scikit-learn's PCA or t-SNE, for scatter plots and the projector.

Reusable on its own: `project(points, method, dims)` takes any (N, D) array.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

METHODS = ("pca", "tsne")


@dataclass(frozen=True)
class Projection:
    method: str
    coords: np.ndarray  # (N, dims)
    explained_variance_ratio: tuple[float, ...] = ()  # PCA only: per component


def project(points, method: str = "pca", dims: int = 2, seed: int = 0) -> Projection:
    """`points` (N, D; more axes are flattened) -> (N, dims) coordinates."""
    from sklearn.decomposition import PCA
    from sklearn.manifold import TSNE

    data = np.asarray(points, dtype=np.float64).reshape(len(points), -1)
    if method not in METHODS:
        raise ValueError(f"projection {method!r}: choose one of {', '.join(METHODS)}")
    if dims not in (2, 3):
        raise ValueError(f"a projection has 2 or 3 dimensions, not {dims}")
    if len(data) < dims + 1:
        raise ValueError(
            f"projecting to {dims}-D needs at least {dims + 1} points, got {len(data)}"
        )
    if not np.isfinite(data).all():
        raise ValueError("the points hold NaN or infinite values")
    if method == "pca":
        components = min(dims, data.shape[1])
        pca = PCA(n_components=components, random_state=seed)
        coords = pca.fit_transform(data)
        if components < dims:  # fewer features than dimensions: pad with zeros
            coords = np.pad(coords, ((0, 0), (0, dims - components)))
        ratios = tuple(float(r) for r in pca.explained_variance_ratio_)
        return Projection(method, coords, ratios)
    perplexity = float(min(30.0, max(2.0, (len(data) - 1) / 3)))
    tsne = TSNE(n_components=dims, perplexity=perplexity, init="pca", random_state=seed)
    return Projection(method, tsne.fit_transform(data))
