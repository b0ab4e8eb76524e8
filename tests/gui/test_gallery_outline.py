"""The gallery's stored outlines: current for every template, drawn without torch, and a template
that changed since is outlined from its graph instead of from the stale entry (issue 22)."""

from __future__ import annotations

import json
import subprocess
import sys

from neurocanvas.engine.templates import list_templates
from neurocanvas.gui import gallery_outline


def test_the_stored_outlines_match_every_template_as_it_is_now():
    stored = gallery_outline.stored_outlines()
    stale = [
        info.name
        for info in list_templates()
        if stored.get(info.name, {}).get("sha256") != gallery_outline.file_digest(info.path)
    ]
    assert not stale, (
        f"outlines out of date for {stale}: run "
        "`.venv/bin/python -m neurocanvas.gui.gallery_outline`"
    )
    for info in list_templates():
        assert gallery_outline.outline_for(info, stored) == gallery_outline.outline_of(info)


def test_a_changed_template_is_outlined_from_its_graph(tmp_path):
    info = next(i for i in list_templates() if i.name == "seed-cnn")
    fresh = gallery_outline.outline_of(info)
    wrong = {"seed-cnn": {"sha256": "0" * 64, "nodes": [[0.0, 0.0, "Core"]], "edges": []}}
    assert gallery_outline.outline_for(info, wrong) == fresh
    assert len(fresh.nodes) > 1


def test_the_gallery_opens_without_importing_torch():
    probe = """
import sys
from PySide6.QtWidgets import QApplication
app = QApplication([])
from neurocanvas.gui.gallery import GalleryDialog
dialog = GalleryDialog()
dialog.show()
app.processEvents()
print(len(dialog.cards), "torch" in sys.modules)
"""
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True
    )
    cards, torch_loaded = result.stdout.split()
    assert int(cards) == len(list_templates())
    assert torch_loaded == "False"


def test_write_outlines_round_trips(tmp_path):
    path = gallery_outline.write_outlines(tmp_path / "outlines.json")
    data = json.loads(path.read_text())
    assert set(data) == {info.name for info in list_templates()}
