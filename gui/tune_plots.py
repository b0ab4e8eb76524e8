"""The Tune tab's four plots of a study (pyqtgraph): the optimisation history with the best so far,
parallel coordinates of the parameters (scaled 0-1) and the objective, Optuna's parameter
importances, and each trial's intermediate values coloured by its state (pruned in red)."""

from __future__ import annotations

import pyqtgraph as pg

STATE_COLOURS = {"complete": "#2563eb", "pruned": "#dc2626", "failed": "#6b7280"}


def draw_study(view, report, importance: dict[str, float]) -> None:
    """Redraw `view`'s history, parallel, importance and intermediate plots from `report`."""
    view.history_plot.clear()
    numbers, values, best = report.history()
    view.history_plot.plot(
        numbers, values, pen=None, symbol="o", symbolBrush="#2563eb", name="trial"
    )
    steps_x = [x for i, x in enumerate(numbers) for x in (x, numbers[min(i + 1, len(numbers) - 1)])]
    steps_y = [y for y in best for _ in (0, 1)]
    view.history_plot.plot(steps_x, steps_y, pen=pg.mkPen("#16a34a", width=2), name="best so far")
    view.parallel_plot.clear()
    axes, lines, line_values = report.parallel()
    axes = [*axes, "objective"]  # the last axis: the trial's value (blue best, red worst)
    if lines:
        low, high = min(line_values), max(line_values)
        if report.direction == "minimize":
            low, high = high, low
        for line, value in zip(lines, line_values):
            share = 0.5 if high == low else (value - low) / (high - low)
            colour = pg.mkColor(int(220 * (1 - share)), 80, int(220 * share))
            xs = list(range(len(axes)))
            view.parallel_plot.plot(xs, [*line, share], pen=pg.mkPen(colour, width=1.5))
    view.parallel_plot.getAxis("bottom").setTicks([list(enumerate(axes))])
    view.parallel_plot.setXRange(-0.3, len(axes) - 0.7, padding=0)
    view.importance_plot.clear()
    if importance:
        names = list(importance)
        bars = pg.BarGraphItem(
            x0=0,
            y=list(range(len(names))),
            height=0.6,
            width=list(importance.values()),
            brush="#2563eb",
        )
        view.importance_plot.addItem(bars)
        view.importance_plot.getAxis("left").setTicks([list(enumerate(names))])
    view.intermediate_plot.clear()
    for row in report.rows:
        if row.intermediate:
            steps = sorted(row.intermediate)
            pen = pg.mkPen(STATE_COLOURS.get(row.state, "#9ca3af"), width=1)
            view.intermediate_plot.plot(steps, [row.intermediate[s] for s in steps], pen=pen)
