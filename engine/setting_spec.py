"""`SettingSpec`: a setting of a project section ("data", "training"), declared like a layer
parameter, and `check_section`, which validates a section's mapping from its specs with messages
that name the field. The data and training engines declare their settings with it; the window's
forms take the specs as they take a layer's `ParamSpec`s.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .registry import ParamError, ParamSpec

SEED_LIMIT = 2**63 - 1  # torch and numpy take seeds up to here (a signed 64-bit integer)


@dataclass(frozen=True)
class SettingSpec(ParamSpec):
    """A `ParamSpec` (the inspector's editors take it as it is) with what settings need more:
    `label` names the setting in forms and undo steps; `optional` admits None ("off", or "chosen
    automatically"); `open_min` makes `min` exclusive (a learning rate must be above 0, not 0);
    `check(spec, value)`, when set, replaces the kind's conversion (a device such as "cuda:1").
    Besides the layer kinds, `kind` may be "text" (a path, a column name: a line edit)."""

    label: str = ""
    optional: bool = False
    open_min: bool = False
    check: Callable[[SettingSpec, Any], Any] | None = None

    def __post_init__(self) -> None:
        if self.kind != "text":  # a string setting (a path, a column name): no layer has one
            super().__post_init__()

    def coerce(self, value: Any) -> Any:
        if value is None and self.optional:
            return None
        if self.check is not None:
            return self.check(self, value)
        if self.kind == "text":
            if not isinstance(value, str):
                raise ParamError(f"{self.name} must be text, got {value!r}")
            return value
        return super().coerce(value)

    def _check_range(self, value: Any) -> None:
        # Its own messages: %g keeps 1e30 short, and an open minimum says "greater than".
        if self.kind not in ("int", "float", "shape") or value is None:
            return
        low, high = self.min, self.max
        for number in value if isinstance(value, tuple) else (value,):
            if low is not None and (number <= low if self.open_min else number < low):
                word = "greater than" if self.open_min else "at least"
                raise ParamError(f"{self.name} must be {word} {_text(low)}, got {_text(number)}")
            if high is not None and number > high:
                raise ParamError(f"{self.name} must be at most {_text(high)}, got {_text(number)}")


def _text(number: float) -> str:
    return str(number) if isinstance(number, int) else f"{number:g}"


def seed_number(spec: SettingSpec, value: Any) -> int:
    # Not the int kind's conversion: it would take 1.0 and "3", and a seed is written as it is.
    if isinstance(value, bool) or not isinstance(value, int):
        raise ParamError(f"{spec.name} must be a whole number, got {value!r}")
    spec._check_range(value)
    return value


def whole_number(spec: SettingSpec, value: Any) -> int:
    """Counts are whole numbers as written: 2.5 or "10" in a project file is a mistake."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ParamError(f"{spec.name} must be a whole number >= {spec.min:g}, got {value!r}")
    spec._check_range(value)
    return value


def check_section(
    where: str, specs: Iterable[SettingSpec], values: Mapping[str, Any], error: type[Exception]
) -> dict[str, Any]:
    """`values` coerced by `specs` (only the keys given). Raises `error` naming the field
    ("optimizer lr must be greater than 0, got -1") for a bad value or an unknown key."""
    index = {spec.name: spec for spec in specs}
    if not isinstance(values, Mapping):
        raise error(f"{where} must be an object such as {{...}}, got {values!r}")
    unknown = sorted(set(values) - set(index), key=str)
    if unknown:
        raise error(
            f"unknown {where} setting(s) {', '.join(map(repr, unknown))}; "
            f"known: {', '.join(sorted(index))}"
        )
    result = {}
    for name, value in values.items():
        try:
            result[name] = index[name].coerce(value)
        except ParamError as problem:
            raise error(f"{where} {problem}") from None
    return result
