"""The training dock's tabs for generative runs, kept out of dock.py: the GAN tab (a GAN-step
run's losses, D(real)/D(fake) and fixed-noise samples) and the Autoencoder tab (inputs and
reconstructions, the latent space) and the RBM tab (an rbm-step run's filters, reconstructions,
free energy and Gibbs samples); for autoencoders also the Anomalies tab (the test rows'
reconstruction errors and a threshold). Each tab shows only while the project is of its kind.

The dock makes one `GenerativeTabs(views)` and hands it the run's events; nothing here starts
or stops runs.
"""

from __future__ import annotations

from PySide6.QtWidgets import QTabWidget

from .anomaly_view import AnomalyView
from .autoencoder_view import AutoencoderView
from .gan_view import GanView
from .rbm_view import RbmView


def is_gan(project) -> bool:
    return (getattr(project, "training", None) or {}).get("step") == "gan"


def is_conditional(project) -> bool:
    """A GAN whose generator takes a class label (an Input with noise "class")."""
    graph = (getattr(project, "graphs", None) or {}).get("generator")
    return graph is not None and any(
        node.type == "Input" and node.params.get("noise") == "class" for node in graph
    )


def is_rbm(project) -> bool:
    return (getattr(project, "training", None) or {}).get("step") == "rbm"


def is_autoencoder(project) -> bool:
    data = getattr(project, "data", None) or {}
    training = getattr(project, "training", None) or {}
    return bool(data.get("reconstruct")) or training.get("mode") == "reconstruction"


class GenerativeTabs:
    def __init__(self, views: QTabWidget):
        self.views = views
        self.gan_view = GanView()
        self.autoencoder_view = AutoencoderView()
        self.rbm_view = RbmView()
        self.anomaly_view = AnomalyView()
        # After Live: the first thing to look at once a generative run has started.
        at = 1
        views.insertTab(at, self.gan_view, "GAN")
        views.insertTab(at + 1, self.autoencoder_view, "Autoencoder")
        views.insertTab(at + 2, self.rbm_view, "RBM")
        views.insertTab(at + 3, self.anomaly_view, "Anomalies")
        self.show_for(None)

    def show_for(self, project) -> None:
        """Only the tab of the project's kind is on show (none for other projects)."""
        self.views.setTabVisible(self.views.indexOf(self.gan_view), is_gan(project))
        self.views.setTabVisible(self.views.indexOf(self.autoencoder_view), is_autoencoder(project))
        self.views.setTabVisible(self.views.indexOf(self.rbm_view), is_rbm(project))
        self.views.setTabVisible(self.views.indexOf(self.anomaly_view), is_autoencoder(project))

    def run_starting(self, project) -> None:
        self.show_for(project)
        self.gan_view.reset()
        self.autoencoder_view.reset()
        self.rbm_view.reset()
        self.anomaly_view.reset()
        self.conditional = is_conditional(project)

    def data_ready(self, ready) -> None:
        self.gan_view.set_real_points(ready.points)
        if getattr(self, "conditional", False):
            self.gan_view.set_classes(list(ready.class_names))

    def progress(self, events) -> None:
        self.gan_view.add_progress(events)
        self.rbm_view.add_progress(events)

    def snapshot(self, snapshot) -> None:
        self.autoencoder_view.add_snapshot(snapshot)

    def results(self, results) -> None:
        """The extra views after a run: an autoencoder's reconstruction errors."""
        self.anomaly_view.show_results(results)

    def run_finished(self, finished: dict) -> None:
        if self.views.isTabVisible(self.views.indexOf(self.gan_view)):
            self.gan_view.finish(finished)
        if self.views.isTabVisible(self.views.indexOf(self.rbm_view)):
            self.rbm_view.finish(finished)

    def clear(self, project) -> None:
        self.gan_view.reset()
        self.autoencoder_view.reset()
        self.rbm_view.reset()
        self.anomaly_view.reset()
        self.show_for(project)

    def first_view(self, project):
        """The tab a starting run of `project` opens on, or None (the Live tab)."""
        if is_gan(project):
            return self.gan_view
        if is_rbm(project):
            return self.rbm_view
        return None
