"""The params of the file layouts other than a plain table (settings.py's ``layout`` param): a
time series to forecast (``SERIES_SETTINGS``: forecast.py) and labelled texts
(``TEXT_SETTINGS``: texts.py), and series to classify laid out as a table
(``WIDE_SETTINGS``, ``LONG_SETTINGS``: sequence_tables.py); UCR series take none. Apart from settings.py to keep it short;
`check_params` adds a layout's specs to its kind's when ``params.layout`` names it.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from ..registry import ParamError
from ..setting_spec import SettingSpec


def _column(spec: SettingSpec, value: Any) -> str | int:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise ParamError(f"{spec.name} must be a column name or a column number, got {value!r}")
    return value


def _columns(spec: SettingSpec, value: Any) -> list[str | int]:
    if isinstance(value, str):  # typed in a form ("id, note") or one column (a spec's ignore=id)
        value = [part.strip() for part in value.replace(";", ",").split(",") if part.strip()]
    elif isinstance(value, int) and not isinstance(value, bool):
        value = [value]
    if not isinstance(value, (list, tuple)):
        raise ParamError(f"{spec.name} must be a list of column names or numbers, got {value!r}")
    return [_column(spec, item) for item in value]


LAYOUTS = ("table", "ucr", "wide", "long", "series", "text")
LAYOUT = SettingSpec(
    "layout",
    "choice",
    "table",
    "How the file is read: a table of features; series to classify as UCR rows (class first), "
    "wide rows (one series a row, a label column) or long rows (series id, time, channels, "
    "label); a time series to forecast; or texts with labels",
    choices=LAYOUTS,
    label="file layout",
)
FILLS = ("drop_window", "ffill", "interpolate")
SERIES_SETTINGS: tuple[SettingSpec, ...] = (
    SettingSpec(
        "time",
        "text",
        None,
        "The time column (empty: the first column); dates such as 1949-01, 19580329 or ISO",
        optional=True,
        label="time column",
        check=_column,
    ),
    SettingSpec(
        "inputs",
        "text",
        [],
        "The value columns the model reads (empty: every column but the time)",
        label="input columns",
        check=_columns,
    ),
    SettingSpec(
        "targets",
        "text",
        [],
        "The columns to forecast (empty: the last column)",
        label="target columns",
        check=_columns,
    ),
    SettingSpec("window", "int", 12, "Steps the model sees", min=1, max=100_000, label="window"),
    SettingSpec(
        "horizon", "int", 1, "Steps ahead to forecast", min=1, max=100_000, label="horizon"
    ),
    SettingSpec(
        "horizon_mode",
        "choice",
        "step",
        "step: only the value `horizon` steps ahead (many-to-one); window: all of the next "
        "`horizon` steps (many-to-many)",
        choices=("step", "window"),
        label="forecast",
    ),
    SettingSpec("stride", "int", 1, "Steps between windows", min=1, max=100_000, label="stride"),
    SettingSpec(
        "season",
        "int",
        None,
        "Steps in one season, for the seasonal-naive forecast (empty: from the dates, 12 for "
        "months, 52 for weeks, 7 for days, 4 for quarters; none for plain numbers)",
        optional=True,
        min=1,
        max=100_000,
        label="season",
    ),
    SettingSpec(
        "fill",
        "choice",
        "drop_window",
        "Missing values: drop the windows that hold one, carry the last value forward, or "
        "interpolate linearly in time",
        choices=FILLS,
        label="missing values",
    ),
)
TOKENIZERS = ("word", "bpe")
TEXT_SETTINGS: tuple[SettingSpec, ...] = (
    SettingSpec(
        "text",
        "text",
        None,
        "The text column (empty: the column with the longest texts)",
        optional=True,
        label="text column",
        check=_column,
    ),
    SettingSpec(
        "tokenizer",
        "choice",
        "word",
        "word: one token per word; bpe: sub-word pieces (byte-pair encoding)",
        choices=TOKENIZERS,
        label="tokenizer",
    ),
    SettingSpec(
        "vocab_size",
        "int",
        10_000,
        "Most tokens in the vocabulary (the special tokens included)",
        min=10,
        max=1_000_000,
        label="vocabulary size",
    ),
    SettingSpec("lowercase", "bool", True, "Lower-case the texts first", label="lower-case"),
    SettingSpec(
        "html", "bool", True, "Decode HTML entities such as &#039; and &amp;", label="HTML entities"
    ),
    SettingSpec(
        "length",
        "int",
        None,
        "Pad or truncate every text to this many tokens (empty: the 95th percentile of the "
        "training texts' lengths)",
        optional=True,
        min=1,
        max=100_000,
        label="sequence length",
    ),
)
IGNORE = SettingSpec(
    "ignore",
    "text",
    [],
    "Columns that are neither values nor the label (an id, a comment)",
    label="ignored columns",
    check=_columns,
)
WIDE_SETTINGS: tuple[SettingSpec, ...] = (IGNORE,)
LONG_SETTINGS: tuple[SettingSpec, ...] = (
    SettingSpec(
        "id",
        "text",
        None,
        "The column naming each row's series (empty: the first column)",
        optional=True,
        label="series id column",
        check=_column,
    ),
    SettingSpec(
        "time",
        "text",
        None,
        "The column that orders a series' rows (empty: the file's order); numbers or dates",
        optional=True,
        label="time column",
        check=_column,
    ),
    SettingSpec(
        "inputs",
        "text",
        [],
        "The channel columns (empty: every column but the id, time, label and ignored ones)",
        label="channel columns",
        check=_columns,
    ),
    IGNORE,
)
LAYOUT_SETTINGS: Mapping[str, tuple[SettingSpec, ...]] = MappingProxyType(
    {
        "series": SERIES_SETTINGS,
        "text": TEXT_SETTINGS,
        "wide": WIDE_SETTINGS,
        "long": LONG_SETTINGS,
    }
)
