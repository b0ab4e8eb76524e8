"""A missing built-in data set: the Data pane offers "Download MNIST…", asks (naming the source
and the cache folder), downloads on a background thread and then loads. No network: torchvision's
MNIST class is replaced by one that writes a tiny IDX set, as the engine's data tests do."""

from __future__ import annotations

import gzip
import struct
import threading
from pathlib import Path

import numpy as np
import pytest
from neurocanvas.engine.templates import load_template
from PySide6.QtWidgets import QMessageBox


def _idx(arr: np.ndarray) -> bytes:
    header = struct.pack(">BBBB", 0, 0, 0x08, arr.ndim) + struct.pack(f">{arr.ndim}I", *arr.shape)
    return gzip.compress(header + arr.astype(np.uint8).tobytes())


@pytest.fixture
def fake_mnist_download(tmp_path, monkeypatch):
    """torchvision's MNIST download writes a tiny IDX set; the calls made. `release` holds the
    download until set, so a test can see it running."""
    calls, release = [], threading.Event()
    release.set()

    def fake_mnist(root, train, download):
        assert release.wait(10)
        calls.append((root, train, download))
        raw = Path(root) / "MNIST" / "raw"
        raw.mkdir(parents=True, exist_ok=True)
        n, prefix = (40, "train") if train else (10, "t10k")
        images = np.random.default_rng(1).integers(0, 256, size=(n, 28, 28))
        (raw / f"{prefix}-images-idx3-ubyte.gz").write_bytes(_idx(images))
        (raw / f"{prefix}-labels-idx1-ubyte.gz").write_bytes(_idx(np.arange(n) % 10))

    monkeypatch.setattr("torchvision.datasets.MNIST", fake_mnist)
    monkeypatch.setattr("neurocanvas.engine.data.builtin.cache_dir", lambda: tmp_path / "cache")
    monkeypatch.delenv("NEUROCANVAS_DATA", raising=False)
    return calls, release


@pytest.fixture
def panel(qtbot):
    from neurocanvas.gui.document import Document
    from neurocanvas.gui.training.data_panel import DataPanel

    panel = DataPanel(Document(load_template("seed-cnn")))  # data: mnist
    qtbot.addWidget(panel)
    panel.resize(500, 800)
    panel.show()
    return panel


def _load_missing(qtbot, panel) -> None:
    with qtbot.waitSignal(panel.load_failed, timeout=10000):
        panel.load()
    qtbot.waitUntil(panel.download.isVisible)


def test_a_missing_set_is_offered_for_download_and_never_fetched_unasked(
    qtbot, panel, fake_mnist_download, monkeypatch
):
    calls, _release = fake_mnist_download
    _load_missing(qtbot, panel)
    assert "not on disk" in panel.error.text()
    assert panel.download.button.text() == "Download MNIST…"
    asked = []

    def no(_parent, title, text, *_args):
        asked.append((title, text))
        return QMessageBox.StandardButton.No

    monkeypatch.setattr(QMessageBox, "question", no)
    panel.download.button.click()
    ((title, text),) = asked
    from neurocanvas.engine.data.builtin import cache_dir

    assert title == "Download MNIST?"
    assert "https://ossci-datasets.s3.amazonaws.com/mnist/" in text and str(cache_dir()) in text
    qtbot.wait(50)
    assert calls == [] and not panel.download.busy  # declined: nothing fetched


def test_a_consented_download_runs_in_the_background_then_loads(
    qtbot, panel, fake_mnist_download, monkeypatch, tmp_path
):
    calls, release = fake_mnist_download
    _load_missing(qtbot, panel)
    monkeypatch.setattr(QMessageBox, "question", lambda *_a: QMessageBox.StandardButton.Yes)
    release.clear()  # the download waits: the window must stay usable meanwhile
    panel.download.button.click()
    assert panel.download.busy and panel.download.progress.isVisible()
    assert not panel.download.button.isEnabled()
    assert "Downloading MNIST" in panel.download.status.text()
    with qtbot.waitSignal(panel.loaded, timeout=15000) as loaded:
        release.set()
    cache = str(tmp_path / "cache")
    assert calls == [(cache, True, True), (cache, False, True)]
    assert loaded.args[0]["info"]["num_samples"] == 40
    assert not panel.download.isVisible() and not panel.error.isVisible()
    assert "40 samples" in panel.info.text()


def test_the_offered_sources_are_the_ones_torchvision_uses():
    from neurocanvas.gui.training.data_download import SOURCES
    from torchvision import datasets

    assert SOURCES["mnist"][1] == datasets.MNIST.mirrors[0]
    assert SOURCES["fashion-mnist"][1] == datasets.FashionMNIST.mirrors[0]
    assert SOURCES["cifar10"][1] == datasets.CIFAR10.url


def test_train_with_mnist_missing_offers_the_download(qtbot, fake_mnist_download, open_dock):
    """F5 (or Train) without MNIST on disk showed the failure banner but no way to fetch it."""
    from neurocanvas.gui.document import Document

    calls, _release = fake_mnist_download
    dock = open_dock(Document(load_template("seed-cnn")))  # data: mnist, not in the cache
    dock.settings_tabs.setCurrentIndex(1)  # the Training tab, as after setting epochs
    assert dock.start() is False and not dock.running
    assert "MNIST is not on this computer yet" in dock.error_text()
    assert "Download MNIST…" in dock.error_text()
    assert dock.settings_tabs.currentIndex() == 0  # the Data tab, where the offer is
    qtbot.waitUntil(dock.data_panel.download.isVisible)
    assert dock.data_panel.download.button.text() == "Download MNIST…"
    assert calls == []  # nothing fetched unasked
