"""Structural validation: each problem is reported on the node at fault with a fix."""

from neurocanvas.engine.analysis import analyze
from neurocanvas.engine.graph import Edge, Graph, chain
from neurocanvas.engine.validate import structural_issues


def messages(graph):
    return [(issue.node_id, issue.message) for issue in structural_issues(graph)]


def test_valid_chain_has_no_issues():
    assert messages(chain(("Input", {"shape": [2]}), "Dense")) == []


def test_no_input_and_no_output():
    graph = Graph()
    graph.add_node("Dense")
    assert any(node is None and "no Input" in text for node, text in messages(graph))
    only_input = Graph()
    only_input.add_node("Input", {"shape": [2]})
    assert any("no layers after" in text for _, text in messages(only_input))


def test_unconnected_port_names_the_node():
    graph = chain(("Input", {"shape": [2]}), "Dense")
    graph.add_node("Dense", node_id="loose")
    issues = structural_issues(graph)
    assert [(i.node_id, i.is_error) for i in issues] == [("loose", True)]
    assert "nothing connected" in issues[0].message and issues[0].fix


def test_broken_wire_is_reported_on_the_node():
    graph = chain(("Input", {"shape": [2]}), "Dense", "Dense")
    graph.remove_edge(graph.edges[1])
    assert ("dense_2", "Dense has nothing connected to its input") in messages(graph)


def test_two_wires_into_one_port():
    graph = chain(("Input", {"shape": [2]}), "Dense")
    graph.add_node("Input", {"shape": [2]}, node_id="other")
    graph.add_edge(Edge(("other", 0), ("dense_1", 0)))
    assert any("2 wires" in text for node, text in messages(graph) if node == "dense_1")


def test_cycle_is_reported():
    graph = chain(("Input", {"shape": [4]}), "Dense", "Dense")
    graph.add_node("Add", node_id="add")
    graph.add_edge(Edge(("dense_2", 0), ("add", 0)))
    graph.add_edge(Edge(("add", 0), ("dense_1", 0)))  # second wire into dense_1 closes a loop
    graph.add_edge(Edge(("input_1", 0), ("add", 1)))
    assert any("cycle" in text for _, text in messages(graph))


def test_unreachable_from_input():
    graph = chain(("Input", {"shape": [4]}), "Dense")
    graph.add_node("Dense", node_id="a")
    graph.add_node("Dense", node_id="b")
    graph.add_node("Add", node_id="loop")
    graph.add_edge(Edge(("a", 0), ("b", 0)))
    graph.add_edge(Edge(("b", 0), ("a", 0)))
    found = messages(graph)
    assert any("cycle" in text for _, text in found)


def test_param_out_of_range_and_wrong_type():
    graph = chain(("Input", {"shape": [4]}), ("Dense", {"units": 0}), ("Dropout", {"rate": "lots"}))
    found = messages(graph)
    assert ("dense_1", "Dense: units must be at least 1, got 0") in found
    assert any(node == "dropout_1" and "must be a number" in text for node, text in found)
    # The analysis reports each once (structure and shapes agree on it).
    assert len([i for i in analyze(graph).issues if i.node_id == "dense_1"]) == 1


def test_connection_refusals_say_why():
    graph = chain(("Input", {"shape": [4]}), "Dense", "Dense")
    assert "cycle" in graph.connection_problem(("dense_2", 0), ("dense_1", 0))
    assert "already connected" in graph.connection_problem(("input_1", 0), ("dense_2", 0))
    assert "no input port" in graph.connection_problem(("dense_1", 0), ("input_1", 0))


def test_a_loop_is_not_reported_as_missing_layers():
    graph = chain(("Input", {"shape": [4]}), "Dense", "Dense")
    graph.add_node("Add", node_id="add")
    graph.add_edge(Edge(("dense_2", 0), ("add", 0)))
    graph.add_edge(Edge(("add", 0), ("dense_1", 0)))
    assert not any("no layers after" in text for _, text in messages(graph))


def test_a_dead_end_layer_is_a_warned_extra_output():
    # Flatten -> Dense -> Dense, plus a second Flatten off the Input that feeds nothing.
    graph = chain(("Input", {"shape": [1, 4, 4]}), "Flatten", "Dense", "Dense")
    graph.add_node("Flatten", node_id="stray")
    graph.add_edge(Edge(("input_1", 0), ("stray", 0)))
    issues = structural_issues(graph)
    assert [(i.node_id, i.is_error) for i in issues] == [("stray", False)]
    assert "extra output" in issues[0].message
    assert "outputs: dense_2, stray" in issues[0].message and issues[0].fix
    graph.remove_node("stray")
    assert structural_issues(graph) == []
