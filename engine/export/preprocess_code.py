"""What model.py says about its inputs: the preprocessing the model was trained with (integer
pixels scaled, missing cells filled, features or channels standardised, a table's one-hot
columns), in words for its docstring, and as `PREPROCESSING` + `preprocess(x)` in plain torch,
so raw inputs can be prepared exactly as training did (the ONNX metadata carries the same record).
"""

from __future__ import annotations

from typing import Any

from .literals import one_line

_MAX_NAMES = 12  # feature names listed in the docstring; the constant has them all


def preprocessing_doc(pre: dict[str, Any] | None) -> str:
    """Docstring lines (each a sentence) on what raw inputs go through; "" without a record."""
    if not pre:
        return "Inputs: as the model was trained on them (no preprocessing was recorded).\n"
    lines = ["Raw inputs go through preprocess(x) first (the training data's preprocessing):"]
    if pre.get("input_dtype") == "int64":
        lines.append("- token ids (int64) are passed as they are.")
        return "\n".join(lines) + "\n"
    scale = float(pre.get("scale", 1.0))
    if scale != 1.0:
        lines.append(f"- integer inputs (raw pixels 0-255) are multiplied by {scale:.6g}.")
    if pre.get("fill"):
        lines.append("- missing values (NaN) are filled with the training split's values (FILL).")
    kind = pre.get("kind", "none")
    if pre.get("mean") is not None:
        what = {"image": "per channel", "sequence": "per channel of each series"}.get(
            kind, "per feature"
        )
        lines.append(f"- then standardised {what}: (x - MEAN) / STD, training-split statistics.")
    else:
        lines.append("- no standardisation.")
    table = pre.get("table")
    names = list(pre.get("feature_names") or [])
    if table:
        encoded = [
            f"{one_line(f['name'])} ({f['kind']})"
            for f in table.get("features", [])
            if f.get("kind") != "numeric"
        ]
        lines.append(
            f"- a table: feature columns {one_line(', '.join(names[:_MAX_NAMES]))}"
            + (", ..." if len(names) > _MAX_NAMES else "")
            + " (FEATURES)."
        )
        if encoded:
            lines.append(
                f"- text columns encoded: {one_line(', '.join(encoded))}; one-hot columns are "
                "named column=value in FEATURES, ordinal codes follow the sorted values in TABLE."
            )
    elif names and len(names) <= _MAX_NAMES:
        lines.append(f"- features: {one_line(', '.join(names))}.")
    return "\n".join(lines) + "\n"


def preprocessing_code(pre: dict[str, Any] | None) -> str:
    """The `PREPROCESSING` constants and a `preprocess(x)` in plain torch (repr() literals only)."""
    pre = pre or {}
    stats_shape = list(pre.get("stats_shape") or [])
    return f'''

# The training data's preprocessing (NeuroCanvas' record of it): apply preprocess() to raw inputs.
SCALE = {float(pre.get("scale", 1.0))!r}
FILL = {pre.get("fill")!r}
MEAN = {pre.get("mean")!r}
STD = {pre.get("std")!r}
STATS_SHAPE = {stats_shape!r}
MASKED = {bool(pre.get("masked", False))!r}
TOKEN_IDS = {pre.get("input_dtype") == "int64"!r}
FEATURES = {list(pre.get("feature_names") or [])!r}
TABLE = {pre.get("table")!r}


def preprocess(x: torch.Tensor) -> torch.Tensor:
    """Raw inputs (N, ...) -> what the model was trained on: scaled, filled, standardised."""
    if TOKEN_IDS:
        return x.long()
    if not x.is_floating_point():
        x = x.to(torch.float32) * SCALE
    if FILL is not None and x.ndim == 2 and x.shape[1] == len(FILL):
        fill = torch.tensor([float("nan") if v is None else v for v in FILL], dtype=x.dtype)
        x = torch.where(torch.isnan(x), fill.expand_as(x), x)
    if MEAN is None or STD is None:
        return x
    mean = torch.tensor(MEAN, dtype=x.dtype).reshape(STATS_SHAPE)
    std = torch.tensor(STD, dtype=x.dtype).reshape(STATS_SHAPE)
    if MASKED:  # the last channel is the mask: passed through, padded steps stay 0
        mask = x[:, -1:]
        return torch.cat([(x[:, :-1] - mean) / std * mask, mask], dim=1)
    return (x - mean) / std
'''
