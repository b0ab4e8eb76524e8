"""GraphChange: an edit's record replays it both ways exactly, with fine-grained events only."""

import pytest
from neurocanvas.engine.graph import Edge, Graph, chain
from neurocanvas.engine.graph_change import diff
from neurocanvas.engine.layout import COLUMN_WIDTH, free_offset
from neurocanvas.engine.templates import load_template


def seed() -> Graph:
    return load_template("seed-cnn").graph


def _remove_middle(graph: Graph) -> None:
    graph.remove_node("pool1")


def _rename(graph: Graph) -> None:
    graph.rename_node("dense1", "hidden")


def _fewer_ports(graph: Graph) -> None:
    # Concat with one input fewer drops the wire into the port that went.
    graph.set_param("concat", "inputs", 2)


def _many(graph: Graph) -> None:
    graph.add_node("Dropout", {"p": 0.3}, (5.0, 6.0), node_id="drop")
    graph.move_node("conv1", (40.0, 60.0))
    graph.set_param("dense1", "units", 7)
    graph.remove_edge(graph.inputs_of("output")[0])
    graph.connect(("dense1", 0), ("drop", 0))


def merge_graph() -> Graph:
    graph = Graph()
    graph.add_node("Input", {"shape": (4,)}, node_id="x")
    for name in ("a", "b", "c"):
        graph.add_node("Dense", {"units": 3}, node_id=name)
        graph.connect(("x", 0), (name, 0))
    graph.add_node("Concatenate", {"inputs": 3}, node_id="concat")
    for port, name in enumerate(("a", "b", "c")):
        graph.connect((name, 0), ("concat", port))
    return graph


@pytest.mark.parametrize(
    "make, edit",
    [
        (seed, _remove_middle),
        (seed, _rename),
        (seed, _many),
        (merge_graph, _fewer_ports),
    ],
)
def test_revert_and_apply_give_back_each_state_exactly(make, edit):
    graph = make()
    before = graph.copy()
    edit(graph)
    after = graph.copy()
    change = diff(before, graph)
    change.revert(graph)
    assert graph.to_dict() == before.to_dict()  # order of nodes and wires too
    change.apply(graph)
    assert graph.to_dict() == after.to_dict()


def events_of(graph: Graph, action) -> list[tuple]:
    seen = []
    unsubscribe = graph.subscribe(lambda e: seen.append((e.kind, e.node_id, e.new_id, e.edge)))
    action()
    unsubscribe()
    return seen


def test_undoing_a_parameter_edit_touches_only_that_node():
    graph = seed()
    before = graph.copy()
    graph.set_param("dense1", "units", 50)
    change = diff(before, graph)
    assert set(change.before.nodes) == {"dense1"} == set(change.after.nodes)
    assert events_of(graph, lambda: change.revert(graph)) == [
        ("node_changed", "dense1", None, None)
    ]
    assert graph.nodes["dense1"].params["units"] == before.nodes["dense1"].params["units"]


def test_a_rename_replays_as_a_rename():
    graph = seed()
    before = graph.copy()
    _rename(graph)
    change = diff(before, graph)
    kinds = [event[0] for event in events_of(graph, lambda: change.revert(graph))]
    assert kinds == ["node_renamed"]
    assert "dense1" in graph.nodes and "hidden" not in graph.nodes


def test_undoing_a_removal_adds_the_node_before_its_wires():
    graph = seed()
    before = graph.copy()
    _remove_middle(graph)
    change = diff(before, graph)
    kinds = [event[0] for event in events_of(graph, lambda: change.revert(graph))]
    wired = before.inputs_of("pool1") + before.outputs_of("pool1")
    assert kinds[0] == "node_added" and sorted(kinds[1:]) == ["edge_added"] * len(wired)
    assert set(graph.edges) == set(before.edges)


def test_an_edit_and_its_reverse_make_an_empty_change():
    graph = seed()
    before = graph.copy()
    graph.set_param("dense1", "units", 50)
    assert not diff(before, graph).empty
    graph.set_param("dense1", "units", before.nodes["dense1"].params["units"])
    assert diff(before, graph).empty


def test_a_wire_moved_between_ports_is_removed_and_added():
    graph = merge_graph()
    before = graph.copy()
    graph.remove_edge(Edge(("c", 0), ("concat", 2)))
    graph.remove_edge(Edge(("b", 0), ("concat", 1)))
    graph.connect(("c", 0), ("concat", 1))
    change = diff(before, graph)
    assert change.before.nodes == {} == change.after.nodes
    kinds = sorted(event[0] for event in events_of(graph, lambda: change.revert(graph)))
    assert kinds == ["edge_added", "edge_added", "edge_removed"]
    assert graph.to_dict() == before.to_dict()


def test_copies_go_right_of_the_selection_into_free_space():
    graph = chain("Input", "Dense")
    nodes = list(graph)
    assert free_offset(graph, nodes) == COLUMN_WIDTH  # nothing in the way: the next column
    graph.add_node("Dense", pos=(COLUMN_WIDTH, 0.0), node_id="blocker")
    assert free_offset(graph, nodes) == 2 * COLUMN_WIDTH  # that column is taken: one further
