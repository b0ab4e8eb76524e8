"""Format version 3: named graphs in order, version 2 (and 1) files migrated on load, saves in
the newest version, graph names checked, the main graph chosen as the training step says."""

from __future__ import annotations

import json

import pytest
from neurocanvas.engine import project as project_io
from neurocanvas.engine.graph import Graph
from neurocanvas.engine.project import FORMAT_VERSION, ProjectError

LSTM_V1 = {
    "format": "neurocanvas",
    "version": 1,
    "name": "old",
    "graph": {
        "nodes": [
            {"id": "input", "type": "Input", "params": {"shape": [5, 3]}},
            {"id": "lstm", "type": "LSTM", "params": {"hidden_size": 4}},
        ],
        "edges": [{"from": ["input", 0], "to": ["lstm", 0]}],
    },
}


def _graph(*types: str) -> Graph:
    graph = Graph()
    for index, layer_type in enumerate(types):
        graph.add_node(layer_type, node_id=f"n{index}")
    return graph


def test_a_version_2_file_becomes_one_graph_called_main_and_saves_as_version_3(tmp_path):
    loaded = project_io.from_dict(LSTM_V1 | {"version": 2})
    assert list(loaded.graphs) == ["main"] and loaded.graph is loaded.graphs["main"]
    assert loaded.graph.nodes["lstm"].params.get("bias", "keras") == "keras"
    path = tmp_path / "p.json"
    project_io.save(loaded, path)
    written = json.loads(path.read_text())
    assert FORMAT_VERSION == 3 and written["version"] == 3 and "graph" not in written
    assert list(written["graphs"]) == ["main"]
    assert written["graphs"]["main"]["nodes"][1]["id"] == "lstm"


def test_version_1_migrates_through_2_to_3():
    loaded = project_io.from_dict(LSTM_V1)
    assert list(loaded.graphs) == ["main"]
    assert loaded.graph.nodes["lstm"].params["bias"] == "pytorch"  # the 1 -> 2 step still ran


def test_several_graphs_keep_their_names_and_order_through_a_round_trip():
    project = project_io.Project(
        "gan",
        graphs={"generator": _graph("Input", "Dense"), "discriminator": _graph("Input")},
        training={"step": "gan"},
    )
    again = project_io.loads(project_io.to_json(project))
    assert list(again.graphs) == ["generator", "discriminator"]
    assert again.main_graph == "generator" and again.graph is again.graphs["generator"]
    assert list(again.graphs["generator"].nodes) == ["n0", "n1"]
    assert again.to_dict() == project.to_dict()


def test_the_main_graph_is_main_then_a_gans_generator_then_the_first():
    two = {"critic": _graph("Input"), "maker": _graph("Input")}
    assert project_io.Project(graphs=two).main_graph == "critic"
    gan = {"discriminator": _graph("Input"), "generator": _graph("Input")}
    assert project_io.Project(graphs=gan, training={"step": "gan"}).main_graph == "generator"
    assert project_io.Project(graph=_graph("Input")).main_graph == "main"


@pytest.mark.parametrize("name", ["1st", "gen-erator", "class", "", 7])
def test_graph_names_must_be_identifiers(name):
    data = {"format": "neurocanvas", "version": 3, "graphs": {name: {"nodes": [], "edges": []}}}
    if not isinstance(name, str):
        data = json.loads(json.dumps(data))  # a number becomes a string key in JSON
        with pytest.raises(ProjectError, match="identifier"):
            project_io.from_dict(data)
        return
    with pytest.raises(ProjectError, match="graph name .* must be a Python identifier"):
        project_io.from_dict(data)


def test_malformed_graphs_are_named():
    with pytest.raises(ProjectError, match='"graphs" must be an object'):
        project_io.from_dict({"format": "neurocanvas", "version": 3, "graphs": []})
    with pytest.raises(ProjectError, match="graph 'critic': a graph must be an object"):
        project_io.from_dict(
            {"format": "neurocanvas", "version": 3, "graphs": {"main": {}, "critic": 3}}
        )
    with pytest.raises(ProjectError, match='not "graph"'):
        project_io.from_dict({"format": "neurocanvas", "version": 3, "graph": {}})
    bad_node = {"nodes": [{"id": "a", "type": "Conv4d"}], "edges": []}
    with pytest.raises(ProjectError, match="graph 'critic': node 1"):
        project_io.from_dict(
            {"format": "neurocanvas", "version": 3, "graphs": {"main": {}, "critic": bad_node}}
        )
