"""Layout and wording of the training dock: panes that fit their width, a readable progress
line, a confusion matrix that shows all ten rows, a banner that moves no controls, data settings
taken from the project, readable histogram names, legends clear of rising curves and undo steps
that say what changed."""

from __future__ import annotations

import numpy as np
import pytest
from neurocanvas.engine.templates import load_template
from neurocanvas.engine.training.events import BatchEnded


@pytest.fixture
def make_dock(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("NEUROCANVAS_DATA_DIR", str(tmp_path / "user-data"))
    from neurocanvas.gui.document import Document
    from neurocanvas.gui.training.dock import TrainingDock

    def make(template="xor", size=(900, 520), project=None):
        dock = TrainingDock(Document(project or load_template(template)))
        qtbot.addWidget(dock)
        dock.resize(*size)
        dock.show()
        qtbot.waitExposed(dock)
        return dock

    return make


@pytest.mark.parametrize("tab", [0, 1])
def test_settings_panes_fit_their_width(qtbot, make_dock, tab):
    dock = make_dock("seed-cnn")
    dock.settings_tabs.setCurrentIndex(tab)
    area = dock.settings_tabs.currentWidget()
    qtbot.wait(50)
    panel = area.widget()
    assert panel.width() <= area.viewport().width()
    assert area.horizontalScrollBar().maximum() == 0
    # Focus on the rightmost field never scrolls the pane sideways.
    fields = [dock.train_panel.device, dock.data_panel.load_button]
    for field in fields:
        if panel.isAncestorOf(field):
            field.setFocus()
            area.ensureWidgetVisible(field)
    assert area.horizontalScrollBar().value() == 0
    for child in panel.findChildren(type(dock.train_panel.device)):
        if not child.isVisibleTo(panel):  # a hidden row (another file layout's settings)
            continue
        right = child.mapTo(panel, child.rect().topRight()).x()
        assert right <= area.viewport().width(), child


def test_progress_text_is_one_line_beside_a_thin_bar(qtbot, make_dock):
    dock = make_dock()
    live = dock.live_view
    live.reset({"config": {"epochs": 5}, "start_epoch": 1})
    live.add_progress(
        [
            BatchEnded(
                epoch=2, batch=127, batches=219, step=346, loss=0.3, samples_per_s=4502.0, lr=0.001
            )
        ]
    )
    live.redraw(force=True)
    qtbot.wait(20)
    text = live.progress_text.text()
    assert "epoch 2 · batch 127/219" in text and "4,502 samples/s" in text
    assert not live.progress.isTextVisible() and live.progress.height() <= 10
    metrics = live.progress_text.fontMetrics()
    assert live.progress_text.width() >= metrics.horizontalAdvance(text)
    assert live.progress_text.height() < 2 * metrics.height()


def test_confusion_matrix_shows_all_ten_rows_without_elision(qtbot):
    from neurocanvas.gui.training.confusion import ConfusionView

    view = ConfusionView()
    qtbot.addWidget(view)
    view.resize(560, 330)
    view.show()
    matrix = (np.eye(10, dtype=int) * 1450 + np.arange(10)).tolist()
    view.set_matrix(matrix, [str(i) for i in range(10)], {"precision": [1.0] * 10})
    qtbot.wait(50)
    heatmap = view.table
    left, top, cell = heatmap.layout_cells()
    assert top + 10 * cell <= heatmap.height() and left + 10 * cell <= heatmap.width()
    assert view.scroll.verticalScrollBar().maximum() == 0
    font, _two = heatmap.cell_font(cell)
    assert font is not None  # the numbers are drawn, in a font that fits the cell
    from PySide6.QtGui import QFontMetricsF

    assert QFontMetricsF(font).horizontalAdvance("1450") <= cell
    assert view.cell_text(0, 0) == "1450\n97%"
    view.normalized.setChecked(True)
    assert view.cell_text(0, 0) == "97%"


@pytest.mark.parametrize("size", [(340, 330), (300, 420)])
def test_a_two_class_matrix_in_a_narrow_pane_keeps_its_title_and_numbers(qtbot, size):
    # The results pane at 1280x800: the per-class table beside the heatmap left it ~70 px,
    # with "predicted" cut to "redicte" and no numbers.
    from neurocanvas.gui.training.confusion import ConfusionView
    from PySide6.QtGui import QFontMetricsF

    view = ConfusionView()
    qtbot.addWidget(view)
    view.resize(*size)
    view.show()
    per_class = {
        "precision": [0.9, 0.8],
        "recall": [0.9, 0.8],
        "f1": [0.9, 0.8],
        "support": [50, 10],
    }
    view.set_matrix([[45, 5], [2, 8]], ["no", "yes"], per_class)
    qtbot.wait(50)
    heatmap = view.table
    left, top, cell = heatmap.layout_cells()
    assert left + heatmap.title_width(cell) <= heatmap.width()  # "predicted" is not clipped
    assert heatmap.width() >= 120
    font, _two = heatmap.cell_font(cell)
    assert font is not None and QFontMetricsF(font).horizontalAdvance("45") <= cell
    assert top + 2 * cell <= heatmap.height()  # both rows, whole


def test_banner_does_not_move_the_controls_and_clears_on_new_data(qtbot, make_dock):
    dock = make_dock()
    # The Training tab in front, as when the button is clicked: a hidden tab's page keeps a
    # stale size until it is shown, and a page taller than that would scroll there.
    dock.settings_tabs.setCurrentIndex(1)
    qtbot.wait(20)
    button = dock.train_panel.train_button
    before = (
        button.mapTo(dock, button.rect().topLeft()),
        dock.views.tabBar().mapTo(dock, dock.views.tabBar().rect().topLeft()),
    )
    dock.show_error("Training failed: something went wrong", "details")
    qtbot.wait(20)
    after = (
        button.mapTo(dock, button.rect().topLeft()),
        dock.views.tabBar().mapTo(dock, dock.views.tabBar().rect().topLeft()),
    )
    assert dock.error_text() and before == after
    dock.data_panel.source.setCurrentText("moons")
    with qtbot.waitSignal(dock.data_panel.loaded, timeout=20_000):
        dock.data_panel.load()
    assert dock.error_text() == ""


def test_data_panel_starts_from_the_project(qtbot, make_dock, tmp_path):
    from neurocanvas.gui.document import Document

    dock = make_dock("seed-cnn")
    panel = dock.data_panel
    assert panel.source.currentText() == "mnist"
    # A project without a data section: a source that fits the 1x28x28 Input.
    project = load_template("seed-cnn")
    project.data = {}
    dock.set_document(Document(project))
    assert panel.source.currentText() == "mnist"
    # A path source selects its kind and fills the path.
    (tmp_path / "rows.csv").write_text("a,b,c\n1,2,0\n3,4,1\n5,6,0\n7,8,1\n")
    project = load_template("tabular-mlp")
    project.data = {"source": str(tmp_path / "rows.csv")}
    dock.set_document(Document(project))
    assert panel.source.currentText() == "CSV / TSV file"
    assert panel.path.text() == str(tmp_path / "rows.csv")


def test_folder_source_waits_for_load_to_complain(qtbot, make_dock):
    dock = make_dock("seed-cnn")
    panel = dock.data_panel
    panel.source.setCurrentText("MNIST / CIFAR folder")
    assert panel.error.isHidden()
    panel.load()
    assert not panel.error.isHidden() and "folder" in panel.error.text()


def test_target_combo_names_the_column_used(qtbot, make_dock, tmp_path):
    from neurocanvas.gui.document import Document

    rows = "\n".join(f"{i},{i % 3},{i * 2},{i % 2},{i + 1},{i % 2}" for i in range(40))
    path = tmp_path / "six.csv"
    path.write_text(rows + "\n")
    project = load_template("tabular-mlp")
    project.data = {"source": str(path), "target": 4}
    dock = make_dock(project=project)
    panel = dock.data_panel
    with qtbot.waitSignal(panel.loaded, timeout=20_000):
        panel.load()
    assert panel.target.currentText() == "col5"
    assert dock.document.project.data["target"] == 4  # showing the name changes nothing
    panel.missing.setCurrentText("mean")
    assert dock.document.undo_stack.undoText() == "Set missing-value handling"
    # Another project: the old preview is gone.
    dock.set_document(Document(load_template("xor")))
    assert panel.result is None and panel.preview.currentIndex() == 0
    assert panel.target.count() == 0


def test_thumbnails_are_cleared_for_another_project(qtbot, make_dock):
    from neurocanvas.gui.document import Document

    dock = make_dock()
    panel = dock.data_panel
    panel.preview.image.set_image(np.zeros((28, 56), dtype=np.uint8))
    panel.preview.setCurrentWidget(panel.preview.image)
    dock.set_document(Document(load_template("seed-cnn")))
    assert panel.preview.image._pixmap is None
    assert panel.preview.currentWidget() is not panel.preview.image


def test_data_undo_text_says_what_changed(qtbot, make_dock):
    dock = make_dock()
    panel, stack = dock.data_panel, dock.document.undo_stack
    panel.source.setCurrentText("moons")
    assert stack.undoText() == "Set data source"
    panel.samples.setValue(300)
    panel.samples.setValue(350)  # one step for one setting
    assert stack.undoText() == "Set number of samples"
    panel.splits[0].setValue(60)
    panel.splits[1].setValue(25)
    assert stack.undoText() == "Set data split"
    dock.train_panel.batch_size.setValue(64)
    assert stack.undoText() == "Set batch size"


def test_histogram_names_and_titles_are_readable(qtbot):
    from neurocanvas.gui.training.histograms import HistogramView, readable_name

    assert readable_name("conv2d_1.0.weight") == "conv2d_1 weight"
    assert readable_name("lstm_1.0.weight_ih_l0") == "lstm_1 input weight (layer 1)"
    view = HistogramView()
    qtbot.addWidget(view)
    view.show()
    hist = np.histogram(np.arange(10.0), 5)
    view.add(3, {"conv2d_1.0.weight": {"weights": hist, "grads": hist}})
    assert view.layer.currentText() == "conv2d_1 weight"
    assert len(view.weights_plot.listDataItems()) == 1
    title = view.weights_plot.getPlotItem().titleLabel.text
    assert "conv2d_1.0" not in title and len(title) <= 20


def test_legends_leave_the_rising_curves_alone(qtbot, make_dock):
    dock = make_dock()
    live = dock.live_view
    assert live.loss_plot.getPlotItem().legend.corner == "top-right"
    assert live.metric_plot.getPlotItem().legend.corner == "bottom-right"
    assert live.lr_plot.getPlotItem().legend is None
    brush = live.metric_plot.getPlotItem().legend.opts["brush"]
    assert 0 < brush.color().alpha() < 255


def test_a_long_data_error_scrolls_into_view_without_squeezing_the_form(qtbot, make_dock):
    dock = make_dock("seed-cnn", size=(1300, 430))  # a short Training dock
    panel = dock.data_panel
    boxes = list(panel.augment.values())
    panel.show_error("The data could not be loaded: " + "a long message of many words " * 14)
    area = panel.parentWidget().parentWidget()  # the pane's scroll area

    def error_shown() -> bool:
        top = panel.error.mapTo(area.viewport(), panel.error.rect().topLeft()).y()
        return 0 <= top < area.viewport().height()

    def form_whole() -> bool:  # no checkbox cut in half
        return all(box.height() >= box.sizeHint().height() for box in boxes)

    qtbot.waitUntil(lambda: error_shown() and form_whole(), timeout=2000)


@pytest.mark.parametrize("size", [(377, 362), (1200, 260)])  # the Histograms tab at 1280x800
def test_histogram_plots_and_their_x_axes_are_whole(qtbot, size):
    """Issue 14.10: in the ~380 px results pane the two histograms side by side did not fit:
    the right one and its x-axis were cut off."""
    from neurocanvas.gui.training.histograms import HistogramView
    from PySide6.QtCore import QRect

    view = HistogramView()
    qtbot.addWidget(view)
    view.resize(*size)
    view.show()
    rng = np.random.default_rng(0)
    hist = np.histogram(rng.normal(scale=3e-5, size=500), 20)
    view.add(1, {"dense_1.0.weight": {"weights": hist, "grads": hist}})
    qtbot.wait(50)
    assert view.size().width() == size[0] and view.size().height() <= size[1]
    for plot in (view.weights_plot, view.grads_plot):
        where = QRect(plot.mapTo(view, plot.rect().topLeft()), plot.size())
        assert view.rect().contains(where), (where, view.rect())  # nothing cut by the pane
        assert plot.width() >= 200 and plot.height() >= 110
        axis = plot.getPlotItem().getAxis("bottom")
        bottom = plot.mapFromScene(axis.sceneBoundingRect().bottomRight())
        assert bottom.y() <= plot.viewport().height() and bottom.x() <= plot.viewport().width()


def test_a_ten_class_matrix_can_be_enlarged_to_readable_cells(qtbot):
    """Issue 14.10: at 1280x800 the results pane gives the matrix ~380x330 px: 14 px cells with
    no numbers. "Enlarge…" shows it in its own window, where every number is drawn."""
    from neurocanvas.gui.training.confusion import READABLE_CELL, ConfusionView
    from PySide6.QtGui import QFontMetricsF

    view = ConfusionView()
    qtbot.addWidget(view)
    view.resize(377, 330)  # the Results tab of the Training dock at 1280x800
    view.show()
    matrix = (np.eye(10, dtype=int) * 1450 + np.arange(10)).tolist()
    per_class = {"precision": [1.0] * 10, "recall": [1.0] * 10, "support": [1450] * 10}
    view.set_matrix(matrix, [str(i) for i in range(10)], per_class)
    qtbot.wait(50)
    assert view.table.layout_cells()[2] < READABLE_CELL  # too small for numbers in the pane
    assert view.enlarge_button.isVisible() and view.enlarge_button.isEnabled()
    view.enlarge_button.click()
    dialog = view.enlarged  # a child of the view's window: it goes with it
    qtbot.waitExposed(dialog)
    qtbot.wait(50)
    screen = dialog.screen().availableGeometry()
    assert dialog.width() <= screen.width() and dialog.height() <= screen.height()
    heatmap = dialog.view.table
    left, top, cell = heatmap.layout_cells()
    assert cell >= READABLE_CELL
    assert top + 10 * cell <= heatmap.height() and left + 10 * cell <= heatmap.width()
    assert dialog.view.scroll.verticalScrollBar().maximum() == 0
    font, _two = heatmap.cell_font(cell)
    assert font is not None and QFontMetricsF(font).horizontalAdvance("1450") <= cell
    assert dialog.view.cell_text(9, 9) == view.cell_text(9, 9)
    dialog.close()
