"""Keras-style `model.summary()`: a row per layer, totals, FLOPs per sample and memory."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace

import torch
from torch.utils.flop_counter import FlopCounterMode

from . import registry
from .analysis import Analysis, Analyzer
from .graph import Graph
from .shape_format import shape_text
from .shapes import AutoSizes, NodeShape
from .units import bytes_text, count_text, flops_text

FINAL_ACTIVATION_NOTE = (
    "A final Softmax/Sigmoid is kept for prediction; with a cross-entropy loss the trainer uses the "
    "matching log-space loss so training stays numerically stable."
)


@dataclass(frozen=True)
class SummaryRow:
    name: str
    type: str
    caption: str  # e.g. "Conv2d 16@5x5 relu"
    output_shape: tuple[int, ...] | None
    params: int
    trainable: int
    flops: int | None  # per sample; None when the shape is unknown
    depth: int = 0  # 0 for the graph's own nodes, 1 inside a block, 2 in a block in a block...
    parent: str = ""  # the path of the block row this one folds into ("" at the top)


@dataclass(frozen=True)
class Summary:
    rows: list[SummaryRow]
    total_params: int
    trainable_params: int
    non_trainable_params: int
    flops: int | None  # per sample; None while some shape is unknown
    param_bytes: int
    activation_bytes: int | None  # outputs of every layer for one sample, float32
    notes: list[str]
    sizes_known: bool = True  # False while an `auto` size waits for data: the totals are partial

    def to_dict(self) -> dict:
        data = asdict(self)
        if not self.sizes_known:  # partial sums would read as the model's size; say unknown
            for key in ("total_params", "trainable_params", "non_trainable_params", "param_bytes"):
                data[key] = None
        for row in data["rows"]:
            row["output_shape"] = None if row["output_shape"] is None else list(row["output_shape"])
        return data


def summarize(
    graph: Graph, auto: AutoSizes | None = None, analysis: Analysis | None = None
) -> Summary:
    analysis = analysis or Analyzer().analyze(graph, auto)
    order = graph.topological_order() or list(graph.nodes)
    rows = []
    for node_id in order:
        node, result = graph.nodes[node_id], analysis.shapes[node_id]
        rows.append(_row(node, result))
        rows += _child_rows(node, result, node_id, 1, node.trainable)
    all_rows, rows = rows, [row for row in rows if row.depth == 0]
    total = sum(row.params for row in rows)
    trainable = sum(row.trainable for row in rows)
    known = all(row.flops is not None for row in rows)
    activations = [r.output_shape for r in rows]
    return Summary(
        rows=all_rows,
        total_params=total,
        trainable_params=trainable,
        non_trainable_params=total - trainable,
        flops=sum(row.flops for row in rows) if known and rows else None,
        param_bytes=4 * total,
        activation_bytes=4 * sum(_numel(s) for s in activations)
        if None not in activations
        else None,
        notes=_notes(graph),
        sizes_known=None not in activations,
    )


def _row(node, result: NodeShape, path: str = "", depth: int = 0, parent: str = "") -> SummaryRow:
    caption = node.spec.describe(result.params or node.params) if result.params else node.type
    return SummaryRow(
        path or node.id,
        node.type,
        caption,
        result.shape,
        result.param_count,
        result.trainable_count,
        _flops(result),
        depth,
        parent,
    )


def _child_rows(
    node, result: NodeShape, path: str, depth: int, trainable: bool
) -> list[SummaryRow]:
    """A block's inner layers as rows folded under it (each copy of a repeat: `res1.0.conv1`)."""
    from .blocks import BLOCK_TYPE, analyze_body

    if node.type != BLOCK_TYPE or result.shape is None:
        return []
    bound, body = analyze_body(node.params["graph"], result.input_shapes)
    repeat = node.params["repeat"]
    prefixes = [f"{path}."] if repeat == 1 else [f"{path}.{i}." for i in range(repeat)]
    rows = []
    for prefix in prefixes:
        for inner_id in bound.topological_order() or list(bound.nodes):
            inner, inner_result = bound.nodes[inner_id], body.shapes[inner_id]
            if inner.spec.is_source:  # the block's ports, not layers
                continue
            inner_path = prefix + inner_id
            row = _row(inner, inner_result, inner_path, depth, path)
            if not trainable:  # a frozen block freezes every layer in it
                row = replace(row, trainable=0)
            rows.append(row)
            rows += _child_rows(
                inner, inner_result, inner_path, depth + 1, trainable and inner.trainable
            )
    return rows


def _flops(result: NodeShape) -> int | None:
    if result.shape is None:
        return None
    if result.module is None:
        return 0
    inputs = [torch.empty((1, *shape), device="meta") for shape in result.input_shapes]
    if result.params and result.params.get("dtype") == "int64":
        return 0
    try:
        counter = FlopCounterMode(display=False)
        with counter:
            result.module(*[_as_dtype(t, result) for t in inputs])
        return int(counter.get_total_flops())
    except Exception:  # FLOPs are informative only; never break the summary over them
        return 0


def _as_dtype(tensor: torch.Tensor, result: NodeShape) -> torch.Tensor:
    if result.module is not None and isinstance(result.module, torch.nn.Embedding):
        return tensor.long()
    return tensor


def _numel(shape) -> int:
    count = 1
    for size in shape:
        count *= size
    return count


def _notes(graph: Graph) -> list[str]:
    finals = [node for node in graph.output_nodes() if _ends_in_probabilities(node)]
    notes = [FINAL_ACTIVATION_NOTE] if finals else []
    return notes + _bias_notes(graph)


def _bias_notes(graph: Graph) -> list[str]:
    """Which bias convention each recurrent layer is counted with (Keras and PyTorch differ)."""
    from .layers.recurrent import bias_convention

    conventions: dict[str, list[str]] = {}
    for node in graph.nodes.values():
        if (
            "bias" in node.params
            and node.spec.category == "Recurrent"
            or "reset_after" in node.params
        ):
            conventions.setdefault(bias_convention(node.type, node.params), []).append(node.id)
    return [
        f"Recurrent biases counted as {convention}: {', '.join(ids)} (the bias setting)."
        for convention, ids in conventions.items()
    ]


def _ends_in_probabilities(node) -> bool:
    """Whether the node's own or fused (`activation=`) activation is a probability head."""
    activation = node.params.get("activation")
    fused = registry.fused_activations().get(activation) if isinstance(activation, str) else None
    return any(spec and spec.head and spec.head.probabilities for spec in (node.spec, fused))


UNKNOWN_SIZES_HINT = (
    "Sizes set to 'auto' come from the data: give them with --input-shape and --output-units "
    "(e.g. --input-shape 4 --output-units 3), or train with --data FILE"
)


def _totals(summary: Summary) -> list[str]:
    if not summary.sizes_known:
        return [
            "Total params: unknown (some sizes are 'auto')",
            "Trainable params: unknown",
            "Non-trainable params: unknown",
        ]
    return [
        f"Total params: {count_text(summary.total_params)} ({bytes_text(summary.param_bytes)})",
        f"Trainable params: {count_text(summary.trainable_params)}",
        f"Non-trainable params: {count_text(summary.non_trainable_params)}",
    ]


def format_table(summary: Summary, title: str = "", hint: str = UNKNOWN_SIZES_HINT) -> str:
    """The summary as a fixed-width text table, like Keras. `hint`: how to give `auto` sizes."""
    header = ("Layer (type)", "Output Shape", "Param #")
    body = [
        (
            f"{'  ' * row.depth}{row.name} ({row.type})",
            shape_text(row.output_shape),
            "?" if row.output_shape is None else count_text(row.params),
        )
        for row in summary.rows
    ]
    widths = [max(len(line[i]) for line in [header, *body]) + 2 for i in range(3)]
    width = sum(widths)

    def line(cells):
        return "".join(
            cell.ljust(w) if i < 2 else cell.rjust(w - 2)
            for i, (cell, w) in enumerate(zip(cells, widths))
        )

    parts = [f'Model: "{title}"' if title else "", "=" * width, line(header), "=" * width]
    parts += [line(cells) for cells in body]
    if any(row.depth for row in summary.rows):
        parts.append("(indented rows are the layers inside a block, counted in its row)")
    parts += [
        "=" * width,
        *_totals(summary),
        f"FLOPs per sample: {flops_text(summary.flops, 'FLOPs')}",
        "Activations per sample: "
        + ("?" if summary.activation_bytes is None else bytes_text(summary.activation_bytes)),
        "-" * width,
    ]
    parts += [f"Note: {note}" for note in summary.notes]
    if not summary.sizes_known:
        parts.append(f"Note: {hint}.")
    return "\n".join(part for part in parts if part != "") + "\n"
