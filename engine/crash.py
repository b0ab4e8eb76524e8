"""The last resort for an error nobody expected: one short message and a log for the bug report.

The command line and the window both end up here when an exception escapes everything else. Errors
that describe bad input (a project, data, checkpoint or export problem) are shown as they are; any
other exception is a bug in NeuroCanvas, so its traceback goes to a log file whose path the message
names: never silence, never a traceback on the user's screen. Importing this module costs nothing
(no torch): the error classes are looked up only in modules that are already loaded, since an
exception of a class whose module never loaded cannot have been raised.
"""

from __future__ import annotations

import os
import sys
import time
import traceback
from pathlib import Path

from .messages import MAX_MESSAGE_CHARS, one_paragraph  # noqa: F401 - re-exported

_INPUT_ERRORS = (
    ("neurocanvas.engine.project", "ProjectError"),
    ("neurocanvas.engine.data.errors", "DataError"),
    ("neurocanvas.engine.training.config", "ConfigError"),
    ("neurocanvas.engine.training.checkpoint", "CheckpointError"),
    ("neurocanvas.engine.export.parity", "ExportError"),
    ("neurocanvas.engine.graph", "GraphError"),
    ("neurocanvas.engine.compiler", "CompileError"),
    ("neurocanvas.engine.registry", "ParamError"),
)


def input_error_types() -> tuple[type[BaseException], ...]:
    """The loaded error classes whose messages are written for the user."""
    found = []
    for module_name, class_name in _INPUT_ERRORS:
        module = sys.modules.get(module_name)
        cls = getattr(module, class_name, None) if module is not None else None
        if isinstance(cls, type):
            found.append(cls)
    return tuple(found)


def log_folder() -> Path:
    """Where crash logs go: NEUROCANVAS_LOG_DIR, else the user log folder."""
    override = os.environ.get("NEUROCANVAS_LOG_DIR")
    if override:
        return Path(override)
    from platformdirs import user_log_dir

    return Path(user_log_dir("neurocanvas", appauthor=False))


def write_crash_log(error: BaseException, context: str = "") -> Path | None:
    """The traceback of `error` in a new file in `log_folder()`; None if even that fails."""
    try:
        folder = log_folder()
        folder.mkdir(parents=True, exist_ok=True)
        stamp = time.strftime("%Y%m%d-%H%M%S")
        path = folder / f"crash-{stamp}-{os.getpid()}.log"
        lines = traceback.format_exception(type(error), error, error.__traceback__)
        header = f"NeuroCanvas {context}\nPython {sys.version.split()[0]} on {sys.platform}\n\n"
        path.write_text(header + "".join(lines), encoding="utf-8")
        return path
    except OSError:
        return None


def describe(error: BaseException, context: str = "") -> str:
    """The one paragraph to show for `error` (a crash log is written for unexpected ones)."""
    if isinstance(error, input_error_types()):
        return one_paragraph(str(error))
    if isinstance(error, OSError) and error.strerror:  # the machine, not a bug: a full disk...
        place = f"{error.filename}: " if error.filename else ""
        return one_paragraph(f"{place}{error.strerror}")
    log = write_crash_log(error, context)
    where = f" (details in {log})" if log else ""
    if isinstance(error, MemoryError):
        return f"not enough memory: the input asks for more than this machine has{where}"
    if isinstance(error, RecursionError):
        return f"the input is nested too deeply to read{where}"
    summary = one_paragraph(f"{type(error).__name__}: {error}", 300)
    return f"unexpected error ({summary}). This is a bug in NeuroCanvas{where}; please report it"
