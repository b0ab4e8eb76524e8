"""The `Block` layer: a node holding a sub-graph (engine/blocks.py has the logic)."""

from __future__ import annotations

from ..blocks import BLOCK_TYPE, MAX_REPEAT, build_block, default_body, input_count
from ..registry import LayerSpec, ParamSpec, register


def _label(p) -> str:
    """'7 layers', 'x3 of 7 layers': what the collapsed card holds."""
    body = p.graph
    count = sum(1 for node in body if not node.spec.is_source) if hasattr(body, "nodes") else 0
    layers = f"{count} layer{'s' if count != 1 else ''}"
    return f"x{p.repeat} of {layers}" if p.repeat > 1 else layers


BLOCK = LayerSpec(
    name=BLOCK_TYPE,
    aliases=("Group", "Module", "Sequential"),
    category="Core",
    inputs=input_count,
    build=build_block,
    help="A group of layers shown as one card (open it to edit inside); its Input nodes are its "
    "inputs, its last node its output; repeat stacks copies of it",
    params=(
        ParamSpec(
            "graph",
            "graph",
            None,
            "The layers inside the block",
            factory=default_body,
        ),
        ParamSpec(
            "expose",
            "mapping",
            None,
            "Block parameters shown as its own: name -> inner_node.param",
            factory=dict,
        ),
        ParamSpec(
            "repeat",
            "int",
            1,
            "Copies of the body one after another, each with its own weights (the body must keep "
            "its input's shape)",
            min=1,
            max=MAX_REPEAT,
        ),
        ParamSpec(
            "lr_mult",
            "float",
            1.0,
            "Learning-rate multiplier for the block's weights (discriminative fine-tuning: e.g. "
            "0.1 for pretrained layers, 1 the optimizer's own rate; nested blocks multiply)",
            min=0.0,
            max=1000.0,
        ),
    ),
    label=lambda p: _label(p),
)

register(BLOCK)
