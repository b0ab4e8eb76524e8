"""The Anomalies tab: the test rows' reconstruction errors as histograms per group (normal class,
other classes), the threshold at a percentile of the training errors or dragged by hand with
the flagged counts; the tab shows for autoencoders and fills from a real run of
tabular-anomaly through the dock."""

from __future__ import annotations

import numpy as np
import pytest
from neurocanvas.engine.session.messages import Results


def _report(labels=True):
    errors = np.array([0.1, 0.2, 0.3, 2.0, 3.0, 0.25, 4.0], dtype=np.float32)
    return {
        "split": "test",
        "errors": errors,
        "train_errors": np.linspace(0.0, 1.0, 101, dtype=np.float32),
        "labels": np.array([1, 1, 1, 0, 2, 0, 2]) if labels else None,
        "class_names": ["a", "b", "c"],
        "normal_class": "b" if labels else None,
        "percentile": 95.0,
    }


def test_the_view_draws_each_groups_errors_and_counts_the_flagged_rows(qtbot):
    from neurocanvas.gui.training.anomaly_view import AnomalyView

    view = AnomalyView()
    qtbot.addWidget(view)
    view.show()
    view.show_results(Results("test", anomaly=_report()))
    normal, other = view.curves["normal"], view.curves["other"]
    assert normal.isVisible() and other.isVisible() and not view.curves["all"].isVisible()
    assert normal.yData.sum() == 3 and other.yData.sum() == 4
    assert len(view.plot.getPlotItem().legend.items) == 2  # the two groups drawn
    assert view.threshold() == pytest.approx(0.95)  # the 95th percentile of 0.00..1.00
    assert view.flags == {
        "rows": 7,
        "flagged": 3,
        "anomalies": 4,
        "anomalies_flagged": 3,
        "normal_flagged": 0,
    }
    assert "of the 4 rows not of class b, <b>3</b> flagged" in view.counts.text()
    view.percentile.setValue(50.0)
    assert view.threshold() == pytest.approx(0.5) and view.flags["flagged"] == 3
    view.line.setValue(0.22)  # dragged by hand
    assert view.flags["flagged"] == 5 and view.flags["normal_flagged"] == 1
    assert "set by hand; 23% of the training rows" in view.counts.text()


def test_without_labels_one_histogram_of_every_row(qtbot):
    from neurocanvas.gui.training.anomaly_view import AnomalyView

    view = AnomalyView()
    qtbot.addWidget(view)
    view.show_results(Results("test", anomaly=_report(labels=False)))
    assert view.curves["all"].yData.sum() == 7 and view.flags == {"rows": 7, "flagged": 3}
    assert not view.plot.getPlotItem().legend.items  # one histogram: nothing to tell apart
    view.reset()
    assert view.report is None and not view.line.isVisible()


def test_the_tab_shows_for_autoencoders(qtbot, open_dock):
    from neurocanvas.engine.templates import load_template
    from neurocanvas.gui.document import Document

    dock = open_dock(Document(load_template("tabular-anomaly")))
    tab = dock.generative.anomaly_view
    assert dock.views.isTabVisible(dock.views.indexOf(tab))
    dock.set_document(Document(load_template("xor")))
    assert not dock.views.isTabVisible(dock.views.indexOf(tab))


@pytest.mark.slow
def test_a_tabular_anomaly_run_fills_the_tab(qtbot, open_dock):
    from neurocanvas.engine.templates import load_template
    from neurocanvas.gui.document import Document

    project = load_template("tabular-anomaly")
    project.training = {**project.training, "epochs": 60, "checkpoint": False}
    dock = open_dock(Document(project))
    assert dock.start()
    tab = dock.generative.anomaly_view
    qtbot.waitUntil(lambda: dock.worker is None and tab.report is not None, timeout=60_000)
    assert dock.error_text() == ""
    assert tab.flags["rows"] == 45 and tab.flags["anomalies"] == 30
    assert tab.flags["anomalies_flagged"] >= 20  # setosa and most virginica
    assert "Iris-versicolor" in tab.status.text()
