"""Size limits checked before memory is allocated, so that a small hostile file cannot claim a
149 GiB array or unpack a gzip bomb: a header's promise is compared with the bytes that really
follow and with a memory budget (three quarters of this machine's memory), and gzip data is
decompressed in a stream that stops at the size the header declared.
"""

from __future__ import annotations

import gzip
import os
import zipfile
from pathlib import Path

import numpy as np

from .errors import DataError

_FALLBACK_BUDGET = 8 << 30


def memory_budget() -> int:
    """Bytes one data set may take in memory: NEUROCANVAS_MAX_DATA_BYTES, else 3/4 of RAM."""
    override = os.environ.get("NEUROCANVAS_MAX_DATA_BYTES")
    if override and override.isdigit():
        return int(override)
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") * 3 // 4
    except (AttributeError, ValueError, OSError):
        return _FALLBACK_BUDGET


def human_bytes(count: int) -> str:
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if count < 1024 or unit == "GiB":
            return f"{count:,} {unit}" if unit == "bytes" else f"{count:.1f} {unit}"
        count /= 1024
    return f"{count:.1f} TiB"


def check_allocation(nbytes: int, what: str, path: Path | None = None) -> None:
    """Refuse `what` when it would need more than the memory budget."""
    budget = memory_budget()
    if nbytes > budget:
        raise DataError(
            f"{what} would need {human_bytes(nbytes)} of memory, more than the "
            f"{human_bytes(budget)} a data set may use here",
            path=path,
        )


def array_bytes(shape: tuple[int, ...], dtype: np.dtype) -> int:
    count = 1
    for dim in shape:
        count *= int(dim)
    return count * np.dtype(dtype).itemsize


def read_gzip_capped(path: Path, head: int, size_of: callable) -> bytes:
    """Decompress `path` in a stream: `head` bytes first, then as many as `size_of(head_bytes)`
    says the whole content is (plus one, to notice extra data); never more."""
    try:
        with gzip.open(path, "rb") as stream:
            first = stream.read(head)
            total = size_of(first)
            rest = stream.read(max(0, total - len(first)) + 1)
    except (OSError, EOFError, gzip.BadGzipFile) as error:
        raise DataError(f"the gzip data is damaged or truncated ({error})", path=path) from None
    return first + rest


def check_npy_member(archive: Path, name: str) -> None:
    """Refuse an .npz member whose header promises more than its stored bytes, or the budget."""
    try:
        with zipfile.ZipFile(archive) as zipped:
            info = zipped.getinfo(name if name.endswith(".npy") else name + ".npy")
            with zipped.open(info) as member:
                shape, dtype = _npy_header(member, archive)
    except (KeyError, zipfile.BadZipFile, OSError, EOFError):
        return  # numpy reports a damaged or missing member in its own words
    nbytes = array_bytes(shape, dtype)
    if nbytes > info.file_size:
        raise DataError(
            f"array '{name}' claims shape {list(shape)} ({human_bytes(nbytes)}) but stores only "
            f"{human_bytes(info.file_size)}: damaged or not a real array",
            path=archive,
        )
    check_allocation(nbytes, f"array '{name}' of shape {list(shape)}", archive)


def check_npy_file(path: Path) -> None:
    """The same check for a plain .npy file, against its size on disk."""
    try:
        with open(path, "rb") as stream:
            shape, dtype = _npy_header(stream, path)
    except (OSError, EOFError):
        return
    nbytes = array_bytes(shape, dtype)
    size = path.stat().st_size
    if nbytes > size:
        raise DataError(
            f"the header claims shape {list(shape)} ({human_bytes(nbytes)}) but the file holds "
            f"{human_bytes(size)}: truncated or damaged",
            path=path,
        )
    check_allocation(nbytes, f"an array of shape {list(shape)}", path)


def _npy_header(stream, path: Path) -> tuple[tuple[int, ...], np.dtype]:
    from numpy.lib import format as npy_format

    try:
        version = npy_format.read_magic(stream)
        reader = (
            npy_format.read_array_header_1_0
            if version == (1, 0)
            else npy_format.read_array_header_2_0
        )
        shape, _fortran, dtype = reader(stream)
    except ValueError as error:
        raise DataError(f"not a NumPy array file ({error})", path=path) from None
    return tuple(shape), dtype
