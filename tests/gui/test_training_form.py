"""The training form is built from the engine's training SettingSpecs with the inspector's editor:
ranges, labels, refusals and undo names all come from the specs."""

from __future__ import annotations

import pytest
from neurocanvas.engine import templates
from neurocanvas.engine.training.settings import spec_for
from neurocanvas.gui.document import Document
from neurocanvas.gui.param_editor import ParamEditor
from neurocanvas.gui.training.train_panel import FIELDS, TrainPanel, row_label
from PySide6.QtWidgets import QLabel


@pytest.fixture
def panel(qtbot):
    document = Document(templates.load_template("xor"))
    panel = TrainPanel(document)
    qtbot.addWidget(panel)
    yield panel
    document.undo_stack.clear()


def test_every_row_is_its_settings_spec(panel):
    labels = {label.text() for label in panel.findChildren(QLabel)}
    for key, attribute in FIELDS.items():
        spec = spec_for(*key)
        editor = panel.editors[key]
        assert isinstance(editor, ParamEditor) and editor.spec is spec
        assert getattr(panel, attribute) is editor.widget
        assert row_label(spec) in labels
        if spec.kind in ("int", "float") and spec.max is not None and not spec.optional:
            assert editor.widget.maximum() == spec.max


def test_gradient_clipping_fields_take_a_number_or_nothing(panel, qtbot):
    document = panel.document
    for name, attribute in (("grad_clip", "grad_clip"), ("grad_clip_value", "grad_clip_value")):
        field = getattr(panel, attribute)
        assert field.text() == "" and field.placeholderText() == "empty: off"
        field.setText("0.5")
        field.editingFinished.emit()
        assert document.settings("training")[name] == 0.5
        field.setText("-1")
        field.textEdited.emit("-1")
        field.editingFinished.emit()
        error = panel.editors[("training", name)].error
        assert "greater than 0" in error.text() and document.settings("training")[name] == 0.5
        field.setText("")
        field.editingFinished.emit()
        assert document.settings("training").get(name) is None


def test_a_value_the_spec_refuses_is_explained_and_not_applied(panel):
    before = panel.document.settings("training")
    panel.lr.setValue(0.0)  # the spec wants a learning rate above 0
    error = panel.editors[("optimizer", "lr")].error
    assert "greater than 0" in error.text() and not error.isHidden()
    assert panel.document.settings("training") == before
    assert panel.document.undo_stack.count() == 0


def test_each_edit_is_named_after_its_spec_and_changes_only_its_setting(panel):
    document = panel.document
    stack = document.undo_stack
    panel.monitor.setCurrentText("val_accuracy")
    assert stack.undoText() == f"Set {spec_for('training', 'monitor').label}"
    assert document.settings("training")["monitor"] == "val_accuracy"
    panel.lr.setValue(0.0123)
    assert stack.undoText() == "Set learning rate"
    assert document.settings("training")["optimizer"]["lr"] == 0.0123
    panel.schedule.setCurrentText("cosine")
    assert document.settings("training")["schedule"] == {"type": "cosine"}
    panel.schedule.setCurrentText("none")
    assert "schedule" not in document.settings("training")
    assert stack.undoText() == "Set learning rate"  # there and back: no schedule step is left
    stack.undo()
    assert panel.lr.value() == 0.05  # the form follows undo


def test_the_device_list_offers_the_machine_and_stores_the_value(panel):
    combo = panel.device
    assert combo.itemData(1) == "cpu" and combo.itemText(1).startswith("CPU (")
    combo.setCurrentIndex(1)
    assert panel.document.settings("training")["device"] == "cpu"
    assert panel.document.undo_stack.undoText() == "Set device"


def test_the_data_form_takes_its_spec_backed_fields_from_the_data_specs(qtbot):
    from neurocanvas.gui.training.data_panel import DataPanel
    from neurocanvas.gui.training.settings import data_spec

    document = Document(templates.load_template("xor"))
    panel = DataPanel(document)
    qtbot.addWidget(panel)
    assert panel.samples.maximum() == data_spec("n").max
    assert panel.noise.maximum() == data_spec("noise").max
    assert [panel.missing.itemText(i) for i in range(panel.missing.count())] == list(
        data_spec("missing").choices
    )
    panel.samples.setValue(1234)
    assert document.settings("data")["params"]["n"] == 1234
    assert document.undo_stack.undoText() == f"Set {data_spec('n').label}"
    document.undo_stack.undo()
    assert panel.samples.value() != 1234  # the form follows undo
    document.undo_stack.clear()


def test_typing_a_number_into_a_count_is_not_refused_as_text(panel, qtbot):
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    panel.batch_size.setValue(64)
    field = panel.batch_size.lineEdit()
    QTest.keyClick(field, Qt.Key.Key_Home)
    QTest.keyClicks(field, "0")  # "064": the same count, so only the typed text is checked
    assert field.text() == "064"
    error = panel.editors[("training", "batch_size")].error
    assert error.isHidden() and error.text() == ""
    assert panel.document.settings("training")["batch_size"] == 64


def test_processes_is_a_row_whose_hint_gives_the_command_line(panel):
    document = panel.document
    assert panel.processes_hint.isHidden()
    panel.processes.setValue(2)
    assert document.settings("training")["processes"] == 2
    assert document.undo_stack.undoText() == "Set processes"
    assert not panel.processes_hint.isHidden()
    assert "neurocanvas train" in panel.processes_hint.text()
    assert "2 processes" in panel.processes_hint.text()
    document.undo_stack.undo()  # the form follows undo, the hint with it
    assert panel.processes.value() == 1 and panel.processes_hint.isHidden()
