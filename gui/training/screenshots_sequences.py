"""The sequence and text pictures for the README: forecast-results.png (lstm-forecast trained on the
airline passengers through the dock, its forecast against the last 24 months with the naive and
seasonal-naive forecasts), try-forecast.png (the same model's Try it: a forecast from 1957-12
fed back in for two years, over the actual values) and try-sentence.png (text-sentiment trained on the drug reviews, a
typed sentence and its class bars); data-sequences.png (the Data pane on the airline series with
its split cuts, on GunPoint's series per class and on the drug reviews' tokenisation). Real runs
on the packaged data sets."""

from __future__ import annotations

from pathlib import Path

from .screenshots import SIZE, _dock, _grab_view, _train, _wait

PANE_SOURCES = (  # template, what its Data pane shows
    "lstm-forecast",
    "gru-sequence-classifier",
    "text-sentiment",
)


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


def data_sequences(folder: Path) -> Path:
    """Three Data panes side by side, each after Load data."""
    from neurocanvas.engine.templates import load_template
    from PySide6.QtWidgets import QHBoxLayout, QWidget

    from ..document import Document
    from .data_panel import DataPanel

    row = QWidget()
    layout = QHBoxLayout(row)
    panels = [DataPanel(Document(load_template(name))) for name in PANE_SOURCES]
    for panel in panels:
        layout.addWidget(panel)
    row.resize(SIZE[0], SIZE[1] - 100)
    row.show()
    for panel in panels:
        panel.load()
        _wait(lambda panel=panel: panel.result is not None and panel.task is None)
    path = folder / "data-sequences.png"
    row.grab().save(str(path))
    row.close()
    return path
