"""Project files: versioned JSON holding the graph, data and training settings.

Loading never executes anything from the file; malformed JSON is reported with line and column, an
unknown layer type or parameter by node. Older format versions are migrated; newer ones refused.
Saves are atomic (write a temporary file beside the target, then rename).
"""

from __future__ import annotations

import json
import keyword
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import registry, safe_io
from .atomic import write_atomic
from .graph import Edge, Graph, GraphError

FORMAT_NAME = "neurocanvas"
# 2: RNN `bias` choice (version-1 files keep PyTorch's two biases); 3: named "graphs" (several
# networks per project: a GAN's generator and discriminator) instead of one "graph".
FORMAT_VERSION = 3
MAX_COORDINATE = 1e7  # canvas units: far beyond any real layout, short of float trouble
MAX_PORTS = 1024
MAIN_GRAPH = "main"  # the name of a one-graph project's graph (docs/architecture.md)


class ProjectError(ValueError):
    """A project file that cannot be read; the message names the file and what is wrong where."""


@dataclass
class Project:
    """A project: its named graphs (in tab order), data and training settings.

    `graphs` maps names (Python identifiers) to graphs; `graph` is the main one, the network the
    training step names as its model (`main_graph_name`): the graph given as `graph=` alone
    becomes `{"main": graph}`, and with `graphs=` alone it is looked up there."""

    name: str = "Untitled"
    description: str = ""
    graph: Graph | None = None
    data: dict[str, Any] = field(default_factory=dict)
    training: dict[str, Any] = field(default_factory=dict)
    # The search space of a tuning study (engine/tune/space.py); {} when none is set. Its shape is
    # checked on load, its dimensions against the graph when a study starts (a node removed since
    # must not make the file unreadable).
    tuning: dict[str, Any] = field(default_factory=dict)
    graphs: dict[str, Graph] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.graphs:
            self.graphs = {MAIN_GRAPH: self.graph if self.graph is not None else Graph()}
        else:
            self.graphs = dict(self.graphs)
            for graph_name in self.graphs:
                check_graph_name(graph_name)
        if self.graph is None or all(g is not self.graph for g in self.graphs.values()):
            self.graph = self.graphs[main_graph_name(self.graphs, self.training)]

    @property
    def main_graph(self) -> str:
        """The name of `graph` in `graphs`."""
        return next(name for name, graph in self.graphs.items() if graph is self.graph)

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT_NAME,
            "version": FORMAT_VERSION,
            "name": self.name,
            "description": self.description,
            "graphs": {name: graph.to_dict() for name, graph in self.graphs.items()},
            "data": self.data,
            "training": self.training,
        } | ({"tuning": self.tuning} if self.tuning else {})


def main_graph_name(graphs: Mapping[str, Any], training: Mapping[str, Any] | None) -> str:
    """The graph a project's training step trains as its model: "main" when there is one, the
    generator of a GAN, else the first."""
    if MAIN_GRAPH in graphs:
        return MAIN_GRAPH
    step = (training or {}).get("step", "supervised") if isinstance(training, Mapping) else None
    if step == "gan" and "generator" in graphs:
        return "generator"
    return next(iter(graphs))


def check_graph_name(name: Any, source: str = "<project>") -> str:
    """Graph names name modules, checkpoint keys and generated classes: Python identifiers."""
    if not isinstance(name, str) or not name.isidentifier() or keyword.iskeyword(name):
        raise ProjectError(
            f"{source}: graph name {name!r} must be a Python identifier (letters, digits and _, "
            "not starting with a digit), such as generator"
        )
    return name


def to_json(project: Project) -> str:
    """The file's text. NaN and infinities are refused: they are not JSON, and no reader takes them."""
    try:
        return json.dumps(project.to_dict(), indent=2, allow_nan=False) + "\n"
    except ValueError:
        raise ProjectError(
            f"{project.name}: cannot be saved: a position or setting is NaN or infinite"
        ) from None


def save(project: Project, path: str | os.PathLike) -> None:
    write_atomic(Path(path), to_json(project))


def load(path: str | os.PathLike) -> Project:
    """Read a project file: a regular file of JSON (UTF-8, a byte-order mark allowed)."""
    data = safe_io.read_bytes_capped(Path(path), safe_io.MAX_JSON_BYTES, ProjectError, "project")
    return loads(safe_io.decode_utf8(data, str(path), ProjectError), source=str(path))


def loads(text: str, source: str = "<project>") -> Project:
    text = text.removeprefix("\ufeff")
    if not text.lstrip().startswith("{"):
        raise ProjectError(
            f"{source}: not a NeuroCanvas project (project files are JSON objects starting with "
            "'{'); to train on a data file, pass it with --data"
        )
    return from_dict(safe_io.parse_json(text, source, ProjectError), source)


def from_dict(data: Any, source: str = "<project>") -> Project:
    if not isinstance(data, dict) or data.get("format") != FORMAT_NAME:
        raise ProjectError(
            f'{source}: not a NeuroCanvas project (expected "format": '
            f'"{FORMAT_NAME}" at the top level)'
        )
    data = _migrate(data, source)
    if "graph" in data:
        raise ProjectError(
            f'{source}: format version {FORMAT_VERSION} holds named "graphs" '
            '({"main": {"nodes": ..., "edges": ...}}), not "graph" (that is version 2)'
        )
    graphs_data = data.get("graphs", {MAIN_GRAPH: {}})
    if not isinstance(graphs_data, dict) or not graphs_data:
        raise ProjectError(
            f'{source}: "graphs" must be an object of named graphs, such as '
            '{"main": {"nodes": [], "edges": []}}'
        )
    graphs = {}
    for graph_name, graph_data in graphs_data.items():
        check_graph_name(graph_name, source)
        where = source if graph_name == MAIN_GRAPH else f"{source}: graph {graph_name!r}"
        if not isinstance(graph_data, dict):
            raise ProjectError(f'{where}: a graph must be an object with "nodes" and "edges"')
        graphs[graph_name] = graph_from_dict(graph_data, where)
    training = _object(data, "training", source)
    return Project(
        name=str(data.get("name", "Untitled")),
        description=str(data.get("description", "")),
        data=_object(data, "data", source),
        training=training,
        tuning=_tuning(data, source),
        graphs=graphs,
    )


def _tuning(data: dict, source: str) -> dict:
    """The "tuning" section as written, its shape checked (messages name the field)."""
    value = _object(data, "tuning", source)
    if value:
        from .tune.space import TuningError, tuning_from_dict

        try:
            tuning_from_dict(value)
        except TuningError as error:
            raise ProjectError(f"{source}: {error}") from None
    return value


def _object(data: dict, key: str, source: str) -> dict:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise ProjectError(f'{source}: "{key}" must be an object')
    return value


def _migrate(data: dict, source: str) -> dict:
    version = data.get("version")
    if not isinstance(version, int) or version < 1:
        raise ProjectError(f'{source}: "version" must be a positive whole number, got {version!r}')
    if version > FORMAT_VERSION:
        raise ProjectError(
            f"{source} was written by a newer NeuroCanvas (format version {version}; "
            f"this one reads up to {FORMAT_VERSION}); please update NeuroCanvas"
        )
    if version == 1:
        data = _from_version_1(data)
    if version <= 2:
        data = _from_version_2(data, source)
    return data


def _from_version_2(data: dict, source: str) -> dict:
    """Version 3 holds named graphs: a version-2 file's one "graph" becomes {"main": graph}."""
    graph = data.get("graph", {})
    if not isinstance(graph, dict):
        raise ProjectError(f'{source}: "graph" must be an object with "nodes" and "edges"')
    rest = {key: value for key, value in data.items() if key != "graph"}
    return rest | {"graphs": {MAIN_GRAPH: graph}, "version": 3}


def _from_version_1(data: dict) -> dict:
    """Params added since version 1 whose new default would build another network get the value
    version 1 meant (`LayerSpec.legacy_params`), so an old file keeps its counts and weights."""
    graph = data.get("graph")
    if not isinstance(graph, dict) or not isinstance(graph.get("nodes"), list):
        return data  # graph_from_dict reports the malformed part
    nodes = []
    for node in graph["nodes"]:
        layer_type = node.get("type") if isinstance(node, dict) else None
        try:
            legacy = registry.get(registry.resolve_type(layer_type)).legacy_params
        except (KeyError, TypeError):
            legacy = {}
        params = node.get("params", {}) if legacy else None
        if legacy and isinstance(params, dict):
            node = node | {"params": dict(legacy) | params}
        nodes.append(node)
    return data | {"graph": graph | {"nodes": nodes}}


def graph_from_dict(data: dict, source: str = "<project>") -> Graph:
    graph = Graph()
    nodes = data.get("nodes", [])
    if not isinstance(nodes, list):
        raise ProjectError(f'{source}: "graph.nodes" must be a list')
    shared: dict[str, str] = {}  # node id -> an alias two layers share, as written
    for index, node in enumerate(nodes):
        added, alias = _add_node(graph, node, f"{source}: node {index + 1}")
        if alias:
            shared[added] = alias
    edges = data.get("edges", [])
    if not isinstance(edges, list):
        raise ProjectError(f'{source}: "graph.edges" must be a list')
    for index, edge in enumerate(edges):
        graph.add_edge(_edge(graph, edge, f"{source}: edge {index + 1}"))
    _settle_shared_aliases(graph, shared)
    return graph


def _settle_shared_aliases(graph: Graph, pending: dict[str, str]) -> None:
    """A node typed with an alias two layers share (`BatchNormalization`) was loaded as the first;
    the rank of its input picks the one that fits (BatchNorm2d after a Conv2d), in graph order."""
    if not pending:
        return
    from .analysis import analyze

    for node_id in graph.topological_order() or []:
        if node_id not in pending:
            continue
        node = graph.nodes[node_id]
        sources = [edge.src[0] for edge in graph.inputs_of(node_id)]
        shape = analyze(graph).shape_of(sources[0]) if sources else None
        for candidate in registry.type_candidates(pending[node_id]):
            if shape is not None and len(shape) in registry.get(candidate).input_rank:
                node.type = candidate
                break


def _add_node(graph: Graph, node: Any, where: str) -> tuple[str, str | None]:
    """Add one node; returns its id and, when its type is an alias two layers share, that alias."""
    if not isinstance(node, dict) or "id" not in node or "type" not in node:
        raise ProjectError(f'{where} needs an "id" and a "type"')
    node_id, layer_type = node["id"], node["type"]
    if not isinstance(layer_type, str):
        raise ProjectError(f"{where} ({node_id}): unknown layer type {layer_type!r}")
    written = layer_type
    candidates = registry.type_candidates(layer_type)  # Conv2D, Linear: the canonical type
    if not candidates:
        raise ProjectError(f"{where} ({node_id}): unknown layer type {layer_type!r}")
    layer_type = candidates[0]
    params = node.get("params", {})
    spec = registry.get(layer_type)
    if not isinstance(params, dict):
        raise ProjectError(f'{where} ({node_id}): "params" must be an object')
    unknown = sorted(set(params) - set(spec.param_index))
    if unknown:
        raise ProjectError(f"{where} ({node_id}): {layer_type} has no parameter {unknown[0]!r}")
    params = {k: tuple(v) if isinstance(v, list) else v for k, v in params.items()}
    params = _bodies(spec, params, f"{where} ({node_id})")
    params = dict(spec.alias_defaults.get(written, {})) | params
    pos = node.get("pos", [0, 0])
    if not (isinstance(pos, list) and len(pos) == 2 and all(_is_coordinate(v) for v in pos)):
        raise ProjectError(f'{where} ({node_id}): "pos" must be [x, y], two finite numbers')
    trainable = node.get("trainable", True)
    if not isinstance(trainable, bool):
        raise ProjectError(f'{where} ({node_id}): "trainable" must be true or false')
    try:
        added = graph.add_node(
            layer_type, params, tuple(pos), node_id=str(node_id), trainable=trainable
        )
    except GraphError as error:
        raise ProjectError(f"{where}: {error}") from None
    return added.id, written if len(candidates) > 1 else None


def _bodies(spec: registry.LayerSpec, params: dict, where: str) -> dict:
    """A block's body is a graph object in the file: loaded as a Graph, errors naming the path."""
    result = dict(params)
    for param in spec.params:
        if param.kind == "graph" and param.name in params:
            body = params[param.name]
            if not isinstance(body, dict):
                raise ProjectError(f'{where}: "{param.name}" must be a graph object')
            result[param.name] = graph_from_dict(body, f"{where} >")
        elif param.kind == "mapping" and param.name in params:
            value = params[param.name]
            if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
                raise ProjectError(f'{where}: "{param.name}" must map names to "node.param" texts')
    return result


def _is_coordinate(value: Any) -> bool:
    return (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and math.isfinite(value)
        and abs(value) <= MAX_COORDINATE
    )


def _port(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < MAX_PORTS:
        raise ValueError(value)
    return value


def _edge(graph: Graph, edge: Any, where: str) -> Edge:
    try:
        (src, src_port), (dst, dst_port) = edge["from"], edge["to"]
        ends = (str(src), _port(src_port)), (str(dst), _port(dst_port))
    except (KeyError, TypeError, ValueError):
        raise ProjectError(
            f'{where} must look like {{"from": ["a", 0], "to": ["b", 0]}} (ports are whole '
            f"numbers from 0 to {MAX_PORTS - 1})"
        ) from None
    for node_id, _ in ends:
        if node_id not in graph.nodes:
            raise ProjectError(f"{where} refers to a node {node_id!r} that does not exist")
    return Edge(*ends)
