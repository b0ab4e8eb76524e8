"""`ColumnStep`: the Data pane's CSV step, mixed into `DataPanel`. Once a CSV file is chosen its
columns are described on a background thread (name, detected type, missing cells), the target list
is filled from them before anything is loaded, and the roles chosen in the column table become the
data section's `target`, `params.ignore` and `params.categorical`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..background import BackgroundTask, run_in_background
from .data_sources import FILE_SOURCES, target_column
from .settings import data_label

READ_PARAMS = ("delimiter", "header", "encoding")  # how the file is read, not what is used


def _describe(path: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    from neurocanvas.engine.data.column_report import describe_columns

    return [fact.to_dict() for fact in describe_columns(path, params)]


class ColumnStep:
    """Needs the panel's `columns` (ColumnTable), `source`, `path`, `target`, `document`,
    `_filling`, `_fill_target` and `_changed_by`."""

    column_task: BackgroundTask | None = None
    _described: tuple[str, dict[str, Any]] | None = None  # the file (and read params) shown

    def describe_file(self) -> None:
        """Show the chosen CSV file's columns (described again only when the file changed)."""
        path = self.path.text().strip()
        if self.source.currentText() != FILE_SOURCES[0] or not path or not Path(path).is_file():
            self.forget_columns()
            return
        params = dict((self.document.project.data or {}).get("params") or {})
        read = {key: params[key] for key in READ_PARAMS if key in params}
        if self._described == (path, read):
            self._show_roles()
            return
        self._described = (path, read)
        self.column_task = run_in_background(
            lambda: _describe(path, read), self._columns_described, self._columns_failed
        )

    def forget_columns(self) -> None:
        self.column_task = None
        self._described = None
        self.columns.clear_columns()

    # Bound methods, not lambdas: Qt drops the connection when the panel is deleted first.
    def _columns_described(self, facts: list[dict[str, Any]]) -> None:
        if self.sender() is not self.column_task:
            return  # another file was chosen meanwhile
        self.column_task = None
        self.columns.show_facts(facts)
        names = self.columns.names()
        self._fill_target(names, target_column(names, self._data().get("target")))
        self._show_roles()

    def _columns_failed(self, _message: str, _details: str) -> None:
        if self.sender() is self.column_task:  # Load data names the problem with its cell
            self.column_task = None
            self.columns.clear_columns()

    def _data(self) -> dict[str, Any]:
        return dict(self.document.project.data or {})

    def _show_roles(self) -> None:
        """The table shows the data section's target, ignored and categorical columns."""
        names = self.columns.names()
        if not names:
            return
        data = self._data()
        params = data.get("params") or {}
        if data.get("source") != self.path.text().strip():
            data, params = {}, {}  # a new file: every column a feature, the last the target

        def chosen(key: str) -> list[str]:
            return [c for c in (target_column(names, v) for v in params.get(key, [])) if c]

        self.columns.set_roles(
            target_column(names, data.get("target")), chosen("ignore"), chosen("categorical")
        )

    def _roles_changed(self, column: str, role: str) -> None:
        """A role chosen in the table: the target list follows, and the data section is edited
        (one undo step per column and role: "Set 'zip' as categorical")."""
        target = self.columns.target()
        if target is not None and target != self.target.currentText():
            self._filling = True
            try:
                self.target.setCurrentText(target)
            finally:
                self._filling = False
        self._changed_by(data_label("target") if role == "target" else f"'{column}' as {role}")

    def _target_typed(self, name: str) -> None:
        """The target list changed: the table marks that column the target."""
        if self._filling or name not in self.columns.names():
            return
        others = [n for n in self.columns.ignored() if n != name]
        categorical = [n for n in self.columns.categorical() if n != name]
        self.columns.set_roles(name, others, categorical)

    def column_params(self, params: dict[str, Any]) -> dict[str, Any]:
        """`params` with the table's ignored and categorical columns. Another file than the
        project's starts with every column a feature; the choices stay as they are while the
        table does not show the file."""
        path = self.path.text().strip()
        if self._data().get("source") != path:
            params.pop("ignore", None)
            params.pop("categorical", None)
        if not self.columns.names() or not self._described or self._described[0] != path:
            return params
        for key, names in (
            ("ignore", self.columns.ignored()),
            ("categorical", self.columns.categorical()),
        ):
            if names or key in params:
                params[key] = names
        return params
