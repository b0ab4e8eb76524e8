"""What every inspection starts from: a checkpoint's model, the split it is looked at on (the test
split of the project's data or of `--data`, normalised as the model was trained) and one sample."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import torch
from torch import fx

from ..data import DataError, TensorSplit
from ..training.checkpoint import CheckpointError, load_checkpoint
from ..training.data_adapter import first_nonempty, load_prepared, renormalise
from ..training.losses import strip_head
from .capture import InspectError


@dataclass
class Inspected:
    model: fx.GraphModule  # eval mode, on the CPU
    bundle: dict[str, Any]
    split_name: str
    split: TensorSplit
    class_names: list[str]
    feature_names: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)

    def sample(self, index: int) -> tuple[torch.Tensor, torch.Tensor]:
        """(x with a batch axis of 1, its target); InspectError when out of range."""
        if not 0 <= index < len(self.split):
            raise InspectError(
                f"--sample {index}: the {self.split_name} split has samples 0 to "
                f"{len(self.split) - 1}"
            )
        return self.split.x[index : index + 1], self.split.y[index]

    def label(self, value) -> str:
        index = int(value)
        if 0 <= index < len(self.class_names):
            return self.class_names[index]
        return str(index)


def load_inspected(project, weights: str, spec: str | None, download: bool = False) -> Inspected:
    """The checkpoint `weights` and the data it is inspected on; CheckpointError / DataError."""
    model, bundle = load_checkpoint(weights)
    class_names = list(bundle.get("class_names") or [])
    data = load_prepared(
        project.data, spec, class_names=class_names or None, allow_download=download
    )
    name, split = first_nonempty(data)
    split = renormalise(split, data.preprocessing, bundle.get("preprocessing"))
    return Inspected(
        model=model,
        bundle=bundle,
        split_name=name,
        split=split,
        class_names=class_names or list(data.class_names),
        feature_names=_feature_names(data),
        texts=list(data.texts.get(name, [])),
    )


def _feature_names(data) -> list[str]:
    """A table's encoded feature names (one per model input column), when it has them."""
    names = data.preprocessing.feature_names or list(data.info.feature_names or [])
    return [str(n) for n in names]


def logits_view(model: fx.GraphModule) -> fx.GraphModule:
    """The model without a final Softmax/Sigmoid (attributions and top classes from scores)."""
    return strip_head(model)


def probabilities(model: fx.GraphModule, x: torch.Tensor) -> torch.Tensor:
    """(N, K) class probabilities: softmax of the logits, or for one output unit (binary) the
    sigmoid as the second class's probability."""
    with torch.no_grad():
        logits = logits_view(model)(x)
    logits = logits[0] if isinstance(logits, tuple) else logits
    logits = logits.reshape(len(x), -1).float()
    if logits.shape[1] == 1:
        p = torch.sigmoid(logits)
        return torch.cat([1 - p, p], dim=1)
    return torch.softmax(logits, dim=1)


__all__ = [
    "CheckpointError",
    "DataError",
    "Inspected",
    "load_inspected",
    "logits_view",
    "probabilities",
]


def load_run_checkpoint(weights: str, spec: str | None = None) -> Inspected:
    """`load_inspected` with the project saved inside the checkpoint (the window's Inside tab
    opens a finished run's best.pt on its own data)."""
    from .. import project as project_io
    from ..training.checkpoint import read_checkpoint

    bundle = read_checkpoint(weights)
    project = project_io.from_dict(bundle["project"], str(weights))
    return load_inspected(project, weights, spec)
