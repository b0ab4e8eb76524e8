"""CIFAR-10 in both published formats.

- binary (``cifar-10-batches-bin``): records of 1 label byte + 3072 pixel bytes (R, G, B planes of
  32x32), decoded with one ``numpy.frombuffer`` per file;
- python (``cifar-10-batches-py``): pickled dicts ``{b"data": uint8 (N, 3072), b"labels": [...]}``.
  Pickle can run arbitrary code, so these are read with ``RestrictedUnpickler``, which rebuilds only
  plain containers, bytes/str/numbers and numpy arrays/dtypes, and refuses anything else.
"""

from __future__ import annotations

import io
import pickle
from pathlib import Path
from typing import Any

import numpy as np

from ..safe_io import check_regular_file
from .errors import DataError
from .labels import integer_labels
from .limits import array_bytes, check_allocation

RECORD = 1 + 3 * 32 * 32
CIFAR10_CLASSES = [
    "airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck",
]  # fmt: skip

# The only globals a CIFAR pickle may name: numpy's array reconstruction helpers (their module
# moved from numpy.core to numpy._core in numpy 2; _frombuffer is what protocol 5 uses), and
# _codecs.encode, which Python 3 uses to store bytes in protocol-2 pickles (a pure str -> bytes call).
_ALLOWED = {
    ("_codecs", "encode"),
    ("numpy.core.multiarray", "_reconstruct"),
    ("numpy._core.multiarray", "_reconstruct"),
    ("numpy.core.numeric", "_frombuffer"),
    ("numpy._core.numeric", "_frombuffer"),
    ("numpy", "ndarray"),
    ("numpy", "dtype"),
}


class RestrictedUnpickler(pickle.Unpickler):
    """Unpickler that resolves only numpy array/dtype reconstruction; every other global is refused."""

    def __init__(self, file: Any, path: Path) -> None:
        super().__init__(file, encoding="bytes")
        self.path = path

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in _ALLOWED:
            found = super().find_class(module, name)
            if name == "_reconstruct":
                return self._guarded_reconstruct(found)
            if name == "ndarray":
                return _NdarrayGuard(self.path)
            return found
        raise DataError(
            f"refusing to unpickle '{module}.{name}': a CIFAR batch holds only arrays, lists and "
            "dicts, so this file is not one (and loading it could run code)",
            path=self.path,
        )

    def _guarded_reconstruct(self, reconstruct):
        def call(subtype, shape, dtype):
            if isinstance(subtype, _NdarrayGuard):
                subtype = np.ndarray
            if subtype is not np.ndarray:
                raise DataError("a CIFAR batch holds plain arrays only", path=self.path)
            _NdarrayGuard(self.path).check(shape, np.uint8)
            return reconstruct(subtype, shape, dtype)

        return call


class _NdarrayGuard:
    """Stands in for `numpy.ndarray` in a CIFAR pickle: a direct call may not allocate more
    than the memory budget (a 40-byte pickle can otherwise ask for a 149 GiB array)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def check(self, shape: Any, dtype: Any) -> None:
        dims = (shape,) if isinstance(shape, int) else tuple(shape)
        if not all(isinstance(d, int) and d >= 0 for d in dims):
            raise DataError("a CIFAR array has an invalid shape", path=self.path)
        check_allocation(array_bytes(dims, np.dtype(dtype)), "a CIFAR array", self.path)

    def __call__(self, shape, dtype=float, *args, **kwargs):
        self.check(shape, dtype)
        return np.ndarray(shape, dtype, *args, **kwargs)


def restricted_load(path: Path) -> Any:
    """Unpickle ``path`` with ``RestrictedUnpickler``; any failure is a ``DataError``."""
    check_regular_file(path, DataError)
    check_allocation(path.stat().st_size, "the CIFAR batch", path)
    try:
        data = path.read_bytes()
    except OSError as e:
        raise DataError(f"cannot read the file ({e.strerror})", path=path) from None
    try:
        return RestrictedUnpickler(io.BytesIO(data), path).load()
    except DataError:
        raise
    except Exception as e:  # truncated or malformed pickles raise many exception types
        raise DataError(
            f"not a readable CIFAR pickle ({type(e).__name__}: {e})", path=path
        ) from None


def _get(d: dict, key: str) -> Any:
    """Python-2 pickles have bytes keys, re-pickled ones str keys; accept both."""
    return d.get(key.encode(), d.get(key))


def read_cifar_pickle(path: str | Path) -> tuple[np.ndarray, np.ndarray]:
    """One python-format batch -> images (N, 3, 32, 32) uint8, labels (N,) int64."""
    path = Path(path)
    obj = restricted_load(path)
    if not isinstance(obj, dict):
        raise DataError(
            f"a CIFAR batch is a dict, this file holds a {type(obj).__name__}", path=path
        )
    data, labels = _get(obj, "data"), _get(obj, "labels")
    if labels is None:
        labels = _get(obj, "fine_labels")
    if not isinstance(data, np.ndarray) or data.dtype != np.uint8 or data.ndim != 2:
        raise DataError("the batch's 'data' is not a uint8 array of shape (N, 3072)", path=path)
    if data.shape[1] != RECORD - 1:
        raise DataError(
            f"the batch's 'data' has rows of {data.shape[1]} values, not 3072", path=path
        )
    if not isinstance(labels, (list, np.ndarray)) or len(labels) != len(data):
        raise DataError(f"the batch needs {len(data)} labels to match its images", path=path)
    try:
        y = integer_labels(np.asarray(labels), path)
    except (TypeError, ValueError) as error:
        if isinstance(error, DataError):
            raise
        raise DataError("the batch's labels are not integers", path=path) from None
    _check_labels(y, path)
    return data.reshape(-1, 3, 32, 32), y


def read_cifar_binary(path: str | Path) -> tuple[np.ndarray, np.ndarray]:
    """One binary-format batch -> images (N, 3, 32, 32) uint8, labels (N,) int64."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise DataError(f"cannot read the file ({e.strerror})", path=path) from None
    if not raw or len(raw) % RECORD:
        raise DataError(
            f"{len(raw)} bytes is not a whole number of {RECORD}-byte records "
            "(1 label byte + 3072 pixel bytes): truncated or not a CIFAR-10 binary batch",
            path=path,
        )
    rec = np.frombuffer(raw, dtype=np.uint8).reshape(-1, RECORD)
    y = rec[:, 0].astype(np.int64)
    _check_labels(y, path)
    return rec[:, 1:].reshape(-1, 3, 32, 32).copy(), y


def _check_labels(y: np.ndarray, path: Path) -> None:
    if len(y) and (y.min() < 0 or y.max() > 9):
        bad = int(np.flatnonzero((y < 0) | (y > 9))[0])
        raise DataError(f"label {int(y[bad])} of record {bad + 1} is not a class 0-9", path=path)


def find_cifar_dir(folder: Path) -> Path | None:
    """The folder holding CIFAR-10 batches: ``folder`` itself or its batches-bin/-py sub-folder."""
    for cand in (folder, folder / "cifar-10-batches-bin", folder / "cifar-10-batches-py"):
        if cand.is_dir() and any(
            (cand / n).is_file()
            for n in ("data_batch_1", "data_batch_1.bin", "test_batch", "test_batch.bin")
        ):
            return cand
    return None


def load_cifar_dir(
    folder: Path,
) -> tuple[tuple[np.ndarray, np.ndarray] | None, tuple[np.ndarray, np.ndarray] | None, list[str]]:
    """(train, test, class names) from a batches folder; train or test may be absent (None)."""

    def read(names: list[str]) -> tuple[np.ndarray, np.ndarray] | None:
        parts = []
        for n in names:
            if (folder / f"{n}.bin").is_file():
                parts.append(read_cifar_binary(folder / f"{n}.bin"))
            elif (folder / n).is_file():
                parts.append(read_cifar_pickle(folder / n))
        if not parts:
            return None
        return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])

    train = read([f"data_batch_{i}" for i in range(1, 6)])
    test = read(["test_batch"])
    return train, test, _class_names(folder)


def _class_names(folder: Path) -> list[str]:
    txt = folder / "batches.meta.txt"
    if txt.is_file():
        names = [ln.strip() for ln in txt.read_text(errors="replace").splitlines() if ln.strip()]
        if len(names) == 10:
            return names
    meta = folder / "batches.meta"
    if meta.is_file():
        obj = restricted_load(meta)
        names = _get(obj, "label_names") if isinstance(obj, dict) else None
        if isinstance(names, list) and len(names) == 10:
            return [n.decode() if isinstance(n, bytes) else str(n) for n in names]
    return list(CIFAR10_CLASSES)
