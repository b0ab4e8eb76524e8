"""Names for undoable edits of the project's "data" and "training" settings.

The panels never assign `project.data`/`project.training` directly: they call `set_section`,
which hands the new section to `Document.set_settings` (a `SettingsEdit`, in the same command
family as graph edits), so a changed setting marks the project modified (and is saved in the
project file) and Ctrl+Z restores it. The edit's text names the setting that changed ("Set batch
size"); consecutive edits of the same setting (a spin box stepped five times) merge into one
step. The names are the labels of the settings' specs (engine/training/settings.py,
engine/data/settings.py), the same the training form's rows show. The panels refill their forms
from `Document.settings_changed`.
"""

from __future__ import annotations

from typing import Any

from neurocanvas.engine.data.settings import DATA_SETTINGS, params_for
from neurocanvas.engine.training.settings import SettingSpec, spec_for

TRAINING_FIRST = ("batch_size", "epochs", "loss", "monitor")  # named before early stopping


def data_spec(name: str) -> SettingSpec:
    """The spec of a data setting, or of a synthetic set's `n` or `noise`."""
    specs = params_for("xor") if name in ("n", "noise") else DATA_SETTINGS
    return next(spec for spec in specs if spec.name == name)


def data_label(name: str) -> str:
    return data_spec(name).label


def row_label(spec: SettingSpec) -> str:
    """A form row's label: the spec's label, capitalised ("Batch size")."""
    return spec.label[:1].upper() + spec.label[1:]


# (key, sub-key or None) -> what the undo text calls it: the setting's spec label ("early
# stopping" is the section itself, which has no spec); checked in this order.
SETTING_NAMES: dict[str, list[tuple[str, str | None, str]]] = {
    "data": [
        ("source", None, data_label("source")),
        ("params", "n", data_label("n")),
        ("params", "noise", data_label("noise")),
        *((key, None, data_label(key)) for key in ("target", "missing", "split")),
        *((key, None, data_label(key)) for key in ("normalize", "augment")),
    ],
    "training": [
        ("optimizer", "type", spec_for("optimizer", "type").label),
        ("optimizer", "lr", spec_for("optimizer", "lr").label),
        *((key, None, spec_for("training", key).label) for key in TRAINING_FIRST),
        ("early_stopping", "patience", spec_for("early_stopping", "patience").label),
        ("early_stopping", None, "early stopping"),
        ("schedule", None, spec_for("schedule", "type").label),
        *((key, None, spec_for("training", key).label) for key in ("checkpoint", "device")),
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


def set_section(document, section: str, value: dict[str, Any], text: str | None = None) -> bool:
    """Push an edit when `value` differs from the project's; returns whether it did. Without
    `text` the edit names what changed."""
    before = document.settings(section)
    if before == value:
        return False
    return document.set_settings(section, value, text or describe_change(section, before, value))


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
