"""`DataLoading`: the Data pane's loading half, mixed into `DataPanel`: a load on a background
thread, the data of a project reloaded as saved when it opens (or why it cannot be), a missing
built-in set handed to the download offer, and the summary, target column and preview of what
was loaded. Only the newest load is shown: one still running for the last project is dropped.
"""

from __future__ import annotations

from typing import Any

from neurocanvas.engine.data import DatasetInfo

from ..background import run_in_background
from .data_sources import info_html, load_preview, saved_data, target_column


class DataLoading:
    """Needs the panel's document, task, result, widgets (info, target, preview, download,
    load_button), `_filling`, `show_error` and the `loaded`/`load_failed` signals."""

    task_automatic = False

    def reload_saved(self) -> None:
        """A project opened: load its data as saved (no edit), or say why it cannot."""
        config, why = saved_data(self.document)
        if config is not None:
            self._start_load(config, automatic=True)
        elif why:
            self.show_error(why)

    def _start_load(self, config: dict[str, Any], automatic: bool = False) -> None:
        """Load on a background thread. An automatic load (the project just opened) leaves Load
        enabled, and an edit of the data settings drops it (`drop_load`)."""
        self.show_error("")
        self.download.reset()
        self.load_button.setEnabled(automatic)
        self.info.setText("Loading…")
        self.task = run_in_background(
            lambda: load_preview(config), self._task_succeeded, self._task_failed
        )
        self.task_automatic = automatic

    def drop_load(self, automatic_only: bool = False) -> None:
        """Forget the load in flight: its result, when it comes, is not shown."""
        if self.task is not None and (self.task_automatic or not automatic_only):
            self.task = None
            self.load_button.setEnabled(True)
            self.info.setText("No data loaded yet.")

    # Bound methods, not lambdas: Qt drops the connection when the panel is deleted first.
    def _task_succeeded(self, result: dict[str, Any]) -> None:
        if self.sender() is self.task:  # only the newest load is shown
            self._loaded(result)

    def _task_failed(self, message: str, details: str) -> None:
        if self.sender() is self.task:
            self._failed(message, details)

    def is_loading(self) -> bool:
        return self.task is not None

    def _failed(self, message: str, _details: str) -> None:
        self.download.reset()
        self.load_button.setEnabled(True)
        self.task = None
        self.info.setText("No data loaded.")
        self.show_error(f"The data could not be loaded: {message}")
        self.load_failed.emit(message)

    def _loaded(self, result: dict[str, Any]) -> None:
        self.load_button.setEnabled(True)
        self.task = None
        if result.get("missing"):  # a built-in set not on disk: offer to fetch it
            self._failed(result["message"], "")
            self.download.offer(result["missing"])
            return
        self.result = result
        self.show_error("")
        info = result["info"]
        self.info.setText(info_html(info, result["report"]))
        self._fill_target(
            result.get("file_columns") or result["columns"], result.get("target_column")
        )
        self.preview.show_result(result)
        self.document.set_auto_sizes(DatasetInfo.from_dict(info).auto_sizes())
        self.loaded.emit(result)

    def _fill_target(self, columns: list[str], used: str | None = None) -> None:
        """Offer the table's columns, showing the one the load used as its target."""
        if not self.target.isEnabled():
            return
        current = self.target.currentText()
        self._filling = True
        try:
            self.target.clear()
            self.target.addItems(columns)
            shown = used or target_column(columns, current or None) or current
            self._shown_target = shown
            index = self.target.findText(shown)
            if index >= 0:
                self.target.setCurrentIndex(index)
            else:
                self.target.setEditText(shown)
        finally:
            self._filling = False

    def show_summary(self, summary: dict[str, Any]) -> None:
        """What a training run loaded (the worker's data summary), when the panel has not."""
        if self.result is None:
            self.info.setText(info_html(summary["info"], summary.get("report", []), full=False))
