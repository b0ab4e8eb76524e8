"""NumPy inputs: an ``.npz`` archive (arrays ``x``/``y``, ``x_train``/``y_train`` [+ ``x_test``/
``y_test``], or else the first two arrays) or a pair of ``.npy`` files (``x.npy`` + ``y.npy``,
``foo_x.npy`` + ``foo_y.npy``, or params ``{"y": path}``). Pickled object arrays are refused.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np

from ..safe_io import check_regular_file
from .errors import DataError
from .limits import check_npy_file, check_npy_member

ArrayPair = tuple[np.ndarray, np.ndarray]


def _load(path: Path) -> Any:
    check_regular_file(path, DataError)
    if path.suffix.lower() == ".npy":
        check_npy_file(path)  # before numpy allocates what the header claims
    try:
        return np.load(path, allow_pickle=False)
    except ValueError as e:
        raise DataError(
            f"cannot read the arrays ({e}); object arrays are not accepted", path=path
        ) from None
    except (OSError, EOFError) as e:
        raise DataError(f"not a readable NumPy file ({e})", path=path) from None


def _member(z: Any, key: str, path: Path) -> np.ndarray:
    """One array of an archive; members are read lazily, so their errors surface here."""
    check_npy_member(path, key)
    try:
        return z[key]
    except ValueError as e:
        raise DataError(
            f"cannot read array '{key}' ({e}); object arrays are not accepted", path=path
        ) from None
    except (OSError, EOFError) as e:
        raise DataError(f"array '{key}' is damaged ({e})", path=path) from None


def load_npz(path: Path) -> tuple[ArrayPair, ArrayPair | None, list[str]]:
    """(train (x, y), own test (x, y) or None, report) from an ``.npz`` archive."""
    with _load(path) as z:
        names = list(z.files)
        lower = {n.lower(): n for n in names}
        for xs, ys in (
            ("x", "y"),
            ("x_train", "y_train"),
            ("features", "labels"),
            ("data", "target"),
        ):
            if xs in lower and ys in lower:
                pair = (_member(z, lower[xs], path), _member(z, lower[ys], path))
                test = None
                if xs == "x_train" and "x_test" in lower and "y_test" in lower:
                    test = (_member(z, lower["x_test"], path), _member(z, lower["y_test"], path))
                report = [f"read arrays '{lower[xs]}' and '{lower[ys]}' from {path.name}"]
                if test is not None:
                    report.append("using the archive's own x_test/y_test as the test split")
                return _checked(pair, path), _checked(test, path) if test else None, report
        if len(names) < 2:
            raise DataError(
                f"an .npz data set needs two arrays (features and targets); it has {len(names)}",
                path=path,
            )
        pair = (_member(z, names[0], path), _member(z, names[1], path))
        return _checked(pair, path), None, [f"read arrays '{names[0]}' (x) and '{names[1]}' (y)"]


def partner_npy(path: Path) -> Path:
    """The y file that goes with an x ``.npy`` file (x.npy -> y.npy, a_X_train.npy -> a_y_train.npy)."""
    stem = path.stem
    for pattern in (r"^[xX]$", r"(^|[_\-.])[xX]($|[_\-.])"):
        m = re.search(pattern, stem)
        if m:
            start, end = m.span()
            piece = stem[start:end]
            cand = path.with_name(stem[:start] + re.sub("[xX]", "y", piece) + stem[end:] + ".npy")
            if cand.is_file():
                return cand
    raise DataError(
        "cannot find the targets for this features file: name them like x.npy / y.npy or "
        'name_x.npy / name_y.npy, or give params {"y": path}',
        path=path,
    )


def load_npy_pair(path: Path, y_path: Path | None) -> tuple[ArrayPair, list[str]]:
    y_path = y_path or partner_npy(path)
    pair = (_load(path), _load(y_path))
    return _checked(pair, path), [f"read features {path.name} and targets {y_path.name}"]


def _checked(pair: ArrayPair, path: Path) -> ArrayPair:
    x, y = pair
    if not isinstance(x, np.ndarray) or not isinstance(y, np.ndarray):
        raise DataError("expected arrays", path=path)
    if x.ndim == 0 or y.ndim == 0:
        raise DataError("features and targets must have one row per sample", path=path)
    if len(x) != len(y):
        raise DataError(f"{len(x)} feature rows but {len(y)} targets", path=path)
    if len(x) == 0:
        raise DataError("the arrays are empty", path=path)
    for arr, what in ((x, "features"), (y, "targets")):
        if arr.dtype.kind not in "biuf" and not (what == "targets" and arr.dtype.kind in "US"):
            raise DataError(f"the {what} have dtype {arr.dtype}, not numbers", path=path)
    if x.dtype.kind == "f" and not np.all(np.isfinite(x)):
        bad = np.argwhere(~np.isfinite(x))[0]
        raise DataError(
            f"features hold NaN or infinity (first at index {tuple(int(i) for i in bad)})",
            path=path,
        )
    return x, y


def as_image_array(x: np.ndarray) -> np.ndarray | None:
    """uint8 (N, H, W), (N, H, W, C) or (N, C, H, W) -> (N, C, H, W); None when not image-like."""
    if x.dtype != np.uint8 or x.ndim not in (3, 4):
        return None
    if x.ndim == 3:
        return x[:, None]
    if x.shape[-1] in (1, 3, 4) and x.shape[1] not in (1, 3, 4):
        return np.ascontiguousarray(x.transpose(0, 3, 1, 2))
    return x
