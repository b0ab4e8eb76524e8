"""Atomic file writes: a temporary file beside the target, renamed over it only when complete.

A crash or a failed check leaves the old file (or none), never half a file. Used by project saves,
checkpoints, run logs and every export.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def atomic_output(path: str | os.PathLike, suffix: str = "") -> Iterator[Path]:
    """Yield a temporary path beside `path`; it replaces `path` only if the block finishes."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(
        prefix=f".{path.name}.", suffix=suffix or ".tmp", dir=path.parent
    )
    os.close(handle)
    temp = Path(temp_name)
    try:
        yield temp
        _fsync(temp)
        os.replace(temp, path)
    finally:
        temp.unlink(missing_ok=True)


def write_atomic(path: str | os.PathLike, text: str) -> None:
    """Write `text` (UTF-8) to `path` atomically."""
    with atomic_output(path) as temp:
        temp.write_text(text, encoding="utf-8")


def _fsync(path: Path) -> None:
    # Flush to disk before the rename, so a power cut cannot leave a renamed but empty file.
    with open(path, "rb") as stream:
        os.fsync(stream.fileno())
