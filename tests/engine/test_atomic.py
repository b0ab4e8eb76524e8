"""Atomic writes replace a file's contents and nothing else: its mode, a symlink to it, and the
folder around it stay as they were; temp files a killed write left behind are cleaned up."""

from __future__ import annotations

import os
import stat
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from neurocanvas.engine.atomic import STALE_AFTER_S, atomic_output, write_atomic


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.mark.parametrize("mode", [0o644, 0o600, 0o640, 0o664])
def test_an_existing_file_keeps_its_mode(tmp_path, mode):
    target = tmp_path / "project.json"
    target.write_text("old")
    target.chmod(mode)
    write_atomic(target, "new")
    assert target.read_text() == "new" and _mode(target) == mode


@settings(max_examples=20, deadline=None)
@given(umask=st.sampled_from([0o022, 0o002, 0o077, 0o027]))
def test_a_new_file_gets_the_umask_mode(tmp_path_factory, umask):
    target = tmp_path_factory.mktemp("new") / "fresh.json"
    old = os.umask(umask)
    try:
        write_atomic(target, "x")
    finally:
        os.umask(old)
    assert _mode(target) == 0o666 & ~umask


def test_saving_through_a_symlink_writes_its_target(tmp_path):
    real = tmp_path / "real" / "project.json"
    real.parent.mkdir()
    real.write_text("old")
    link = tmp_path / "link.json"
    link.symlink_to(real)
    write_atomic(link, "new")
    assert link.is_symlink() and real.read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.json", "real"]


def test_stale_temp_files_of_our_naming_are_removed(tmp_path):
    target = tmp_path / "best.pt"
    stale = tmp_path / ".best.pt.ab12cd34.pt"
    fresh = tmp_path / ".best.pt.zz99yy88.pt"  # a write in progress elsewhere: left alone
    other = tmp_path / ".best.pt.notours"
    for path in (stale, fresh, other):
        path.write_bytes(b"x" * 10)
    old = time.time() - STALE_AFTER_S - 60
    os.utime(stale, (old, old))
    os.utime(other, (old, old))
    with atomic_output(target, ".pt") as temp:
        temp.write_bytes(b"weights")
    assert not stale.exists() and fresh.exists() and other.exists()
    assert target.read_bytes() == b"weights"


def test_a_failed_write_leaves_the_old_file_and_no_temp(tmp_path):
    target = tmp_path / "project.json"
    target.write_text("old")
    with pytest.raises(RuntimeError), atomic_output(target) as temp:
        temp.write_text("half")
        raise RuntimeError("killed")
    assert target.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == [target.name]


def test_a_failed_write_names_the_target_not_the_temp_file(tmp_path):
    import errno

    target = tmp_path / "best.pt"
    with pytest.raises(OSError) as error, atomic_output(target, ".pt") as temp:
        raise OSError(errno.ENOSPC, "No space left on device", str(temp))
    assert error.value.filename == str(target) and error.value.errno == errno.ENOSPC
