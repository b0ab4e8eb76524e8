"""Try it for a forecasting model: the window before the chosen point, the answer placed where
the model was trained to answer, and the roll-out that feeds each forecast back in, checked with
hand-set linear models whose forecasts are known (the last value, the window's mean, a sum)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from neurocanvas.engine.training.forecast_try import SeriesTry, series_of

VALUES = [float(v) for v in range(10, 40)]  # 30 steps: 10, 11, ..., 39
SERIES = "t,a,b\n" + "".join(f"{i},{v},{2 * v}\n" for i, v in enumerate(VALUES))


def _model(weights: np.ndarray) -> torch.nn.Module:
    """Flatten (inputs x window, channel-major) -> Linear with the given weights, no bias, as a
    GraphModule (what the compiler makes)."""
    linear = torch.nn.Linear(weights.shape[1], weights.shape[0], bias=False)
    with torch.no_grad():
        linear.weight.copy_(torch.from_numpy(weights.astype(np.float32)))
    return torch.fx.symbolic_trace(torch.nn.Sequential(torch.nn.Flatten(), linear))


def _series(tmp_path, **params):
    path = tmp_path / "s.csv"
    path.write_text(SERIES)
    return series_of({"source": str(path), "params": {"layout": "series", **params}})


def test_a_one_step_model_answers_after_the_window_it_read(tmp_path):
    series = _series(tmp_path, window=4, inputs=["a"], targets=["a"])
    last_value = np.array([[0, 0, 0, 1.0]])  # the naive forecast: the window's last step
    tried = SeriesTry(series, _model(last_value)).forecast(10)
    assert tried.window == (6, 10) and tried.steps == [10]
    assert tried.values == {"a": [VALUES[9]]} and not tried.rolled


def test_a_horizon_ahead_answer_is_placed_horizon_steps_on(tmp_path):
    series = _series(tmp_path, window=3, horizon=5, inputs=["a"], targets=["a"])
    mean = np.full((1, 3), 1 / 3)
    tried = SeriesTry(series, _model(mean)).forecast(8)
    assert tried.steps == [12]  # window [5, 8): the value 5 steps on is step 12
    assert tried.values["a"][0] == pytest.approx(np.mean(VALUES[5:8]), rel=1e-6)


def test_a_many_to_many_model_answers_every_step_of_its_horizon(tmp_path):
    series = _series(tmp_path, window=2, horizon=3, horizon_mode="window", inputs=["a"])
    series_targets = series.targets
    assert series_targets == ["b"]  # the default target: the last column
    # the 3 outputs (time-major, one target): last value + 0, + 1, + 2 of column a
    weights = np.array([[0, 1.0], [0, 1.0], [0, 1.0]])
    offsets = _Offsets(torch.tensor([0.0, 1.0, 2.0]))
    model = torch.fx.symbolic_trace(torch.nn.Sequential(_model(weights), offsets))
    tried = SeriesTry(series, model).forecast(5)
    assert tried.steps == [5, 6, 7]
    assert tried.values["b"] == pytest.approx([VALUES[4], VALUES[4] + 1, VALUES[4] + 2])


class _Offsets(torch.nn.Module):
    def __init__(self, offsets):
        super().__init__()
        self.offsets = torch.nn.Parameter(offsets, requires_grad=False)

    def forward(self, x):
        return x + self.offsets


def test_a_roll_out_feeds_each_forecast_back_in(tmp_path):
    series = _series(tmp_path, window=2, inputs=["a"], targets=["a"])
    # next = 2 * last - previous: continues a straight line exactly
    trend = np.array([[-1.0, 2.0]])
    tried = SeriesTry(series, _model(trend)).forecast(30, steps=5)  # past the series' end
    assert tried.rolled and tried.steps == [30, 31, 32, 33, 34]
    assert tried.values["a"] == pytest.approx([40, 41, 42, 43, 44])


def test_a_multi_column_roll_out_keeps_each_column_in_its_place(tmp_path):
    series = _series(tmp_path, window=1, inputs=["a", "b"], targets=["b", "a"])
    # outputs in target order (b, a): b' = a + b, a' = a
    swap = np.array([[1.0, 1.0], [1.0, 0.0]])
    tried = SeriesTry(series, _model(swap)).forecast(1, steps=3)
    a0, b0 = VALUES[0], 2 * VALUES[0]
    assert tried.values["a"] == pytest.approx([a0, a0, a0])
    assert tried.values["b"] == pytest.approx([a0 + b0, 2 * a0 + b0, 3 * a0 + b0])


def test_only_models_that_forecast_what_they_read_roll_on(tmp_path):
    series = _series(tmp_path, window=2, inputs=["a"], targets=["b"])
    tried = SeriesTry(series, _model(np.array([[0, 2.0]]))).forecast(4, steps=6)
    assert not tried.rolled and tried.steps == [4]  # one answer: b cannot be fed back as a


def test_the_start_point_is_checked_and_missing_steps_are_named(tmp_path):
    path = tmp_path / "gap.csv"
    path.write_text("t,a\n1,1\n2,\n3,3\n4,4\n5,5\n")
    series = series_of({"source": str(path), "params": {"layout": "series", "window": 2}})
    tried = SeriesTry(series, _model(np.array([[0, 1.0]])))
    with pytest.raises(ValueError, match="between step 2 and 5"):
        tried.forecast(1)
    with pytest.raises(ValueError, match="up to 3 hold a missing value"):
        tried.forecast(3)
    assert tried.forecast(5).values["a"] == [5.0]


def test_the_packaged_airline_series_is_found_by_name():
    series = series_of({"source": "airline", "params": {"layout": "series", "window": 12}})
    assert len(series.times) == 144 and series.times[0] == "1949-01"
