"""File dialogs open in the folder last chosen for their kind, not the home folder every time
(issue 14.12): the data source's Browse… and Try it's image picker."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QFileDialog


@pytest.fixture
def dialogs(monkeypatch):
    """Each open-file dialog's start folder; it answers with the next file of `answers`."""
    opened: list[str] = []
    answers: list[str] = []

    def fake(_parent, _title, start="", _filter="", *args, **kwargs):
        opened.append(start)
        return (answers.pop(0) if answers else ""), ""

    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(fake))
    return opened, answers


def test_browse_for_data_starts_in_the_last_data_folder(qtbot, tmp_path, dialogs):
    from neurocanvas.engine.templates import load_template
    from neurocanvas.gui.document import Document
    from neurocanvas.gui.training.data_panel import DataPanel

    opened, answers = dialogs
    folder = tmp_path / "tables"
    folder.mkdir()
    (folder / "a.csv").write_text("x,y\n1,0\n2,1\n")
    panel = DataPanel(Document(load_template("tabular-mlp")))
    qtbot.addWidget(panel)
    panel.source.setCurrentText("CSV / TSV file")
    answers.append(str(folder / "a.csv"))
    panel.browse.click()
    panel.browse.click()
    assert opened[1] == str(folder)
    assert panel.path.text() == str(folder / "a.csv")


def test_try_its_image_picker_starts_in_the_last_image_folder(qtbot, tmp_path, dialogs):
    from neurocanvas.gui.training.try_it import TryItView

    opened, answers = dialogs
    view = TryItView()
    qtbot.addWidget(view)
    picked = []
    view.predict_image_file = picked.append  # no model needed to see where the dialog opens
    answers.append(str(tmp_path / "digit.png"))
    view.image_button.click()
    view.image_button.click()
    assert picked == [str(tmp_path / "digit.png")]
    assert opened[1] == str(tmp_path)
