"""Undoable edits of the project's "data" and "training" settings.

The panels never assign `project.data`/`project.training` directly: they push a `SettingsEdit`
on the document's undo stack, so a changed setting marks the project modified (and is saved in
the project file) and Ctrl+Z restores it. The edit's text names the setting that changed ("Set
batch size"); consecutive edits of the same setting (a spin box stepped five times) merge into
one step.
"""

from __future__ import annotations

import copy
from typing import Any

from PySide6.QtGui import QUndoCommand

MERGE_IDS = {"data": 7101, "training": 7102}

# (key, sub-key or None) -> what the undo text calls it; checked in this order.
SETTING_NAMES: dict[str, list[tuple[str, str | None, str]]] = {
    "data": [
        ("source", None, "data source"),
        ("params", "n", "number of samples"),
        ("params", "noise", "noise"),
        ("target", None, "target column"),
        ("missing", None, "missing-value handling"),
        ("split", None, "data split"),
        ("normalize", None, "standardisation"),
        ("augment", None, "augmentation"),
    ],
    "training": [
        ("optimizer", "type", "optimizer"),
        ("optimizer", "lr", "learning rate"),
        ("batch_size", None, "batch size"),
        ("epochs", None, "epochs"),
        ("loss", None, "loss"),
        ("monitor", None, "monitored metric"),
        ("early_stopping", "patience", "patience"),
        ("early_stopping", None, "early stopping"),
        ("schedule", None, "LR schedule"),
        ("checkpoint", None, "checkpoints"),
        ("device", None, "device"),
    ],
}
FALLBACK = {"data": "Change data settings", "training": "Change training settings"}


def _get(mapping: dict[str, Any], key: str, sub: str | None) -> Any:
    value = (mapping or {}).get(key)
    if sub is None:
        return value
    return value.get(sub) if isinstance(value, dict) else None


def describe_change(section: str, before: dict[str, Any], after: dict[str, Any]) -> str:
    """The undo text for `before` -> `after`: "Set batch size", "Set data source", ..."""
    names: list[str] = []
    for key, sub, name in SETTING_NAMES.get(section, []):
        if _get(before, key, sub) == _get(after, key, sub):
            continue
        if key == "early_stopping" and sub is None and "patience" in names:
            continue  # only the patience changed, not whether early stopping is on
        if (
            key == "early_stopping"
            and sub == "patience"
            and not (isinstance(before.get(key), dict) and isinstance(after.get(key), dict))
        ):
            continue  # switched on or off: "Set early stopping"
        names.append(name)
        if key == "source":
            break  # a new source resets its own parameters; the source is what changed
    if not names:
        return FALLBACK.get(section, "Change settings")
    return "Set " + ", ".join(names)


class SettingsEdit(QUndoCommand):
    def __init__(self, document, section: str, value: dict[str, Any], text: str | None = None):
        self.document = document
        self.section = section
        self.before = copy.deepcopy(getattr(document.project, section) or {})
        self.after = copy.deepcopy(value)
        super().__init__(text or describe_change(section, self.before, self.after))

    def id(self) -> int:  # noqa: A003 - Qt override
        return MERGE_IDS[self.section]

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802 - Qt override
        # Only edits of the same setting merge, so the step's text stays true.
        if (
            not isinstance(other, SettingsEdit)
            or other.section != self.section
            or other.text() != self.text()
        ):
            return False
        self.after = other.after
        if self.after == self.before:
            self.setObsolete(True)  # stepped back to where it was: no step at all
        return True

    def redo(self) -> None:
        setattr(self.document.project, self.section, copy.deepcopy(self.after))

    def undo(self) -> None:
        setattr(self.document.project, self.section, copy.deepcopy(self.before))


def set_section(document, section: str, value: dict[str, Any], text: str | None = None) -> bool:
    """Push an edit when `value` differs from the project's; returns whether it did. Without
    `text` the edit names what changed."""
    if (getattr(document.project, section) or {}) == value:
        return False
    document.undo_stack.push(SettingsEdit(document, section, value, text))
    return True


class NamedEdits:
    """For settings forms: `_changed_by(name)` runs the form's `_changed()` with `_edit_name` set,
    so the undo step can say which setting changed ("Set batch size")."""

    _edit_name: str | None = None

    def _changed_by(self, name: str) -> None:
        self._edit_name = name
        try:
            self._changed()
        finally:
            self._edit_name = None
