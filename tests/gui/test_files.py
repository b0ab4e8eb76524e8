"""Files: save and reopen, the modified mark and close prompt, recent files, a broken file that
changes nothing, and crash recovery from the autosave."""

from __future__ import annotations

import os
import subprocess
import sys

from neurocanvas.engine.project import load
from neurocanvas.gui import files
from window_fixtures import *  # noqa: F403 - the shared window fixtures


def _edit(window):
    window.document.set_param("conv1", "out_channels", 12)


def test_save_reopen_compare_equal(window, make_window, tmp_path):
    _edit(window)
    assert window.isWindowModified() and window.windowTitle().endswith("[*] — NeuroCanvas")
    target = tmp_path / "mine.json"
    window.ask_save_path = lambda: target
    assert window.save()
    assert not window.isWindowModified()
    assert window.windowTitle() == "mine.json[*] — NeuroCanvas"
    assert files.recent_files() == [target.resolve()]

    other = make_window("seed-mlp")
    assert other.open_path(target)
    assert other.document.graph.same_as(window.document.graph)
    assert load(target).graph.same_as(window.document.graph)


def test_close_prompt_can_cancel_save_or_discard(window, tmp_path):
    _edit(window)
    answers = []
    window.ask_save_changes = lambda: answers.append("asked") or "cancel"
    assert not window.close()
    assert window.isVisible() and answers == ["asked"]
    window.ask_save_changes = lambda: "save"
    window.ask_save_path = lambda: tmp_path / "closing.json"
    assert window.close()
    assert load(tmp_path / "closing.json").graph.same_as(window.document.graph)


def test_broken_file_shows_where_and_keeps_the_document(window, tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text('{"format": "neurocanvas",\n  "version": 1,\n  "graph": {nodes: []}}\n')
    errors = []
    window.show_error = lambda title, message: errors.append(message)
    document = window.document
    assert not window.open_path(broken)
    assert window.document is document
    assert len(errors) == 1 and "broken.json" in errors[0] and "line 3, column" in errors[0]


def _dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_autosave_is_offered_and_restored_after_a_crash(window, make_window):
    _edit(window)
    written = window.autosaver.save_now()
    assert written == files.recovery_path() and written.is_file()
    # Pretend the process that wrote it crashed: its pid no longer runs.
    crashed = files.recovery_path(_dead_pid())
    os.replace(written, crashed)

    later = make_window("seed-mlp")
    offered = []
    later.ask_restore = lambda recovery: offered.append(recovery) or True
    assert later.offer_recovery()
    assert len(offered) == 1 and "Seed CNN" in offered[0].description
    assert later.document.graph.same_as(window.document.graph)
    assert later.isWindowModified()
    assert not crashed.exists()
    assert files.find_recoveries() == []


def test_autosave_leaves_nothing_for_a_clean_document(window):
    assert window.autosaver.save_now() is None
    assert not files.recovery_path().exists()
    assert window.autosaver.timer.interval() == 30_000
