"""Try it for a forecasting model: a slider picks the point to forecast from; the plot shows the
series, the window the model reads (shaded) and its forecast after it, with dates on the axis.
A model that forecasts every column it reads can run on for more steps (its forecasts fed back
in: engine/training/forecast_try.py)."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSlider, QSpinBox, QVBoxLayout, QWidget

from ..wheel_guard import guard_wheel

ACTUAL, FORECAST, WINDOW = "#6b7280", "#ea580c", (37, 99, 235, 40)
MAX_ROLL = 500


class SeriesTryPanel(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.tried = None  # the engine's SeriesTry
        self.start = QSlider(Qt.Orientation.Horizontal)
        self.start.setToolTip("The point to forecast from: the model reads the window before it")
        self.start.valueChanged.connect(self.redraw)
        self.start_label = QLabel()
        self.steps = QSpinBox()
        self.steps.setRange(1, MAX_ROLL)
        self.steps.setPrefix("forecast ")
        self.steps.setSuffix(" step(s)")
        self.steps.setToolTip(
            "Steps to forecast: after the first, each forecast is fed back in as the newest "
            "value (errors compound, as they do in any multi-step forecast)"
        )
        self.steps.valueChanged.connect(self.redraw)
        guard_wheel(self.start, self.steps)
        self.plot = pg.PlotWidget(background="w")
        self.plot.setMouseEnabled(True, False)
        self.plot.addLegend(offset=(10, 10))
        self.message = QLabel()
        self.message.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(QLabel("Forecast from"))
        row.addWidget(self.start, 1)
        row.addWidget(self.start_label)
        row.addWidget(self.steps)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.message)
        layout.addWidget(self.plot, 1)

    def set_try(self, tried) -> None:
        """Show forecasts of `tried` (a SeriesTry), starting at the last fifth of the series,
        where the actual values can be compared."""
        self.tried = tried
        self.steps.setVisible(tried.can_roll)
        blocked = [w.blockSignals(True) for w in (self.start, self.steps)]
        self.start.setRange(tried.first_end, tried.last_end)
        span = tried.last_end - tried.first_end
        self.start.setValue(tried.first_end + round(span * 0.8))
        self.steps.setValue(max(tried.horizon, min(12, span)) if tried.can_roll else 1)
        for widget, was in zip((self.start, self.steps), blocked):
            widget.blockSignals(was)
        self.redraw()

    def _time(self, position: int) -> str:
        times = self.tried.series.times
        if position < len(times):
            return str(times[position])
        return f"+{position - len(times) + 1}"  # past the series' end

    def redraw(self, *_args) -> None:
        tried = self.tried
        if tried is None:
            return
        end = self.start.value()
        self.start_label.setText(f"after {self._time(end - 1)}")
        try:
            forecast = tried.forecast(end, self.steps.value() if tried.can_roll else None)
        except ValueError as error:
            self.message.setText(str(error))
            forecast = None
        else:
            self.message.setText(
                f"The model read {tried.window} steps ({self._time(end - tried.window)} to "
                f"{self._time(end - 1)})"
                + (", each forecast fed back in" if forecast.rolled else "")
                + "."
            )
        self._draw(forecast)

    def _draw(self, forecast) -> None:
        plot, tried = self.plot, self.tried
        plot.clear()
        frame = tried.series.frame
        steps = np.arange(len(frame))
        for target in tried.targets:
            plot.plot(
                steps,
                frame[target].to_numpy(dtype=float),
                pen=pg.mkPen(ACTUAL, width=1.5),
                name=f"{target} (actual)",
                connect="finite",
            )
        if forecast is not None:
            first, end = forecast.window
            region = pg.LinearRegionItem((first - 0.5, end - 0.5), movable=False, brush=WINDOW)
            region.setZValue(-10)
            plot.addItem(region)
            for target, values in forecast.values.items():
                plot.plot(
                    forecast.steps,
                    values,
                    pen=pg.mkPen(FORECAST, width=2.5),
                    symbol="o",
                    symbolSize=6,
                    symbolBrush=FORECAST,
                    name=f"{target} (forecast)",
                )
        last = max([len(frame) - 1, *((forecast.steps[-1],) if forecast else ())])
        stride = max(1, (last + 1) // 8)
        plot.getAxis("bottom").setTicks([[(i, self._time(i)) for i in range(0, last + 1, stride)]])
        plot.setTitle("Forecast from the chosen point", size="11pt")
