"""Shape inference on a 300-node graph: full analysis, and re-analysis after one edit near the end.

Goals on a 2-core machine: full < 200 ms, incremental < 20 ms. Prints figures; asserts nothing.
"""

from __future__ import annotations

import statistics
import time

from neurocanvas.engine.analysis import Analyzer
from neurocanvas.engine.graph import Graph

CONV_BLOCKS = 12  # each: 12 convs + 1 Add  -> 156 nodes
DENSE_BLOCKS = 8  # each: 16 dense + 1 Add -> 136 nodes


def big_graph() -> tuple[Graph, str]:
    """About 300 nodes: residual conv blocks, a pooling bridge, residual dense blocks (20 merges).
    Returns the graph and a node near the end to edit."""
    graph = Graph()
    previous = graph.add_node("Input", {"shape": [8, 16, 16]}).id

    def add(layer_type, params=None):
        nonlocal previous
        node = graph.add_node(layer_type, params)
        graph.connect((previous, 0), (node.id, 0))
        previous = node.id
        return node.id

    for _ in range(CONV_BLOCKS):
        block_input = previous
        for _ in range(12):
            add(
                "Conv2d",
                {"out_channels": 8, "kernel_size": 3, "padding": "same", "activation": "relu"},
            )
        merge = add("Add")
        graph.connect((block_input, 0), (merge, 1))
    add("GlobalAvgPool2d")
    add("Dense", {"units": 32, "activation": "relu"})
    for _ in range(DENSE_BLOCKS):
        block_input = previous
        for _ in range(16):
            add("Dense", {"units": 32, "activation": "relu"})
        merge = add("Add")
        graph.connect((block_input, 0), (merge, 1))
    add("Dense", {"units": 32, "activation": "relu"})
    edit_target = add("Dense", {"units": 10})
    return graph, edit_target


def timed(function, repeats: int) -> float:
    """Median milliseconds of `function()` over `repeats` runs."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> dict[str, float]:
    graph, target = big_graph()
    Analyzer().analyze(graph)  # warm up torch's meta kernels
    full_ms = timed(lambda: Analyzer().analyze(graph), 5)
    analyzer = Analyzer()
    analyzer.analyze(graph)
    units = iter(range(33, 10_000))

    def edit_and_reanalyze():
        graph.set_param(target, "units", next(units))
        analyzer.analyze(graph)

    incremental_ms = timed(edit_and_reanalyze, 20)
    rebuilt = len(analyzer.inference.rebuilt)
    print(f"shape inference, {len(graph)} nodes ({len(graph.edges)} wires, 20 merges):")
    print(f"  full analysis        {full_ms:7.1f} ms   (goal < 200 ms)")
    print(
        f"  after one edit       {incremental_ms:7.1f} ms   (goal < 20 ms; {rebuilt} nodes rebuilt)"
    )
    return {"full_ms": full_ms, "incremental_ms": incremental_ms, "nodes": len(graph)}


if __name__ == "__main__":
    main()
