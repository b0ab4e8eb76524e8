"""The one optimizer table: each optimizer's torch class, help line and the settings it takes.

Its names are the choices of the "optimizer" setting (settings.py), and `build_optimizer` passes each
optimizer only the settings it takes. Adding an optimizer is one `OptimizerKind` here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import torch

from ..registry import ParamError


@dataclass(frozen=True)
class OptimizerKind:
    """One optimizer: its torch class, a help line, and the optional settings it takes beyond
    lr and weight_decay (the others are not passed: Adam has no momentum)."""

    name: str
    torch_class: type[torch.optim.Optimizer]
    help: str
    takes: tuple[str, ...] = ()


OPTIMIZERS: Mapping[str, OptimizerKind] = MappingProxyType(
    {
        kind.name: kind
        for kind in (
            OptimizerKind(
                "SGD",
                torch.optim.SGD,
                "Stochastic gradient descent, optionally with (Nesterov) momentum",
                ("momentum", "nesterov"),
            ),
            OptimizerKind(
                "Adam", torch.optim.Adam, "Adaptive moments: a good default", ("amsgrad",)
            ),
            OptimizerKind(
                "AdamW", torch.optim.AdamW, "Adam with decoupled weight decay", ("amsgrad",)
            ),
            OptimizerKind(
                "RMSprop",
                torch.optim.RMSprop,
                "Divides by a running mean of squared gradients",
                ("momentum",),
            ),
            OptimizerKind("Adagrad", torch.optim.Adagrad, "Per-parameter rates that shrink"),
        )
    }
)


def build_optimizer(parameters: Iterable[torch.Tensor], config: Any) -> torch.optim.Optimizer:
    """The optimizer `config` (an `OptimizerConfig`) describes, over `parameters`."""
    kind = OPTIMIZERS[config.type]
    options = {name: getattr(config, name) for name in kind.takes}
    return kind.torch_class(parameters, lr=config.lr, weight_decay=config.weight_decay, **options)


def optimizer_name(spec: Any, value: Any) -> str:
    """Case-insensitive: "adam" is Adam (project files from other tools spell it so)."""
    names = {name.lower(): name for name in OPTIMIZERS}
    if isinstance(value, str) and value.lower() in names:
        return names[value.lower()]
    raise ParamError(f"{spec.name} must be one of {', '.join(OPTIMIZERS)}; got {value!r}")
