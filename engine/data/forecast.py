"""A time series to forecast: a CSV/TSV with a time column and value columns -> sliding windows.

``params``: ``layout: series``, ``time`` (default the first column), ``inputs`` (default every
other column), ``targets`` (default the last column), ``window``, ``horizon``, ``horizon_mode``
("step": the value ``horizon`` steps after the window, many-to-one; "window": all the next
``horizon`` steps, many-to-many), ``stride``, ``fill`` (drop_window / ffill / interpolate) and
``season`` (steps; default from the dates' spacing).

A sample is ``x`` (inputs, window) float32, channels first like every sequence here, and ``y``
the target value(s): (N,) for one target and one step, else (N, steps * targets), time-major.
``Dataset.time_spans`` holds each window's [first step, end) (its targets included), so
``time_split`` cuts the series by time, in order: training windows end before the first cut,
validation windows lie between the cuts, test windows after; a window that straddles a cut is
dropped, never shuffled across it. Scaling statistics then come from the training windows only
(``prepare``). Targets stay in the file's units (as for every regression table here).
``Dataset.baselines`` holds each window's naive and seasonal-naive forecasts of its targets (the
forecasts a model must beat; training/forecast_metrics.py scores them).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from .config import DataConfig
from .errors import DataError
from .info import Dataset, make_info
from .limits import check_allocation
from .settings import check_layout_params
from .tabular import _target_column, read_table

SERIES_PARAMS = {"layout", "delimiter", "header", "encoding", "time", "inputs", "targets"} | {
    "window",
    "horizon",
    "horizon_mode",
    "stride",
    "fill",
    "season",
}
_FORMATS = ((r"\d{4}-\d{1,2}", "%Y-%m"), (r"\d{8}", "%Y%m%d"))


@dataclass
class SeriesTable:
    """A series file read and filled, before windowing: ``frame`` holds the value columns (input
    and target columns, missing values filled as ``params["fill"]`` says), one row per time."""

    times: list[str]
    frame: pd.DataFrame
    inputs: list[str]
    targets: list[str]
    params: dict
    report: list[str]


def series_of(cfg: DataConfig) -> SeriesTable:
    """The series a data section names (a file, or a packaged set such as airline), read again
    (Try it, the data pane's plot of the whole series)."""
    from .config import PACKAGED_NAMES, canonical_name, packaged_path

    if cfg.params.get("layout") != "series":
        raise DataError("the data is not a time series to forecast (layout series)")
    name = canonical_name(cfg.source)
    path = packaged_path(name) if name in PACKAGED_NAMES else Path(cfg.source).expanduser()
    if not path.is_file():
        raise DataError("the series file is not there any more", path=path)
    return read_series(path, cfg)


def load_series(path: Path, cfg: DataConfig) -> Dataset:
    """Windows of the series in ``path`` (see the module docstring)."""
    table = read_series(path, cfg)
    return _windows(
        table.frame, table.inputs, table.targets, table.times, table.params, path, table.report
    )


def read_series(path: Path, cfg: DataConfig) -> SeriesTable:
    """The series in ``path``: its times and (filled) input and target columns."""
    p = check_layout_params(cfg.params, SERIES_PARAMS, "series", path)
    table = read_table(path, p, "a series needs a time column and values")
    df = table.frame
    columns = [str(c) for c in df.columns]
    df.columns = columns
    line_of = table.line_finder(path)
    tcol = _target_column(columns, 0 if p.get("time") is None else p["time"], path)
    times = parse_times(df[tcol], path, columns.index(tcol) + 1, tcol, line_of)
    inputs = [_target_column(columns, c, path) for c in p.get("inputs") or []]
    inputs = inputs or [c for c in columns if c != tcol]
    targets = [_target_column(columns, c, path) for c in p.get("targets") or []] or [columns[-1]]
    if tcol in inputs + targets:
        raise DataError(f"the time column '{tcol}' cannot also be a value column", path=path)
    report = [f"read {len(df)} steps of {path.name}: time '{tcol}', inputs {', '.join(inputs)}"]
    values = {
        c: numeric_column(df, c, columns, path, line_of) for c in dict.fromkeys(inputs + targets)
    }
    frame = _fill(pd.DataFrame(values), p.get("fill", "drop_window"), times, line_of, report)
    return SeriesTable(times, frame, inputs, targets, p, report)


def parse_times(s: pd.Series, path: Path, column: int, name: str, line_of) -> list[str]:
    """The time column as text for axes, checked: dates (YYYY-MM, YYYYMMDD, ISO) or numbers
    (years, steps), strictly increasing; a value that does not parse is named by line/column."""
    text, order = time_values(s, path, column, name, line_of)
    back = np.flatnonzero(order[1:] <= order[:-1])
    if len(back):
        row = int(back[0]) + 1
        raise DataError(
            f"time '{text.iloc[row]}' does not come after '{text.iloc[row - 1]}': the rows must "
            "be in time order",
            path=path,
            line=line_of(row),
            column=column,
            column_name=name,
        )
    return list(text)


def time_values(s: pd.Series, path: Path, column: int, name: str, line_of):
    """(the times as stripped text, as comparable values): dates in the format of the first one
    (YYYY-MM, YYYYMMDD, ISO) or numbers; a value that does not parse is named by line/column."""
    text = s.astype(str).str.strip()
    first = text.iloc[0] if len(text) else ""
    fmt = next((f for pattern, f in _FORMATS if re.fullmatch(pattern, first)), None)
    if fmt is None and pd.to_numeric(pd.Series([first]), errors="coerce").notna().all():
        parsed = pd.to_numeric(text, errors="coerce")
        what = "a number"
    else:
        parsed = pd.to_datetime(text, format=fmt or "ISO8601", errors="coerce")
        what = f"a date ({fmt.replace('%', '') if fmt else 'ISO, such as 1958-03-29'})"
    bad = parsed.isna().to_numpy()
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise DataError(
            f"'{text.iloc[row]}' is not {what} like the time column's first value '{first}'",
            path=path,
            line=line_of(row),
            column=column,
            column_name=name,
        )
    return text, parsed.to_numpy()


def numeric_column(
    df: pd.DataFrame, col: str, columns: list[str], path: Path, line_of
) -> np.ndarray:
    """Column ``col`` as floats (empty cells NaN); text or an infinity is named by line/column."""
    s = df[col]
    as_num = pd.to_numeric(s, errors="coerce")
    bad = (s.notna() & as_num.isna()).to_numpy()
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise DataError(
            f"'{s.iloc[row]}' is not a number",
            path=path,
            line=line_of(row),
            column=columns.index(col) + 1,
            column_name=col,
        )
    out = as_num.to_numpy(dtype=float)
    if np.isinf(out).any():
        row = int(np.flatnonzero(np.isinf(out))[0])
        raise DataError(
            "not a finite number", path=path, line=line_of(row), column=columns.index(col) + 1
        )
    return out


def _fill(frame: pd.DataFrame, how: str, times: list[str], line_of, report) -> pd.DataFrame:
    """Report each column's missing values (how many, the first few times and the first line),
    then fill them forward or by linear interpolation; "drop_window" leaves them (NaN)."""
    for col in frame.columns:
        gaps = np.flatnonzero(frame[col].isna().to_numpy())
        if len(gaps):
            shown = ", ".join(times[i] for i in gaps[:5]) + (" ..." if len(gaps) > 5 else "")
            report.append(
                f"{len(gaps)} missing value(s) in '{col}' at {shown} (first on line "
                f"{line_of(int(gaps[0]))})"
            )
    if how == "ffill":
        frame = frame.ffill()
    elif how == "interpolate":
        frame = frame.interpolate(method="linear", limit_area="inside")
    if how != "drop_window" and frame.isna().any().any():
        report.append(f"{how}: missing values at the start or end are left; their windows dropped")
    return frame


def _windows(frame, inputs, targets, times, p, path: Path, report: list[str]) -> Dataset:
    window, horizon, stride = (
        int(p.get("window", 12)),
        int(p.get("horizon", 1)),
        int(p.get("stride", 1)),
    )
    whole = p.get("horizon_mode", "step") == "window"
    steps = len(frame)
    span = window + horizon
    starts = np.arange(0, max(steps - span + 1, 0), stride)
    if len(starts) == 0:
        raise DataError(
            f"{steps} steps are too few for a window of {window} plus a horizon of {horizon}",
            path=path,
        )
    v_in = frame[inputs].to_numpy(dtype=np.float32)
    v_out = frame[targets].to_numpy(dtype=np.float32)
    check_allocation(len(starts) * window * len(inputs) * 4, f"{len(starts)} windows", path)
    x = np.stack([v_in[s : s + window].T for s in starts])
    if whole:
        y = np.stack([v_out[s + window : s + span].reshape(-1) for s in starts])
    else:
        y = np.stack([v_out[s + span - 1] for s in starts])
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    ok = ~np.isnan(x).any(axis=(1, 2)) & ~np.isnan(y.reshape(len(y), -1)).any(axis=1)
    if not ok.all():
        report.append(f"dropped {int((~ok).sum())} window(s) holding a missing value")
    if not ok.any():
        raise DataError(
            "every window holds a missing value; fill them (ffill, interpolate)", path=path
        )
    spans = np.stack([starts, starts + span], axis=1)[ok]
    season = p.get("season") or guess_season(times)
    xt, yt = torch.from_numpy(np.ascontiguousarray(x[ok])), torch.from_numpy(y[ok])
    report.append(
        f"{len(xt)} windows of {window} step(s) -> "
        + (f"the next {horizon} step(s)" if whole else f"the value {horizon} step(s) ahead")
        + f" of {', '.join(targets)}, stride {stride}"
    )
    info = make_info(
        xt,
        yt,
        task="regression",
        class_names=[],
        source=str(path),
        feature_names=inputs,
        is_sequence=True,
    )
    ds = Dataset(x=xt, y=yt, info=info, report=report)
    ds.time_spans = torch.from_numpy(spans.astype(np.int64))
    ds.times = times
    ds.baselines = baselines(v_out, starts[ok], window, horizon, whole, season, yt.shape)
    ds.season = season
    return ds


def baselines(v_out, starts, window: int, horizon: int, whole: bool, season, shape) -> dict:
    """Each window's naive forecast (the last target value inside the window, for every step
    ahead) and seasonal-naive forecast (the value a whole number of seasons before each target
    step, the nearest one not after the window; NaN where the series does not reach back)."""
    ahead = np.arange(1, horizon + 1) if whole else np.array([horizon])
    last = starts + window - 1
    naive = np.repeat(v_out[last][:, None, :], len(ahead), axis=1)  # (N, steps, targets)
    out = {"naive": torch.from_numpy(naive.reshape(shape).astype(np.float32))}
    if season:
        back = season * np.ceil(ahead / season).astype(np.int64)  # >= each step ahead
        index = last[:, None] + ahead[None, :] - back[None, :]  # (N, steps)
        seasonal = np.where((index >= 0)[..., None], v_out[np.clip(index, 0, None)], np.nan).astype(
            np.float32
        )
        out["seasonal"] = torch.from_numpy(seasonal.reshape(shape))
    return out


def guess_season(times: list[str]) -> int | None:
    """Steps per season from the time column: 12 for months (YYYY-MM, or dates about 30 days
    apart), 52 for weeks, 7 for days, 4 for quarters; None for plain numbers (years, steps)."""
    if len(times) < 2 or re.fullmatch(r"-?\d+(\.\d*)?", times[0]) and len(times[0]) != 8:
        return None
    if re.fullmatch(r"\d{4}-\d{1,2}", times[0]):
        return 12
    fmt = "%Y%m%d" if re.fullmatch(r"\d{8}", times[0]) else "ISO8601"
    parsed = pd.to_datetime(pd.Series(times), format=fmt, errors="coerce").dropna()
    if len(parsed) < 2:
        return None
    days = float(np.median(np.diff(parsed.to_numpy()).astype("timedelta64[h]").astype(float))) / 24
    for low, high, steps in ((0.9, 1.1, 7), (6, 8, 52), (27, 32, 12), (88, 93, 4)):
        if low <= days <= high:
            return steps
    return None


def time_split(ds: Dataset, fractions: tuple[float, float, float]):
    """(train, val, test) window indices, in time order: cuts at the fractions of the series'
    steps; a window belongs to the part that holds all of it (inputs and targets)."""
    spans = ds.time_spans.numpy()
    steps = int(spans[:, 1].max())
    cut1 = int(round(steps * fractions[0]))
    cut2 = cut1 + int(round(steps * fractions[1]))
    start, end = spans[:, 0], spans[:, 1]
    train = np.flatnonzero(end <= cut1)
    val = np.flatnonzero((start >= cut1) & (end <= cut2))
    test = np.flatnonzero(start >= cut2) if fractions[2] > 0 else np.array([], dtype=np.int64)
    if len(train) == 0:
        raise DataError(
            f"no window fits in the training part (the first {cut1} of {steps} steps); use a "
            "shorter window or horizon, or a larger training fraction",
            path=ds.info.source,
        )
    dropped = len(spans) - len(train) - len(val) - len(test)
    return train, val, test, cut1, cut2, dropped
