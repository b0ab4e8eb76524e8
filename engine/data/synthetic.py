"""Seeded 2-D toy data sets (the TensorFlow Playground set): xor, circles, moons, spirals, blobs,
regression-plane and sine. Each takes ``n`` (samples) and ``noise`` (std of Gaussian jitter added to
the points, in units of the data's extent of about 1) and is reproducible for a given seed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import torch

from .config import SYNTHETIC_NAMES
from .errors import DataError
from .info import Dataset, make_info
from .settings import check_params

_Gen = Callable[[np.random.Generator, int, float, dict[str, Any]], tuple[np.ndarray, np.ndarray]]


def _class_sizes(n: int, k: int) -> list[int]:
    """Split n into k near-equal class sizes (balanced classes)."""
    return [n // k + (1 if i < n % k else 0) for i in range(k)]


def _xor(
    rng: np.random.Generator, n: int, noise: float, p: dict[str, Any]
) -> tuple[np.ndarray, np.ndarray]:
    # Keep points a little away from the axes (as the Playground does) so the quadrant, and hence the
    # class, is unambiguous before noise.
    pad = 0.05
    u = rng.uniform(-1, 1, size=(n, 2))
    pts = np.sign(u) * (pad + np.abs(u) * (1 - pad))
    labels = (pts[:, 0] * pts[:, 1] > 0).astype(np.int64)  # 1 in quadrants I and III
    return pts + rng.normal(0, noise, size=pts.shape), labels


def _circles(
    rng: np.random.Generator, n: int, noise: float, p: dict[str, Any]
) -> tuple[np.ndarray, np.ndarray]:
    n_out, n_in = _class_sizes(n, 2)
    # Inner disc (class 1) radius <= 0.5, outer ring (class 0) radius in [0.7, 1]: a gap of 0.2.
    r = np.concatenate([rng.uniform(0.7, 1.0, n_out), rng.uniform(0.0, 0.5, n_in)])
    a = rng.uniform(0, 2 * np.pi, n)
    pts = np.stack([r * np.cos(a), r * np.sin(a)], axis=1)
    labels = np.concatenate([np.zeros(n_out), np.ones(n_in)]).astype(np.int64)
    return pts + rng.normal(0, noise, size=pts.shape), labels


def _moons(
    rng: np.random.Generator, n: int, noise: float, p: dict[str, Any]
) -> tuple[np.ndarray, np.ndarray]:
    n0, n1 = _class_sizes(n, 2)
    t0, t1 = rng.uniform(0, np.pi, n0), rng.uniform(0, np.pi, n1)
    upper = np.stack([np.cos(t0), np.sin(t0)], axis=1)
    lower = np.stack([1 - np.cos(t1), 0.5 - np.sin(t1)], axis=1)
    pts = np.concatenate([upper, lower]) - np.array([0.5, 0.25])  # centre on the origin
    labels = np.concatenate([np.zeros(n0), np.ones(n1)]).astype(np.int64)
    return pts + rng.normal(0, noise, size=pts.shape), labels


def _spirals(
    rng: np.random.Generator, n: int, noise: float, p: dict[str, Any]
) -> tuple[np.ndarray, np.ndarray]:
    k = int(p.get("classes", 2))
    turns = float(p.get("turns", 1.0))
    pts, labels = [], []
    for j, size in enumerate(_class_sizes(n, k)):
        t = rng.uniform(0.05, 1.0, size)
        angle = 2 * np.pi * (j / k + turns * t)
        pts.append(np.stack([t * np.cos(angle), t * np.sin(angle)], axis=1))
        labels.append(np.full(size, j))
    pts_a = np.concatenate(pts)
    return pts_a + rng.normal(0, noise, size=pts_a.shape), np.concatenate(labels).astype(np.int64)


def _blobs(
    rng: np.random.Generator, n: int, noise: float, p: dict[str, Any]
) -> tuple[np.ndarray, np.ndarray]:
    k = int(p.get("classes", 3))
    spread = float(p.get("spread", 0.15))
    pts, labels = [], []
    for j, size in enumerate(_class_sizes(n, k)):
        centre = np.array([np.cos(2 * np.pi * j / k), np.sin(2 * np.pi * j / k)])
        pts.append(centre + rng.normal(0, spread + noise, size=(size, 2)))
        labels.append(np.full(size, j))
    return np.concatenate(pts), np.concatenate(labels).astype(np.int64)


def _plane(
    rng: np.random.Generator, n: int, noise: float, p: dict[str, Any]
) -> tuple[np.ndarray, np.ndarray]:
    a, b = (float(c) for c in p.get("coef", (1.0, 0.5)))
    bias = float(p.get("bias", 0.0))
    pts = rng.uniform(-1, 1, size=(n, 2))
    target = a * pts[:, 0] + b * pts[:, 1] + bias + rng.normal(0, noise, n)
    return pts, target


def _sine(
    rng: np.random.Generator, n: int, noise: float, p: dict[str, Any]
) -> tuple[np.ndarray, np.ndarray]:
    x = rng.uniform(-np.pi, np.pi, size=(n, 1))
    return x, np.sin(x[:, 0]) + rng.normal(0, noise, n)


_GENERATORS: dict[str, tuple[_Gen, bool, set[str]]] = {
    # name: (generator, is classification, extra params it accepts)
    "xor": (_xor, True, set()),
    "circles": (_circles, True, set()),
    "moons": (_moons, True, set()),
    "spirals": (_spirals, True, {"classes", "turns"}),
    "blobs": (_blobs, True, {"classes", "spread"}),
    "regression-plane": (_plane, False, {"coef", "bias"}),
    "sine": (_sine, False, set()),
}
assert set(_GENERATORS) == set(SYNTHETIC_NAMES)


def make_synthetic(name: str, params: dict[str, Any] | None = None, seed: int = 0) -> Dataset:
    """Generate ``name`` with ``params`` (n, noise, and per-generator extras) from ``seed``."""
    params = dict(params or {})
    if name not in _GENERATORS:
        raise DataError(
            f"unknown synthetic data set {name!r}; choose from {', '.join(SYNTHETIC_NAMES)}"
        )
    gen, is_class, extra = _GENERATORS[name]
    unknown = set(params) - {"n", "noise"} - extra
    if unknown:
        allowed = ", ".join(sorted({"n", "noise"} | extra))
        raise DataError(f"'{name}' does not take {', '.join(sorted(unknown))}; it takes {allowed}")
    params = check_params(name, params)
    n = params.get("n", 500)
    noise = params.get("noise", 0.0)
    rng = np.random.default_rng(seed)
    pts, target = gen(rng, n, float(noise), params)
    # Shuffle so classes are interleaved, as in real files.
    order = rng.permutation(n)
    x = torch.as_tensor(pts[order], dtype=torch.float32)
    if is_class:
        y = torch.as_tensor(target[order], dtype=torch.int64)
        k = int(y.max()) + 1
        task = "binary" if k == 2 else "multiclass"
        names = [str(i) for i in range(k)]
    else:
        y = torch.as_tensor(target[order], dtype=torch.float32)
        task, names = "regression", []
    feature_names = ["x"] if x.shape[1] == 1 else ["x1", "x2"]
    info = make_info(x, y, task=task, class_names=names, source=name, feature_names=feature_names)
    report = [f"generated {n} samples of '{name}' (noise {noise:g}, seed {seed})"]
    return Dataset(x=x, y=y, info=info, report=report)
