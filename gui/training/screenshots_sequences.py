"""The sequence and text pictures for the README: forecast-results.png (lstm-forecast trained on the
airline passengers through the dock, its forecast against the last 24 months with the naive and
seasonal-naive forecasts), try-forecast.png (the same model's Try it: a forecast from 1957-12
fed back in for two years, over the actual values) and try-sentence.png (text-sentiment trained on the drug reviews, a
typed sentence and its class bars). Real runs on the packaged data sets."""

from __future__ import annotations

from pathlib import Path

from .screenshots import _dock, _grab_view, _train, _wait


def forecast_results(folder: Path, work: Path) -> list[Path]:
    dock = _dock("lstm-forecast", checkpoint=True)
    dock._run_dir = lambda: work / "forecast-run"
    _train(dock)
    results = _grab_view(dock, dock.results_view, folder / "forecast-results.png")
    _wait(lambda: dock.try_view.model is not None)
    panel = dock.try_view.series
    panel.start.setValue(108)  # from 1958-01 on: two years the model has to roll forward
    panel.steps.setValue(24)
    return [results, _grab_view(dock, dock.try_view, folder / "try-forecast.png")]


def try_sentence(folder: Path, work: Path) -> Path:
    dock = _dock("text-sentiment", checkpoint=True)
    dock._run_dir = lambda: work / "text-run"
    _train(dock)
    _wait(lambda: dock.try_view.model is not None)
    dock.try_view.row.setText("This medicine gave me terrible headaches and I could not sleep")
    dock.try_view.predict_row()
    return _grab_view(dock, dock.try_view, folder / "try-sentence.png")
