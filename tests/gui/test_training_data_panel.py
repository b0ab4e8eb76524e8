"""The data panel: load the Pima CSV through the panel and resolve tabular-mlp's auto sizes; a
synthetic set shows its scatter preview; a bad file shows a message."""

from __future__ import annotations

from pathlib import Path

import pytest
from neurocanvas.engine.shapes import AutoSizes
from neurocanvas.engine.templates import load_template
from PySide6.QtCore import Qt

DATASETS = Path(__file__).resolve().parents[2] / ".." / "shared" / "datasets"
PIMA = DATASETS / "tabular" / "pima-indians-diabetes.csv"


@pytest.fixture
def make_panel(qtbot):
    from neurocanvas.gui.document import Document
    from neurocanvas.gui.training.data_panel import DataPanel

    def make(template: str):
        document = Document(load_template(template))
        panel = DataPanel(document)
        qtbot.addWidget(panel)
        panel.resize(500, 800)
        panel.show()
        return panel

    return make


def load(qtbot, panel) -> None:
    with qtbot.waitSignal(panel.loaded, timeout=20_000):
        qtbot.mouseClick(panel.load_button, Qt.MouseButton.LeftButton)


@pytest.mark.skipif(not PIMA.is_file(), reason="the shared Pima CSV is not on this machine")
def test_pima_csv_resolves_tabular_mlp_auto_sizes(qtbot, make_panel):
    panel = make_panel("tabular-mlp")
    document = panel.document
    assert document.analysis.shapes["output"].shape is None  # auto, no data yet
    panel.set_source_path(str(PIMA.resolve()))
    assert panel.source.currentText() == "CSV / TSV file"
    assert document.project.data["source"] == str(PIMA.resolve())
    load(qtbot, panel)
    assert document.auto == AutoSizes((8,), 1, "float32")
    assert document.analysis.shapes["input"].shape == (8,)
    assert document.analysis.shapes["output"].shape == (1,)
    assert "768 samples" in panel.info.text() and "binary" in panel.info.text()
    assert panel.preview.currentWidget() is panel.preview.table
    assert panel.preview.table.columnCount() == 9 and panel.preview.table.item(0, 1).text() == "148"
    assert panel.target.currentText() == "col9"  # the last column, offered for change
    assert panel.error.isHidden()


def test_synthetic_source_shows_a_scatter(qtbot, make_panel):
    panel = make_panel("xor")
    panel.source.setCurrentText("moons")
    panel.samples.setValue(200)
    assert panel.document.project.data["source"] == "moons"
    assert panel.document.project.data["params"]["n"] == 200
    load(qtbot, panel)
    assert panel.preview.currentWidget() is panel.preview.scatter
    assert len(panel.preview.scatter_item.data) == 200
    assert panel.document.auto.input_shape == (2,)


def test_split_must_add_up(qtbot, make_panel):
    panel = make_panel("xor")
    panel.splits[0].setValue(90)
    assert not panel.error.isHidden() and "add up" in panel.error.text()
    panel.splits[0].setValue(70)
    assert panel.error.isHidden()


def test_missing_file_shows_a_message(qtbot, make_panel, tmp_path):
    panel = make_panel("tabular-mlp")
    panel.set_source_path(str(tmp_path / "nothing.csv"))
    with qtbot.waitSignal(panel.load_failed, timeout=10_000):
        qtbot.mouseClick(panel.load_button, Qt.MouseButton.LeftButton)
    assert "could not be loaded" in panel.error.text()
    assert panel.load_button.isEnabled()


def test_browse_starts_in_the_folder_chosen_last(qtbot, make_panel, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    folder = tmp_path / "tables"
    folder.mkdir()
    (folder / "a.csv").write_text("x,y\n1,0\n2,1\n")
    starts = []

    def ask(_parent, _title, start, _filter):
        starts.append(start)
        return str(folder / "a.csv"), ""

    monkeypatch.setattr(QFileDialog, "getOpenFileName", ask)
    panel = make_panel("tabular-mlp")
    panel.source.setCurrentText("CSV / TSV file")
    panel.browse.click()
    later = make_panel("tabular-mlp")  # another panel, as after a restart
    later.source.setCurrentText("CSV / TSV file")
    later.browse.click()
    assert starts == ["", str(folder)]


def test_augmentation_is_offered_for_images_only(qtbot, make_panel):
    panel = make_panel("xor")
    boxes = list(panel.augment.values())
    assert not any(box.isEnabled() for box in boxes)
    assert "2-D points" in boxes[0].toolTip()
    panel.source.setCurrentText("CSV / TSV file")
    assert not boxes[0].isEnabled() and "a table" in boxes[0].toolTip()
    panel.source.setCurrentText("mnist")
    assert all(box.isEnabled() for box in boxes) and not boxes[0].toolTip()
