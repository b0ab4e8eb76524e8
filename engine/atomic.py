"""Atomic file writes: a temporary file beside the target, renamed over it only when complete.

A crash or a failed check leaves the old file (or none), never half a file. Used by project saves,
checkpoints, run logs and every export. The write changes nothing else about what it replaces:
the file keeps its permissions (a new file gets the umask's, as `open()` would give it), a
symlink is written through to its target rather than replaced, and temporary files that an
earlier, killed write left behind (our own `.NAME.XXXXXXXX.SUFFIX` naming) are removed.
"""

from __future__ import annotations

import os
import re
import stat
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

STALE_AFTER_S = 600  # a temp file this old is no write in progress, but one a kill left behind
_umask_lock = threading.Lock()


@contextmanager
def atomic_output(path: str | os.PathLike, suffix: str = "") -> Iterator[Path]:
    """Yield a temporary path beside `path`; it replaces `path` only if the block finishes."""
    path = Path(os.path.realpath(path))  # through a symlink: write its target, keep the link
    path.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_temps(path)
    handle, temp_name = tempfile.mkstemp(
        prefix=f".{path.name}.", suffix=suffix or ".tmp", dir=path.parent
    )
    os.close(handle)
    temp = Path(temp_name)
    try:
        yield temp
        os.chmod(temp, _mode_for(path))
        _fsync(temp)
        os.replace(temp, path)
    except OSError as error:
        if error.filename is None or str(error.filename) == str(temp):
            # "No space left on device" should name the file the user asked for, not our temp.
            raise OSError(error.errno, error.strerror or str(error), str(path)) from error
        raise
    finally:
        temp.unlink(missing_ok=True)


def write_atomic(path: str | os.PathLike, text: str) -> None:
    """Write `text` (UTF-8) to `path` atomically."""
    with atomic_output(path) as temp:
        temp.write_text(text, encoding="utf-8")


def write_atomic_bytes(path: str | os.PathLike, data: bytes) -> None:
    """Write `data` to `path` atomically."""
    with atomic_output(path, Path(path).suffix) as temp:
        temp.write_bytes(data)


def _mode_for(path: Path) -> int:
    """The permissions `path` has now, or those a plain `open()` would give a new file."""
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        with _umask_lock:  # reading the umask means setting it: keep other threads out
            umask = os.umask(0o022)
            os.umask(umask)
        return 0o666 & ~umask


def _remove_stale_temps(path: Path) -> None:
    pattern = re.compile(r"\." + re.escape(path.name) + r"\.[A-Za-z0-9_]{8}\.[A-Za-z0-9]{1,8}")
    cutoff = time.time() - STALE_AFTER_S
    try:
        entries = list(os.scandir(path.parent))
    except OSError:
        return  # an unreadable folder: the write itself will report the problem
    for entry in entries:
        if not pattern.fullmatch(entry.name):
            continue
        try:
            if entry.is_file(follow_symlinks=False) and entry.stat().st_mtime < cutoff:
                os.unlink(entry.path)
        except OSError:
            continue  # gone already, or not ours to remove


def _fsync(path: Path) -> None:
    # Flush to disk before the rename, so a power cut cannot leave a renamed but empty file.
    with open(path, "rb") as stream:
        os.fsync(stream.fileno())
