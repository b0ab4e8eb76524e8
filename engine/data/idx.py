"""IDX files (the MNIST / Fashion-MNIST format), raw or gzip-compressed, decoded with one
``numpy.frombuffer`` per file (no per-image Python loops).

Format: 2 zero bytes, a dtype code, the number of dimensions, then one big-endian uint32 per
dimension, then the values, big-endian.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..safe_io import check_regular_file
from .errors import DataError
from .limits import array_bytes, check_allocation, read_gzip_capped

_DTYPES = {
    0x08: np.dtype(np.uint8),
    0x09: np.dtype(np.int8),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}


def _declared_size(head: bytes) -> int:
    """Header plus values, as the first bytes of an IDX file declare them (0 if unreadable)."""
    if len(head) < 4 or head[:2] != b"\x00\x00" or head[2] not in _DTYPES or not 1 <= head[3] <= 8:
        return 0
    ndim = head[3]
    if len(head) < 4 + 4 * ndim:
        return 0
    shape = np.frombuffer(head, dtype=">u4", count=ndim, offset=4)
    return 4 + 4 * ndim + array_bytes(tuple(int(d) for d in shape), _DTYPES[head[2]])


def _read_bytes(path: Path) -> bytes:
    """The file's bytes, gunzipped when it starts with the gzip magic (whatever its name), in a
    stream that stops where the header says the data ends: a gzip bomb is never unpacked."""
    check_regular_file(path, DataError)
    try:
        with open(path, "rb") as stream:
            magic = stream.read(2)
        if magic != b"\x1f\x8b":
            check_allocation(path.stat().st_size, "the IDX file", path)
            return path.read_bytes()
    except OSError as e:
        raise DataError(f"cannot read the file ({e.strerror})", path=path) from None

    def size_of(head: bytes) -> int:
        declared = _declared_size(head)
        check_allocation(declared, "the IDX data its header declares", path)
        return declared

    return read_gzip_capped(path, 36, size_of)


def read_idx(path: str | Path) -> np.ndarray:
    """Read one IDX file into an array of its declared shape and dtype (native byte order)."""
    path = Path(path)
    data = _read_bytes(path)
    if len(data) < 4:
        raise DataError(f"too short for an IDX file ({len(data)} bytes)", path=path)
    zero, code, ndim = data[:2], data[2], data[3]
    if zero != b"\x00\x00" or code not in _DTYPES or not 1 <= ndim <= 8:
        magic = int.from_bytes(data[:4], "big")
        raise DataError(
            f"wrong magic number 0x{magic:08X}: not an IDX file (MNIST images start with "
            "0x00000803, labels with 0x00000801)",
            path=path,
        )
    header = 4 + 4 * ndim
    if len(data) < header:
        raise DataError("truncated: the header is incomplete", path=path)
    shape = tuple(int(d) for d in np.frombuffer(data, dtype=">u4", count=ndim, offset=4))
    dtype = _DTYPES[code]
    expected = array_bytes(shape, dtype)
    have = len(data) - header
    if have < expected:
        raise DataError(
            f"truncated: the header promises {shape} values ({expected} bytes) but only {have} "
            "bytes follow",
            path=path,
        )
    count = expected // dtype.itemsize
    arr = np.frombuffer(data, dtype=dtype, count=count, offset=header).reshape(shape)
    return arr.astype(dtype.newbyteorder("="), copy=False)


def find_idx_pair(folder: Path, prefix: str) -> tuple[Path, Path] | None:
    """The (images, labels) files for ``prefix`` ('train' or 't10k') in ``folder``, .gz or raw."""
    found = []
    for kind, nd in (("images", 3), ("labels", 1)):
        for name in (f"{prefix}-{kind}-idx{nd}-ubyte", f"{prefix}-{kind}.idx{nd}-ubyte"):
            hits = [
                folder / (name + ext) for ext in ("", ".gz") if (folder / (name + ext)).is_file()
            ]
            if hits:
                found.append(hits[0])
                break
        else:
            return None
    return found[0], found[1]


def load_idx_pair(images_path: Path, labels_path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Images (N, 1, H, W) uint8 and labels (N,) int64, checked against each other."""
    images = read_idx(images_path)
    labels = read_idx(labels_path)
    if images.ndim != 3:
        raise DataError(
            f"expected images of shape (N, H, W), found {images.shape}", path=images_path
        )
    if labels.ndim != 1:
        raise DataError(f"expected labels of shape (N,), found {labels.shape}", path=labels_path)
    if len(images) != len(labels):
        raise DataError(
            f"{len(images)} images but {len(labels)} labels in {labels_path.name}", path=images_path
        )
    if len(images) == 0:
        raise DataError("the file holds no images", path=images_path)
    return images[:, None, :, :], labels.astype(np.int64)
