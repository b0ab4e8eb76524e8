"""The one exception the data engine raises for bad input: ``DataError``.

It is a ``ValueError`` so callers that already catch ``ValueError`` keep working, and it carries the
file, line and column at fault so the GUI can point at the exact cell and the CLI can print one line.
"""

from __future__ import annotations

from pathlib import Path


class DataError(ValueError):
    """Bad or missing data, with where it is: ``path``, 1-based ``line`` and 1-based ``column``."""

    def __init__(
        self,
        message: str,
        *,
        path: str | Path | None = None,
        line: int | None = None,
        column: int | None = None,
        column_name: str | None = None,
    ) -> None:
        self.message = message
        self.path = str(path) if path is not None else None
        self.line = line
        self.column = column
        self.column_name = column_name
        super().__init__(self._format())

    def _format(self) -> str:
        where = []
        if self.path is not None:
            where.append(self.path)
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.column is not None:
            col = f"column {self.column}"
            if self.column_name is not None:
                col += f" ('{self.column_name}')"
            where.append(col)
        elif self.column_name is not None:
            where.append(f"column '{self.column_name}'")
        return (", ".join(where) + ": " + self.message) if where else self.message
