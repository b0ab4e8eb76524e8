"""Series to classify laid out as a table (a CSV/TSV with a header) -> the same padded, masked
``Dataset`` as the ``.ts`` and UCR readers (sequences.py).

- ``layout: wide``: one row a series, its values in the columns left to right, the label in the
  ``target`` column (default the last); ``ignore`` names columns that are neither (an id). A row
  whose last cells are empty is a shorter series (padded and masked, never resampled).
- ``layout: long``: one row a time step: a series ``id`` column (default the first), an optional
  ``time`` column (numbers or dates) by which each series' rows are sorted (a time given twice in
  a series is refused; without it the file's order counts), channel columns (``inputs``, default
  every other column) and the label (``target``, default the last column), which must be the same
  on every row of a series. Series keep the order in which their ids first appear.

Every refusal names the file, line and column (a value that is not a number, a label that changes
inside a series, a time that goes back).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .config import DataConfig
from .errors import DataError
from .forecast import numeric_column, time_values
from .info import Dataset
from .sequences import series_dataset
from .settings import check_layout_params
from .tabular import _target_column, read_table

_FILE_PARAMS = {"layout", "delimiter", "header", "encoding"}
WIDE_PARAMS = _FILE_PARAMS | {"ignore"}
LONG_PARAMS = _FILE_PARAMS | {"id", "time", "inputs", "ignore"}


def load_sequence_table(path: Path, cfg: DataConfig, class_names: list[str] | None) -> Dataset:
    """The series of a wide or long file (``cfg.params["layout"]``) with their labels."""
    layout = cfg.params["layout"]
    allowed = WIDE_PARAMS if layout == "wide" else LONG_PARAMS
    params = check_layout_params(cfg.params, allowed, layout, path)
    table = read_table(path, params, "a sequence table needs a header row, values and a label")
    frame = table.frame
    frame.columns = [str(c) for c in frame.columns]
    line_of = table.line_finder(path)
    read = _wide_series if layout == "wide" else _long_series
    series, labels, report = read(frame, params, cfg.target, path, line_of)
    return series_dataset(series, labels, path, {}, report, cfg.task, class_names, None)


def _label_column(frame: pd.DataFrame, target, path: Path, line_of) -> tuple[str, list[str]]:
    """The label column's name and its values as text; an empty label is named by line."""
    columns = list(frame.columns)
    name = _target_column(columns, target, path)
    values = frame[name]
    empty = values.isna().to_numpy() | (values.astype(str).str.strip() == "").to_numpy()
    if empty.any():
        row = int(np.flatnonzero(empty)[0])
        raise DataError(
            "the label is empty",
            path=path,
            line=line_of(row),
            column=columns.index(name) + 1,
            column_name=name,
        )
    return name, [_label_text(v) for v in values]


def _label_text(value) -> str:
    """A label as text; 1.0 read by pandas from a column of whole numbers reads "1"."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _ignored(columns: list[str], params: dict, path: Path) -> set[str]:
    return {_target_column(columns, c, path) for c in params.get("ignore") or []}


def _wide_series(frame: pd.DataFrame, params: dict, target, path: Path, line_of):
    columns = list(frame.columns)
    label, labels = _label_column(frame, target, path, line_of)
    steps = [c for c in columns if c != label and c not in _ignored(columns, params, path)]
    if not steps:
        raise DataError("no value columns are left besides the label", path=path)
    try:
        values = np.stack([numeric_column(frame, c, columns, path, line_of) for c in steps], 1)
    except DataError as error:
        raise DataError(
            f"{error.message} (a wide file holds one series a row; name columns that are not "
            "values, such as an id, in 'ignored columns')",
            path=path,
            line=error.line,
            column=error.column,
            column_name=error.column_name,
        ) from None
    series = []
    for row, row_values in enumerate(values):
        real = np.flatnonzero(~np.isnan(row_values))
        if not len(real):
            raise DataError("the row holds no values", path=path, line=line_of(row))
        series.append([row_values[: real[-1] + 1]])  # empty cells at the end: a shorter series
    report = [f"read {len(series)} series of {path.name} (wide: one a row, label '{label}')"]
    return series, labels, report


def _long_series(frame: pd.DataFrame, params: dict, target, path: Path, line_of):
    columns = list(frame.columns)
    label, labels = _label_column(frame, target, path, line_of)
    id_col = _target_column(columns, 0 if params.get("id") is None else params["id"], path)
    time_col = None if params.get("time") is None else _target_column(columns, params["time"], path)
    used = {label, id_col, time_col} | _ignored(columns, params, path)
    inputs = [_target_column(columns, c, path) for c in params.get("inputs") or []]
    inputs = inputs or [c for c in columns if c not in used]
    if not inputs:
        raise DataError("no channel columns are left besides the id, time and label", path=path)
    clash = [c for c in inputs if c in (label, id_col, time_col)]
    if clash:
        raise DataError(f"'{clash[0]}' cannot be both a channel and the id/time/label", path=path)
    values = np.stack([numeric_column(frame, c, columns, path, line_of) for c in inputs], 1)
    ids = frame[id_col].astype(str).str.strip().to_numpy()
    series, series_labels = [], []
    for rows in pd.Series(range(len(ids))).groupby(ids, sort=False).indices.values():
        rows = np.sort(rows)
        if time_col is not None:
            rows = _in_time_order(frame[time_col], rows, path, line_of, columns.index(time_col))
        series_labels.append(_one_label(rows, labels, path, line_of, columns.index(label) + 1))
        series.append([values[rows, j] for j in range(len(inputs))])
    report = [
        f"read {len(series)} series of {path.name} (long: id '{id_col}'"
        + (f", time '{time_col}'" if time_col else ", in file order")
        + f", channels {', '.join(inputs)}, label '{label}')"
    ]
    return series, series_labels, report


def _in_time_order(times: pd.Series, rows: np.ndarray, path: Path, line_of, index: int):
    """A series' rows sorted by their times (a stable sort); a time given twice is refused."""
    text, values = time_values(
        times.iloc[rows].reset_index(drop=True),
        path,
        index + 1,
        str(times.name),
        lambda r: line_of(int(rows[r])),
    )
    order = np.argsort(values, kind="stable")
    same = np.flatnonzero(values[order][1:] == values[order][:-1])
    if len(same):
        first, again = order[same[0]], order[same[0] + 1]
        raise DataError(
            f"time '{text.iloc[again]}' comes twice in this series (also on line "
            f"{line_of(int(rows[first]))})",
            path=path,
            line=line_of(int(rows[again])),
            column=index + 1,
        )
    return rows[order]


def _one_label(rows: np.ndarray, labels: list[str], path: Path, line_of, column: int) -> str:
    """The label of a series' rows, which must agree; the first row that differs is named."""
    first = labels[rows[0]]
    for row in rows[1:]:
        if labels[row] != first:
            raise DataError(
                f"label '{labels[row]}' differs from '{first}' on this series' first row "
                f"(line {line_of(int(rows[0]))}): a series has one label",
                path=path,
                line=line_of(int(row)),
                column=column,
            )
    return first
