"""The live view: loss and metric curves (training and validation per epoch, smoothed per-batch
loss), the learning rate, a progress bar with epoch, samples/s and ETA, and an over/underfitting
hint.

Points arrive in batches (`add_progress`, from the worker's throttled signal) into plain lists;
a 20 Hz `QTimer` redraws with `setData` only when something changed, one plot per tick, within
a painting budget. Curves clip to the view, downsample, and skip NaN/inf points
(`connect="finite"`), so a diverging run cannot break them.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable

import numpy as np
import pyqtgraph as pg
from neurocanvas.engine.session.hints import fit_hint
from neurocanvas.engine.training.events import BatchEnded, EpochEnded
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QVBoxLayout, QWidget

REDRAW_MS = 50  # 20 Hz timer...
# ...but the curves are redrawn at most twice a second, and less often when painting them is slow:
# training runs in its own process, yet every millisecond the window paints is CPU the training
# cannot use on a small machine (on 2 cores, painting at 2 Hz cost seed-cnn ~6% of its speed).
MIN_REDRAW_S, MAX_REDRAW_S = 0.5, 2.0
TEXT_INTERVAL_S = 0.5  # the progress line and bar, whatever the plots' pace
MAX_SYMBOLS = 150  # epoch curves lose their dots beyond this many epochs (and paint faster)
EPOCH_CURVES = ("loss", "val_loss", "metric", "val_metric")
PAINT_BUDGET = 0.02  # the live plots may use at most ~2% of one core for painting
AXIS_WIDTH = 58  # px for the left axis: "0.0001" and its label
# The curves of each plot, in the order a redraw updates them (one plot per timer tick).
PLOT_CURVES = {
    "loss": ("batch", "loss", "val_loss"),
    "metric": ("metric", "val_metric"),
    "lr": ("lr",),
}
SMOOTHING = 0.6  # exponential smoothing of the per-batch loss
TRAIN_COLOR, VAL_COLOR, BATCH_COLOR = "#2563eb", "#ea580c", "#94a3b8"
BATCH_NAME = "batch (smoothed)"

pg.setConfigOptions(antialias=True, foreground="#1f2937")


LEGEND_BRUSH = pg.mkBrush(255, 255, 255, 190)  # semi-transparent: curves show through
LEGEND_PEN = pg.mkPen(203, 213, 225, 220)
# Curves that fall (loss) leave the top right free; rising ones (accuracy, R², AUC) the bottom.
FALLING_METRICS = ("loss", "mae", "mse", "rmse")
# The metric each task's live plot shows (else the first the run reports); a regression's MSE
# would repeat its loss.
TASK_METRIC = {"regression": "mae", "binary": "accuracy", "multiclass": "accuracy"}
METRIC_TITLES = {
    "accuracy": "Accuracy",
    "mae": "Mean absolute error",
    "mse": "Mean squared error",
    "r2": "R²",
}


def place_legend(plot: pg.PlotWidget, corner: str) -> None:
    """Anchor the plot's legend in its "top-right" or "bottom-right" corner."""
    legend = plot.getPlotItem().legend
    if legend is None:
        return
    if corner == "bottom-right":
        legend.anchor(itemPos=(1, 1), parentPos=(1, 1), offset=(-8, -8))
    else:
        legend.anchor(itemPos=(1, 0), parentPos=(1, 0), offset=(-8, 8))
    legend.corner = corner


class TimedPlotWidget(pg.PlotWidget):
    """A PlotWidget that adds the CPU time of its paints to `paint_seconds`."""

    paint_seconds = 0.0  # all instances together: the budget is for the window's painting

    def paintEvent(self, event) -> None:
        started = time.thread_time()
        super().paintEvent(event)
        TimedPlotWidget.paint_seconds += time.thread_time() - started


def make_plot(
    title: str, left: str, bottom: str = "epoch", legend: str | None = "top-right"
) -> pg.PlotWidget:
    plot = TimedPlotWidget(background="w")
    plot.setTitle(title, size="11pt")
    plot.setLabel("left", left)
    plot.setLabel("bottom", bottom)
    plot.showGrid(x=True, y=True, alpha=0.25)
    if legend:
        plot.addLegend(brush=LEGEND_BRUSH, pen=LEGEND_PEN, labelTextSize="9pt")
        place_legend(plot, legend)
    plot.setClipToView(True)
    plot.setDownsampling(auto=True, mode="peak")
    plot.setMinimumHeight(140)
    # A fixed axis width: tick labels that grow ("0.9" -> "0.95") would otherwise re-lay the plot
    # out and paint it again, and the three plots' left edges line up.
    plot.getAxis("left").setWidth(AXIS_WIDTH)
    for axis in ("left", "bottom"):
        plot.getAxis(axis).enableAutoSIPrefix(False)  # "loss (x0.001)" puzzles learners
        # Grid lines at major ticks only: the minor ones cost 2/3 of a repaint (31 -> 12 ms).
        plot.getAxis(axis).setStyle(maxTickLevel=0)
    return plot


def curve(plot: pg.PlotWidget, name: str, color: str, width: float = 2.0, symbol=None):
    pen = pg.mkPen(color, width=width)
    kwargs = {"symbol": symbol, "symbolSize": 5, "symbolBrush": color, "symbolPen": None}
    return plot.plot([], [], name=name, pen=pen, connect="finite", **(kwargs if symbol else {}))


class Series:
    """x/y lists that turn into float arrays (NaN for missing values) on demand."""

    def __init__(self):
        self.x: list[float] = []
        self.y: list[float] = []

    def add(self, x: float, y) -> None:
        self.x.append(float(x))
        self.y.append(float(y) if y is not None else math.nan)

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        y = np.asarray(self.y, dtype=float)
        y[~np.isfinite(y)] = np.nan  # inf would wreck the auto range
        return np.asarray(self.x, dtype=float), y

    def __len__(self) -> int:
        return len(self.x)


class LiveView(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        # A thin bar with its text in a label beside it: the text stays one readable line.
        self.progress = QProgressBar()
        self.progress.setTextVisible(False)
        self.progress.setFixedHeight(8)
        self.progress_text = QLabel("")
        self.progress_text.setObjectName("progressText")
        self.status = QLabel("Press Train to start.")
        self.status.setObjectName("trainingStatus")
        self.status.setWordWrap(True)
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet("color: #b45309; font-weight: 600;")
        self.hint.hide()
        self.loss_plot = make_plot("Loss", "loss", legend="top-right")
        self.metric_plot = make_plot("Accuracy", "accuracy", legend="bottom-right")
        self.lr_plot = make_plot("Learning rate", "lr", legend=None)  # one curve: no legend
        self.lr_plot.setMaximumHeight(170)
        self.metric_plot.setXLink(self.loss_plot)
        self.curves = {
            "batch": curve(self.loss_plot, BATCH_NAME, BATCH_COLOR, 1.2),
            "loss": curve(self.loss_plot, "train", TRAIN_COLOR, symbol="o"),
            "val_loss": curve(self.loss_plot, "validation", VAL_COLOR, symbol="o"),
            "metric": curve(self.metric_plot, "train", TRAIN_COLOR, symbol="o"),
            "val_metric": curve(self.metric_plot, "validation", VAL_COLOR, symbol="o"),
            "lr": curve(self.lr_plot, "lr", "#16a34a", 1.5),
        }
        top = QHBoxLayout()
        top.addWidget(self.progress_text)
        top.addWidget(self.progress, 1)
        plots = QHBoxLayout()
        plots.addWidget(self.loss_plot, 1)
        plots.addWidget(self.metric_plot, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addLayout(top)
        layout.addWidget(self.hint)
        layout.addLayout(plots, 3)
        layout.addWidget(self.lr_plot, 1)
        self.timer = QTimer(self)
        self.timer.setInterval(REDRAW_MS)
        self.timer.timeout.connect(self.redraw)
        self.timer.start()
        self.reset()

    # data in ---------------------------------------------------------------------------------
    def reset(self, started: dict | None = None) -> None:
        self.series = {name: Series() for name in self.curves}
        self.pinned: set[str] = set()  # plots whose y-range is set around a single value
        for plot in (self.loss_plot, self.metric_plot):
            plot.enableAutoRange(axis="y")
        self.history: list[dict[str, float]] = []
        self.metric_name: str | None = None
        self.smoothed: float | None = None
        self.started = started or {}
        self.started_at = time.perf_counter()
        self.paused_seconds = 0.0  # time paused does not count towards the ETA
        self.paused_at: float | None = None
        self.epochs = int((self.started.get("config") or {}).get("epochs", 0))
        self.first_epoch = int(self.started.get("start_epoch", 1))
        self.fraction = 0.0
        self.samples_per_s = 0.0
        self.gpu_memory_mib: float | None = None
        self.epoch_text = ""
        self.progress.setValue(0)
        self.progress.setFormat("%p%")
        self.progress_text.setText("")
        self.hint.hide()
        self.dirty = True
        self.last_redraw = self.last_text = 0.0
        self.text_dirty = True
        self.paused = False
        self.pending_plots: list[str] = []  # plots still to update in the redraw under way
        self.painted_at_redraw = TimedPlotWidget.paint_seconds
        # The metric plot is named after the task's metric from the start (a regression run
        # showed an empty "Accuracy" chart), and again from the first epoch's metrics.
        self._name_metric_plot(TASK_METRIC.get(self.started.get("task", ""), "accuracy"))
        if started:
            self.status.setText(
                f"Training on {started.get('device_name', '?')} · "
                f"{started.get('param_count', 0):,} parameters · {started.get('num_train', 0):,} "
                "training samples"
            )

    def add_progress(self, events: Iterable[BatchEnded | EpochEnded]) -> None:
        for event in events:
            if isinstance(event, BatchEnded):
                self._add_batch(event)
            elif isinstance(event, EpochEnded):
                self._add_epoch(event)
        self.dirty = self.text_dirty = True

    def _add_batch(self, e: BatchEnded) -> None:
        x = e.epoch - 1 + e.batch / max(e.batches, 1)
        loss = e.loss
        if math.isfinite(loss):
            # Each point is already the mean since the last one; smooth only points that come
            # several times an epoch, or a fast run's line lags far behind its epochs.
            last_x = self.series["batch"].x[-1] if len(self.series["batch"]) else -1.0
            weight = SMOOTHING if x - last_x < 0.5 else 0.0
            self.smoothed = (
                loss if self.smoothed is None else weight * self.smoothed + (1 - weight) * loss
            )
        self.series["batch"].add(x, self.smoothed if math.isfinite(loss) else math.nan)
        self.series["lr"].add(x, e.lr)
        self.samples_per_s = e.samples_per_s
        self.gpu_memory_mib = e.gpu_memory_mib
        self.epoch_text = f"epoch {e.epoch} · batch {e.batch}/{e.batches}"
        self._set_fraction(x)

    def _add_epoch(self, e: EpochEnded) -> None:
        epoch = e.epoch
        train, val = e.train, e.val
        if self.metric_name is None:
            preferred = TASK_METRIC.get(self.started.get("task", ""))
            first = next((k for k in train if k != "loss"), None)
            # A regression run measures its error on the validation split only (no "mae" while
            # training): the chart then shows the validation curve rather than nothing.
            known = preferred in train or f"val_{preferred}" in val
            self.metric_name = preferred if known else first
            if self.metric_name:
                self._name_metric_plot(self.metric_name)
        self.series["loss"].add(epoch, train.get("loss"))
        self.series["val_loss"].add(epoch, val.get("val_loss"))
        if self.metric_name:
            self.series["metric"].add(epoch, train.get(self.metric_name))
            self.series["val_metric"].add(epoch, val.get(f"val_{self.metric_name}"))
        self.history.append(
            {**train, **val, "lr": e.lr, "grad_norms": getattr(e, "grad_norms", {})}
        )
        self.series["lr"].add(epoch, e.lr)  # the rate from the first epoch to the last
        self.epochs = e.epochs
        self.samples_per_s = e.samples_per_s
        self.epoch_text = f"epoch {epoch}/{e.epochs}"
        self._set_fraction(epoch)

    def _name_metric_plot(self, metric: str) -> None:
        """Title, axis and legend corner for `metric` (the task's: accuracy, MAE...)."""
        title = METRIC_TITLES.get(metric, metric.replace("_", " ").capitalize())
        self.metric_plot.setTitle(title, size="11pt")
        self.metric_plot.setLabel("left", metric)
        falling = metric.lower() in FALLING_METRICS
        place_legend(self.metric_plot, "top-right" if falling else "bottom-right")

    def _set_fraction(self, done_epochs: float) -> None:
        total = max(self.epochs - self.first_epoch + 1, 1)
        self.fraction = min(max((done_epochs - self.first_epoch + 1) / total, 0.0), 1.0)

    def finish(self, text: str) -> None:
        self.status.setText(text)
        self.dirty = True
        self.redraw(force=True)

    # drawing (timer) -----------------------------------------------------------------------
    def redraw(self, force: bool = False) -> None:
        """Timer tick: start a redraw when one is due, or go on with the one under way. A redraw
        updates one plot per tick, so no tick blocks the window for all three paints at once
        (~35 ms on 2 busy cores); `force` does everything now."""
        now = time.perf_counter()
        if self.text_dirty and (force or now - self.last_text >= TEXT_INTERVAL_S):
            self.text_dirty, self.last_text = False, now
            self._redraw_text()  # cheap: keeps its own pace when the plots slow down
        if self.pending_plots and not force:
            self._redraw_plot(self.pending_plots.pop(0))
            return
        if not self.dirty or (not force and now - self.last_redraw < self.redraw_interval()):
            return
        self.dirty = False
        self.last_redraw = now
        self.painted_at_redraw = TimedPlotWidget.paint_seconds
        self.pending_plots = list(PLOT_CURVES)
        for plot in self.pending_plots if force else self.pending_plots[:1]:
            self._redraw_plot(plot)
        self.pending_plots = [] if force else self.pending_plots[1:]

    def _redraw_plot(self, plot: str) -> None:
        for name in PLOT_CURVES[plot]:
            x, y = self.series[name].arrays()
            item = self.curves[name]
            symbol = "o" if len(x) <= MAX_SYMBOLS else None
            if name in EPOCH_CURVES and item.opts["symbol"] != symbol:
                item.setSymbol(symbol)  # a dot per epoch, until they would merge into a line
            if name == "batch":  # sparser than the epochs (a fast run) it says nothing more
                shown = len(x) >= len(self.series["loss"])
                if item.isVisible() != shown:
                    item.setVisible(shown)
                    # Out of the legend too: a hidden curve's entry gets an unexplained
                    # crossed-out eye icon.
                    legend = self.loss_plot.getPlotItem().legend
                    if shown:
                        legend.addItem(item, BATCH_NAME)
                    else:
                        legend.removeItem(item)
            item.setData(x, y, connect="finite")
        if plot in ("loss", "metric"):
            self._fit_single_value(plot)
        if plot == "lr":
            _, lr = self.series["lr"].arrays()
            if lr.size and np.isfinite(lr).any():  # from 0: a constant rate is a flat line
                self.lr_plot.setYRange(0, float(np.nanmax(lr)) * 1.15 or 1.0, padding=0)

    def _fit_single_value(self, plot: str) -> None:
        """Curves of one value (a short run, a constant metric) get a y-axis around it: the
        plot's own range for them is value ± 0.5 whatever its size (0.002 on -0.5..0.5)."""
        widget = self.loss_plot if plot == "loss" else self.metric_plot
        shown = [
            self.series[n].arrays()[1] for n in PLOT_CURVES[plot] if self.curves[n].isVisible()
        ]
        values = np.concatenate(shown) if shown else np.empty(0)
        values = values[np.isfinite(values)]
        if values.size and float(values.max() - values.min()) == 0.0:
            value = float(values[0])
            pad = abs(value) * 0.1 or 0.1
            widget.setYRange(value - pad, value + pad, padding=0)
            self.pinned.add(plot)
        elif plot in self.pinned:  # several values again: the plot ranges itself
            self.pinned.discard(plot)
            widget.enableAutoRange(axis="y")

    def _redraw_text(self) -> None:
        self.progress.setValue(int(round(self.fraction * 100)))
        if self.epoch_text:
            text = f"{self.epoch_text} · {self._rate_text()}"
            self.progress.setFormat(text)
            self.progress_text.setText(f"{text} · {self.progress.value()}%")
        hint = fit_hint(self.history)
        self.hint.setText(hint)
        self.hint.setVisible(bool(hint))

    def redraw_interval(self) -> float:
        """Seconds between redraws: long enough that the last one's painting fits the budget."""
        painted = TimedPlotWidget.paint_seconds - self.painted_at_redraw
        return min(max(painted / PAINT_BUDGET, MIN_REDRAW_S), MAX_REDRAW_S)

    def set_paused(self, paused: bool) -> None:
        now = time.perf_counter()
        if paused and self.paused_at is None:
            self.paused_at = now
        elif not paused and self.paused_at is not None:
            self.paused_seconds += now - self.paused_at
            self.paused_at = None
        self.paused = paused
        self.text_dirty = True
        self.redraw(force=True)

    def _rate_text(self) -> str:
        if self.paused:
            return "paused"
        parts = [f"{self.samples_per_s:,.0f} samples/s"]
        if 0 < self.fraction < 1:
            elapsed = time.perf_counter() - self.started_at - self.paused_seconds
            remaining = elapsed * (1 - self.fraction) / self.fraction
            parts.append(f"ETA {_duration(remaining)}")
        if self.gpu_memory_mib is not None:  # measured by the training process, on CUDA only
            parts.append(f"GPU {self.gpu_memory_mib:,.0f} MiB")
        return " · ".join(parts)

    def point_counts(self) -> dict[str, int]:
        """How many points each curve holds (for tests and the status line)."""
        return {name: len(series) for name, series in self.series.items()}


def _duration(seconds: float) -> str:
    seconds = int(max(seconds, 0))
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"
