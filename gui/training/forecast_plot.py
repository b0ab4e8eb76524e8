"""Results of a forecast: the model's forecast and the actual values over the test windows, with
the naive and seasonal-naive forecasts it is measured against (RMSE of each in the legend)."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt

LINES = (  # key, label, colour, dashed
    ("actual", "actual", "#111827", False),
    ("predicted", "model", "#2563eb", False),
    ("naive", "naive (last value)", "#9ca3af", True),
    ("seasonal", "seasonal naive", "#f59e0b", True),
)


def draw_forecast(plot: pg.PlotWidget, forecast: dict, metrics: dict) -> None:
    """Each series' first forecast step per window, window by window, on `plot`."""
    plot.clear()
    plot.setTitle("Forecast vs actual on the test windows", size="11pt")
    plot.setLabel("bottom", "test window (time order)")
    plot.setLabel("left", "value")
    if plot.plotItem.legend is None:
        plot.addLegend(offset=(10, 10))
    for key, label, colour, dashed in LINES:
        rows = forecast.get(key)
        if not rows:
            continue
        y = np.asarray([row[0] if row else np.nan for row in rows], dtype=float)
        rmse = metrics.get("rmse" if key == "predicted" else f"{key}_rmse")
        name = label + (f" (RMSE {rmse:.4g})" if isinstance(rmse, (int, float)) else "")
        style = Qt.PenStyle.DashLine if dashed else Qt.PenStyle.SolidLine
        plot.plot(
            np.arange(len(y)),
            y,
            pen=pg.mkPen(colour, width=2, style=style),
            name=name,
            connect="finite",
        )
    times = forecast.get("times")
    axis = plot.getAxis("bottom")
    if times:  # dates on the axis, about eight of them
        step = max(1, len(times) // 8)
        axis.setTicks([[(i, str(times[i])) for i in range(0, len(times), step)]])
        plot.setLabel("bottom", "time (each window's forecast step)")
    else:
        axis.setTicks(None)
    plot.show()
