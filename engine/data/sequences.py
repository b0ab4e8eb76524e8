"""Sequences to classify: the UCR/sktime ``.ts`` format and UCR's 2018 TSV layout -> ``Dataset``
of (N, channels, length) float32 series and one class label each.

``.ts``: ``#`` comment lines, ``@`` header lines (``@problemName``, ``@univariate``,
``@dimensions``, ``@equalLength``, ``@seriesLength``, ``@classLabel true A B``, ``@data``), then
one series per line: channels separated by ``:``, values by ``,``, the class label last. UCR TSV:
one series per row, the class first, tab-separated, no header; unequal series end in empty/NaN
cells. ``?`` and ``NaN`` are missing values.

Unequal lengths (and missing values) are padded, never resampled: every series is padded at its
END with 0, and a mask channel is appended as the LAST channel (1 on a real step, 0 on padding).
So the model sees (N, channels + 1, length); ``lengths = x[:, -1].sum(-1)`` gives each series'
length (for ``pack_padded_sequence``); a forward RNN's state at step ``length - 1`` never sees
padding, and ``Preprocessing`` (kind "sequence") computes its statistics over real steps only and
keeps padded steps at exactly 0, so padding changes neither the statistics nor what a masked model
answers. Equal-length series without missing values get no mask channel.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from ..safe_io import decode_utf8, read_bytes_capped
from .errors import DataError
from .info import Dataset, encode_target, make_info
from .limits import check_allocation, memory_budget

MISSING_TEXTS = {"?", "nan", "NaN", "NA", ""}
_TS_FLAGS = ("univariate", "equallength", "missing", "timestamps", "classlabel", "targetlabel")


def _lines(path: Path) -> list[str]:
    """The file's lines (UTF-8, size-capped: a series file is read whole)."""
    data = read_bytes_capped(path, memory_budget() // 4, DataError, "sequence file")
    return decode_utf8(data, str(path), DataError).splitlines()


def _values(text: str, path: Path, line: int, column: int) -> np.ndarray:
    """Comma-separated numbers (``?`` missing); a bad one is named by line and column."""
    parts = text.split(",")
    try:
        values = np.array([np.nan if p.strip() in MISSING_TEXTS else p for p in parts], dtype=float)
        if np.isfinite(values[~np.isnan(values)]).all():
            return values
    except ValueError:
        pass
    col = column
    for part in parts:
        try:
            if part.strip() not in MISSING_TEXTS and not np.isfinite(float(part)):
                raise ValueError  # an infinity would train the model into NaN
        except ValueError:
            raise DataError(
                f"'{part.strip()}' is not a finite number", path=path, line=line, column=col
            ) from None
        col += len(part) + 1
    raise AssertionError("unreachable")  # pragma: no cover


def _header(line: str, lineno: int, path: Path, header: dict) -> None:
    """One ``@key value...`` line into ``header`` (flags as bools, the rest as words)."""
    key, *words = line[1:].split() or [""]
    key = key.lower()
    if key in _TS_FLAGS:
        if not words or words[0].lower() not in ("true", "false"):
            raise DataError(f"@{key} must be true or false", path=path, line=lineno, column=1)
        header[key] = words[0].lower() == "true"
        if key == "classlabel":
            header["labels"] = words[1:]
    elif key in ("serieslength", "dimensions"):
        if not words or not words[0].isdigit():
            raise DataError(f"@{key} must be a whole number", path=path, line=lineno, column=1)
        header[key] = int(words[0])
    else:
        header[key] = " ".join(words)


def read_ts(path: Path) -> tuple[list[list[np.ndarray]], list[str], dict, list[str]]:
    """(series: per sample a list of channel arrays, labels, header, report) from a ``.ts`` file."""
    header: dict = {}
    series: list[list[np.ndarray]] = []
    labels: list[str] = []
    in_data = False
    for lineno, raw in enumerate(_lines(path), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if not in_data:
            if not line.startswith("@"):
                raise DataError(
                    "expected an @ header line or @data before the series",
                    path=path,
                    line=lineno,
                    column=1,
                )
            if line.lower().startswith("@data"):
                in_data = True
            else:
                _header(line, lineno, path, header)
            continue
        series.append(_ts_row(raw, lineno, path, header, labels))
    if not in_data:
        raise DataError("no @data line: not a .ts file", path=path)
    if header.get("timestamps"):
        raise DataError(
            "@timeStamps true (values as (time,value) pairs) is not supported", path=path
        )
    if not series:
        raise DataError("the file has no series after @data", path=path)
    return series, labels, header, [f"read {len(series)} series from {path.name} (.ts format)"]


def _ts_row(raw: str, lineno: int, path: Path, header: dict, labels: list[str]) -> list:
    has_label = header.get("classlabel", header.get("targetlabel", False))
    parts = raw.rstrip().split(":")
    if has_label:
        if len(parts) < 2:
            raise DataError(
                "a series needs its class label after the last ':'",
                path=path,
                line=lineno,
                column=len(raw.rstrip()) + 1,
            )
        label = parts.pop().strip()
        declared = header.get("labels") or []
        if declared and label not in declared:
            column = len(raw.rstrip()) - len(label) + 1
            raise DataError(
                f"class label '{label}' is not among those @classLabel declares "
                f"({', '.join(declared)})",
                path=path,
                line=lineno,
                column=column,
            )
        labels.append(label)
    dims = header.get("dimensions") or (1 if header.get("univariate") else None)
    if dims is not None and len(parts) != dims:
        raise DataError(
            f"{len(parts)} channel(s) where the header says {dims}",
            path=path,
            line=lineno,
            column=1,
        )
    channels, column = [], 1
    for part in parts:
        channels.append(_values(part, path, lineno, column))
        column += len(part) + 1
    length = header.get("serieslength")
    if header.get("equallength") and length and any(len(c) != length for c in channels):
        raise DataError(
            f"{max(len(c) for c in channels)} values where @seriesLength says {length}",
            path=path,
            line=lineno,
            column=1,
        )
    return channels


def read_ucr_tsv(path: Path) -> tuple[list[list[np.ndarray]], list[str], dict, list[str]]:
    """(series, labels, {}, report) from UCR's TSV layout: class first, then the values."""
    series, labels = [], []
    for lineno, raw in enumerate(_lines(path), start=1):
        if not raw.strip():
            continue
        label, _, rest = raw.rstrip("\r\n").partition("\t")
        if not rest.strip():
            raise DataError(
                "a row needs the class, a tab, then the values (UCR layout)",
                path=path,
                line=lineno,
                column=len(raw) + 1,
            )
        values = _values(rest.replace("\t", ","), path, lineno, len(label) + 2)
        # UCR pads unequal series with NaN at the end: those are not part of the series.
        real = np.flatnonzero(~np.isnan(values))
        values = values[: real[-1] + 1] if len(real) else values[:0]
        series.append([values])
        labels.append(label.strip())
    if not series:
        raise DataError("the file holds no series", path=path)
    return series, labels, {}, [f"read {len(series)} series from {path.name} (UCR TSV layout)"]


def pad_series(series: list[list[np.ndarray]], length: int | None = None) -> np.ndarray:
    """(N, channels [+ 1 mask], length) float32: padded at the end with 0, a mask channel last
    when any series is shorter than ``length`` or has a missing value."""
    n, c = len(series), len(series[0])
    longest = max(len(ch) for s in series for ch in s)
    length = max(longest, length or 0)
    ragged = any(len(ch) != length for s in series for ch in s)
    missing = any(np.isnan(ch).any() for s in series for ch in s)
    masked = ragged or missing
    check_allocation(n * (c + masked) * length * 4, f"{n} series of length {length}")
    out = np.zeros((n, c + masked, length), dtype=np.float32)
    if masked:
        out[:, c] = 1.0
    for i, channels in enumerate(series):
        for j, values in enumerate(channels):
            out[i, j, : len(values)] = np.nan_to_num(values, nan=0.0)
            if masked:
                out[i, c, len(values) :] = 0.0
                out[i, c, : len(values)] *= ~np.isnan(values)
    return out


def load_sequences(
    path: str | Path,
    *,
    layout: str,
    task: str | None = None,
    class_names: list[str] | None = None,
    length: int | None = None,
) -> Dataset:
    """A ``.ts`` file (layout "ts") or UCR TSV file (layout "ucr") as (N, C, L) series + labels.

    ``class_names`` (a model's, or the training file's for a test file) numbers the labels by them;
    ``length`` pads to at least that many steps (a test file matching its training file)."""
    path = Path(path)
    reader = read_ts if layout == "ts" else read_ucr_tsv
    series, labels, header, report = reader(path)
    return series_dataset(series, labels, path, header, report, task, class_names, length)


def series_dataset(
    series: list[list[np.ndarray]],
    labels: list[str],
    path: Path,
    header: dict,
    report: list[str],
    task: str | None,
    class_names: list[str] | None,
    length: int | None,
) -> Dataset:
    """Series read by any reader (per sample a list of channel arrays) and their labels as a
    padded, masked (N, C [+ mask], L) ``Dataset`` (see the module docstring)."""
    widths = {len(s) for s in series}
    if len(widths) != 1:
        raise DataError(
            f"the series have different numbers of channels ({sorted(widths)})", path=path
        )
    if not labels:
        raise DataError("the series have no class labels (@classLabel false)", path=path)
    if header.get("targetlabel") and task is None:
        task = "regression"
    declared = class_names or header.get("labels") or None
    y, task, names = encode_target(
        np.array(labels, dtype=object), task=task, where=str(path), class_names=declared
    )
    x = torch.from_numpy(pad_series(series, length))
    c = len(series[0])
    masked = x.shape[1] > c
    lengths = [max(len(ch) for ch in s) for s in series]
    report.append(
        f"{len(series)} series, {c} channel(s), length {min(lengths)}"
        + (f"-{max(lengths)}" if min(lengths) != max(lengths) else "")
        + (", padded at the end; mask channel last (1 = real step)" if masked else "")
    )
    feature_names = [f"channel{j + 1}" for j in range(c)] + (["mask"] if masked else [])
    info = make_info(
        x,
        y,
        task=task,
        class_names=names,
        source=str(path),
        feature_names=feature_names,
        is_sequence=True,
    )
    return Dataset(x=x, y=y, info=info, report=report)


def repad(ds: Dataset, length: int, mask: bool) -> Dataset:
    """``ds`` padded to ``length`` steps, with a mask channel when ``mask`` (train and test files
    must give the model the same shape)."""
    x = ds.x
    has_mask = ds.info.feature_names[-1:] == ["mask"]
    if not has_mask and (mask or x.shape[2] < length):
        x = torch.cat([x, torch.ones_like(x[:, :1])], dim=1)
    if x.shape[2] < length:
        x = torch.nn.functional.pad(x, (0, length - x.shape[2]))
    if x is ds.x:
        return ds
    names = [n for n in ds.info.feature_names if n != "mask"] + ["mask"]
    info = make_info(
        x,
        ds.y,
        task=ds.info.task,
        class_names=ds.info.class_names,
        source=ds.info.source,
        feature_names=names,
        is_sequence=True,
    )
    return Dataset(x=x, y=ds.y, info=info, report=ds.report)
