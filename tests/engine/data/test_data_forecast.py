"""Time series for forecasting: windows against a hand-built oracle, splits by time with no
window across a cut, scaling from the training part only, missing values, dates."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from neurocanvas.engine.data import DataConfig, DataError, load_dataset, prepare
from real_datasets import SEQUENCES, need


def _series(write, values, name="s.csv", times=None):
    times = times or [f"{2000 + i // 12}-{i % 12 + 1:02d}" for i in range(len(values))]
    text = "month,value\n" + "".join(
        f"{t},{'' if v is None else v}\n" for t, v in zip(times, values)
    )
    return str(write(name, text))


def _cfg(path, split=(0.6, 0.2, 0.2), **params):
    return DataConfig(source=path, split=split, params={"layout": "series", **params})


def test_windows_one_step_ahead_match_the_definition(write):
    path = _series(write, list(range(20)))
    ds = load_dataset(_cfg(path, window=3, horizon=2))
    assert ds.x.shape == (16, 1, 3) and ds.info.task == "regression"
    for i in range(16):  # inputs i..i+2, target the value 2 steps after the window: i+4
        assert ds.x[i, 0].tolist() == [i, i + 1, i + 2] and ds.y[i].item() == i + 4


def test_whole_window_horizon_and_stride(write):
    path = _series(write, list(range(20)))
    ds = load_dataset(_cfg(path, window=4, horizon=3, horizon_mode="window", stride=5))
    assert ds.y.shape == (3, 3)
    assert ds.x[:, 0, 0].tolist() == [0, 5, 10]
    assert ds.y[1].tolist() == [9, 10, 11]


def test_several_inputs_and_targets_are_channels_and_time_major_targets(write):
    text = "t,a,b\n" + "".join(f"{i},{i},{100 + i}\n" for i in range(10))
    cfg = DataConfig(
        source=str(write("ab.csv", text)),
        params={"layout": "series", "window": 2, "targets": ["a", "b"], "horizon": 2}
        | {"horizon_mode": "window"},
    )
    ds = load_dataset(cfg)
    assert ds.x.shape == (7, 2, 2) and ds.info.feature_names == ["a", "b"]
    assert ds.x[0].tolist() == [[0, 1], [100, 101]]
    assert ds.y[0].tolist() == [2, 102, 3, 103]


def test_split_is_in_time_order_and_no_window_straddles_a_cut(write):
    path = _series(write, [float(v) for v in range(100)])
    cfg = _cfg(path, window=5, horizon=1)
    ds = load_dataset(cfg)
    data = prepare(ds, cfg)
    pre = data.preprocessing
    raw = {name: pre.invert(getattr(data, name).x)[:, 0] for name in ("train", "val", "test")}
    first = {name: x[:, 0].round().long() for name, x in raw.items()}
    for name in ("train", "val", "test"):
        assert first[name].tolist() == sorted(first[name].tolist())  # never shuffled
    # cuts at steps 60 and 80: every step a window reads or predicts lies in its own part
    assert int(first["train"].max()) + 5 + 1 <= 60
    assert int(first["val"].min()) >= 60 and int(first["val"].max()) + 6 <= 80
    assert int(first["test"].min()) >= 80
    torch.testing.assert_close(data.test.y, raw["test"][:, -1] + 1)
    assert any("straddle" in line for line in data.report)


def test_scaling_comes_from_the_training_part_only(write):
    values = [float(v % 7) for v in range(60)]
    changed = values[:36] + [1000.0 + v for v in values[36:]]  # only val/test steps differ
    stats = []
    for name, series in (("a.csv", values), ("b.csv", changed)):
        cfg = _cfg(_series(write, series, name), window=4)
        data = prepare(load_dataset(cfg), cfg)
        stats.append((data.preprocessing.mean, data.preprocessing.std))
    torch.testing.assert_close(stats[0], stats[1], rtol=0, atol=0)
    train_steps = np.array(values[:36])
    assert float(stats[0][0]) == pytest.approx(train_steps.mean(), abs=0.2)


def test_missing_values_are_reported_with_where_and_handled_three_ways(write):
    values = [float(v) for v in range(12)]
    values[5] = values[6] = None
    path = _series(write, values)
    dropped = load_dataset(_cfg(path, window=2))
    line = next(r for r in dropped.report if "missing" in r)
    assert "2 missing value(s) in 'value' at 2000-06, 2000-07" in line and "line 7" in line
    assert len(dropped) == 10 - 4  # the windows (inputs or target) that touch step 5 or 6
    assert 5 not in dropped.x.flatten().tolist()
    ffill = load_dataset(_cfg(path, window=2, fill="ffill"))
    assert ffill.x[5, 0].tolist() == [4, 4]
    interp = load_dataset(_cfg(path, window=2, fill="interpolate"))
    expected = np.interp([5, 6], [4, 7], [4.0, 7.0])
    np.testing.assert_allclose(interp.x[5, 0].numpy(), expected)


@pytest.mark.parametrize(
    "times",
    [
        [f"19{50 + i // 12}-{i % 12 + 1:02d}" for i in range(30)],
        [f"2001{1 + i // 28:02d}{1 + i % 28:02d}" for i in range(30)],
        [f"2001-01-{1 + i:02d}T00:00:00" for i in range(30)],
        [str(1700 + i) for i in range(30)],
    ],
)
def test_dates_parse_in_the_usual_forms(write, times):
    ds = load_dataset(_cfg(_series(write, list(range(30)), times=times), window=3))
    assert len(ds) == 27 and ds.times == times


def test_a_date_that_does_not_parse_or_goes_back_is_named(write):
    times = [f"2000-{m:02d}" for m in range(1, 10)]
    times[4] = "May"
    path = _series(write, list(range(9)), times=times)
    with pytest.raises(DataError) as caught:
        load_dataset(_cfg(path, window=2))
    assert (caught.value.line, caught.value.column) == (6, 1) and "'May'" in str(caught.value)
    times[4] = "2000-01"
    with pytest.raises(DataError, match="does not come after") as caught:
        load_dataset(_cfg(_series(write, list(range(9)), "b.csv", times), window=2))
    assert caught.value.line == 6


def test_a_value_that_is_not_a_number_is_named(write):
    path = write("v.csv", "t,v\n1,1\n2,2\n3,abc\n4,4\n")
    with pytest.raises(DataError) as caught:
        load_dataset(_cfg(str(path), window=1))
    assert (caught.value.line, caught.value.column) == (4, 2)


def test_too_short_for_the_window_and_unknown_settings(write):
    path = _series(write, list(range(5)))
    with pytest.raises(DataError, match="too few"):
        load_dataset(_cfg(path, window=5))
    with pytest.raises(DataError, match="unknown series setting"):
        load_dataset(_cfg(path, lags=3))
    with pytest.raises(DataError, match="window"):
        DataConfig(source=path, params={"layout": "series", "window": 0})


def test_airline_passengers_real_file():
    path = need(SEQUENCES / "airline.csv")
    cfg = DataConfig(source=str(path), split=(0.7, 0.1, 0.2), params={"layout": "series"})
    ds = load_dataset(cfg)
    assert ds.times[0] == "1949-01" and ds.times[-1] == "1960-12"
    assert ds.x.shape == (132, 1, 12) and ds.x[0, 0, 0].item() == 112
    data = prepare(ds, cfg)
    assert len(data.train) and len(data.val) and len(data.test)


def test_co2_gaps_are_found():
    path = need(SEQUENCES / "co2_weekly.csv")
    ds = load_dataset(DataConfig(source=str(path), params={"layout": "series", "fill": "ffill"}))
    assert any("59 missing value(s) in 'co2'" in line for line in ds.report)
    assert not torch.isnan(ds.x).any()
