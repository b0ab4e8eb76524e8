"""The Data form's file layout: a CSV read as a series to forecast or as series to classify,
with the chosen layout's own settings (window, horizon... / id, time, channels) as form rows that
are undoable edits of the data section and what Load data uses (issue 16: a series or a text
file could only be read as a table in the window)."""

from __future__ import annotations

import pytest
from neurocanvas.engine.templates import load_template
from PySide6.QtCore import Qt

SERIES = "month,passengers\n" + "".join(
    f"19{50 + i // 12}-{i % 12 + 1:02d},{100 + i}\n" for i in range(48)
)
LONG = "series,step,x,label\n" + "".join(
    f"s{i},{t},{i * t},{'up' if i % 2 else 'down'}\n" for i in range(8) for t in range(5)
)


@pytest.fixture
def panel(qtbot):
    from neurocanvas.gui.document import Document
    from neurocanvas.gui.training.data_panel import DataPanel

    panel = DataPanel(Document(load_template("tabular-mlp")))
    qtbot.addWidget(panel)
    panel.resize(520, 1100)
    panel.show()
    return panel


def _choose(panel, qtbot, path, text):
    path.write_text(text)
    panel.set_source_path(str(path))
    qtbot.waitUntil(lambda: panel.columns.rowCount() > 0, timeout=10_000)


def test_a_series_layout_shows_its_settings_and_is_what_load_uses(qtbot, panel, tmp_path):
    _choose(panel, qtbot, tmp_path / "air.csv", SERIES)
    rows = panel.layout_rows
    window = rows.editors["series"]["window"].widget
    assert panel.form.isRowVisible(rows.layout.widget) and not panel.form.isRowVisible(window)
    rows.layout.widget.setCurrentText("series")
    assert panel.form.isRowVisible(window)
    assert not panel.form.isRowVisible(rows.editors["text"]["tokenizer"].widget)
    window.setValue(6)
    params = panel.document.project.data["params"]
    assert params == {"layout": "series", "window": 6}  # defaults are left out
    assert panel.document.undo_stack.undoText() == "Set window"
    with qtbot.waitSignal(panel.loaded, timeout=20_000) as loaded:
        qtbot.mouseClick(panel.load_button, Qt.MouseButton.LeftButton)
    info = loaded.args[0]["info"]
    assert info["feature_shape"] == [1, 6] and info["task"] == "regression"
    assert info["num_samples"] == 48 - 6  # one window per step that has a next value
    # the preview: the whole series, dashed where validation (70%) and test (85%) begin
    assert panel.preview.currentWidget() is panel.preview.lines
    cuts = [i.value() for i in panel.preview.lines.getPlotItem().items if hasattr(i, "angle")]
    assert cuts == [round(48 * 0.7) - 0.5, round(48 * 0.7) + round(48 * 0.15) - 0.5]
    (line,) = panel.preview.lines.getPlotItem().listDataItems()
    assert list(line.yData) == [100 + i for i in range(48)]
    panel.document.undo_stack.undo()
    assert panel.document.project.data["params"] == {"layout": "series"}
    assert window.value() == 12  # the form follows the undo


def test_a_long_file_is_read_as_series_to_classify(qtbot, panel, tmp_path):
    _choose(panel, qtbot, tmp_path / "long.csv", LONG)
    rows = panel.layout_rows
    rows.layout.widget.setCurrentText("long")
    time = rows.editors["long"]["time"].widget
    time.setText("step")
    time.editingFinished.emit()
    assert panel.document.project.data["params"] == {"layout": "long", "time": "step"}
    with qtbot.waitSignal(panel.loaded, timeout=20_000) as loaded:
        qtbot.mouseClick(panel.load_button, Qt.MouseButton.LeftButton)
    info = loaded.args[0]["info"]
    assert info["num_samples"] == 8 and info["feature_shape"] == [1, 5]
    assert info["class_names"] == ["down", "up"]
    drawn = panel.preview.lines.getPlotItem().listDataItems()  # three series of each class
    assert len(drawn) == 6 and list(drawn[0].yData) == [0, 0, 0, 0, 0]  # s0: 0 * t


def test_texts_show_their_token_counts_and_the_padding_length(qtbot, panel, tmp_path):
    rows = [("good and fine", "pos"), ("bad and poor and awful", "neg")] * 10
    _choose(
        panel, qtbot, tmp_path / "t.csv", "review,label\n" + "".join(f"{t},{y}\n" for t, y in rows)
    )
    panel.layout_rows.layout.widget.setCurrentText("text")
    with qtbot.waitSignal(panel.loaded, timeout=20_000):
        qtbot.mouseClick(panel.load_button, Qt.MouseButton.LeftButton)
    texts = panel.preview.texts
    assert panel.preview.currentWidget() is texts
    assert [texts.table.item(r, 2).text() for r in range(2)] == ["3", "5"]
    assert "Vocabulary 8" in texts.top.text() and "and (" in texts.top.text()


def test_the_layout_rows_hide_for_sources_that_are_not_delimited_files(panel):
    rows = panel.layout_rows
    panel.source.setCurrentText("xor")
    assert not panel.form.isRowVisible(rows.layout.widget)
    panel.source.setCurrentText("airline")  # a packaged CSV: its window can be changed
    assert panel.form.isRowVisible(rows.layout.widget)
    panel.source.setCurrentText("gunpoint")  # a .ts file
    assert not panel.form.isRowVisible(rows.layout.widget)


def test_layouts_without_settings_are_chosen_without_an_error(qtbot, panel, tmp_path):
    """Found in a real-window trial: choosing "ucr" showed a bare KeyError text ('ucr')."""
    _choose(panel, qtbot, tmp_path / "air.csv", SERIES)
    for layout in ("ucr", "table"):
        panel.layout_rows.layout.widget.setCurrentText(layout)
        assert not panel.error.isVisible(), panel.error.text()
    assert "layout" not in panel.document.project.data["params"]
    panel.layout_rows.layout.widget.setCurrentText("ucr")
    assert panel.document.project.data["params"] == {"layout": "ucr"}
