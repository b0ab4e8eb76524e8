"""Undoable edits of the project's "data" and "training" settings.

The panels never assign `project.data`/`project.training` directly: they push a `SettingsEdit`
on the document's undo stack, so a changed setting marks the project modified (and is saved in
the project file) and Ctrl+Z restores it. Consecutive edits of one section merge into one step.
"""

from __future__ import annotations

import copy
from typing import Any

from PySide6.QtGui import QUndoCommand

MERGE_IDS = {"data": 7101, "training": 7102}


class SettingsEdit(QUndoCommand):
    def __init__(self, document, section: str, value: dict[str, Any], text: str):
        super().__init__(text)
        self.document = document
        self.section = section
        self.before = copy.deepcopy(getattr(document.project, section) or {})
        self.after = copy.deepcopy(value)

    def id(self) -> int:  # noqa: A003 - Qt override
        return MERGE_IDS[self.section]

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802 - Qt override
        if not isinstance(other, SettingsEdit) or other.section != self.section:
            return False
        self.after = other.after
        return True

    def redo(self) -> None:
        setattr(self.document.project, self.section, copy.deepcopy(self.after))

    def undo(self) -> None:
        setattr(self.document.project, self.section, copy.deepcopy(self.before))


def set_section(document, section: str, value: dict[str, Any], text: str) -> bool:
    """Push an edit when `value` differs from the project's; returns whether it did."""
    if (getattr(document.project, section) or {}) == value:
        return False
    document.undo_stack.push(SettingsEdit(document, section, value, text))
    return True
