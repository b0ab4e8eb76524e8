"""A forecast scored against the forecasts it must beat: the naive one (the last value seen) and
the seasonal-naive one (the value a season earlier), both from data/forecast.py.

``mase`` is Hyndman and Koehler's mean absolute scaled error: the model's MAE over the MAE that
the naive forecast makes on the TRAINING windows (in-sample), so below 1 beats it there. All
figures are in the targets' units, over every target value of the split's windows.
"""

from __future__ import annotations

import math

import torch


def _errors(predicted: torch.Tensor, actual: torch.Tensor) -> tuple[float, float]:
    """(RMSE, MAE) over the finite pairs; NaN when there are none."""
    predicted, actual = predicted.double().reshape(-1), actual.double().reshape(-1)
    keep = torch.isfinite(predicted) & torch.isfinite(actual)
    if not keep.any():
        return math.nan, math.nan
    error = predicted[keep] - actual[keep]
    return error.pow(2).mean().sqrt().item(), error.abs().mean().item()


def forecast_metrics(
    predicted: torch.Tensor,
    actual: torch.Tensor,
    baselines: dict[str, torch.Tensor],
    train_actual: torch.Tensor | None = None,
    train_naive: torch.Tensor | None = None,
) -> dict[str, float]:
    """rmse, mae, naive_rmse, naive_mae, seasonal_rmse, seasonal_mae (with a season) and mase
    (given the training windows' targets and naive forecasts)."""
    actual = actual.reshape(predicted.shape)
    rmse, mae = _errors(predicted, actual)
    out = {"rmse": rmse, "mae": mae}
    for name in ("naive", "seasonal"):
        if name in baselines:
            out[f"{name}_rmse"], out[f"{name}_mae"] = _errors(baselines[name], actual)
    if train_actual is not None and train_naive is not None and len(train_actual):
        _, scale = _errors(train_naive, train_actual)
        out["mase"] = mae / scale if scale > 0 else math.nan
    return out


@torch.no_grad()
def predict_outputs(view: torch.nn.Module, x: torch.Tensor, batch_size: int = 1024):
    """The view's outputs on ``x`` (eval mode, batch by batch, on the device ``x`` is on)."""
    was_training = view.training
    view.eval()
    try:
        parts = [view(x[i : i + batch_size]).float() for i in range(0, len(x), batch_size)]
    finally:
        view.train(was_training)
    return torch.cat(parts) if parts else torch.empty(0)


def score_forecast(view, data, splits: dict, name: str, batch_size: int = 1024):
    """(metrics, series) of the forecast on split ``name`` of ``data`` (a PreparedData with
    baselines), or ({}, {}) for other data. ``series``: the targets, the forecast and the
    baselines as lists per window, and each window's last target time ("times"), for a
    predicted-vs-actual plot."""
    baselines = getattr(data, "baselines", None) or {}
    placed = splits.get(name)
    if name not in baselines or placed is None:
        return {}, {}
    predicted = predict_outputs(view, placed[0], batch_size).cpu()
    actual = getattr(data, name).y.float()
    train = baselines.get("train", {})
    metrics = forecast_metrics(
        predicted, actual, baselines[name], data.train.y.float(), train.get("naive")
    )
    series = {
        "actual": actual.reshape(len(actual), -1).tolist(),
        "predicted": predicted.reshape(len(predicted), -1).tolist(),
        **{k: v.reshape(len(v), -1).tolist() for k, v in baselines[name].items()},
    }
    times = (getattr(data, "target_times", None) or {}).get(name)
    if times and len(times) == len(actual):
        series["times"] = list(times)
    return metrics, series
