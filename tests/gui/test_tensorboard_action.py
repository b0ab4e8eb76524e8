"""Runs -> "Open in TensorBoard": a run with TensorBoard logs starts TensorBoard on loopback and
opens its page; a run without logs has the button off."""

from __future__ import annotations

import json
import urllib.request

import pytest
from neurocanvas.engine.templates import load_template
from neurocanvas.gui.document import Document
from PySide6.QtGui import QDesktopServices

pytestmark = pytest.mark.slow


def test_open_in_tensorboard(open_dock, qtbot, tmp_path, monkeypatch):
    from torch.utils.tensorboard import SummaryWriter

    plain, logged = tmp_path / "plain", tmp_path / "logged"
    plain.mkdir()
    with SummaryWriter(str(logged / "tensorboard")) as writer:  # what a run with logs leaves
        writer.add_scalar("loss", 0.5, 1)
    dock = open_dock(Document(load_template("xor")))
    runs = dock.runs_view
    runs._add({}, "", str(plain))
    runs._update_open_button()
    assert not runs.tensorboard_button.isEnabled()
    runs._add({}, "", str(logged))
    runs._update_open_button()
    assert runs.tensorboard_button.isEnabled()
    opened = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toString()))
    runs.tensorboard_button.click()
    qtbot.waitUntil(lambda: bool(opened), timeout=60_000)
    assert opened[0].startswith("http://127.0.0.1:")
    with urllib.request.urlopen(opened[0] + "data/runs", timeout=10) as reply:
        assert json.loads(reply.read()) == ["."]
    server = dock.tensorboards.servers[str(logged / "tensorboard")]
    dock.shutdown()
    assert server.process is None and not dock.tensorboards.servers
