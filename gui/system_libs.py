"""Before Qt starts on X11: name the system libraries its xcb platform plugin cannot find.

Without them Qt aborts with a hint that names only one (and not always the missing one). Here
`ldd` lists every library the plugin lacks, and each is turned into its Debian/Ubuntu package
name, so the user gets one `apt-get install` line that works. Imports no Qt: it runs first.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

# Sonames whose packages do not follow Debian's rule (name + version, "-" between two digits).
_PACKAGE_EXCEPTIONS = {
    "libglib-2.0.so.0": "libglib2.0-0",
    "libgthread-2.0.so.0": "libglib2.0-0",
    "libgobject-2.0.so.0": "libglib2.0-0",
}
_MISSING = re.compile(r"^\s*(\S+)\s+=>\s+not found", re.MULTILINE)
_SONAME = re.compile(r"^(lib.+?)\.so\.(\d+)")


def debian_package(soname: str) -> str:
    """`libxcb-cursor.so.0` -> `libxcb-cursor0`, `libxkbcommon-x11.so.0` -> `libxkbcommon-x11-0`."""
    if soname in _PACKAGE_EXCEPTIONS:
        return _PACKAGE_EXCEPTIONS[soname]
    match = _SONAME.match(soname)
    if match is None:
        return soname
    base, version = match.group(1).lower(), match.group(2)
    return f"{base}-{version}" if base[-1].isdigit() else f"{base}{version}"


def missing_libraries(ldd_output: str) -> list[str]:
    """The sonames `ldd` reports as "not found", each once, in its order."""
    return list(dict.fromkeys(_MISSING.findall(ldd_output)))


def xcb_plugin() -> Path | None:
    spec = importlib.util.find_spec("PySide6")
    if spec is None or not spec.submodule_search_locations:
        return None
    plugin = Path(list(spec.submodule_search_locations)[0]) / "Qt/plugins/platforms/libqxcb.so"
    return plugin if plugin.is_file() else None


def will_use_xcb(env=os.environ) -> bool:
    """Qt picks xcb on Linux when asked to, or with an X display and no Wayland one."""
    if not sys.platform.startswith("linux"):
        return False
    platform = env.get("QT_QPA_PLATFORM", "")
    if platform:
        return platform.startswith("xcb")
    return bool(env.get("DISPLAY")) and not env.get("WAYLAND_DISPLAY")


def missing_xcb_message(plugin: Path | None = None) -> str | None:
    """The message and `apt-get` line for what the xcb plugin lacks, or None when nothing is."""
    plugin = plugin or xcb_plugin()
    ldd = shutil.which("ldd")
    if plugin is None or ldd is None:
        return None  # nothing to check with: let Qt try
    try:
        output = subprocess.run(
            [ldd, str(plugin)], capture_output=True, text=True, timeout=10
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    missing = missing_libraries(output)
    if not missing:
        return None
    packages = list(dict.fromkeys(debian_package(name) for name in missing))
    return (
        "neurocanvas: the window cannot start: Qt's X11 (xcb) platform needs system libraries "
        f"that are not installed: {', '.join(missing)}.\n"
        "On Debian or Ubuntu, install them with:\n"
        f"  sudo apt-get install {' '.join(packages)}\n"
        "(other systems: install the packages that provide those files), then start again."
    )
