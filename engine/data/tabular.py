"""CSV/TSV files -> ``Dataset``: delimiter and header detection, type checks, missing values,
categorical encoding and target encoding, with errors that name the file, line and column.

pandas does the parsing (fast C reader); the Python ``csv`` module is used only on small samples
(sniffing) and, on the error path, to find the file line of a bad record.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch

from .csv_lines import LineFinder, check_short_rows
from .errors import DataError
from .info import Dataset, encode_target, make_info
from .settings import check_params
from .table_columns import (
    as_category_text,
    column_kind,
    encode_features,
    handle_missing,
    refuse_infinities,
)
from .table_rows import NA_TEXTS, table_schema

# Cell texts that mean "missing" in addition to pandas' defaults ("", "NA", "NaN", "null", ...);
# "?" is the UCI repository's convention.
EXTRA_NA = ["?", "-", "--", "none", "None", "missing"]
_NA_TEXTS = NA_TEXTS
_CANDIDATE_DELIMITERS = [",", ";", "\t", "|"]
_SAMPLE_BYTES = 64 * 1024
PREVIEW_ROWS = 20
_MAX_LINE_BYTES = 1 << 20  # a first line this long (250,000+ columns) is not a table anyone made
CSV_PARAMS = {"delimiter", "header", "encoding", "max_onehot", "ignore", "categorical", "layout"}


def load_csv(
    path: str | Path,
    *,
    target: str | int | None = None,
    task: str | None = None,
    missing: str = "drop",
    params: dict[str, Any] | None = None,
    class_names: list[str] | None = None,
) -> Dataset:
    """Read a delimited text file into features ``x`` (float32) and a target ``y``.

    ``missing`` "drop" drops rows with a missing feature cell; "mean", "median" and "most_frequent"
    leave those cells NaN and record them in ``Dataset.fill``: ``prepare`` fills them with values
    computed from the training split only. ``class_names`` (a trained model's classes) numbers the
    labels by those names (see ``encode_target``).

    params: ``delimiter`` (default: detected), ``header`` (True/False, default: detected),
    ``encoding`` (default utf-8, latin-1 fallback), ``max_onehot`` (categorical columns with at most
    this many values are one-hot encoded, others get ordinal codes; default 10), ``ignore`` (columns
    to leave out, e.g. an ID column), ``categorical`` (columns encoded as categories even where
    they hold numbers).
    """
    path = Path(path)
    params = dict(params or {})
    unknown = set(params) - CSV_PARAMS
    if unknown:
        raise DataError(
            f"unknown CSV setting(s) {', '.join(sorted(unknown))}; known: {', '.join(sorted(CSV_PARAMS))}",
            path=path,
        )
    params = check_params("csv", params)
    report: list[str] = []
    table = read_table(path, params, "a CSV needs rows of features and a target")
    df, header = table.frame, table.header
    report.append(
        f"read {path.name} as {_delimiter_name(table.delimiter)}-separated, "
        f"{'with' if header else 'without'} a header row"
    )
    if len(df) == 0:
        raise DataError("the file has a header row but no data rows", path=path)
    check_short_rows(df, path, table.delimiter, header, table.encoding)
    # Columns with no value at all (e.g. from a trailing delimiter on every line) carry nothing.
    empty_cols = [c for c in df.columns if df[c].isna().all()]
    _refuse_empty_target(df, empty_cols, target, header, path)
    if empty_cols and len(empty_cols) < len(df.columns):
        df = df.drop(columns=empty_cols)
        report.append(
            f"dropped {len(empty_cols)} empty column(s): {', '.join(map(str, empty_cols))}"
        )
    columns = [str(c) for c in df.columns]
    df.columns = columns
    preview_rows = df.head(PREVIEW_ROWS).astype(object).where(df.head(PREVIEW_ROWS).notna(), "")
    preview = [[str(v) for v in row] for row in preview_rows.itertuples(index=False)]

    tcol = _target_column(columns, target, path)
    ignore = [_target_column(columns, c, path) for c in params.get("ignore", [])]
    if tcol in ignore:
        raise DataError(f"column '{tcol}' is both the target and ignored", path=path)
    features = [c for c in columns if c != tcol and c not in ignore]
    if not features:
        raise DataError(
            f"no feature columns: the file has only the target column '{tcol}' (check the delimiter)",
            path=path,
        )
    if ignore:
        report.append(f"ignored column(s) {', '.join(ignore)}")

    line_of = table.line_finder(path)
    chosen = {_target_column(columns, c, path) for c in params.get("categorical", [])}
    kinds = {
        c: "categorical" if c in chosen else column_kind(df, c, columns.index(c) + 1, path, line_of)
        for c in features
    }
    for c in chosen & set(features):
        df[c] = as_category_text(df[c])
    for c in features:
        if kinds[c] == "numeric" and df[c].dtype == object:
            df[c] = pd.to_numeric(df[c])
    numeric = [c for c in features if kinds[c] == "numeric"]
    refuse_infinities(df, numeric + [tcol], columns, path, line_of)

    target_missing = df[tcol].isna()
    if target_missing.all():
        raise DataError(f"the target column '{tcol}' is empty", path=path)
    if target_missing.any():
        df = df[~target_missing]
        report.append(f"dropped {int(target_missing.sum())} row(s) with no target value")
    df, to_fill = handle_missing(df, features, kinds, missing, report, path)

    x_np, feature_names, blocks = encode_features(
        df, features, kinds, int(params.get("max_onehot", 10)), report
    )
    fill = [
        {
            "feature": c,
            "columns": blocks[c][0],
            "names": blocks[c][1],
            "kind": blocks[c][2],
            "how": missing,
            "missing": n,
        }
        for c, n in to_fill.items()
    ]
    y_raw = df[tcol].to_numpy()
    if df[tcol].dtype == object:
        y_raw = np.array([str(v).strip() for v in y_raw], dtype=object)
    y, task, class_names = encode_target(
        y_raw, task=task, where=str(path), name=tcol, class_names=class_names
    )
    x = torch.from_numpy(x_np)
    info = make_info(
        x, y, task=task, class_names=class_names, source=str(path), feature_names=feature_names
    )
    report.append(
        f"{len(x)} rows, {len(feature_names)} features, target '{tcol}' ({task}"
        + (f", {len(class_names)} classes)" if class_names else ")")
    )
    return Dataset(
        x=x,
        y=y,
        info=info,
        report=report,
        preview_columns=columns,
        preview_rows=preview,
        fill=fill,
        table=table_schema(columns, tcol, features, blocks),
    )


@dataclass
class Table:
    """A delimited file's rows, and how it was read (delimiter, header and encoding as given or
    detected): what every loader of delimited text (tables, series, texts) starts from."""

    frame: pd.DataFrame
    delimiter: str | None
    header: bool
    encoding: str

    def line_finder(self, path: Path) -> LineFinder:
        return LineFinder(path, self.delimiter, self.header, self.encoding)


def read_table(path: Path, params: dict[str, Any], needs: str) -> Table:
    """Read `path` with `params`' delimiter, header and encoding (detected where not given);
    `needs` completes the message for an empty file ("a CSV needs ...")."""
    raw, encoding = _read_sample(path, params.get("encoding"))
    if "\x00" in raw:
        raise DataError("this is a binary file, not delimited text (CSV/TSV)", path=path)
    if not raw.strip():
        raise DataError(f"the file is empty; {needs}", path=path)
    delimiter = params.get("delimiter") or _detect_delimiter(raw, path)
    header = params.get("header")
    header = _detect_header(_tokenize(raw, delimiter)) if header is None else bool(header)
    return Table(_read_frame(path, delimiter, header, encoding), delimiter, header, encoding)


def csv_columns(path: str | Path, params: dict[str, Any] | None = None) -> list[str]:
    """The column names ``load_csv`` would give the file (reads only its first 64 KiB)."""
    path = Path(path)
    params = check_params("csv", params or {})
    raw, _ = _read_sample(path, params.get("encoding"))
    delimiter = params.get("delimiter") or _detect_delimiter(raw, path)
    rows = _tokenize(raw, delimiter)
    if not rows:
        return []
    header = params.get("header")
    if header is None:
        header = _detect_header(rows)
    if header:
        return [c.strip() for c in rows[0]]
    return [f"col{i + 1}" for i in range(len(rows[0]))]


def _refuse_empty_target(df, empty_cols: list, target, header: bool, path: Path) -> None:
    """An empty target column must not be dropped as padding: the model would silently be
    trained to predict another column."""
    columns = [str(c) for c in df.columns]
    empty = {str(c) for c in empty_cols}
    if target is not None:
        name = _target_column(columns, target, path)
        if name in empty:
            raise DataError(f"the target column '{name}' is empty (no row has a value)", path=path)
        return
    last = columns[-1]
    padding = not header or last.startswith("Unnamed:")  # a trailing delimiter, not a column
    if last in empty and not padding:
        raise DataError(
            f"the last column '{last}', the target by default, is empty (no row has a value); "
            "choose the target column",
            path=path,
        )


# --- reading ---------------------------------------------------------------------------------


def _read_sample(path: Path, encoding: str | None) -> tuple[str, str]:
    """The first 64 KiB as text (cut at the last full line) and the encoding that decodes it."""
    if not path.is_file():
        raise DataError("no such file", path=path)
    with open(path, "rb") as f:
        data = f.read(_SAMPLE_BYTES)
        more = bool(f.read(1))
        if more and b"\n" not in data and b"\n" not in f.read(_MAX_LINE_BYTES):
            raise DataError(
                f"no line break in the first {_MAX_LINE_BYTES // (1 << 20)} MiB: not a table of "
                "rows (CSV/TSV)",
                path=path,
            )
    if encoding is None and data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return _utf16_sample(data, more), "utf-16"
    if more and b"\n" in data:
        data = data[: data.rindex(b"\n") + 1]
    for enc in [encoding] if encoding else ["utf-8-sig", "latin-1"]:
        try:
            return data.decode(enc), enc
        except UnicodeDecodeError:
            continue
    line, column = _bad_byte_position(path, encoding)
    raise DataError(
        f"the file is not readable as {encoding} text", path=path, line=line, column=column
    )


def _utf16_sample(data: bytes, more: bool) -> str:
    text = data[: len(data) // 2 * 2].decode("utf-16", errors="ignore")
    return text[: text.rindex("\n") + 1] if more and "\n" in text else text


def _detect_delimiter(text: str, path: Path) -> str | None:
    """The delimiter that splits the sample's lines into the same number (> 1) of fields.

    Returns None for whitespace-separated files. ``.tsv`` files prefer tabs.
    """
    lines = [ln for ln in text.splitlines() if ln.strip()][:50]
    best: tuple[float, int, int] = (0.0, 1, 0)
    choice: str | None = None
    order = (
        ["\t"] + _CANDIDATE_DELIMITERS if path.suffix.lower() == ".tsv" else _CANDIDATE_DELIMITERS
    )
    for rank, d in enumerate(order):
        counts = [len(r) for r in csv.reader(lines, delimiter=d)]
        if not counts:
            continue
        mode = max(set(counts), key=counts.count)
        if mode < 2:
            continue
        score = (counts.count(mode) / len(counts), mode, -rank)
        if score > best:
            best, choice = score, d
    if choice is None and any(len(ln.split()) > 1 for ln in lines):
        return None  # whitespace-separated, like the original Boston housing file
    if choice is None:
        choice = ","  # one column: the "no feature columns" check explains it
    return choice


def _tokenize(text: str, delimiter: str | None) -> list[list[str]]:
    lines = [ln for ln in text.splitlines() if ln.strip()][:50]
    if delimiter is None:
        return [ln.split() for ln in lines]
    return [[c.strip() for c in r] for r in csv.reader(lines, delimiter=delimiter) if r]


def _is_number(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False


def _detect_header(rows: list[list[str]]) -> bool:
    """A header row holds text where the rows below hold numbers, or text that never recurs below."""
    if not rows:
        return False
    first, rest = rows[0], rows[1:]
    if not rest:
        return all(c and not _is_number(c) for c in first)
    for j, name in enumerate(first):
        if not name or _is_number(name) or name.lower() in _NA_TEXTS:
            continue
        below = [r[j] for r in rest if j < len(r) and r[j].lower() not in _NA_TEXTS]
        if below and all(_is_number(v) for v in below):
            return True
    if all(c and not _is_number(c) for c in first):
        return all(name not in {r[j] for r in rest if j < len(r)} for j, name in enumerate(first))
    return False


def _delimiter_name(d: str | None) -> str:
    return {None: "whitespace", ",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}.get(
        d, repr(d)
    )


def _read_frame(path: Path, delimiter: str | None, header: bool, encoding: str) -> pd.DataFrame:
    kwargs: dict[str, Any] = {
        "header": 0 if header else None,
        "na_values": EXTRA_NA,
        "skipinitialspace": True,
        "encoding": encoding,
        "low_memory": False,
    }
    if delimiter is None:
        kwargs["sep"] = r"\s+"
    else:
        kwargs["sep"] = delimiter
    try:
        df = pd.read_csv(path, **kwargs)
    except pd.errors.EmptyDataError:
        raise DataError(
            "the file is empty; a CSV needs rows of features and a target", path=path
        ) from None
    except pd.errors.ParserError as e:
        m = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(e))
        if m:
            exp, line, saw = (int(g) for g in m.groups())
            raise DataError(
                f"ragged row: {saw} fields where the rows above have {exp}",
                path=path,
                line=line,
                column=exp + 1,
            ) from None
        raise DataError(f"cannot parse the file: {e}", path=path) from None
    except UnicodeDecodeError as e:
        line, column = _bad_byte_position(path, encoding)
        raise DataError(
            f"the file is not {encoding} text ({e.reason}); set the data's encoding (e.g. latin-1)",
            path=path,
            line=line,
            column=column,
        ) from None
    if not header:
        df.columns = [f"col{i + 1}" for i in range(df.shape[1])]
    else:
        df.columns = [str(c).strip() for c in df.columns]
    return df


def _bad_byte_position(path: Path, encoding: str) -> tuple[int | None, int | None]:
    """Line and column of the first byte that `encoding` cannot decode (pandas reports an offset
    into one of its own chunks, which helps nobody)."""
    data = path.read_bytes()
    try:
        data.decode(encoding)
    except UnicodeDecodeError as error:
        before = data[: error.start]
        column = len(before[before.rfind(b"\n") + 1 :].decode(encoding, "replace")) + 1
        return before.count(b"\n") + 1, column
    return None, None


def _target_column(columns: list[str], target: str | int | None, path: Path) -> str:
    if target is None:
        return columns[-1]
    if isinstance(target, int) and not isinstance(target, bool):
        if -len(columns) <= target < len(columns):
            return columns[target]
        raise DataError(
            f"target column index {target} is out of range: the file has {len(columns)} columns",
            path=path,
        )
    name = str(target).strip()
    if name in columns:
        return name
    if name.lstrip("-").isdigit():
        return _target_column(columns, int(name), path)
    raise DataError(
        f"no column named '{name}'; the columns are {', '.join(repr(c) for c in columns)}",
        path=path,
    )
