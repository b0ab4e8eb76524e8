"""Structural checks of a graph (wiring, cycles, reachability, parameter values).

Shape problems come from `shapes`; `analysis.analyze` combines both into one issue list.
"""

from __future__ import annotations

from .graph import Graph, content_key
from .issues import Issue
from .registry import ParamError


def structural_issues(graph: Graph) -> list[Issue]:
    issues: list[Issue] = []
    inputs = graph.input_nodes()
    if not inputs:
        issues.append(
            Issue.error(
                None,
                "The network has no Input layer",
                "Drag an Input from the palette and wire it to the first layer",
            )
        )
    elif all(node.spec.is_source for node in graph):
        issues.append(
            Issue.error(
                None,
                "The network has no layers after its Input",
                "Add layers and wire the Input into the first one",
            )
        )
    order = graph.topological_order()
    if order is None:
        issues.extend(_cycle_issues(graph))
    incoming = graph.incoming()
    for node in graph:
        issues.extend(_port_issues(incoming[node.id], node))
        issues.extend(_param_issues(node))
    if inputs and order is not None:
        issues.extend(_unreachable_issues(graph, {n.id for n in inputs}, incoming))
        issues.extend(_extra_output_issues(graph, order, {n.id for n in inputs}))
    return issues


def _extra_output_issues(graph: Graph, order: list[str], input_ids: set[str]) -> list[Issue]:
    """A layer left with nothing after it (a Flatten whose next layer was deleted) silently
    becomes one more output of the model. Warn on each output but the deepest one (the head the
    network was built towards) and name every output, so the user sees what the model returns."""
    reachable = set().union(*(graph.descendants(i) for i in input_ids))
    # A loose layer is already an error of its own ("nothing connected"): not an output.
    outputs = [node for node in graph.output_nodes() if node.id in reachable]
    if len(outputs) < 2:
        return []
    depth = {node_id: 0 for node_id in order}
    for node_id in order:
        for edge in graph.outputs_of(node_id):
            depth[edge.dst[0]] = max(depth[edge.dst[0]], depth[node_id] + 1)
    head = max(outputs, key=lambda node: depth[node.id])  # ties: the first one added
    names = ", ".join(node.id for node in outputs)
    return [
        Issue.warning(
            node.id,
            f"{node.type} '{node.id}' feeds nothing, so it becomes an extra output of the model "
            f"(outputs: {names})",
            "Wire it into the next layer, or delete it if it is left over",
        )
        for node in outputs
        if node is not head
    ]


def _cycle_issues(graph: Graph) -> list[Issue]:
    in_cycle = [node_id for node_id in graph.nodes if node_id in graph.descendants(node_id)]
    return [
        Issue.error(
            node_id,
            "This layer is part of a cycle: its output flows back into it",
            "Remove one of the wires that loop back",
        )
        for node_id in in_cycle
    ]


def _port_issues(edges: list, node) -> list[Issue]:
    try:
        count = node.input_count()
    except (ValueError, TypeError):
        return []  # a bad 'inputs' param is reported by _param_issues
    issues = []
    wires_by_port: dict[int, int] = {}
    for edge in edges:
        wires_by_port[edge.dst[1]] = wires_by_port.get(edge.dst[1], 0) + 1
    for port in range(count):
        wires = wires_by_port.get(port, 0)
        where = f"input {port + 1} of {count}" if count > 1 else "its input"
        if wires == 0:
            issues.append(
                Issue.error(
                    node.id,
                    f"{node.type} has nothing connected to {where}",
                    "Drag a wire from a layer's output to this port",
                )
            )
        elif wires > 1:
            issues.append(
                Issue.error(
                    node.id,
                    f"{node.type} has {wires} wires into {where}; a port takes one",
                    "Remove the extra wires or use an Add/Concatenate",
                )
            )
    extra = sorted(port for port in wires_by_port if port >= count)
    if extra:
        issues.append(
            Issue.error(
                node.id,
                f"{node.type} has a wire into port {extra[0] + 1} but only {count} input port(s)",
                "Remove that wire",
            )
        )
    return issues


# (layer type, params by content) -> the ParamError's text, or None: checking every node's params
# on every edit was a third of the analysis of a 1,000-node graph; an edit changes one node's.
_PARAM_CHECKS: dict[tuple[str, str], str | None] = {}
_PARAM_CHECKS_MAX = 8192


def _param_issues(node) -> list[Issue]:
    key = (node.type, content_key(node.params))
    if key not in _PARAM_CHECKS:
        if len(_PARAM_CHECKS) >= _PARAM_CHECKS_MAX:
            _PARAM_CHECKS.clear()
        try:
            node.spec.coerce_params(node.params)
            _PARAM_CHECKS[key] = None
        except ParamError as error:
            _PARAM_CHECKS[key] = str(error)
    message = _PARAM_CHECKS[key]
    if message is None:
        return []
    return [Issue.error(node.id, f"{node.type}: {message}", "Correct the value in the inspector")]


def _unreachable_issues(graph: Graph, input_ids: set[str], incoming) -> list[Issue]:
    reachable = set(input_ids)
    for input_id in input_ids:
        reachable |= graph.descendants(input_id)
    return [
        Issue.error(
            node.id,
            f"{node.type} is not reachable from any Input",
            "Wire it into the network or delete it",
        )
        for node in graph
        if node.id not in reachable and incoming[node.id]
    ]
