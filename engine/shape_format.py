"""How a tensor shape is written, everywhere: messages, the summary, wires and exports.

Two forms: `shape_text` for sentences and tables, `(1, 28, 28)`, and `format_shape` for the compact
labels on wires, nodes and CSV cells, `1x28x28`. This module imports nothing from the engine, so the
layer modules can use it while the registry is still loading.
"""

from __future__ import annotations

from collections.abc import Sequence


def shape_text(shape: Sequence[int] | None) -> str:
    """`(1, 28, 28)` as shown in messages and the summary; unknown -> `?`."""
    if shape is None:
        return "?"
    return "(" + ", ".join(str(size) for size in shape) + ")"


def format_shape(shape: Sequence[int] | None) -> str:
    """`(1, 28, 28)` -> `1x28x28`; unknown -> `?`; no axes -> `scalar`."""
    if shape is None:
        return "?"
    return "x".join(str(size) for size in shape) if len(shape) else "scalar"
