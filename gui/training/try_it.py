"""Try it: a trained model's predictions for input the learner makes. A draw-a-digit pad for
28x28 image models, an image file for other image models, a typed row for tables (in the file's
own columns, encoded by the saved preprocessing: table_rows.py), a typed sentence for text models
(encoded by the checkpoint's own tokenizer); the class probabilities show as a bar chart. For a
forecasting model, a point picked in its series and the forecast drawn after it (try_series.py).

The checkpoint loads on a `BackgroundTask`; a single prediction is small enough for the GUI
thread (one sample through the model).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..background import BackgroundTask, run_in_background
from .digit_pad import DigitPad
from .results import pixmap_from_array
from .try_series import SeriesTryPanel

IDLE_TEXT = "Train a model (or open a run's checkpoint) to try it here."


def _load(path: str):
    from neurocanvas.engine.data import Preprocessing
    from neurocanvas.engine.training import load_checkpoint

    model, bundle = load_checkpoint(path)
    pre = bundle.get("preprocessing")
    return model, bundle, Preprocessing.from_dict(pre) if pre else None, _series_for(bundle)


def _series_for(bundle: dict) -> tuple[object | None, str]:
    """(the series, "") for a forecasting model, read again from its project's data section;
    (None, why) when that fails (the file moved); (None, "") for other models."""
    data = (bundle.get("project") or {}).get("data") or {}
    if (data.get("params") or {}).get("layout") != "series":
        return None, ""
    from neurocanvas.engine.training.forecast_try import series_of

    try:
        return series_of(data), ""
    except Exception as error:  # noqa: BLE001 - said in the view, never raised
        return None, str(error)


class TryItView(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.model = self.bundle = self.preprocessing = None
        self.source: str | None = None  # the checkpoint file in use
        self.task: BackgroundTask | None = None
        self.caption = QLabel(IDLE_TEXT)
        self.caption.setWordWrap(True)
        self.pad = DigitPad()
        self.pad.changed.connect(self.predict_pad)
        self.seen = QLabel()
        self.seen.setToolTip("What the model sees: the drawing shrunk to 28x28 and centred")
        self.clear_button = QPushButton("Clear")
        self.clear_button.clicked.connect(self.pad.clear)
        self.image_button = QPushButton("Pick an image file…")
        self.image_button.clicked.connect(self._pick_image)
        self.row = QLineEdit()
        self.row.setPlaceholderText("Type one row of feature values, comma-separated, then Enter")
        self.row.returnPressed.connect(self.predict_row)
        self.bars = pg.PlotWidget(background="w")
        self.bars.setTitle("Class probabilities", size="11pt")
        self.bars.setYRange(0, 1)
        self.bars.setMouseEnabled(False, False)
        self.answer = QLabel()
        self.answer.setStyleSheet("font-size: 16pt; font-weight: 600;")
        self.answer.setWordWrap(True)  # a refused row's message is a sentence
        self.series = SeriesTryPanel()
        left = QVBoxLayout()
        left.addWidget(self.pad)
        self.seen_label = QLabel("The model sees (28x28):")
        left.addWidget(self.seen_label)
        left.addWidget(self.seen)
        left.addWidget(self.clear_button)
        left.addWidget(self.image_button)
        left.addStretch(1)
        right = QVBoxLayout()
        right.addWidget(self.answer)
        right.addWidget(self.bars, 1)
        self.body = QWidget()  # the pad or the bars; a series has its own panel instead
        body = QHBoxLayout(self.body)
        body.setContentsMargins(0, 0, 0, 0)
        body.addLayout(left)
        body.addLayout(right, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.caption)
        layout.addWidget(self.row)
        layout.addWidget(self.body, 1)
        layout.addWidget(self.series, 1)
        self._show_inputs(None)
        self.probabilities: np.ndarray | None = None

    # the model ---------------------------------------------------------------------------------
    def clear(self) -> None:
        """No model: another project is open (its runs' checkpoints are loaded afresh)."""
        self.model = self.bundle = self.preprocessing = None
        self.source = None
        self.task = None  # a load still running for the last project is ignored when it ends
        self.probabilities = None
        self.caption.setText(IDLE_TEXT)
        self.caption.setToolTip("")
        self.answer.clear()
        self.bars.clear()
        self.row.clear()
        self.pad.clear()
        self.seen.clear()
        self._show_inputs(None)

    def load_checkpoint(self, path: str) -> None:
        self.source = path
        self.caption.setText(f"Loading {path}…")
        self.task = run_in_background(lambda: _load(path), self._task_loaded, self._load_failed)

    # Bound methods, not lambdas: Qt drops the connection when the view is deleted first.
    def _task_loaded(self, loaded) -> None:
        if self.sender() is self.task:  # only the newest load shows its model (see `clear`)
            self._loaded(loaded)

    def _load_failed(self, message: str, _details: str) -> None:
        if self.sender() is not self.task:
            return
        self.task = None
        self.caption.setText(f"Could not open the checkpoint: {message}")

    def set_model(self, model, bundle, preprocessing) -> None:
        self.source = None
        self._loaded((model, bundle, preprocessing))

    def _loaded(self, loaded) -> None:
        self.task = None
        self.model, self.bundle, self.preprocessing = loaded[:3]
        series, series_problem = loaded[3] if len(loaded) > 3 else _series_for(self.bundle)
        info = self.bundle.get("data_info") or {}
        shape = tuple(info.get("feature_shape") or ())
        self.feature_shape = shape
        self.names = list(self.bundle.get("class_names") or [])
        kind = "digit" if _is_digit_shape(shape) else "image" if info.get("is_image") else "row"
        if self.preprocessing is not None and self.preprocessing.tokenizer:
            kind = "text"
        if series is not None or series_problem:
            kind = "series"
        self.kind = kind
        self._show_inputs(kind)
        features = ", ".join(info.get("feature_names") or [])
        how = {
            "digit": "Draw a digit on the pad; the bars show what the model thinks it is.",
            "image": f"Pick an image file; it is resized to {'x'.join(map(str, shape))}.",
            "row": f"Type one row of {shape[0] if shape else '?'} values ({features}) and press "
            "Enter.",
            "text": "Type a sentence and press Enter; the bars show how likely each class is.",
            "series": "Move the slider to the point to forecast from; the forecast is drawn "
            "after the window the model reads."
            if series is not None
            else f"Try it needs the series the model was trained on: {series_problem}",
        }[kind]
        if series is not None:
            from neurocanvas.engine.training.forecast_try import SeriesTry

            self.series.set_try(SeriesTry(series, self.model, self.preprocessing))
        table = self._table()
        if kind == "row" and table is not None:
            from neurocanvas.engine.data.table_rows import row_hint

            how = (
                "Type one row in the file's own columns and press Enter (the saved "
                f"preprocessing encodes it): {row_hint(table)}."
            )
            self.row.setPlaceholderText("e.g. " + ", ".join(_example(f) for f in table["features"]))
        self.caption.setText(f"{self._model_text()}\n{how}")
        self.caption.setToolTip(self.source or "")

    def _model_text(self) -> str:
        """Which weights answer: the checkpoint's run folder, file and epoch."""
        epoch = self.bundle.get("epoch")
        at = f", epoch {epoch}" if isinstance(epoch, int) else ""
        if not self.source:
            return f"The model just trained{at}."
        path = Path(self.source)
        return f"Model: {path.parent.name}/{path.name}{at}."

    def _show_inputs(self, kind: str | None) -> None:
        self.pad.setVisible(kind == "digit")
        self.seen.setVisible(kind == "digit")
        self.seen_label.setVisible(kind == "digit")
        self.clear_button.setVisible(kind == "digit")
        self.image_button.setVisible(kind in ("digit", "image"))
        self.row.setVisible(kind in ("row", "text"))
        self.series.setVisible(kind == "series")
        self.body.setVisible(kind != "series")
        self.row.setPlaceholderText(
            "Type a sentence, then Enter"
            if kind == "text"
            else "Type one row of feature values, comma-separated, then Enter"
        )

    # predictions -------------------------------------------------------------------------------
    def predict_pad(self) -> None:
        if self.model is None:
            return
        image = self.pad.image()
        raw = np.round(image * 255).astype(np.uint8)  # the loaders keep images as raw uint8
        self.seen.setPixmap(pixmap_from_array(raw, scale=4))
        self._predict(raw.reshape((1, *self.feature_shape)))

    def _table(self) -> dict | None:
        """The training file's schema, when the model was trained on a table read from a file."""
        return getattr(self.preprocessing, "table", None)

    def predict_row(self) -> None:
        if self.model is None:
            return
        if getattr(self, "kind", None) == "text":
            if self.row.text().strip():
                ids = self.preprocessing.encode_texts([self.row.text()])
                self._predict(ids.numpy())
            return
        if self._table() is not None:
            self._predict_table_row()
            return
        try:
            values = [float(v) for v in self.row.text().replace(";", ",").split(",") if v.strip()]
            x = np.asarray(values, dtype=np.float32).reshape((1, *self.feature_shape))
        except ValueError:
            self.answer.setText(f"Type {int(np.prod(self.feature_shape))} numbers")
            return
        self._predict(x)

    def _predict_table_row(self) -> None:
        """A raw row in the file's own columns, encoded by the saved preprocessing."""
        from neurocanvas.engine.data import DataError
        from neurocanvas.engine.data.table_rows import split_row

        try:
            x = self.preprocessing.encode_table_rows([split_row(self.row.text())])
        except DataError as error:
            self.answer.setText(str(error))
            return
        self._predict(x.numpy())

    def _pick_image(self) -> None:
        from .. import files

        path, _ = QFileDialog.getOpenFileName(
            self, "Image", files.last_folder("image"), "Images (*.png *.jpg *.jpeg *.bmp)"
        )
        if path:
            files.remember_folder("image", path)  # the next pick starts there
            self.predict_image_file(path)

    def predict_image_file(self, path: str | Path) -> None:
        from PIL import Image

        channels, height, width = (
            (1, *self.feature_shape) if len(self.feature_shape) == 2 else self.feature_shape
        )
        image = Image.open(path).convert("L" if channels == 1 else "RGB").resize((width, height))
        array = np.asarray(image, dtype=np.uint8)
        array = array[None] if array.ndim == 2 else array.transpose(2, 0, 1)
        self._predict(array.reshape((1, *self.feature_shape)))

    def _predict(self, x: np.ndarray) -> None:
        import torch
        from neurocanvas.engine.training import predict

        prediction = predict(self.model, torch.from_numpy(x), preprocessing=self.preprocessing)
        if not prediction.labels:
            self.answer.setText(f"Prediction: {float(prediction.probabilities.reshape(-1)[0]):.4g}")
            return
        p = prediction.probabilities[0].numpy()
        self.probabilities = p
        names = self.names or [str(i) for i in range(len(p))]
        best = int(p.argmax())
        self.answer.setText(f"Looks like: {names[best]} ({p[best]:.0%})")
        self.bars.clear()
        brushes = ["#2563eb" if i == best else "#93c5fd" for i in range(len(p))]
        self.bars.addItem(
            pg.BarGraphItem(x=np.arange(len(p)), height=p, width=0.7, brushes=brushes)
        )
        self.bars.getAxis("bottom").setTicks([list(enumerate(names))])
        self.bars.setYRange(0, 1)


def _example(feature: dict) -> str:
    """A value of `feature` for the row's placeholder text."""
    values = feature.get("values") or []
    return str(values[0]) if values else feature["name"]


def _is_digit_shape(shape: tuple[int, ...]) -> bool:
    return shape in ((1, 28, 28), (28, 28))
