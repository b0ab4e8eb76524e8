"""The generative tabs' README pictures: gan-tab.png (the gan-ring toy after its run: losses,
D(real)/D(fake), generated points over the ring) and autoencoder-tab.png (vae-mnist after a
short run on the MNIST t10k images: inputs and reconstructions, the 2-D code coloured by digit,
the decoded latent plane), rbm-tab.png (rbm-features-mnist's RBM after 5 epochs of CD-1 on the
t10k images: filters, Gibbs samples, free energy, reconstructions) and anomaly-tab.png
(tabular-anomaly: iris rows' reconstruction errors, trained on versicolor). Real runs through
the dock.

    python -m neurocanvas.gui.training.screenshots_generative docs/screenshots
"""

from __future__ import annotations

import sys
from pathlib import Path

from .screenshots import SHARED, _dock, _grab_view, _train, _wait, render_main


def gan_tab(folder: Path, work: Path) -> Path:
    dock = _dock("gan-ring", checkpoint=True)
    dock._run_dir = lambda: work / "gan-ring-run"
    _train(dock)
    return _grab_view(dock, dock.generative.gan_view, folder / "gan-tab.png")


def autoencoder_tab(folder: Path) -> Path:
    mnist = SHARED / "mnist"
    source = str(mnist.resolve()) if mnist.is_dir() else "mnist"
    data = {"source": source, "split": [0.8, 0.1, 0.1], "normalize": False, "reconstruct": True}
    dock = _dock("vae-mnist", data=data, epochs=6)
    _train(dock)
    return _grab_view(dock, dock.generative.autoencoder_view, folder / "autoencoder-tab.png")


def rbm_tab(folder: Path) -> Path:
    mnist = SHARED / "mnist"
    source = str(mnist.resolve()) if mnist.is_dir() else "mnist"
    dock = _dock("rbm-features-mnist", data={"source": source, "normalize": False}, epochs=5)
    _train(dock)
    return _grab_view(dock, dock.generative.rbm_view, folder / "rbm-tab.png")


def anomaly_tab(folder: Path) -> Path:
    dock = _dock("tabular-anomaly")
    _train(dock)
    _wait(lambda: dock.generative.anomaly_view.report is not None)
    return _grab_view(dock, dock.generative.anomaly_view, folder / "anomaly-tab.png")


def render_generative_screenshots(folder: Path, work: Path) -> list[Path]:
    return [gan_tab(folder, work), autoencoder_tab(folder), rbm_tab(folder), anomaly_tab(folder)]


def main(argv: list[str] | None = None) -> int:
    return render_main(argv, render_generative_screenshots)


if __name__ == "__main__":
    sys.exit(main())
