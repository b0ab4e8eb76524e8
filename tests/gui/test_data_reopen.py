"""A reopened project gets its data back as saved: a CSV source loads by itself (the canvas had
0 parameters until Load data was pressed again), without an edit to undo; a file that moved is
named, with the way to point at it; a quick other choice is not overwritten by the old load."""

from __future__ import annotations

import pytest
from neurocanvas.engine.project import save
from neurocanvas.engine.templates import load_template

ROWS = "a,b,c,label\n" + "".join(f"{i},{i % 3},{i * 2},{i % 2}\n" for i in range(40))


@pytest.fixture
def saved_csv_project(tmp_path):
    csv = tmp_path / "rows.csv"
    csv.write_text(ROWS)
    project = load_template("tabular-mlp")  # auto input and output sizes
    project.data = {"source": str(csv)}
    path = tmp_path / "table.json"
    save(project, path)
    return path, csv


def open_panel(qtbot, path):
    from neurocanvas.gui.document import Document
    from neurocanvas.gui.training.data_panel import DataPanel

    document = Document.open(path)
    panel = DataPanel(document)
    qtbot.addWidget(panel)
    panel.resize(500, 800)
    panel.show()
    return panel


def test_a_reopened_csv_project_loads_its_data_by_itself(qtbot, saved_csv_project):
    path, _csv = saved_csv_project
    from neurocanvas.gui.document import Document
    from neurocanvas.gui.training.data_panel import DataPanel

    document = Document.open(path)
    assert not document.analysis.complete  # "?" on the canvas until the data is known
    panel = DataPanel(document)
    qtbot.addWidget(panel)
    with qtbot.waitSignal(panel.loaded, timeout=20_000):
        pass
    assert document.auto.input_shape == (3,) and document.analysis.complete
    total = sum(result.param_count for result in document.analysis.shapes.values())
    assert total > 0
    assert "40 samples" in panel.info.text()
    assert document.undo_stack.count() == 0 and not document.modified  # no edit was made


def test_a_moved_data_file_is_named_with_the_way_to_point_at_it(qtbot, saved_csv_project):
    path, csv = saved_csv_project
    csv.rename(csv.with_name("elsewhere.csv"))
    panel = open_panel(qtbot, path)
    assert not panel.is_loading()
    assert panel.error.isVisibleTo(panel)
    assert str(csv) in panel.error.text() and "Browse" in panel.error.text()
    assert panel.browse.isEnabled() and panel.path.text() == str(csv)


def test_another_choice_made_while_the_saved_data_loads_wins(qtbot, saved_csv_project):
    path, _csv = saved_csv_project
    panel = open_panel(qtbot, path)
    assert panel.is_loading() and panel.load_button.isEnabled()  # Load is not blocked
    panel.source.setCurrentText("moons")
    assert not panel.is_loading()
    with qtbot.waitSignal(panel.loaded, timeout=20_000) as loaded:
        panel.load()
    qtbot.wait(200)  # the dropped CSV load has ended by now and must not show
    assert loaded.args[0]["info"]["num_samples"] == panel.result["info"]["num_samples"]
    assert panel.document.auto.input_shape == (2,)


def test_load_data_on_an_unchanged_project_leaves_it_unmodified(qtbot, saved_csv_project):
    """The saved data section is short (defaults left out): pressing Load data wrote the form's
    full section back as an edit, so the project showed as modified with nothing changed."""
    path, _csv = saved_csv_project
    panel = open_panel(qtbot, path)
    with qtbot.waitSignal(panel.loaded, timeout=20_000):
        pass
    with qtbot.waitSignal(panel.loaded, timeout=20_000):
        panel.load_button.click()
    assert not panel.document.modified and panel.document.undo_stack.count() == 0
    panel.splits[0].setValue(60)  # a real change is still one edit
    panel.splits[1].setValue(25)
    assert panel.document.modified
