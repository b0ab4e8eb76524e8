"""GUI views for sequence and text models, with real widgets."""

from __future__ import annotations

import pytest
import torch
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest


def _texts_csv(path):
    good = ["works great", "really helped me", "no side effects, great", "I feel better now"]
    bad = ["made me sick", "terrible headaches", "did not work at all", "awful side effects"]
    rows = [(t, "positive") for t in good] * 5 + [(t, "negative") for t in bad] * 5
    path.write_text("review,rating\n" + "".join(f'"{t}",{label}\n' for t, label in rows))
    return path


def test_try_it_takes_a_sentence_for_a_text_model(qtbot, tmp_path):
    from neurocanvas.engine.data import DataConfig, load_dataset, prepare
    from neurocanvas.engine.templates import load_template
    from neurocanvas.engine.training import Trainer
    from neurocanvas.gui.training.try_it import TryItView

    project = load_template("text-sentiment")
    project.training = {**project.training, "epochs": 2}
    project.data = {**project.data, "source": str(_texts_csv(tmp_path / "t.csv"))}
    cfg = DataConfig.from_dict(project.data)
    result = Trainer(project, prepare(load_dataset(cfg), cfg), run_dir=tmp_path / "run").run()
    view = TryItView()
    qtbot.addWidget(view)
    view.show()
    view.load_checkpoint(result.checkpoint)
    qtbot.waitUntil(lambda: view.model is not None, timeout=10_000)
    assert "Type a sentence" in view.caption.text()
    assert view.row.isVisible() and not view.pad.isVisible() and not view.image_button.isVisible()
    assert view.row.placeholderText() == "Type a sentence, then Enter"
    qtbot.keyClicks(view.row, "it really helped, great")
    QTest.keyClick(view.row, Qt.Key.Key_Return)
    ids = view.preprocessing.encode_texts(["it really helped, great"])
    with torch.no_grad():  # two classes: one logit, P(second class) = its sigmoid
        out = view.model(ids)
    assert out.shape == (1, 1)
    p = torch.sigmoid(out[0, 0]).item()
    expected = [1 - p, p]
    assert view.probabilities == pytest.approx(expected, abs=1e-5)
    assert view.answer.text().startswith("Looks like:")


def test_the_data_pane_takes_a_test_file(qtbot, tmp_path):
    from neurocanvas.engine.data.config import packaged_path
    from neurocanvas.engine.templates import load_template
    from neurocanvas.gui.document import Document
    from neurocanvas.gui.training.data_panel import DataPanel

    lines = packaged_path("gunpoint", test=True).read_text().splitlines()
    head = [line for line in lines if line.startswith(("#", "@"))]
    rows = [line for line in lines if line and not line.startswith(("#", "@"))][:7]
    small = tmp_path / "small_TEST.ts"
    small.write_text("\n".join(head + rows) + "\n")
    document = Document(load_template("gru-sequence-classifier"))
    panel = DataPanel(document)
    qtbot.addWidget(panel)
    panel.resize(500, 800)
    panel.show()
    assert panel.test_path.text() == "" and panel.test_path.isEnabled()
    panel.test_path.setText(str(small))
    panel.test_path.editingFinished.emit()
    assert document.settings("data")["test_source"] == str(small)
    assert document.undo_stack.undoText() == "Set test file"
    with qtbot.waitSignal(panel.loaded, timeout=30_000):
        qtbot.mouseClick(panel.load_button, Qt.MouseButton.LeftButton)
    assert "test split: 7 samples from the test file" in panel.info.text()
    document.undo_stack.undo()
    assert panel.test_path.text() == "" and document.settings("data").get("test_source") is None


def test_a_packaged_series_file_has_no_target_column_to_choose(qtbot):
    from neurocanvas.engine.templates import load_template
    from neurocanvas.gui.document import Document
    from neurocanvas.gui.training.data_panel import DataPanel

    panel = DataPanel(Document(load_template("conv1d-sequence-classifier")))
    qtbot.addWidget(panel)
    assert panel.source.currentText() == "gunpoint"
    assert not panel.target.isEnabled() and not panel.missing.isEnabled()
    panel.source.setCurrentText("drug-reviews")  # a text table: its label column is a target
    assert panel.target.isEnabled()


def test_results_draw_the_forecast_and_list_misclassified_texts(qtbot):
    from neurocanvas.gui.training.results import ResultsView

    view = ResultsView()
    qtbot.addWidget(view)
    view.show()
    forecast = {
        "actual": [[1.0], [2.0], [3.0]],
        "predicted": [[1.1], [2.1], [2.9]],
        "naive": [[0.0], [1.0], [2.0]],
        "seasonal": [[float("nan")], [1.5], [2.5]],
        "times": ["1960-10", "1960-11", "1960-12"],
    }
    test = {"rmse": 0.1, "naive_rmse": 1.0, "seasonal_rmse": 0.5}
    view.set_results(
        {
            "stopped": "completed",
            "epochs_run": 3,
            "best_epoch": 3,
            "test": test,
            "forecast": forecast,
        }
    )
    curves = view.curve_plot.plotItem.listDataItems()
    assert [c.name() for c in curves] == [
        "actual",
        "model (RMSE 0.1)",
        "naive (last value) (RMSE 1)",
        "seasonal naive (RMSE 0.5)",
    ]
    assert list(curves[1].yData) == pytest.approx([1.1, 2.1, 2.9])
    ticks = view.curve_plot.getAxis("bottom")._tickLevels
    assert ticks[0] == [(0, "1960-10"), (1, "1960-11"), (2, "1960-12")]
    assert view.curve_plot.isVisible() and not view.gallery.isVisible()
    wrong = [
        {"text": "It  was\nfine", "true": "positive", "predicted": "negative", "confidence": 0.9}
    ]
    view.set_results(
        {
            "stopped": "completed",
            "epochs_run": 1,
            "best_epoch": 1,
            "test": {},
            "misclassified": wrong,
        }
    )
    assert view.gallery.count() == 1 and view.gallery.isVisible()
    assert view.gallery.item(0).text() == "negative (90%), true positive: It was fine"
    assert "Misclassified texts" in view.gallery_label.text()


def test_the_gradients_view_draws_each_layer_and_says_when_they_vanish(qtbot):
    from neurocanvas.engine.training.events import EpochEnded
    from neurocanvas.gui.training.grad_view import GradNormView

    view = GradNormView()
    qtbot.addWidget(view)
    view.show()

    def epoch(n, norms):
        return EpochEnded(n, 3, {"loss": 1.0}, {}, 0.01, 0.1, 100.0, False, norms)

    view.add_progress([epoch(1, {"rnn": 1e-3, "out": 1.0}), epoch(2, {"rnn": 5e-4, "out": 0.8})])
    assert sorted(view.curves) == ["out", "rnn"]
    assert list(view.curves["rnn"].yData) == pytest.approx([1e-3, 5e-4])
    assert view.hint.isHidden()
    view.add(3, {"rnn": 1e-8, "out": 0.5})
    assert view.hint.isVisible() and view.hint.text().startswith("Vanishing gradients")
    view.clear()
    assert view.curves == {} and view.hint.isHidden()


def test_the_data_pane_previews_texts_with_their_token_counts(qtbot):
    from neurocanvas.engine.templates import load_template
    from neurocanvas.gui.document import Document
    from neurocanvas.gui.training.data_panel import DataPanel

    panel = DataPanel(Document(load_template("text-sentiment")))
    qtbot.addWidget(panel)
    panel.show()
    with qtbot.waitSignal(panel.loaded, timeout=30_000):
        qtbot.mouseClick(panel.load_button, Qt.MouseButton.LeftButton)
    table = panel.preview.texts.table
    assert panel.preview.currentWidget() is panel.preview.texts  # not a scatter of row numbers
    headers = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]
    assert headers == ["text", "label", "tokens"]
    assert table.item(0, 1).text() in ("positive", "neutral", "negative")
    assert int(table.item(0, 2).text()) > 0
    items = [panel.target.itemText(i) for i in range(panel.target.count())]
    assert "review" in items and "rating" in items  # the file's columns, for the label
    assert panel.target.currentText() == "rating"


@pytest.mark.slow
def test_try_it_forecasts_a_series_from_the_chosen_point(qtbot, tmp_path):
    from neurocanvas.engine.data import DataConfig, load_dataset, prepare
    from neurocanvas.engine.templates import load_template
    from neurocanvas.engine.training import Trainer
    from neurocanvas.engine.training.forecast_try import SeriesTry, series_of
    from neurocanvas.gui.training.try_it import TryItView

    project = load_template("lstm-forecast")  # the airline passengers, next month from 12
    project.training = {**project.training, "epochs": 1}
    cfg = DataConfig.from_dict(project.data)
    result = Trainer(project, prepare(load_dataset(cfg), cfg), run_dir=tmp_path / "run").run()
    view = TryItView()
    qtbot.addWidget(view)
    view.resize(900, 600)
    view.show()
    view.load_checkpoint(result.checkpoint)
    qtbot.waitUntil(lambda: view.model is not None, timeout=20_000)
    panel = view.series
    assert view.kind == "series" and panel.isVisible() and not view.bars.isVisible()
    assert "Move the slider" in view.caption.text()
    assert (panel.start.minimum(), panel.start.maximum()) == (12, 144)
    panel.start.setValue(100)
    assert panel.start_label.text() == "after 1957-04"  # step 99 of the monthly series
    assert panel.steps.isVisible()  # it forecasts what it reads: it can run on
    panel.steps.setValue(3)
    # what the plot shows is the engine's forecast for that point, made independently here
    expected = SeriesTry(series_of(project.data), view.model, view.preprocessing).forecast(100, 3)
    drawn = panel.plot.getPlotItem().listDataItems()[-1]
    assert list(drawn.xData) == [100, 101, 102]
    assert list(drawn.yData) == pytest.approx(expected.values["Passengers"], rel=1e-6)
    assert "each forecast fed back in" in panel.message.text()
