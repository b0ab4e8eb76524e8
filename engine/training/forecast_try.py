"""Try it for a forecasting model: pick a point in the series and see the forecast drawn after it.

The series is read again from the project's data section (the checkpoint carries the project),
with the same columns and filling as training (data/forecast.py's ``read_series``). The model
reads the ``window`` steps before the chosen point, the way training windows were cut, and
answers as it was trained: the value ``horizon`` steps ahead (many-to-one) or all of the next
``horizon`` steps (many-to-many). A one-step model whose targets are all of its inputs can also
run on: each forecast is fed back in as the newest step (an autoregressive roll-out), so a
student sees how errors compound over a longer horizon.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from ..data.config import DataConfig
from ..data.forecast import SeriesTable
from ..data.forecast import series_of as read_again
from .evaluation import predict


@dataclass(frozen=True)
class TryForecast:
    """One forecast: ``steps`` are series positions (they may run past its last step),
    ``values[target]`` the forecast at each, ``window`` the [first, end) steps the model read."""

    steps: list[int]
    values: dict[str, list[float]]
    window: tuple[int, int]
    rolled: bool


def series_of(data: dict) -> SeriesTable:
    """The series a project's data section names (a file, or a packaged set such as airline)."""
    return read_again(DataConfig.from_dict(data))


class SeriesTry:
    """Forecasts of ``model`` (a checkpoint's, with its ``preprocessing``) on ``series``."""

    def __init__(self, series: SeriesTable, model: torch.nn.Module, preprocessing=None):
        self.series, self.model, self.preprocessing = series, model, preprocessing
        params = series.params
        self.window = int(params.get("window", 12))
        self.horizon = int(params.get("horizon", 1))
        self.whole = params.get("horizon_mode", "step") == "window"
        self._inputs = series.frame[series.inputs].to_numpy(dtype=np.float32)

    @property
    def targets(self) -> list[str]:
        return list(self.series.targets)

    @property
    def first_end(self) -> int:
        """The earliest point a forecast can start from (a whole window lies before it)."""
        return self.window

    @property
    def last_end(self) -> int:
        """The latest point: right after the series' last step (a forecast of the future)."""
        return len(self._inputs)

    @property
    def can_roll(self) -> bool:
        """Whether the model's forecasts can be fed back in: one step ahead, and it forecasts
        every column it reads."""
        series = self.series
        return not self.whole and self.horizon == 1 and set(series.targets) == set(series.inputs)

    def forecast(self, end: int, steps: int | None = None) -> TryForecast:
        """The forecast from the window that ends before step ``end``; ``steps`` > 1 rolls a
        one-step model on (``can_roll``), else the model answers once."""
        if not self.first_end <= end <= self.last_end:
            raise ValueError(
                f"a forecast starts between step {self.first_end} and {self.last_end}, not {end}"
            )
        window = self._inputs[end - self.window : end]
        if np.isnan(window).any():
            when = self.series.times[end - 1] if end else "the start"
            raise ValueError(f"the {self.window} steps up to {when} hold a missing value")
        if steps is not None and steps > 1 and self.can_roll:
            return self._rolled(window, end, steps)
        out = self._predict(window).reshape(-1, len(self.targets))
        first = end if self.whole else end + self.horizon - 1
        positions = list(range(first, first + len(out)))
        values = {t: out[:, j].tolist() for j, t in enumerate(self.targets)}
        return TryForecast(positions, values, (end - self.window, end), False)

    def _rolled(self, window: np.ndarray, end: int, steps: int) -> TryForecast:
        column = {name: j for j, name in enumerate(self.series.inputs)}
        values: dict[str, list[float]] = {t: [] for t in self.targets}
        for _ in range(steps):
            out = self._predict(window).reshape(-1)
            row = window[-1].copy()
            for j, target in enumerate(self.targets):
                values[target].append(float(out[j]))
                row[column[target]] = out[j]
            window = np.concatenate([window[1:], row[None]])
        return TryForecast(list(range(end, end + steps)), values, (end - self.window, end), True)

    def _predict(self, window: np.ndarray) -> np.ndarray:
        x = torch.from_numpy(window.T[None].copy())  # (1, inputs, window)
        out = predict(self.model, x, task="regression", preprocessing=self.preprocessing)
        return out.probabilities.numpy()[0]
