"""The results view after a run: test metrics, the confusion matrix with per-class scores, the ROC
curve (binary tasks), predicted-vs-true with R² (regression), the forecast against actual values
and its baselines (forecasts), a gallery of misclassified images (image data) and a list of
misclassified texts (text data)."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from neurocanvas.engine.session.messages import Results
from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QIcon, QImage, QPixmap
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from .confusion import ConfusionView
from .forecast_plot import draw_forecast
from .runs import ENDINGS


def pixmap_from_array(image: np.ndarray, scale: int = 3) -> QPixmap:
    """uint8 (H, W) grey or (H, W, 3) RGB -> a QPixmap, enlarged `scale` times (pixelated)."""
    image = np.ascontiguousarray(image, dtype=np.uint8)
    h, w = image.shape[:2]
    grey = image.ndim == 2
    # Copy into a QImage's own buffer: building a QImage over a Python buffer trips a PySide6
    # reference-count bug ("deallocating None" at exit).
    qimage = QImage(w, h, QImage.Format.Format_Grayscale8 if grey else QImage.Format.Format_RGB888)
    stride = qimage.bytesPerLine()
    target = np.frombuffer(qimage.bits(), dtype=np.uint8).reshape(h, stride)
    target[:, : w * (1 if grey else 3)] = image.reshape(h, -1)
    return QPixmap.fromImage(qimage).scaled(
        w * scale,
        h * scale,
        Qt.AspectRatioMode.KeepAspectRatio,
        Qt.TransformationMode.FastTransformation,
    )


class ResultsView(QWidget):
    # (view, sample or -1): "Look inside" or a double-clicked misclassified image (Grad-CAM)
    look_inside = Signal(str, int)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.summary = QLabel("Results appear here when a run ends.")
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.confusion = ConfusionView()
        self.curve_plot = pg.PlotWidget(background="w")
        self.curve_plot.showGrid(x=True, y=True, alpha=0.25)
        self.curve_plot.setMinimumWidth(260)
        self.gallery = QListWidget()
        self.gallery.setViewMode(QListView.ViewMode.IconMode)
        self.gallery.setIconSize(QSize(84, 84))
        self.gallery.setMaximumHeight(150)
        self.gallery_label = QLabel("Misclassified images")
        self.gallery.setToolTip("Double-click an image: Grad-CAM shows where the model looked")
        self.gallery.itemDoubleClicked.connect(self._explain_item)
        self.inside_button = QPushButton("Look inside the model…")
        self.inside_button.setToolTip("Feature maps, filters, Grad-CAM and the projector")
        self.inside_button.clicked.connect(lambda: self.look_inside.emit("feature_maps", -1))
        splitter = QSplitter()
        splitter.addWidget(self.confusion)
        splitter.addWidget(self.curve_plot)
        splitter.setSizes([520, 380])
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(splitter, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.gallery_label)
        bottom.addStretch(1)
        bottom.addWidget(self.inside_button)
        layout.addLayout(bottom)
        layout.addWidget(self.gallery)
        self.clear()

    def clear(self) -> None:
        self.confusion.set_matrix(None, [])
        self.curve_plot.clear()
        self.curve_plot.hide()
        self.gallery.clear()
        self.gallery.hide()
        self.gallery_label.hide()
        self.has_results = False
        self.showing_forecast = False

    def set_results(self, finished: dict) -> None:
        self.clear()
        split = finished.get("evaluated_on", "test")
        metrics = finished.get("test") or {}
        shown = ", ".join(f"{k} <b>{v:.4g}</b>" for k, v in metrics.items() if _finite(v))
        self.summary.setText(
            f"Run ended ({ENDINGS.get(finished.get('stopped'), finished.get('stopped', ''))}) "
            f"after {epochs_text(finished.get('epochs_run', 0))}; best epoch {finished.get('best_epoch', 0)}. On the {split} split: {shown}"
            + (f"<br>Checkpoint: {finished['checkpoint']}" if finished.get("checkpoint") else "")
        )
        if finished.get("confusion_matrix"):
            self.confusion.set_matrix(
                finished["confusion_matrix"],
                finished.get("class_names") or [],
                finished.get("per_class"),
                split,
            )
            self.confusion.show()
        else:
            self.confusion.hide()
        if finished.get("forecast"):
            draw_forecast(self.curve_plot, finished["forecast"], metrics)
            self.showing_forecast = True
        if finished.get("misclassified"):
            self._show_texts(finished["misclassified"])
        self.has_results = True

    def show_extras(self, results: Results) -> None:
        """The ROC curve, predicted-vs-true points or misclassified images (after set_results)."""
        if results.roc:
            self._show_roc(results.roc)
        elif results.scatter and not self.showing_forecast:
            self._show_scatter(results.scatter)
        if results.misclassified:
            self._show_gallery(results.misclassified)

    def _show_roc(self, roc: dict) -> None:
        plot = self.curve_plot
        plot.setTitle(f"ROC curve (AUC {roc['auc']:.3f})", size="11pt")
        plot.setLabel("bottom", "false positive rate")
        plot.setLabel("left", "true positive rate")
        plot.plot([0, 1], [0, 1], pen=pg.mkPen("#9ca3af", style=Qt.PenStyle.DashLine))
        plot.plot(roc["fpr"], roc["tpr"], pen=pg.mkPen("#2563eb", width=2))
        plot.setXRange(0, 1)
        plot.setYRange(0, 1)
        plot.show()

    def _show_scatter(self, scatter: dict) -> None:
        plot = self.curve_plot
        true, pred = np.asarray(scatter["true"]), np.asarray(scatter["pred"])
        plot.setTitle(f"Predicted vs true (R² {scatter['r2']:.3f})", size="11pt")
        plot.setLabel("bottom", "true")
        plot.setLabel("left", "predicted")
        plot.plot(
            true, pred, pen=None, symbol="o", symbolSize=4, symbolBrush="#2563eb", symbolPen=None
        )
        if true.size:
            low, high = float(min(true.min(), pred.min())), float(max(true.max(), pred.max()))
            plot.plot([low, high], [low, high], pen=pg.mkPen("#9ca3af", style=Qt.PenStyle.DashLine))
        plot.show()

    def _show_gallery(self, items: list[dict]) -> None:
        self.gallery.setViewMode(QListView.ViewMode.IconMode)
        for item in items:
            entry = QListWidgetItem(
                QIcon(pixmap_from_array(item["image"])), f"{item['pred']} (true {item['true']})"
            )
            entry.setData(Qt.ItemDataRole.UserRole, item.get("index"))
            self.gallery.addItem(entry)
        self.gallery_label.setText(f"Misclassified images ({len(items)} shown): predicted (true)")
        self.gallery.show()
        self.gallery_label.show()

    def _explain_item(self, entry: QListWidgetItem) -> None:
        index = entry.data(Qt.ItemDataRole.UserRole)
        if index is not None:
            self.look_inside.emit("gradcam", int(index))

    def _show_texts(self, items: list[dict]) -> None:
        self.gallery.setViewMode(QListView.ViewMode.ListMode)
        self.gallery.setWordWrap(True)
        for item in items:
            text = " ".join(str(item["text"]).split())
            short = text if len(text) <= 220 else text[:217] + "…"
            entry = QListWidgetItem(
                f"{item['predicted']} ({item['confidence']:.0%}), true {item['true']}: {short}"
            )
            entry.setToolTip(text)
            self.gallery.addItem(entry)
        self.gallery_label.setText(
            f"Misclassified texts ({len(items)} shown, most confident first): predicted, true"
        )
        self.gallery.show()
        self.gallery_label.show()


def epochs_text(count: int) -> str:
    """'1 epoch', '3 epochs' (not "after 1 epochs")."""
    return f"{count} epoch" + ("" if count == 1 else "s")


def _finite(value) -> bool:
    return isinstance(value, (int, float)) and np.isfinite(value)
