"""The CSV step: choosing a file shows its columns (name, detected type, missing cells, a role
each) and fills the target list before anything is loaded; the roles chosen there are what
Load data uses (issue 14.13: the target list was empty until Load, and no column could be
marked categorical or ignored)."""

from __future__ import annotations

import pytest
from neurocanvas.engine.templates import load_template
from PySide6.QtCore import Qt

CHURN = "id,zip,age,region,churn\n" + "".join(
    f"{i},{1000 + i % 3},{20 + i},{['north', 'south', 'east'][i % 3]},{'yes' if i % 2 else 'no'}\n"
    for i in range(30)
).replace(",23,north", ",,north")  # one missing age


@pytest.fixture
def panel(qtbot, tmp_path):
    from neurocanvas.gui.document import Document
    from neurocanvas.gui.training.data_panel import DataPanel

    document = Document(load_template("tabular-mlp"))
    panel = DataPanel(document)
    qtbot.addWidget(panel)
    panel.resize(520, 900)
    panel.show()
    path = tmp_path / "churn.csv"
    path.write_text(CHURN)
    panel.set_source_path(str(path))  # what Browse… does
    qtbot.waitUntil(lambda: panel.columns.rowCount() == 5, timeout=10_000)
    return panel


def cells(table, row):
    return [table.item(row, c).text() for c in range(3)] + [table.cellWidget(row, 3).currentText()]


def test_a_chosen_csv_shows_its_columns_and_target_list_before_loading(panel):
    table = panel.columns
    assert panel.result is None  # nothing loaded yet
    assert table.isVisible()
    assert [table.horizontalHeaderItem(c).text() for c in range(4)] == [
        "Column",
        "Type",
        "Missing",
        "Role",
    ]
    assert cells(table, 0) == ["id", "number", "0", "feature"]
    assert cells(table, 2) == ["age", "number", "1", "feature"]
    assert cells(table, 3) == ["region", "category (3 values)", "0", "feature"]
    assert cells(table, 4) == ["churn", "category (2 values)", "0", "target"]  # the last: default
    targets = [panel.target.itemText(i) for i in range(panel.target.count())]
    assert targets == ["id", "zip", "age", "region", "churn"]
    assert panel.target.currentText() == "churn"
    # Every row fits the pane: the role box is not cut off at the right edge.
    right = table.viewport().mapTo(panel, table.visualItemRect(table.item(0, 2)).topRight())
    assert table.cellWidget(0, 3).geometry().right() <= table.viewport().width()
    assert right.x() < panel.width()


def test_roles_chosen_in_the_table_are_what_load_data_uses(qtbot, panel):
    table = panel.columns
    table.cellWidget(0, 3).setCurrentText("ignore")
    table.cellWidget(1, 3).setCurrentText("categorical")
    data = panel.document.project.data
    assert data["params"]["ignore"] == ["id"] and data["params"]["categorical"] == ["zip"]
    with qtbot.waitSignal(panel.loaded, timeout=20_000) as loaded:
        qtbot.mouseClick(panel.load_button, Qt.MouseButton.LeftButton)
    names = loaded.args[0]["info"]["feature_names"]
    assert names == [
        "zip=1000",
        "zip=1001",
        "zip=1002",
        "age",
        "region=east",
        "region=north",
        "region=south",
    ]
    # Another target chosen in the table: the target list follows (and the other way round).
    table.cellWidget(3, 3).setCurrentText("target")
    assert panel.target.currentText() == "region" and table.role("churn") == "feature"
    assert panel.document.project.data["target"] == "region"
    panel.target.setCurrentText("churn")
    assert table.role("churn") == "target" and table.role("region") == "feature"
    # Undo brings the table back to what the data section says.
    assert panel.document.undo_stack.undoText() == "Set target column"
    panel.document.undo_stack.undo()  # both target choices: one step, as typing is
    stack = panel.document.undo_stack
    assert stack.undoText() == "Set 'zip' as categorical"
    stack.undo()
    assert table.role("id") == "ignore" and table.role("zip") == "feature"
    assert table.role("churn") == "target"


def test_choosing_another_file_drops_the_last_loads_summary(qtbot, panel, tmp_path):
    """The trial: after choosing churn.csv, the pane still said "150 samples ... iris"."""
    with qtbot.waitSignal(panel.loaded, timeout=20_000):
        panel.load_button.click()
    assert "29 samples" in panel.info.text()
    panel.splits[0].setValue(60)  # a setting of the same file keeps what was loaded
    panel.splits[1].setValue(25)
    assert "29 samples" in panel.info.text() and panel.result is not None
    other = tmp_path / "other.csv"
    other.write_text("a,b,y\n1,2,0\n3,4,1\n")
    panel.set_source_path(str(other))
    assert panel.info.text() == "No data loaded yet." and panel.result is None
