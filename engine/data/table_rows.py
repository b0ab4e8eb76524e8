"""Raw table rows -> model features, the way ``load_csv`` encoded the training file: the table's
schema (its file columns, target and, per feature column, the encoding used: numeric, one-hot or
ordinal with its values) travels in ``Preprocessing.table``, so a person can type a row in the
file's own columns (``45, 60, north, yes``) and get the features the model was trained on.
"""

from __future__ import annotations

import csv
import math
from typing import Any

import numpy as np

from .errors import DataError

# Cell texts read as "missing" (the CSV reader adds pandas' own defaults).
NA_TEXTS = {"", "na", "n/a", "nan", "null", "none", "?", "-", "--", "missing", "#n/a"}


def table_schema(
    columns: list[str],
    target: str,
    features: list[str],
    blocks: dict[str, tuple[list[int], list[str], str]],
) -> dict[str, Any]:
    """The plain-JSON schema of a read table (``blocks`` from ``encode_features``)."""
    return {
        "columns": list(columns),
        "target": target,
        "features": [
            {"name": c, "kind": blocks[c][2], "values": list(blocks[c][1])} for c in features
        ],
    }


def split_row(text: str) -> list[str]:
    """One typed row's cells: comma-, semicolon- or tab-separated (quotes allowed)."""
    text = text.strip()
    delimiter = next((d for d in ("\t", ";") if d in text and "," not in text), ",")
    rows = list(csv.reader([text], delimiter=delimiter, skipinitialspace=True))
    return [cell.strip() for cell in rows[0]] if rows else []


def row_hint(schema: dict[str, Any]) -> str:
    """What a row holds, for a prompt: ``age, usage, region (north/south), churn (optional)``."""
    parts = []
    for feature in schema["features"]:
        values = feature["values"]
        if values and len(values) <= 6:
            parts.append(f"{feature['name']} ({'/'.join(values)})")
        else:
            parts.append(feature["name"])
    return ", ".join(parts)


def encode_rows(
    schema: dict[str, Any], rows: list[list[str]], fill: list[float | None] | None = None
) -> np.ndarray:
    """(N, features) float32 for raw rows of cells. A row holds the feature columns in file order,
    or every column of the file (the target and ignored columns are then left out). A missing
    cell is NaN (``Preprocessing`` fills it) where training filled that column, else an error."""
    features = schema["features"]
    file_columns = list(schema.get("columns") or [])
    width = sum(len(f["values"]) if f["kind"] == "onehot" else 1 for f in features)
    out = np.empty((len(rows), width), dtype=np.float32)
    for r, cells in enumerate(rows):
        out[r] = _encode_row(features, file_columns, cells, fill)
    return out


def _encode_row(features, file_columns, cells, fill) -> np.ndarray:
    names = [f["name"] for f in features]
    if len(cells) == len(file_columns) and len(cells) != len(features):
        by_name = dict(zip(file_columns, cells, strict=True))
        cells = [by_name[n] for n in names]
    elif len(cells) != len(features):
        wanted = f"{len(features)} values ({', '.join(names)})"
        if len(file_columns) != len(features):
            wanted += f", or all {len(file_columns)} columns of the file"
        raise DataError(f"the row has {len(cells)} value(s); type {wanted}")
    values: list[float] = []
    for feature, cell in zip(features, cells, strict=True):
        start = len(values)
        values += _encode_cell(feature, cell)
        if any(math.isnan(v) for v in values[start:]) and (
            fill is None or any(fill[i] is None for i in range(start, len(values)))
        ):
            raise DataError(
                f"column '{feature['name']}' needs a value (the training data had none missing "
                "there, so there is nothing to fill it with)"
            )
    return np.asarray(values, dtype=np.float32)


def _encode_cell(feature: dict[str, Any], cell: str) -> list[float]:
    name, kind, known = feature["name"], feature["kind"], list(feature["values"])
    missing = cell.strip().lower() in NA_TEXTS
    if kind == "numeric":
        if missing:
            return [math.nan]
        try:
            value = float(cell)
        except ValueError:
            raise DataError(f"column '{name}' takes a number, not '{cell}'") from None
        if not math.isfinite(value):
            raise DataError(f"column '{name}': {cell} is not a finite number")
        return [value]
    if missing:
        return [math.nan] * (len(known) if kind == "onehot" else 1)
    text = cell.strip()
    if text not in known:
        match = [v for v in known if v.lower() == text.lower()]
        if len(match) != 1:
            shown = ", ".join(known[:12]) + (", ..." if len(known) > 12 else "")
            raise DataError(
                f"column '{name}' was trained on the values {shown}; '{text}' is not one of them"
            )
        text = match[0]
    index = known.index(text)
    if kind == "onehot":
        return [1.0 if i == index else 0.0 for i in range(len(known))]
    return [float(index)]
