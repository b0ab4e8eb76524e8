"""File-line bookkeeping for CSV errors: which line a data row came from, and rows with too few fields.

pandas reports rows with too MANY fields itself but silently pads rows with too FEW; these helpers
re-read the file record by record with the ``csv`` module, only on the error path or when the last
column has gaps, so clean files pay nothing.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pandas as pd

from .errors import DataError


class LineFinder:
    """Maps a data row's position to its 1-based file line; only used to word an error."""

    def __init__(self, path: Path, delimiter: str | None, header: bool, encoding: str) -> None:
        self.path, self.delimiter, self.header, self.encoding = path, delimiter, header, encoding

    def records(self):
        """Yield (first line, fields) for each data record, skipping blank lines like pandas."""
        with open(self.path, newline="", encoding=self.encoding) as f:
            if self.delimiter is None:
                rows = ((i + 1, ln.split()) for i, ln in enumerate(f))
            else:
                reader = csv.reader(f, delimiter=self.delimiter)
                rows = self._with_lines(reader)
            skipped_header = not self.header
            for line, fields in rows:
                if not fields or all(not c.strip() for c in fields) and len(fields) <= 1:
                    continue
                if not skipped_header:
                    skipped_header = True
                    continue
                yield line, fields

    @staticmethod
    def _with_lines(reader: Any):
        start = 1
        for fields in reader:
            yield start, fields
            start = reader.line_num + 1

    def __call__(self, row: int) -> int | None:
        for i, (line, _) in enumerate(self.records()):
            if i == row:
                return line
        return None


def check_short_rows(
    df: pd.DataFrame, path: Path, delimiter: str | None, header: bool, encoding: str
) -> None:
    """pandas pads rows with too few fields with NaN; find such rows and refuse them.

    Only when the last column has gaps (a short row or a genuinely empty cell) is the file re-read
    record by record, so clean files pay nothing.
    """
    if not df.iloc[:, -1].isna().any():
        return
    width = df.shape[1]
    for line, fields in LineFinder(path, delimiter, header, encoding).records():
        if len(fields) < width:
            raise DataError(
                f"ragged row: {len(fields)} fields where the file has {width} "
                "(an empty cell still needs its delimiter)",
                path=path,
                line=line,
                column=len(fields) + 1,
            )
