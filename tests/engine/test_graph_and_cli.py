"""Graph editing and events; the CLI's exit codes and messages."""

import subprocess
import sys

import pytest
from neurocanvas.engine.cli import main
from neurocanvas.engine.graph import Graph, GraphError, chain
from neurocanvas.engine.layout import layered_positions
from neurocanvas.engine.templates import load_template


def test_readable_unique_ids_and_events():
    graph = Graph()
    events = []
    graph.subscribe(lambda event: events.append(event.kind))
    first = graph.add_node("Conv2d")
    second = graph.add_node("Conv2d")
    assert (first.id, second.id) == ("conv2d_1", "conv2d_2")
    graph.add_node("GlobalAvgPool2d")
    assert "global_avg_pool2d_1" in graph.nodes
    graph.connect(("conv2d_1", 0), ("conv2d_2", 0))
    graph.set_param("conv2d_2", "out_channels", 8)
    graph.move_node("conv2d_2", (10, 20))
    graph.rename_node("conv2d_2", "features")
    assert graph.edges[0].dst == ("features", 0)
    graph.remove_node("conv2d_1")
    assert graph.edges == []
    assert events == [
        "node_added",
        "node_added",
        "node_added",
        "edge_added",
        "node_changed",
        "node_moved",
        "node_renamed",
        "edge_removed",
        "node_removed",
    ]


def test_bad_names_are_refused():
    graph = chain(("Input", {"shape": [2]}), "Dense")
    for bad in ("1st", "dense 1", "class", "input_1", "code", "forward", "eval"):
        with pytest.raises(GraphError):
            graph.rename_node("dense_1", bad)


def inception_body():
    return load_template("inception-block").graph.nodes["inception"].params["graph"]


def test_fewer_merge_ports_drop_their_wires():
    graph = inception_body()
    graph.set_param("concat", "inputs", 2)
    assert len(graph.inputs_of("concat")) == 2


def test_layout_is_top_down_and_spreads_branches():
    graph = inception_body()
    positions = layered_positions(graph)
    assert positions["branch1x1"][1] > positions["input"][1]
    assert positions["concat"][1] > positions["branch3x3"][1]
    row = [positions[n][0] for n in ("branch1x1", "reduce3x3", "reduce5x5", "pool")]
    assert len(set(row)) == 4


def test_cli_errors_exit_2_with_a_message(tmp_path, capsys):
    broken = tmp_path / "broken.json"
    broken.write_text(
        '{"format": "neurocanvas", "version": 1, "graph": {"nodes": ['
        '{"id": "source", "type": "Input", "params": {"shape": [1, 28, 28]}},'
        '{"id": "flat", "type": "Flatten"}, {"id": "conv", "type": "Conv2d"}],'
        '"edges": [{"from": ["source", 0], "to": ["flat", 0]}]}}'
    )
    assert main(["summary", str(broken)]) == 2
    err = capsys.readouterr().err
    assert "conv: Conv2d has nothing connected to its input" in err
    assert "Traceback" not in err
    assert main(["summary", str(tmp_path / "missing.json")]) == 2
    assert "no such file" in capsys.readouterr().err


@pytest.mark.slow
def test_cli_templates_and_version():
    result = subprocess.run(
        [sys.executable, "-m", "neurocanvas.engine.cli", "templates"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert "seed-cnn" in result.stdout
    version = subprocess.run(
        [sys.executable, "-m", "neurocanvas.engine.cli", "--version"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert version.stdout.startswith("neurocanvas ")
