"""The *serving spec* of a model: what a prediction service needs to know beyond its weights and
preprocessing record. Built from an `ExportSource`, stored in exported ONNX files (metadata key
``neurocanvas.serving``) and used directly when a checkpoint is served.

    {"version": 1, "name": project name, "trained": bool, "task": multiclass | binary |
     regression | reconstruction, "output": probabilities | log_probabilities | softmax |
     sigmoid | values (how the model's output becomes probabilities), "class_names": [...],
     "input": {"name", "kind": table | image | text | tensor, "shape": [...], "dtype"},
     "parity": {"format", "max_abs_diff", "batch_sizes"} or None}
"""

from __future__ import annotations

from typing import Any

import torch

from .inputs import input_kind

SPEC_KEY = "neurocanvas.serving"
SPEC_VERSION = 1


class ServeError(ValueError):
    """A model that cannot be served; the message names the file and why."""


def output_kind(objective) -> str:
    """How the full model's output (its final activation included) becomes probabilities."""
    from ..registry import output_heads

    if not objective.classification:
        return "values"
    if objective.view_output == "logits":  # the head was folded into the loss: it is still there
        spec = output_heads().get(objective.head)
        return "probabilities" if spec is None or spec.head.probabilities else "log_probabilities"
    if objective.view_output == "none":  # no head (or one that does not suit): logits
        return "softmax" if objective.loss == "cross_entropy" else "sigmoid"
    return "log_probabilities" if objective.view_output == "log_softmax" else "probabilities"


def serving_spec(source, parity: dict[str, Any] | None = None) -> dict[str, Any]:
    """The spec of an `ExportSource` (its model, preprocessing, classes and checkpoint extras)."""
    from ..training.evaluation import objective_for

    names = source.input_names
    if len(names) != 1:
        raise ServeError(
            f"'{source.project.name}' has {len(names)} inputs; serving supports one input"
        )
    name = names[0]
    shape = [int(s) for s in source.input_shapes[name]]
    sample = source.example_inputs(1)[0]
    extra = source.extra
    try:
        objective, _view, _shape = objective_for(
            source.model,
            sample,
            task=extra.get("task") or (source.preprocessing or {}).get("task") or None,
            loss=extra.get("loss", "auto"),
            mode=extra.get("mode"),
        )
    except ValueError as error:
        raise ServeError(f"'{source.project.name}': {error}") from None
    dtype = "int64" if source.input_dtypes[name] == torch.int64 else "float32"
    return {
        "version": SPEC_VERSION,
        "name": source.project.name,
        "trained": bool(source.trained),
        "task": objective.task,
        "output": output_kind(objective),
        "class_names": list(source.class_names),
        "input": {
            "name": name,
            "kind": input_kind(source.preprocessing, shape),
            "shape": shape,
            "dtype": dtype,
        },
        "parity": parity,
    }


def add_to_onnx(model, source):
    """Store `source`'s spec in an ONNX ModelProto's metadata; the entry (to stamp the parity
    figure on once it is measured), or None for a model that cannot be served (said in the spec's
    absence: `neurocanvas serve` then explains)."""
    import json

    try:
        spec = serving_spec(source)
    except ServeError:
        return None
    entry = model.metadata_props.add()
    entry.key, entry.value = SPEC_KEY, json.dumps(spec)
    return entry


def stamp_parity(entry, fmt: str, diff: float, batch_sizes) -> None:
    """Record the export's verified parity figure in the spec entry `add_to_onnx` made."""
    import json

    spec = json.loads(entry.value)
    spec["parity"] = {
        "format": fmt,
        "max_abs_diff": float(diff),
        "batch_sizes": list(batch_sizes),
        "against": "the PyTorch model, on random inputs",
    }
    entry.value = json.dumps(spec)
