"""Project files, property-based: any graph NeuroCanvas can hold survives save and load unchanged,
and a damaged or foreign file is refused with a ProjectError naming it, never another exception."""

from __future__ import annotations

import json
import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from neurocanvas.engine import project, registry, templates
from neurocanvas.engine.analysis import analyze
from neurocanvas.engine.graph import Graph
from neurocanvas.engine.project import Project, ProjectError
from neurocanvas.engine.registry import AUTO, ParamSpec

# deadline=None: the machine is shared, and a slow example is not a wrong one.
PROPERTY = settings(max_examples=100, deadline=None)

JSON_LEAVES = (
    st.none()
    | st.booleans()
    | st.integers(-(10**12), 10**12)
    | st.floats(allow_nan=False, allow_infinity=False)  # not JSON: saving refuses them
    | st.text(max_size=12)
)
JSON_VALUES = st.recursive(
    JSON_LEAVES,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
JSON_OBJECTS = st.dictionaries(st.text(max_size=8), JSON_VALUES, max_size=4)
COORDINATES = st.floats(-1e5, 1e5, allow_nan=False)


def _bounded(value: float | None, fallback: int) -> int:
    return fallback if value is None else int(value)


def param_values(param: ParamSpec) -> st.SearchStrategy:
    """Any value `param` accepts."""
    if param.kind == "int":
        values = st.integers(_bounded(param.min, -(10**6)), _bounded(param.max, 10**6))
    elif param.kind == "float":
        values = st.floats(param.min, param.max, allow_nan=False, allow_infinity=False)
    elif param.kind == "bool":
        values = st.booleans()
    elif param.kind == "choice":
        values = st.sampled_from(param.choices)
    elif param.kind == "ints":
        size = st.integers(_bounded(param.min, 0), min(_bounded(param.max, 64), 64))
        tuples = st.sampled_from(param.lengths).flatmap(
            lambda n: st.lists(size, min_size=n, max_size=n).map(tuple)
        )
        values = size | tuples
    else:
        sizes = st.integers(_bounded(param.min, 1), 4096)
        values = st.lists(sizes, min_size=1, max_size=4).map(tuple)
    return values | st.just(AUTO) if param.auto else values


def layer_params(spec: registry.LayerSpec) -> st.SearchStrategy:
    """A valid subset of the spec's params (the rest stay at their defaults)."""
    # A block's body and mapping are structure, not values: tests/engine/test_blocks.py covers them.
    editable = [p for p in spec.params if p.editable]
    return st.fixed_dictionaries({}, optional={p.name: param_values(p) for p in editable})


@st.composite
def graphs(draw) -> Graph:
    graph = Graph()
    for _ in range(draw(st.integers(0, 6))):
        spec = draw(st.sampled_from(registry.all_specs()))
        graph.add_node(
            spec.name, draw(layer_params(spec)), draw(st.tuples(COORDINATES, COORDINATES))
        )
    ids = list(graph.nodes)
    for _ in range(draw(st.integers(0, 8)) if ids else 0):
        src, dst = draw(st.sampled_from(ids)), draw(st.sampled_from(ids))
        port = draw(st.integers(0, 3))
        if graph.connection_problem((src, 0), (dst, port)) is None:
            graph.connect((src, 0), (dst, port))
    return graph


@st.composite
def projects(draw) -> Project:
    return Project(
        name=draw(st.text(max_size=20)),
        description=draw(st.text(max_size=40)),
        graph=draw(graphs()),
        data=draw(JSON_OBJECTS),
        training=draw(JSON_OBJECTS),
    )


@settings(PROPERTY, suppress_health_check=[HealthCheck.function_scoped_fixture])  # one file
@given(original=projects())
def test_load_of_save_is_the_same_project(original, tmp_path):
    path = tmp_path / "generated.json"
    project.save(original, path)
    again = project.load(path)
    assert again.to_dict() == original.to_dict()
    assert again.graph.same_as(original.graph)


TEMPLATE_NAMES = [template.name for template in templates.list_templates()]


@st.composite
def mutated_documents(draw) -> dict:
    """A template's file content with one value somewhere replaced by any JSON value, or removed."""
    document = templates.load_template(draw(st.sampled_from(TEMPLATE_NAMES))).to_dict()
    parent, key = None, None
    node = document
    while isinstance(node, (dict, list)) and node and draw(st.integers(0, 4)):  # mostly deeper
        keys = list(node) if isinstance(node, dict) else list(range(len(node)))
        parent, key = node, draw(st.sampled_from(keys))
        node = node[key]
    if parent is None:
        return draw(JSON_OBJECTS) | {"format": "neurocanvas", "version": 1}
    if draw(st.booleans()):
        del parent[key]
    else:
        parent[key] = draw(JSON_VALUES)
    return document


def assert_loads_or_names_the_problem(text: str) -> None:
    """Either a ProjectError naming the file, or a project whose problems analysis reports."""
    try:
        loaded = project.loads(text, source="damaged.json")
    except ProjectError as error:
        assert str(error).startswith("damaged.json"), str(error)
        return
    analyze(loaded.graph)  # wrong values that loaded become issues on nodes, not exceptions


@PROPERTY
@given(document=mutated_documents())
def test_mutated_files_load_or_fail_with_a_project_error(document):
    assert_loads_or_names_the_problem(json.dumps(document))


@PROPERTY
@given(data=st.data())
def test_damaged_text_fails_with_a_project_error(data):
    text = templates.load_template(data.draw(st.sampled_from(TEMPLATE_NAMES))).to_dict()
    text = json.dumps(text)
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, min(len(text), start + 40)))
    inserted = data.draw(st.text(string.printable, max_size=10))
    assert_loads_or_names_the_problem(text[:start] + inserted + text[end:])


@PROPERTY
@given(text=st.text(max_size=200))
def test_garbage_fails_with_a_project_error(text):
    assert_loads_or_names_the_problem(text)


@pytest.mark.parametrize(
    "text",
    [
        '{"format": "neurocanvas", "version": 1, "graph": ' + "[" * 100_000,  # too deep
        '{"format": "neurocanvas", "version": ' + "9" * 5000 + "}",  # too many digits
        '{"format": "neurocanvas", "version": 1, "graph": {"nodes": [{"id": "a", "type": "Input"},'
        ' {"id": "b", "type": "ReLU"}], "edges": [{"from": ["a", 1e400], "to": ["b", 0]}]}}',
    ],
)
def test_pathological_json_fails_with_a_project_error(text):
    with pytest.raises(ProjectError, match="damaged.json"):
        project.loads(text, source="damaged.json")
