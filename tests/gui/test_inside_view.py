"""The Inside tab over a finished run's checkpoint: feature maps, Grad-CAM and saliency over the
input, statistics, the projector with hover text, PNG/CSV export; reached from a layer's menu."""

from __future__ import annotations

import csv

import numpy as np
import pytest
from digits_cnn import write_digits_project
from neurocanvas.engine.cli import main
from neurocanvas.engine.graph import chain
from neurocanvas.engine.inspect.capture import capture
from neurocanvas.gui.canvas.context_menu import canvas_menu
from neurocanvas.gui.training.inside_view import InsideView
from PIL import Image

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory):
    root = tmp_path_factory.mktemp("inside")
    project = write_digits_project(root)
    assert main(["train", str(project), "--out", str(root / "run"), "--json"]) == 0
    return str(root / "run" / "best.pt")


@pytest.fixture
def inside(qtbot, checkpoint):
    view = InsideView()
    qtbot.addWidget(view)
    view.resize(900, 600)
    view.set_checkpoint(checkpoint)
    assert view.inspected is None  # nothing loads until the tab is shown
    view.show()
    qtbot.waitUntil(lambda: view.inspected is not None, timeout=20_000)
    return view


def test_feature_maps_grad_cam_and_saliency(inside, tmp_path):
    inside.show_view("feature_maps", "conv1")
    inside.sample_box.setValue(3)
    x = inside.inspected.split.x[3:4]
    out = capture(inside.inspected.model, x, ["conv1"])["conv1"][0]
    assert [r["max"] for r in inside.rendered.rows] == pytest.approx(out.amax(dim=(1, 2)).tolist())
    assert inside.pages.currentIndex() == 0 and not inside.picture.pixmap().isNull()
    assert inside.caption.text().startswith("conv1: 4 channel(s)")
    inside.save_png(str(tmp_path / "maps.png"))
    inside.save_csv(str(tmp_path / "maps.csv"))
    assert Image.open(tmp_path / "maps.png").size == inside.rendered.image.size
    with (tmp_path / "maps.csv").open() as stream:
        assert len(list(csv.DictReader(stream))) == 4
    inside.show_view("gradcam")
    assert inside.rendered.node == "conv1" and "Grad-CAM at conv1" in inside.caption.text()
    inside.view_box.setCurrentIndex(inside.view_box.findData("saliency"))
    assert inside.rendered.view == "saliency" and inside.rendered.image.size == (224, 224)


def test_projector_hover_and_statistics(inside, tmp_path):
    inside.show_view("projector")
    assert inside.layer_box.currentText() == "hidden" and inside.pages.currentIndex() == 2
    points = inside.scatter.data
    assert len(points) == len(inside.inspected.split)
    label = inside.inspected.label(inside.inspected.split.y[0])
    assert inside.point_text(0).startswith(f"sample 0: label {label}, predicted ")
    inside.save_png(str(tmp_path / "projector.png"))
    assert Image.open(tmp_path / "projector.png").size[0] > 100
    inside.show_view("statistics")
    assert inside.table.rowCount() == 5 and inside.table.item(3, 0).text() == "hidden"


def test_a_bad_view_says_why(inside):
    inside.show_view("filters", "pool1")
    assert "pool1: this layer has no kernels" in inside.caption.text()


def test_the_layer_menu_asks_for_views(make_view, qtbot):
    view = make_view(chain(("Input", {"shape": [8]}), ("Dense", {"units": 4}), spacing=220))
    node = list(view.document.graph.nodes)[1]
    card = view.mapFromScene(view.node_item(node).sceneBoundingRect().center())
    menu = canvas_menu(view, card)
    sub = next(a for a in menu.actions() if a.text() == "Look inside").menu()
    asked = []
    view.inspect_requested.connect(lambda kind, node_id: asked.append((kind, node_id)))
    for act in sub.actions():
        act.trigger()
    assert asked[0] == ("feature_maps", node) and ("gradients", node) in asked
    assert np.unique([kind for kind, _ in asked]).size == 8


def test_results_lead_inside_a_misclassified_image(inside, qtbot):
    from neurocanvas.engine.session.messages import Results
    from neurocanvas.gui.training.results import ResultsView

    results = ResultsView()
    qtbot.addWidget(results)
    picture = np.zeros((8, 8), dtype=np.uint8)
    results.show_extras(
        Results(misclassified=[{"image": picture, "true": "3", "pred": "5", "index": 7}])
    )
    asked = []
    results.look_inside.connect(lambda view, sample: asked.append((view, sample)))
    results.gallery.itemDoubleClicked.emit(results.gallery.item(0))
    results.inside_button.click()
    assert asked == [("gradcam", 7), ("feature_maps", -1)]
    inside.show_view("gradcam", None, 7)
    assert inside.sample_box.value() == 7 and "sample 7 of the test split" in inside.caption.text()
