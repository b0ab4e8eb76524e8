"""Opening what a user (or a stranger's file) names, without hanging, exhausting memory or
printing a traceback.

- Only regular files are opened as files: a FIFO would block forever, `/dev/zero` never ends.
- Files are read with a size cap, so a small mistake cannot load gigabytes.
- Text is UTF-8; a byte-order mark is accepted; bad bytes are reported by line and column.
- JSON is parsed strictly: no NaN/Infinity tokens (not JSON, and they break the canvas), integers
  of at most 40 digits, nesting at most 100 deep.
Each failure raises the caller's error class with a message naming the file and the place.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

MAX_JSON_BYTES = 64 * 1024 * 1024
MAX_JSON_DEPTH = 100
MAX_INT_DIGITS = 40


def check_regular_file(path: str | os.PathLike, error: type[Exception], what: str = "") -> Path:
    """`path` if it names a regular file (after symlinks), else `error` saying what it is."""
    path = Path(path)
    label = f"{what} {path}".strip()
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise error(f"{label}: no such file") from None
    except OSError as problem:
        raise error(f"{label}: cannot be read ({problem.strerror or problem})") from None
    if stat.S_ISDIR(mode):
        raise error(f"{label} is a folder, not a file")
    if not stat.S_ISREG(mode):
        kind = "a named pipe (FIFO)" if stat.S_ISFIFO(mode) else "a device or socket"
        raise error(f"{label} is {kind}, not a regular file")
    return path


def read_bytes_capped(path: Path, limit: int, error: type[Exception], what: str = "") -> bytes:
    """The bytes of a regular file of at most `limit` bytes."""
    path = check_regular_file(path, error, what)
    size = path.stat().st_size
    if size > limit:
        raise error(
            f"{path}: {size:,} bytes is more than the {limit:,} a {what or 'file'} may hold"
        )
    try:
        return path.read_bytes()
    except OSError as problem:
        raise error(f"{path}: cannot be read ({problem.strerror or problem})") from None


def decode_utf8(data: bytes, source: str, error: type[Exception]) -> str:
    """UTF-8 text (a leading byte-order mark dropped); bad bytes named by line and column."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise error(f"{source}: the file is UTF-16; save it as UTF-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as problem:
        before = data[: problem.start]
        line = before.count(b"\n") + 1
        column = len(before[before.rfind(b"\n") + 1 :].decode("utf-8", "replace")) + 1
        raise error(
            f"{source}: not UTF-8 text at line {line}, column {column} (byte 0x{data[problem.start]:02x})"
        ) from None


def parse_json(text: str, source: str, error: type[Exception]) -> Any:
    """Strict JSON with limits; `error` names the line and column of a problem."""

    def no_constant(name: str) -> Any:
        raise ValueError(f"{name} is not a JSON value (write a number, or null)")

    def bounded_int(digits: str) -> int:
        if len(digits.lstrip("-")) > MAX_INT_DIGITS:
            raise ValueError(f"an integer of {len(digits)} digits is too large")
        return int(digits)

    try:
        value = json.loads(text, parse_constant=no_constant, parse_int=bounded_int)
    except json.JSONDecodeError as problem:
        raise error(
            f"{source}: not valid JSON at line {problem.lineno}, column {problem.colno}: {problem.msg}"
        ) from None
    except RecursionError:
        raise error(f"{source}: nested more than {MAX_JSON_DEPTH} levels deep") from None
    except ValueError as problem:  # raised by the hooks above: find where
        raise error(f"{source}: {problem}") from None
    if _depth(value) > MAX_JSON_DEPTH:
        raise error(f"{source}: nested more than {MAX_JSON_DEPTH} levels deep")
    return value


def _depth(value: Any) -> int:
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (dict, list)):
            deepest = max(deepest, depth)
            if depth > MAX_JSON_DEPTH:
                return depth
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return deepest
