"""The results and insight views on their own: boundary colours, histograms, runs
overlay, the digit pad and try-it predictions from a real checkpoint."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from neurocanvas.engine.training.events import BatchEnded, EpochEnded
from neurocanvas.gui.training.boundary import to_rgb
from neurocanvas.gui.training.runs import SETTINGS
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest


def test_boundary_colours_follow_the_probabilities():
    values = np.zeros((2, 2, 2), dtype=np.float32)
    values[0, 0] = [1, 0]  # sure of class 0: orange
    values[0, 1] = [0, 1]  # sure of class 1: blue
    values[1, 0] = [0.5, 0.5]  # unsure: pale
    values[1, 1] = [np.nan, np.nan]  # a diverged model must not break the picture
    rgb = to_rgb(values)
    assert rgb.dtype == np.uint8 and rgb.shape == (2, 2, 3)
    assert rgb[0, 0, 0] > rgb[0, 0, 2] and rgb[0, 1, 2] > rgb[0, 1, 0]
    assert rgb[1, 0].min() > 180


def test_histogram_view_shows_the_chosen_parameter(qtbot):
    from neurocanvas.gui.training.histograms import HistogramView

    view = HistogramView()
    qtbot.addWidget(view)
    view.show()
    rng = np.random.default_rng(0)
    for epoch in (1, 2, 3):
        view.add(
            epoch,
            {
                "hidden.0.weight": {
                    "weights": np.histogram(rng.normal(size=100), 10),
                    "grads": np.histogram(rng.normal(size=100), 10),
                },
                "hidden.0.bias": {"weights": np.histogram(rng.normal(size=4), 10), "grads": None},
            },
        )
    assert view.layer.count() == 2
    assert len(view.weights_plot.listDataItems()) == 3
    assert len(view.grads_plot.listDataItems()) == 3
    view.layer.setCurrentIndex(1)
    assert len(view.grads_plot.listDataItems()) == 0


def test_progress_line_shows_the_training_process_gpu_memory(qtbot):
    from neurocanvas.gui.training.plots import LiveView

    view = LiveView()
    qtbot.addWidget(view)
    view.reset({"device": "cuda", "device_name": "NVIDIA H100", "config": {"epochs": 4}})
    batch = {"epoch": 1, "batch": 5, "batches": 10, "step": 5, "samples_per_s": 900.0, "lr": 0.01}
    view.add_progress([BatchEnded(**batch, loss=0.5, gpu_memory_mib=1234.4)])
    view.redraw(force=True)
    text = view.progress_text.text()
    assert "epoch 1 · batch 5/10" in text and "900 samples/s" in text and "GPU 1,234 MiB" in text
    view.add_progress([BatchEnded(**batch, loss=0.4)])  # a CPU run: no memory figure
    view.redraw(force=True)
    assert "GPU" not in view.progress_text.text()


def test_a_redraw_updates_one_plot_per_tick(qtbot):
    """Spread over timer ticks, so no single tick blocks the window for all three paints."""
    from neurocanvas.gui.training.plots import LiveView

    view = LiveView()
    qtbot.addWidget(view)
    view.timer.stop()  # ticks by hand
    view.reset({"device": "cpu", "config": {"epochs": 2}})
    epoch = EpochEnded(
        epoch=1,
        epochs=2,
        train={"loss": 0.5, "accuracy": 0.8},
        val={"val_loss": 0.6, "val_accuracy": 0.7},
        lr=0.01,
        seconds=1.0,
        samples_per_s=100.0,
        improved=True,
    )
    view.add_progress([epoch])

    def points(name: str) -> int:
        x, _ = view.curves[name].getData()
        return 0 if x is None else len(x)

    view.redraw()
    assert (points("loss"), points("metric")) == (1, 0)
    assert "epoch 1/2" in view.progress_text.text()  # the text comes with the first plot
    view.redraw()
    assert points("metric") == 1
    view.redraw()
    assert view.pending_plots == []


def epoch_event(epoch: int, epochs: int, lr: float = 0.01) -> EpochEnded:
    return EpochEnded(
        epoch=epoch,
        epochs=epochs,
        train={"loss": 1.0 / epoch, "accuracy": 0.5},
        val={"val_loss": 1.0 / epoch, "val_accuracy": 0.5},
        lr=lr,
        seconds=0.1,
        samples_per_s=1000.0,
        improved=True,
    )


def test_progress_line_keeps_its_pace_and_long_runs_lose_the_dots(qtbot):
    from neurocanvas.gui.training.plots import MAX_SYMBOLS, LiveView

    view = LiveView()
    qtbot.addWidget(view)
    view.timer.stop()
    view.reset({"device": "cpu", "config": {"epochs": 1000}})
    view.add_progress([epoch_event(1, 1000)])
    view.redraw(force=True)
    assert view.series["lr"].x == [1.0]  # the rate is drawn from the first epoch on
    assert view.curves["loss"].opts["symbol"] == "o"
    view.add_progress([epoch_event(e, 1000) for e in range(2, MAX_SYMBOLS + 10)])
    view.last_text = 0.0  # the text is due; the plots were redrawn a moment ago
    view.redraw()
    assert f"epoch {MAX_SYMBOLS + 9}/1000" in view.progress_text.text()
    assert view.dirty  # the curves wait for their own turn
    view.redraw(force=True)
    assert view.curves["loss"].opts["symbol"] is None  # 159 epochs: a line, no dots
    view.set_paused(True)
    assert "paused" in view.progress_text.text() and "samples/s" not in view.progress_text.text()


def test_results_extras_follow_the_finished_summary(qtbot):
    from neurocanvas.engine.session.messages import Results
    from neurocanvas.gui.training.results import ResultsView

    view = ResultsView()
    qtbot.addWidget(view)
    view.set_results({"test": {"auc": 0.75}, "epochs_run": 2, "stopped": "completed"})
    view.show_extras(Results(error="Traceback: the extra views failed"))
    assert not view.curve_plot.isVisibleTo(view) and view.has_results  # the summary stands
    roc = {"fpr": np.array([0, 0.5, 1]), "tpr": np.array([0, 1, 1]), "auc": 0.75}
    view.show_extras(Results(roc=roc))
    assert view.curve_plot.isVisibleTo(view)
    assert "AUC 0.750" in view.curve_plot.getPlotItem().titleLabel.text
    view.set_results({"test": {}, "epochs_run": 1})  # the next run clears the curve
    assert not view.curve_plot.isVisibleTo(view)


def test_runs_overlay_ticked_curves(qtbot):
    from neurocanvas.gui.training.runs import RunsView

    view = RunsView()
    qtbot.addWidget(view)
    for lr in (0.1, 0.01, 0.001):
        view.begin_run({"training": {"optimizer": {"type": "Adam", "lr": lr}}})
        view.run_finished(
            {"test": {"accuracy": 0.9}, "epochs_run": 3, "checkpoint": None},
            [{"loss": 1.0, "val_loss": 1.2}, {"loss": 0.5, "val_loss": 0.7}],
        )
    assert view.tree.topLevelItemCount() == 3
    assert len(view.plot.listDataItems()) == 2  # the first two are ticked
    view.runs[2]["item"].setCheckState(0, Qt.CheckState.Checked)
    assert len(view.plot.listDataItems()) == 3
    assert "lr 0.001" in view.runs[2]["item"].text(SETTINGS)


def test_runs_say_how_each_ended(qtbot):
    from neurocanvas.gui.training.runs import RESULT, RunsView, finished_text

    assert finished_text({"test": {"accuracy": 0.9}, "stopped": "completed"}, 10) == "accuracy 0.9"
    stopped = {"test": {"accuracy": 0.93}, "stopped": "user", "epochs_run": 152}
    assert finished_text(stopped, 5000) == "accuracy 0.93 · stopped by you at 152/5000"
    early = {"test": {"loss": 0.25}, "stopped": "early_stopping", "epochs_run": 42}
    assert finished_text(early, 100) == "loss 0.25 · early stopping at 42/100"
    view = RunsView()
    qtbot.addWidget(view)
    view.begin_run({"training": {"epochs": 30}})
    view.run_finished({**stopped, "checkpoint": "/runs/a/best.pt"}, [{"loss": 1.0}])
    assert view.runs[0]["item"].text(RESULT) == "accuracy 0.93 · stopped by you at 152/30"
    assert view.open_button.isEnabled()
    view.begin_run({"training": {"epochs": 30}})
    view.run_failed({"kind": "error", "checkpoint": None}, [])  # bad data: no epoch ran
    failed = view.runs[1]["item"]
    assert failed.text(RESULT) == "failed" and failed.checkState(0) == Qt.CheckState.Unchecked
    assert not view.open_button.isEnabled() and "no checkpoint" in view.open_button.toolTip()
    view.tree.setCurrentItem(view.runs[0]["item"])  # an earlier run that has one
    assert view.open_button.isEnabled()
    opened = []
    view.open_checkpoint.connect(opened.append)
    view.open_button.click()
    assert opened == ["/runs/a/best.pt"]


def test_digit_pad_gives_a_centred_28x28_image(qtbot):
    from neurocanvas.gui.training.digit_pad import DigitPad

    pad = DigitPad()
    qtbot.addWidget(pad)
    pad.show()
    assert pad.image().max() == 0
    with qtbot.waitSignal(pad.changed):
        QTest.mousePress(pad, Qt.MouseButton.LeftButton, pos=QPoint(40, 40))
    for x in range(40, 120, 10):
        QTest.mouseMove(pad, QPoint(x, x))
    QTest.mouseRelease(pad, Qt.MouseButton.LeftButton, pos=QPoint(120, 120))
    image = pad.image()
    assert image.shape == (28, 28) and image.max() > 0.5
    ys, xs = np.nonzero(image)
    assert abs(ys.mean() - 14) < 3 and abs(xs.mean() - 14) < 3  # centred, as MNIST digits are
    QTest.mouseClick(pad, Qt.MouseButton.RightButton)
    assert pad.image().max() == 0


def test_try_it_predicts_a_typed_row(qtbot, tmp_path):
    from neurocanvas.engine.data import DataConfig, load_dataset, prepare
    from neurocanvas.engine.templates import load_template
    from neurocanvas.engine.training import Trainer
    from neurocanvas.gui.training.try_it import TryItView

    project = load_template("xor")
    project.training = {**project.training, "epochs": 3}
    cfg = DataConfig.from_dict(project.data)
    result = Trainer(project, prepare(load_dataset(cfg), cfg), run_dir=tmp_path / "run").run()
    view = TryItView()
    qtbot.addWidget(view)
    view.show()
    view.load_checkpoint(result.checkpoint)
    qtbot.waitUntil(lambda: view.model is not None, timeout=10_000)
    checkpoint = Path(result.checkpoint)
    assert view.caption.text().startswith(f"Model: {checkpoint.parent.name}/{checkpoint.name}")
    assert view.row.isVisible() and not view.pad.isVisible()
    qtbot.keyClicks(view.row, "0.8, 0.7")
    QTest.keyClick(view.row, Qt.Key.Key_Return)
    assert view.probabilities is not None and view.probabilities.shape == (2,)
    assert view.probabilities.sum() == pytest.approx(1.0, abs=1e-5)
    assert view.answer.text().startswith("Looks like:")
    view.row.setText("1, 2, 3")
    QTest.keyClick(view.row, Qt.Key.Key_Return)
    assert "Type 2 numbers" in view.answer.text()


def test_a_one_epoch_run_says_one_epoch(qtbot):
    from neurocanvas.gui.training.results import ResultsView

    view = ResultsView()
    qtbot.addWidget(view)
    view.set_results({"stopped": "completed", "epochs_run": 1, "best_epoch": 1, "test": {}})
    assert "after 1 epoch;" in view.summary.text()
    view.set_results({"stopped": "completed", "epochs_run": 3, "best_epoch": 3, "test": {}})
    assert "after 3 epochs;" in view.summary.text()


def test_time_paused_does_not_count_towards_the_eta(qtbot, monkeypatch):
    from neurocanvas.gui.training import plots

    clock = [1000.0]
    monkeypatch.setattr(plots.time, "perf_counter", lambda: clock[0])
    live = plots.LiveView()
    qtbot.addWidget(live)
    live.reset({"config": {"epochs": 10}, "start_epoch": 1})
    clock[0] += 60  # one minute of training, half done
    live.fraction = 0.5
    assert "ETA 1:00" in live._rate_text()
    live.set_paused(True)
    assert live._rate_text() == "paused"
    clock[0] += 600  # ten minutes paused
    live.set_paused(False)
    assert "ETA 1:00" in live._rate_text()  # not 6:00 (the jump 13:53 -> 31:32)


CHURN = """\
id,age,usage,region,plan,churn
1,45,60,north,basic,yes
2,23,12,south,pro,no
3,37,,east,basic,no
4,51,80,north,team,yes
5,29,33,west,pro,no
6,62,71,south,basic,yes
7,41,44,east,team,no
8,33,27,west,basic,no
9,58,65,north,pro,yes
10,26,18,south,team,no
"""


def test_try_it_takes_a_raw_row_in_the_files_own_columns(qtbot, tmp_path):
    """Issue 14.14: the row is typed as in the file (`45, 60, north, basic`), not as the eight
    one-hot numbers the model sees; the saved preprocessing encodes and standardises it."""
    from neurocanvas.engine.data import DataConfig, load_dataset, prepare
    from neurocanvas.engine.templates import load_template
    from neurocanvas.engine.training import Trainer, predict
    from neurocanvas.gui.training.try_it import TryItView

    path = tmp_path / "churn.csv"
    path.write_text(CHURN)
    project = load_template("tabular-mlp")
    project.data = {
        "source": str(path),
        "target": "churn",
        "missing": "mean",
        "params": {"ignore": ["id"]},
    }
    project.training = {**project.training, "epochs": 2}
    cfg = DataConfig.from_dict(project.data)
    data = prepare(load_dataset(cfg), cfg)
    auto = data.info.auto_sizes()
    result = Trainer(project, data, run_dir=tmp_path / "run").run()
    view = TryItView()
    qtbot.addWidget(view)
    view.show()
    view.load_checkpoint(result.checkpoint)
    qtbot.waitUntil(lambda: view.model is not None, timeout=10_000)
    assert "file's own columns" in view.caption.text(), view.caption.text()
    assert "region (east/north/south/west)" in view.caption.text()
    assert auto.input_shape == (9,)  # the model sees 2 numbers + 4 + 3 one-hot columns
    qtbot.keyClicks(view.row, "45, 60, north, basic")
    QTest.keyClick(view.row, Qt.Key.Key_Return)
    assert view.answer.text().startswith("Looks like:"), view.answer.text()
    # The oracle: the same row as the loader encoded it from the file (its first row).
    ds = load_dataset(cfg)
    expected = predict(view.model, ds.x[:1], preprocessing=data.preprocessing).probabilities[0]
    assert np.allclose(view.probabilities, expected.numpy(), atol=1e-6)
    # A missing usage is filled with the training split's mean, as in training.
    view.row.setText("45, , north, basic")
    QTest.keyClick(view.row, Qt.Key.Key_Return)
    assert view.answer.text().startswith("Looks like:"), view.answer.text()
    view.row.setText("45, 60, mars, basic")
    QTest.keyClick(view.row, Qt.Key.Key_Return)
    assert "'region' was trained on the values east, north, south, west" in view.answer.text()


def _epoch(epoch, loss, val_loss, metric=0.5):
    return EpochEnded(
        epoch,
        100,
        {"loss": loss, "accuracy": metric},
        {"val_loss": val_loss, "val_accuracy": metric},
        0.01,
        0.1,
        1000.0,
        True,
    )


def test_a_short_run_gets_an_axis_around_its_one_value(qtbot):
    """Issue 14.12: one point sat on an axis from -50 to 50 (pyqtgraph gives a single value
    ±0.5, however small the value is)."""
    from neurocanvas.gui.training.plots import LiveView

    view = LiveView()
    qtbot.addWidget(view)
    view.resize(900, 560)
    view.show()
    view.reset({"config": {"epochs": 100}})
    view.add_progress([_epoch(1, 0.002, 0.002, metric=0.9)])
    view.redraw(force=True)
    for plot, value in ((view.loss_plot, 0.002), (view.metric_plot, 0.9)):
        low, high = plot.viewRange()[1]
        assert low < value < high and high - low <= 0.25 * value, (low, high)
    view.add_progress([_epoch(2, 0.5, 0.6, metric=0.7)])  # more values: the plot ranges itself
    view.redraw(force=True)
    qtbot.waitUntil(lambda: view.loss_plot.viewRange()[1][1] >= 0.6, timeout=2000)
    assert view.loss_plot.viewRange()[1][0] <= 0.002


def test_a_hidden_batch_curve_leaves_the_legend(qtbot):
    """A fast run hides the per-batch curve (fewer points than epochs); its legend entry showed
    an unexplained crossed-out eye."""
    from neurocanvas.gui.training.plots import BATCH_NAME, LiveView

    view = LiveView()
    qtbot.addWidget(view)
    view.show()
    view.reset({"config": {"epochs": 100}})
    view.add_progress([_epoch(e, 1.0 / e, 1.2 / e) for e in range(1, 6)])
    view.redraw(force=True)
    legend = view.loss_plot.getPlotItem().legend
    labels = [label.text for _sample, label in legend.items]
    assert BATCH_NAME not in labels and labels == ["train", "validation"]
    batches = [BatchEnded(6, b, 10, 50 + b, 0.1, 1000.0, 0.01) for b in range(1, 11)]
    view.add_progress(batches)
    view.redraw(force=True)
    labels = [label.text for _sample, label in legend.items]
    assert BATCH_NAME in labels  # back once the batches are the denser curve


def test_a_regression_run_plots_its_own_metric_not_accuracy(qtbot):
    from neurocanvas.gui.training.plots import LiveView

    view = LiveView()
    qtbot.addWidget(view)
    view.show()
    view.reset({"task": "regression", "config": {"epochs": 10}})
    title = view.metric_plot.getPlotItem().titleLabel
    assert "Mean absolute error" in title.text  # before the first epoch, too
    metrics = {"loss": 4.0, "mse": 4.0, "mae": 1.5, "r2": 0.2}
    val = {f"val_{k}": v + 0.5 for k, v in metrics.items()}
    view.add_progress([EpochEnded(1, 10, metrics, val, 0.01, 0.1, 1000.0, True)])
    view.redraw(force=True)
    assert view.series["metric"].y == [1.5] and view.series["val_metric"].y == [2.0]
    assert "Mean absolute error" in title.text
    view.reset({"task": "multiclass", "config": {"epochs": 10}})
    assert "Accuracy" in title.text
    # a run that measures its error on validation only (a forecast: the trainer's loss alone
    # while training) still fills the chart: the trial found it empty after 60 epochs
    view.reset({"task": "regression", "config": {"epochs": 10}})
    view.add_progress([EpochEnded(1, 10, {"loss": 4.0}, val, 0.01, 0.1, 1000.0, True)])
    view.redraw(force=True)
    assert view.series["val_metric"].y == [2.0] and "Mean absolute error" in title.text


def test_runs_comparison_chooses_metric_smoothing_and_log_scale(qtbot):
    """Issue 14.19: the comparison showed only the validation loss."""
    from neurocanvas.gui.training.runs import RunsView

    view = RunsView()
    qtbot.addWidget(view)
    view.show()
    history = [
        {"loss": 1.0, "accuracy": 0.5, "val_loss": 1.2, "val_accuracy": 0.4, "lr": 0.1},
        {"loss": 0.5, "accuracy": 0.7, "val_loss": 0.8, "val_accuracy": 0.6, "lr": 0.1},
        {"loss": 0.1, "accuracy": 0.9, "val_loss": 0.6, "val_accuracy": 0.8, "lr": 0.05},
    ]
    for lr in (0.1, 0.01):
        view.begin_run({"training": {"optimizer": {"type": "Adam", "lr": lr}}})
        view.run_finished({"test": {}, "epochs_run": 3, "checkpoint": None}, history)
    offered = [view.metric_choice.itemText(i) for i in range(view.metric_choice.count())]
    assert offered[:2] == ["validation loss", "training loss"]
    assert {"validation accuracy", "training accuracy", "learning rate"} <= set(offered)
    assert view.curves["run 1"] == [1.2, 0.8, 0.6]  # validation loss by default
    view.metric_choice.setCurrentIndex(offered.index("validation accuracy"))
    assert view.curves["run 1"] == [0.4, 0.6, 0.8] and len(view.plot.listDataItems()) == 2
    assert "Validation accuracy" in view.plot.getPlotItem().titleLabel.text
    view.smoothing.setValue(0.5)
    assert view.curves["run 2"] == pytest.approx([0.4, 0.5, 0.65])  # EMA: 0.5*last + 0.5*new
    view.log_scale.setChecked(True)
    assert view.plot.getPlotItem().getAxis("left").logMode
    view.begin_run({"training": {}})  # a new run keeps the chosen metric
    view.run_finished({"test": {}, "epochs_run": 3, "checkpoint": None}, history)
    assert view.metric_choice.currentText() == "validation accuracy"
