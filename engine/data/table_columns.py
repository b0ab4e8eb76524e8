"""The columns of a table once read: which are numbers and which are categories (a mostly
numeric column with stray text is an error naming its cell), infinite values refused with their
cell, missing values dropped or filled, and the features encoded (one-hot for categories)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .csv_lines import LineFinder
from .errors import DataError

# --- typing, missing values, encoding --------------------------------------------------------


def refuse_infinities(df, names: list[str], columns: list[str], path: Path, line_of) -> None:
    """An infinite value trains the model into NaN: refuse it, naming its cell."""
    for col in names:
        if not pd.api.types.is_numeric_dtype(df[col]) or pd.api.types.is_bool_dtype(df[col]):
            continue
        infinite = np.isinf(df[col].to_numpy(dtype=float, na_value=np.nan))
        if infinite.any():
            row = int(np.flatnonzero(infinite)[0])
            raise DataError(
                f"{df[col].iloc[row]} is not a finite number ({int(infinite.sum())} such cell(s) "
                "in this column); replace or remove it",
                path=path,
                line=line_of(row),
                column=columns.index(col) + 1,
                column_name=col,
            )


def as_category_text(s: pd.Series) -> pd.Series:
    """A column chosen as categorical, as text: numbers the way they are written (2, not 2.0,
    even when missing cells made pandas read the column as floats); missing cells stay missing."""
    if s.dtype == object:
        return s

    def text(v):
        if pd.isna(v):
            return v
        if isinstance(v, float) and v.is_integer():
            return str(int(v))
        return str(v)

    return s.map(text)


def column_kind(df: pd.DataFrame, col: str, index: int, path: Path, line_of: LineFinder) -> str:
    """'numeric' or 'categorical'. A mostly-numeric column with stray text is an error, not text."""
    s = df[col]
    if pd.api.types.is_bool_dtype(s) or pd.api.types.is_numeric_dtype(s):
        return "numeric"
    present = s.notna()
    as_num = pd.to_numeric(s.where(present), errors="coerce")
    bad = present & as_num.isna()
    n_present = int(present.sum())
    if n_present and int(bad.sum()) * 2 < n_present:
        row = int(np.flatnonzero(bad.to_numpy())[0])
        value = s.iloc[row]
        raise DataError(
            f"'{value}' is not a number, but the other values in this column are numbers "
            f"({int(bad.sum())} such cell(s) in all)",
            path=path,
            line=line_of(row),
            column=index,
            column_name=col,
        )
    return "categorical"


def handle_missing(
    df: pd.DataFrame,
    features: list[str],
    kinds: dict[str, str],
    missing: str,
    report: list[str],
    path: Path,
) -> tuple[pd.DataFrame, dict[str, int]]:
    """Drop rows with missing cells ("drop"), or return the columns to fill later: fill values are
    computed in ``prepare`` from the training split, so test rows never leak into them."""
    counts = {c: int(df[c].isna().sum()) for c in features}
    counts = {c: n for c, n in counts.items() if n}
    if not counts:
        return df, {}
    if missing == "drop":
        keep = df[features].notna().all(axis=1)
        dropped = int((~keep).sum())
        if dropped == len(df):
            raise DataError(
                "every row has a missing cell, so dropping them leaves nothing; "
                "fill them instead (missing: mean or most_frequent)",
                path=path,
            )
        detail = ", ".join(f"'{c}' {n}" for c, n in counts.items())
        report.append(f"dropped {dropped} row(s) with missing cells ({detail})")
        return df[keep], {}
    for c, n in counts.items():
        if df[c].isna().all():
            raise DataError(
                f"column '{c}' has no values at all, so there is nothing to fill it with; "
                "ignore it (params ignore)",
                path=path,
            )
        how = missing if kinds[c] == "numeric" else "most_frequent"
        what = {"mean": "mean", "median": "median"}.get(how, "most frequent value")
        report.append(
            f"will fill {n} missing cell(s) in column '{c}' with the training split's {what}"
        )
    return df, counts


def encode_features(
    df: pd.DataFrame, features: list[str], kinds: dict[str, str], max_onehot: int, report: list[str]
) -> tuple[np.ndarray, list[str], dict[str, tuple[list[int], list[str], str]]]:
    """Numeric columns as they are; categorical columns one-hot (few values) or ordinal (many).

    Missing cells stay NaN (in every column of a one-hot block). Also returns, per feature, its
    flat column indices, value names (categorical) and kind ("numeric", "onehot", "ordinal")."""
    blocks: list[np.ndarray] = []
    names: list[str] = []
    where: dict[str, tuple[list[int], list[str], str]] = {}
    for c in features:
        s = df[c]
        start = len(names)
        if kinds[c] == "numeric":
            blocks.append(s.to_numpy(dtype=np.float32, na_value=np.nan).reshape(-1, 1))
            names.append(c)
            where[c] = ([start], [], "numeric")
            continue
        present = s.notna().to_numpy()
        text = s.astype(str).str.strip().to_numpy()
        cats = sorted(set(text[present]))
        codes = np.searchsorted(np.array(cats, dtype=object), np.where(present, text, cats[0]))
        codes = codes.astype(np.int64)
        if len(cats) <= max_onehot:
            block = np.eye(len(cats), dtype=np.float32)[codes]
            names.extend(f"{c}={v}" for v in cats)
            where[c] = (list(range(start, len(names))), list(cats), "onehot")
            report.append(f"one-hot encoded column '{c}' ({len(cats)} values)")
        else:
            block = codes.astype(np.float32).reshape(-1, 1)
            names.append(c)
            where[c] = ([start], list(cats), "ordinal")
            report.append(f"ordinal-encoded column '{c}' ({len(cats)} values, sorted)")
        block[~present] = np.nan
        blocks.append(block)
    x = np.ascontiguousarray(np.concatenate(blocks, axis=1), dtype=np.float32)
    return x, names, where
