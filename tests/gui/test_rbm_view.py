"""The RBM tab: filters (each scaled by its own largest weight, grey at zero), Gibbs samples,
reconstructions and the free-energy curves drawn from a run's epochs; the tab shows for rbm-step
projects only, opens when such a run starts, and fills from a real run through the dock."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from neurocanvas.engine.training.events import EpochEnded
from neurocanvas.engine.training.gan_samples import tile
from real_datasets import MNIST, need


def _picture(seed: int, hidden: int = 100):
    rng = np.random.default_rng(seed)
    return {
        "filters": rng.normal(0, 0.1, (64, 1, 28, 28)).astype(np.float32),
        "hidden": hidden,
        "inputs": rng.uniform(0, 1, (8, 1, 28, 28)).astype(np.float32),
        "reconstructions": rng.uniform(0, 1, (8, 1, 28, 28)).astype(np.float32),
        "chains": rng.uniform(0, 1, (16, 1, 28, 28)).astype(np.float32),
        "gibbs_steps": 200,
    }


def _epoch(epoch, train_fe, val_fe, samples):
    train = {"loss": 0.05, "free_energy": train_fe, "val_free_energy": val_fe}
    return EpochEnded(epoch, 4, train, {}, 0.05, 1.0, 100.0, True, samples=samples)


def test_the_rbm_view_draws_each_epochs_pictures_and_free_energy(qtbot):
    from neurocanvas.gui.training.rbm_view import RbmView, signed_unit

    view = RbmView()
    qtbot.addWidget(view)
    view.show()
    pictures = [_picture(i) for i in range(3)]
    energies = [(-90.0, -89.0), (-100.0, -97.0), (-110.0, -100.0)]
    view.add_progress([_epoch(i + 1, *energies[i], pictures[i]) for i in range(3)])
    view.redraw()
    last = pictures[-1]
    np.testing.assert_array_equal(view.chains.image.image, tile(last["chains"]))
    np.testing.assert_array_equal(view.filters.image.image, tile(signed_unit(last["filters"])))
    for name, column in (("free_energy", 0), ("val_free_energy", 1)):
        item = view.curves[name]
        np.testing.assert_allclose(item.yData, [e[column] for e in energies])
        assert list(item.xData) == [1, 2, 3]
    both = np.concatenate([last["inputs"], last["reconstructions"]])
    np.testing.assert_array_equal(view.reconstructions.image.image, tile(both, columns=8))
    assert view.reconstructions.image.image.shape == (2 * 30 + 2, 8 * 30 + 2)  # two rows of 8
    assert "+10.00" in view.gap.text() and "overfit" in view.gap.text()
    assert "64 of 100 filters" in view.filters.plotItem.titleLabel.text
    assert "epoch 3" in view.chains.plotItem.titleLabel.text
    view.reset()
    assert view.filters.image.image is None and view.history == []


def test_signed_unit_puts_zero_at_mid_grey_per_filter():
    from neurocanvas.gui.training.rbm_view import signed_unit

    weights = np.array([[[-2.0, 0.0, 1.0]], [[0.0, 0.5, -0.25]]], dtype=np.float32)
    np.testing.assert_allclose(signed_unit(weights), [[[0.0, 0.5, 0.75]], [[0.5, 1.0, 0.25]]])


def test_a_table_rbms_filters_and_samples_are_strips(qtbot):
    from neurocanvas.gui.training.rbm_view import RbmView

    view = RbmView()
    qtbot.addWidget(view)
    picture = _picture(0) | {
        "filters": np.ones((4, 12), np.float32),
        "chains": np.full((16, 12), 0.5, np.float32),
        "inputs": np.zeros((8, 12), np.float32),
        "reconstructions": np.zeros((8, 12), np.float32),
    }
    view.add_progress([_epoch(1, -5.0, -5.0, picture)])
    view.redraw()
    assert view.filters.image.image.shape == (4 * 2 + 1, 12 + 2)  # one strip a unit
    assert view.chains.image.image.shape == (16 * 2 + 1, 12 + 2)
    assert view.reconstructions.image.image.shape == (16 * 2 + 1, 12 + 2)  # 8 inputs, 8 outputs


def test_the_rbm_tab_shows_for_rbm_projects_only(qtbot, open_dock):
    from neurocanvas.engine.templates import load_template
    from neurocanvas.gui.document import Document

    dock = open_dock(Document(load_template("rbm-features-mnist")))
    tabs = dock.generative
    assert dock.views.isTabVisible(dock.views.indexOf(tabs.rbm_view))
    for view in (tabs.gan_view, tabs.autoencoder_view):
        assert not dock.views.isTabVisible(dock.views.indexOf(view))
    dock.set_document(Document(load_template("gan-ring")))
    assert not dock.views.isTabVisible(dock.views.indexOf(tabs.rbm_view))


@pytest.mark.slow
def test_an_rbm_run_in_the_dock_fills_the_rbm_tab(qtbot, open_dock):
    from neurocanvas.engine.templates import load_template
    from neurocanvas.gui.document import Document

    project = load_template("rbm-features-mnist")
    project.graph.nodes["rbm"].params["hidden"] = 16
    project.training = {**project.training, "epochs": 2, "checkpoint": False}
    project.data = {**project.data, "source": str(need(MNIST))}
    dock = open_dock(Document(project))
    rbm = dock.generative.rbm_view
    assert dock.start()
    assert dock.views.currentWidget() is rbm  # an rbm run opens on its tab
    qtbot.waitUntil(lambda: dock.worker is None, timeout=120_000)
    assert dock.error_text() == ""
    assert len(rbm.history) == 2
    rbm.redraw(force=True)
    assert rbm.filters.image.image.shape == tile(np.zeros((16, 1, 28, 28))).shape
    assert rbm.chains.image.image.shape == tile(np.zeros((16, 1, 28, 28))).shape
    assert np.isfinite(rbm.curves["val_free_energy"].yData).all()
    assert "Finished after 2 epochs" in rbm.status.text()


def test_starting_from_the_latest_run_needs_one_with_a_checkpoint(qtbot, open_dock):
    from neurocanvas.engine.templates import load_template
    from neurocanvas.gui.document import Document

    project = load_template("rbm-features-mnist")
    project.data = {**project.data, "source": str(need(MNIST))}
    dock = open_dock(Document(project))
    panel = dock.train_panel
    panel.start_from_latest.setChecked(True)
    assert not dock.start()
    assert "No earlier run of this project has a checkpoint" in dock.error_text()
    assert dock.worker is None


def test_the_training_step_is_a_form_field(qtbot, open_dock):
    from neurocanvas.engine.templates import load_template
    from neurocanvas.gui.document import Document

    document = Document(load_template("rbm-features-mnist"))
    dock = open_dock(document)
    editor = dock.train_panel.editors[("training", "step")]
    assert editor.widget.currentText() == "rbm"
    editor.widget.setCurrentIndex(editor.widget.findText("supervised"))
    assert document.project.training["step"] == "supervised"
    document.undo_stack.undo()
    assert document.project.training["step"] == "rbm"


@pytest.mark.slow
def test_the_classifier_run_starts_from_the_rbm_run_in_the_dock(qtbot, open_dock):
    """The template's route: the rbm step, then supervised from the latest run's weights."""
    import torch
    from neurocanvas.engine.templates import load_template
    from neurocanvas.engine.training.checkpoint import load_checkpoint
    from neurocanvas.gui.document import Document

    project = load_template("rbm-features-mnist")
    project.graph.nodes["rbm"].params["hidden"] = 16
    project.training = {**project.training, "epochs": 1}
    project.data = {**project.data, "source": str(need(MNIST))}
    document = Document(project)
    dock = open_dock(document)
    assert dock.start()
    qtbot.waitUntil(lambda: dock.worker is None, timeout=120_000)
    assert dock.error_text() == "" and dock.latest_checkpoint()
    document.project.training = {**document.project.training, "step": "supervised"}
    dock.train_panel.start_from_latest.setChecked(True)
    statuses = []
    label = dock.live_view.status
    shown = label.setText
    label.setText = lambda text: (statuses.append(text), shown(text))  # every line it shows
    assert dock.start()
    assert dock.views.currentWidget() is dock.live_view  # a supervised run: the Live tab
    qtbot.waitUntil(lambda: dock.worker is None, timeout=120_000)
    assert dock.error_text() == ""
    assert any("weights loaded for 2 node(s): rbm, classifier" in s for s in statuses), statuses
    result = json.loads((Path(dock.runs_view.runs[-1]["run_dir"]) / "result.json").read_text())
    assert result["test"]["accuracy"] > 0.2  # 10 classes; 16 features after one epoch of CD
    first, second = (load_checkpoint(run["checkpoint"])[0] for run in dock.runs_view.runs[-2:])
    assert torch.equal(first.rbm.weight, second.rbm.weight)  # the RBM stayed frozen
    assert not torch.equal(first.classifier[0].weight, second.classifier[0].weight)
