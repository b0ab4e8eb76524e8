"""What every exporter shares: the plain module that is exported, example inputs, the output
comparison, and the result/error types.

`ExportModule` runs the compiled fx graph with the same child modules (so the same state-dict keys)
but looks them up in `_modules` instead of by attribute: a node called `code` or `graph` would
otherwise collide with `fx.GraphModule`'s own attributes.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from torch import fx, nn

from ..atomic import atomic_output  # noqa: F401 - re-exported for the exporters
from ..units import bytes_text

TOLERANCE = 1e-4  # float32 max abs difference accepted between PyTorch and the exported model
BATCH_SIZES = (1, 3)  # 1 catches a batch axis fixed at export time; 3 a wrongly broadcast one


class ExportError(RuntimeError):
    """An export that failed or did not match; `node` names the layer at fault when it is known."""

    def __init__(self, message: str, node: str | None = None):
        super().__init__(message)
        self.node = node


@dataclass
class ExportResult:
    """What an export wrote and how well the written model matches the PyTorch one."""

    format: str
    path: Path
    size_bytes: int
    seconds: float
    max_abs_diff: float
    batch_sizes: tuple[int, ...] = BATCH_SIZES
    warnings: list[str] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def for_file(
        cls, fmt: str, path: Path, seconds: float, diff: float, warnings, details=None
    ) -> ExportResult:
        """The result of an export that wrote the one file `path`."""
        return cls(
            fmt,
            path,
            path.stat().st_size,
            seconds,
            diff,
            BATCH_SIZES,
            list(warnings),
            [path],
            dict(details or {}),
        )

    def summary(self) -> str:
        sizes = " and ".join(str(b) for b in self.batch_sizes)
        return (
            f"{self.format}: {self.path} ({bytes_text(self.size_bytes)}) in {self.seconds:.2f} s; "
            f"max abs difference {self.max_abs_diff:.2e} at batch {sizes}"
        )


class ExportModule(nn.Module):
    """The compiled graph as a plain module: same children and state-dict keys, fx graph replayed."""

    def __init__(self, graph_module: fx.GraphModule):
        super().__init__()
        for name, child in graph_module.named_children():
            # Stored directly: `add_module` refuses names that exist as attributes ("training").
            self._modules[name] = child
        self._nodes = list(graph_module.graph.nodes)
        self.input_names = list(getattr(graph_module, "input_names", []))
        self.output_names = list(getattr(graph_module, "output_names", []))
        self.train(graph_module.training)

    def forward(self, *inputs: torch.Tensor):
        values: dict[fx.Node, Any] = {}
        remaining = iter(inputs)
        for node in self._nodes:
            if node.op == "placeholder":
                values[node] = next(remaining)
            elif node.op == "call_module":
                args = fx.node.map_arg(node.args, lambda n: values[n])
                values[node] = self._modules[node.target](*args)
            elif node.op == "output":
                return fx.node.map_arg(node.args[0], lambda n: values[n])
            else:  # the compiler emits only placeholders, module calls and the output
                raise ExportError(f"unexpected fx node {node.op} {node.target}")
        raise ExportError("the graph has no output")


def flatten_outputs(value: Any) -> list[torch.Tensor]:
    if isinstance(value, torch.Tensor):
        return [value]
    if isinstance(value, (list, tuple)):
        return [t for item in value for t in flatten_outputs(item)]
    raise TypeError(f"unexpected model output {type(value).__name__}")


def max_abs_diff(expected: Any, actual: Any) -> float:
    """Largest absolute difference over all outputs (inf when shapes differ or values are NaN)."""
    first, second = flatten_outputs(expected), [torch.as_tensor(a) for a in flatten_outputs(actual)]
    if len(first) != len(second):
        return float("inf")
    worst = 0.0
    for a, b in zip(first, second):
        if tuple(a.shape) != tuple(b.shape):
            return float("inf")
        if a.numel():
            diff = (a.detach().double() - b.detach().double()).abs().max().item()
            worst = max(worst, diff if diff == diff else float("inf"))
    return worst


def compare(
    reference: Callable[..., Any],
    candidate: Callable[..., Any],
    make_inputs: Callable[[int], Sequence[torch.Tensor]],
    batch_sizes: Sequence[int] = BATCH_SIZES,
) -> float:
    """Run both on the same random inputs at each batch size; the worst difference seen."""
    worst = 0.0
    with torch.no_grad():
        for batch in batch_sizes:
            inputs = make_inputs(batch)
            worst = max(worst, max_abs_diff(reference(*inputs), candidate(*inputs)))
    return worst


def check_tolerance(fmt: str, diff: float, tolerance: float = TOLERANCE) -> None:
    if not diff < tolerance:
        raise ExportError(
            f"{fmt} export does not match PyTorch: max abs difference {diff:.3g} "
            f"(allowed < {tolerance:g})"
        )


class Stopwatch:
    def __init__(self) -> None:
        self.start = time.perf_counter()

    @property
    def seconds(self) -> float:
        return time.perf_counter() - self.start
