"""Where the window keeps things between runs: recent files (QSettings) and crash recovery.

Every 30 s a modified document is written to a recovery file in the user data folder
(platformdirs); a clean exit deletes it. A recovery file left by a process that no longer runs is
a crash, and the next start offers to restore it. `NEUROCANVAS_DATA_DIR` moves both the settings
and the recovery files (tests use it so they never touch the user's real ones).

This module imports no torch: the window uses it before the engine is loaded.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

from neurocanvas.engine.user_data import data_dir
from PySide6.QtCore import QObject, QSettings, QTimer

AUTOSAVE_INTERVAL_MS = 30_000
MAX_RECENT = 8
_RECENT_KEY = "recent_files"


def settings() -> QSettings:
    """An INI file in the data folder, so the override above isolates settings too."""
    return QSettings(str(data_dir() / "settings.ini"), QSettings.Format.IniFormat)


# ---- the last export folder ---------------------------------------------------------------------
_EXPORT_KEY = "export/last_folder"


def remember_export_folder(path: str | os.PathLike) -> None:
    """The folder of the newest export (a folder export is its own folder)."""
    path = Path(path)
    settings().setValue(_EXPORT_KEY, str(path if path.is_dir() else path.parent))


def last_export_folder() -> Path | None:
    """Where the newest export went, if that folder still exists."""
    value = settings().value(_EXPORT_KEY)
    return Path(value) if isinstance(value, str) and value and Path(value).is_dir() else None


def remember_export_weights(project_key: str, weights: str) -> None:
    """The weights last exported for a project: "latest", "initial" or a checkpoint's path."""
    store = settings()
    store.setValue(f"export/weights/{_key(project_key)}", weights)
    store.sync()


def export_weights(project_key: str) -> str | None:
    value = settings().value(f"export/weights/{_key(project_key)}")
    return value if isinstance(value, str) and value else None


def _key(text: str) -> str:
    """A settings key for any text (a path's slashes would nest INI groups)."""
    import hashlib

    return hashlib.sha1(text.encode()).hexdigest()[:16]


def last_folder(kind: str) -> str:
    """The folder a file dialog of this kind ("data", "checkpoint") last chose, if it still
    exists; "" otherwise (the dialog's own default)."""
    value = settings().value(f"dialogs/{kind}")
    return value if isinstance(value, str) and value and Path(value).is_dir() else ""


def remember_folder(kind: str, path: str | os.PathLike) -> None:
    path = Path(path)
    store = settings()
    store.setValue(f"dialogs/{kind}", str(path if path.is_dir() else path.parent))
    store.sync()


# ---- the gallery at start ------------------------------------------------------------------------
_GALLERY_KEY = "gallery/at_start"


def gallery_at_start() -> bool:
    """Whether `neurocanvas` without a project opens the template gallery (default: yes)."""
    return str(settings().value(_GALLERY_KEY, "true")).lower() != "false"


def set_gallery_at_start(show: bool) -> None:
    store = settings()
    store.setValue(_GALLERY_KEY, "true" if show else "false")
    store.sync()


# ---- window layout -------------------------------------------------------------------------------
_GEOMETRY_KEY, _STATE_KEY, _SCREEN_KEY = "window/geometry", "window/state", "window/screen"


def _screen_text(window) -> str:
    """The available size of the window's screen, "1600x1000": a layout belongs to one screen."""
    screen = window.screen()
    if screen is None:
        return ""
    size = screen.availableGeometry().size()
    return f"{size.width()}x{size.height()}"


def save_window_layout(window) -> None:
    """The window's size, place and docks, and the screen they were made for, for the next start."""
    store = settings()
    store.setValue(_GEOMETRY_KEY, window.saveGeometry())
    store.setValue(_STATE_KEY, window.saveState())
    store.setValue(_SCREEN_KEY, _screen_text(window))


def saved_layout_fits(window) -> bool:
    """Whether the saved layout was made on a screen of this size (a layout from a larger screen,
    squeezed onto this one, left a palette 80 px wide and a canvas 180 px tall)."""
    saved = str(settings().value(_SCREEN_KEY, "") or "")
    return bool(saved) and saved == _screen_text(window)


def restore_window_geometry(window) -> bool:
    """Size and place as the last session left them, when they were made on this screen; False
    when there is nothing (fitting) saved."""
    value = settings().value(_GEOMETRY_KEY)
    return bool(value) and saved_layout_fits(window) and window.restoreGeometry(value)


def restore_window_state(window) -> bool:
    """Dock sizes and places (the docks must exist), when made on this screen; False otherwise."""
    value = settings().value(_STATE_KEY)
    return bool(value) and saved_layout_fits(window) and window.restoreState(value)


# ---- recent files --------------------------------------------------------------------------------
def recent_files() -> list[Path]:
    value = settings().value(_RECENT_KEY, [])
    if isinstance(value, str):  # QSettings returns a lone string for a one-item list
        value = [value]
    return [Path(item) for item in value or [] if Path(item).is_file()]


def add_recent_file(path: Path) -> list[Path]:
    path = Path(path).resolve()
    entries = [path] + [p for p in recent_files() if p.resolve() != path]
    entries = entries[:MAX_RECENT]
    store = settings()
    store.setValue(_RECENT_KEY, [str(p) for p in entries])
    store.sync()
    return entries


def clear_recent_files() -> None:
    store = settings()
    store.remove(_RECENT_KEY)
    store.sync()


# ---- crash recovery ------------------------------------------------------------------------------
def recovery_dir() -> Path:
    return data_dir() / "recovery"


def recovery_path(pid: int | None = None) -> Path:
    # One file per process, so two open windows never overwrite each other's recovery.
    return recovery_dir() / f"autosave-{pid or os.getpid()}.json"


@dataclass(frozen=True)
class Recovery:
    path: Path  # the recovery file itself
    original: Path | None  # the file the work belonged to (None for an unsaved project)
    saved_at: float
    project_json: dict

    @property
    def description(self) -> str:
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(self.saved_at))
        name = self.original.name if self.original else self.project_json.get("name", "Untitled")
        return f"{name} (autosaved {when})"


def write_recovery(project_dict: dict, original: Path | None, path: Path | None = None) -> Path:
    from neurocanvas.engine.project import write_atomic

    target = path or recovery_path()
    payload = {
        "original": str(original) if original else None,
        "saved_at": time.time(),
        "project": project_dict,
    }
    write_atomic(target, json.dumps(payload))
    return target


def _process_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # exists but belongs to someone else: not ours to take
    return True


def find_recoveries() -> list[Recovery]:
    """Recovery files left by processes that are gone (crashed), newest first."""
    found = []
    for path in recovery_dir().glob("autosave-*.json"):
        try:
            pid = int(path.stem.split("-", 1)[1])
        except ValueError:
            continue
        if _process_alive(pid):
            continue
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            original = Path(data["original"]) if data.get("original") else None
            found.append(Recovery(path, original, float(data["saved_at"]), data["project"]))
        except (OSError, ValueError, KeyError, TypeError):
            path.unlink(missing_ok=True)  # unreadable: nothing to offer
    return sorted(found, key=lambda r: r.saved_at, reverse=True)


def discard_recovery(recovery: Recovery) -> None:
    recovery.path.unlink(missing_ok=True)


class Autosaver(QObject):
    """Writes the document to this process's recovery file every `interval_ms` while modified."""

    def __init__(self, document_getter, interval_ms: int = AUTOSAVE_INTERVAL_MS, parent=None):
        super().__init__(parent)
        self._document_getter = document_getter
        self.path = recovery_path()
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.save_now)
        self.timer.start()

    def save_now(self) -> Path | None:
        document = self._document_getter()
        if document is None or not document.modified:
            self.clear()
            return None
        return write_recovery(document.project.to_dict(), document.path, self.path)

    def clear(self) -> None:
        """The work is saved or deliberately discarded: nothing to recover."""
        self.path.unlink(missing_ok=True)

    def stop(self) -> None:
        self.timer.stop()
        self.clear()
