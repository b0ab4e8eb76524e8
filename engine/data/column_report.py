"""What each column of a table file is, before it is loaded: its name, the type the loader will
detect, how many cells are missing and how many distinct values it holds. The Data pane shows it
as the CSV step's column table, where columns are marked feature, target, ignored or categorical.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from .errors import DataError
from .settings import check_params
from .table_columns import column_kind
from .tabular import read_table


@dataclass(frozen=True)
class ColumnFacts:
    name: str
    kind: str  # "number", "category", "empty" or "mixed" (numbers with stray text: `problem`)
    missing: int
    values: int  # distinct values present
    problem: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def describe_columns(path: str | Path, params: dict[str, Any] | None = None) -> list[ColumnFacts]:
    """The facts of every column of the file at `path`, read as ``load_csv`` reads it (delimiter,
    header and encoding from `params` or detected). Raises DataError for a file that is no table."""
    path = Path(path)
    params = check_params("csv", dict(params or {}))
    table = read_table(path, params, "a CSV needs rows of features and a target")
    df = table.frame
    df.columns = [str(c) for c in df.columns]
    line_of = table.line_finder(path)
    facts = []
    for index, name in enumerate(df.columns, start=1):
        column = df[name]
        missing, values = int(column.isna().sum()), int(column.nunique(dropna=True))
        if missing == len(df):
            facts.append(ColumnFacts(name, "empty", missing, 0))
            continue
        try:
            kind = column_kind(df, name, index, path, line_of)
            facts.append(ColumnFacts(name, _KIND[kind], missing, values))
        except DataError as error:
            facts.append(ColumnFacts(name, "mixed", missing, values, str(error)))
    return facts


_KIND = {"numeric": "number", "categorical": "category"}
