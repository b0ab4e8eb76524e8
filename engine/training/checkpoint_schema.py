"""What a checkpoint bundle must hold, checked once on load, with messages naming the field.

`torch.load(weights_only=True)` keeps code from running, but the plain data it returns is still
whatever the file says: `version: "1"`, a missing `project`, a `state_dict` that is a string,
`class_names: 5`. Every reader of a bundle (evaluate, export, the window's Try it) may then trust
the fields listed here.
"""

from __future__ import annotations

from typing import Any

import torch

from ..data.config import TASKS
from .config import LOSSES, MODES

_OPTIONAL = (
    "class_names",
    "preprocessing",
    "config",
    "metrics",
    "task",
    "loss",
    "mode",
    "epoch",
    "auto",
)
# The data's tasks, plus what a run can train that no data set names: an autoencoder, a GAN.
CHECKPOINT_TASKS = (*TASKS, "reconstruction", "generation")
MAX_DIM = 1 << 24  # one axis of a sample; past this a "shape" is a bomb, not data
DTYPES = ("float32", "int64")


def check_bundle(bundle: dict[str, Any], source: str, newest: int, error: type[Exception]) -> None:
    """Raise `error` naming the first field of `bundle` that a reader could not trust."""

    def bad(field: str, wanted: str) -> Exception:
        return error(
            f"{source}: checkpoint field '{field}' must be {wanted}, not {_shown(bundle.get(field))}"
        )

    version = bundle.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise bad("version", "a positive whole number")
    if version > newest:
        raise error(
            f"{source} was written by a newer NeuroCanvas (checkpoint version {version}); "
            "please update NeuroCanvas"
        )
    if not isinstance(bundle.get("project"), dict):
        raise bad("project", "the project as a mapping")
    state = bundle.get("state_dict")
    if not isinstance(state, dict) or not all(
        isinstance(k, str) and isinstance(v, torch.Tensor) for k, v in state.items()
    ):
        raise bad("state_dict", "a mapping of names to tensors")
    graphs = bundle.get("state_dicts")
    if graphs is not None and not (
        isinstance(graphs, dict)
        and all(
            isinstance(name, str)
            and isinstance(weights, dict)
            and all(isinstance(k, str) and isinstance(v, torch.Tensor) for k, v in weights.items())
            for name, weights in graphs.items()
        )
    ):
        raise bad("state_dicts", "a mapping of graph names to state dicts")
    _check_optional(bundle, "class_names", _is_text_list, "a list of class names", bad)
    for field in ("preprocessing", "config", "metrics"):
        _check_optional(bundle, field, lambda v: isinstance(v, dict), "a mapping", bad)
    for field, choices in (("task", CHECKPOINT_TASKS), ("loss", LOSSES), ("mode", MODES)):
        _check_optional(
            bundle,
            field,
            lambda v, c=choices: v in c,
            f"one of {', '.join(c for c in choices)}",
            bad,
        )
    _check_optional(bundle, "epoch", _is_count, "a whole number", bad)
    _check_auto(bundle.get("auto"), source, error)
    others = bundle.get("graph_auto")
    if others is not None and not isinstance(others, dict):
        raise bad("graph_auto", "a mapping of graph names to auto sizes")
    for sizes in (others or {}).values():
        _check_auto(sizes, source, error)
    for field in _OPTIONAL:  # a field set to null reads as absent: every reader has a default
        if field in bundle and bundle[field] is None:
            del bundle[field]
    batch = (bundle.get("config") or {}).get("eval_batch_size", 1)
    if not _is_count(batch) or batch < 1:
        raise error(
            f"{source}: checkpoint field 'config.eval_batch_size' must be a whole number >= 1, not {_shown(batch)}"
        )


def _check_auto(auto: Any, source: str, error: type[Exception]) -> None:
    if auto is None:
        return
    if not isinstance(auto, dict):
        raise error(f"{source}: checkpoint field 'auto' must be a mapping, not {_shown(auto)}")
    shape = auto.get("input_shape")
    if shape is not None and not (
        isinstance(shape, (list, tuple))
        and len(shape) <= 8
        and all(_is_count(d) and 1 <= d <= MAX_DIM for d in shape)
    ):
        raise error(
            f"{source}: checkpoint field 'auto.input_shape' must be a list of sizes from 1 to "
            f"{MAX_DIM:,}, not {_shown(shape)}"
        )
    units = auto.get("output_units")
    if units is not None and not (_is_count(units) and 1 <= units <= MAX_DIM):
        raise error(
            f"{source}: checkpoint field 'auto.output_units' must be a whole number >= 1, not {_shown(units)}"
        )
    if auto.get("input_dtype", "float32") not in DTYPES:
        raise error(
            f"{source}: checkpoint field 'auto.input_dtype' must be one of {', '.join(DTYPES)}"
        )


def _check_optional(bundle, field, ok, wanted, bad) -> None:
    value = bundle.get(field)
    if value is not None and not ok(value):
        raise bad(field, wanted)


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_text_list(value: Any) -> bool:
    return isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value)


def _shown(value: Any) -> str:
    text = (
        repr(value)
        if not isinstance(value, torch.Tensor)
        else f"a tensor of shape {list(value.shape)}"
    )
    return text if len(text) <= 60 else text[:57] + "..."
