"""The window names the system libraries Qt's xcb plugin lacks, with an apt-get line (issue 22)."""

from __future__ import annotations

import shutil
import stat

import pytest
from neurocanvas.gui import system_libs

LDD_OUTPUT = """\
\tlinux-vdso.so.1 (0x00007ffd)
\tlibQt6XcbQpa.so.6 => /venv/PySide6/Qt/lib/libQt6XcbQpa.so.6 (0x00007f)
\tlibxcb-cursor.so.0 => not found
\tlibxkbcommon-x11.so.0 => not found
\tlibxcb-icccm.so.4 => not found
\tlibxcb-cursor.so.0 => not found
\tlibX11-xcb.so.1 => not found
\tlibglib-2.0.so.0 => not found
\tlibxcb.so.1 => /lib/x86_64-linux-gnu/libxcb.so.1 (0x00007f)
"""


def test_missing_libraries_are_read_from_ldd_once_each_in_order():
    assert system_libs.missing_libraries(LDD_OUTPUT) == [
        "libxcb-cursor.so.0",
        "libxkbcommon-x11.so.0",
        "libxcb-icccm.so.4",
        "libX11-xcb.so.1",
        "libglib-2.0.so.0",
    ]


@pytest.mark.parametrize(
    ("soname", "package"),
    [
        ("libxcb-cursor.so.0", "libxcb-cursor0"),
        ("libxcb-icccm.so.4", "libxcb-icccm4"),
        ("libxcb-keysyms.so.1", "libxcb-keysyms1"),
        ("libxkbcommon-x11.so.0", "libxkbcommon-x11-0"),
        ("libX11-xcb.so.1", "libx11-xcb1"),
        ("libEGL.so.1", "libegl1"),
        ("libdbus-1.so.3", "libdbus-1-3"),
        ("libglib-2.0.so.0", "libglib2.0-0"),
    ],
)
def test_debian_package_names(soname, package):
    assert system_libs.debian_package(soname) == package


@pytest.fixture
def fake_ldd(tmp_path, monkeypatch):
    """An `ldd` on PATH that prints LDD_OUTPUT whatever it is given."""
    script = tmp_path / "bin" / "ldd"
    script.parent.mkdir()
    (tmp_path / "ldd.txt").write_text(LDD_OUTPUT)
    script.write_text(f"#!/bin/sh\ncat {tmp_path / 'ldd.txt'}\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{script.parent}:/usr/bin:/bin")
    return tmp_path


def test_the_message_gives_one_apt_get_line_for_every_missing_library(fake_ldd):
    plugin = fake_ldd / "libqxcb.so"
    plugin.write_bytes(b"")
    message = system_libs.missing_xcb_message(plugin)
    assert "libxcb-cursor.so.0" in message
    apt_line = next(line for line in message.splitlines() if "apt-get install" in line)
    assert apt_line.split("install ", 1)[1].split() == [
        "libxcb-cursor0",
        "libxkbcommon-x11-0",
        "libxcb-icccm4",
        "libx11-xcb1",
        "libglib2.0-0",
    ]


@pytest.mark.skipif(shutil.which("ldd") is None, reason="no ldd on this machine to inspect Qt with")
def test_this_machine_s_xcb_plugin_is_checked_for_real():
    """The real plugin is found and inspected; this machine runs the window under Xvfb, so nothing
    is missing (a machine without the libraries would get the message instead of Qt's abort)."""
    plugin = system_libs.xcb_plugin()
    assert plugin is not None and plugin.name == "libqxcb.so"
    assert system_libs.missing_xcb_message(plugin) is None


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"DISPLAY": ":0"}, True),
        ({"DISPLAY": ":0", "WAYLAND_DISPLAY": "wayland-0"}, False),
        ({"DISPLAY": ":0", "QT_QPA_PLATFORM": "offscreen"}, False),
        ({"QT_QPA_PLATFORM": "xcb"}, True),
        ({}, False),
    ],
)
def test_the_check_runs_only_when_qt_will_pick_xcb(env, expected, monkeypatch):
    monkeypatch.setattr(system_libs.sys, "platform", "linux")
    assert system_libs.will_use_xcb(env) is expected


def test_app_main_prints_the_line_and_stops_before_qt(monkeypatch, capsys):
    from neurocanvas.gui import app

    monkeypatch.setenv("DISPLAY", ":99")
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setattr(system_libs, "missing_xcb_message", lambda: "install libxcb-cursor0")
    monkeypatch.setattr(app, "run_window", lambda args: pytest.fail("Qt must not start"))
    assert app.main([]) == 2
    assert "install libxcb-cursor0" in capsys.readouterr().err
